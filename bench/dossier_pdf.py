"""Seconds to render a claim's dossier PDF by number of sources (the inline threshold).

    python bench/dossier_pdf.py 10 50 100 300

Builds a throw-away SQLite database in a temporary folder, a claim with N
generated sources for each N, and times build_dossier + render_pdf.
"""

from __future__ import annotations

import sys
import tempfile
import time

from factcheck import create_app
from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Claim, ClaimState, ClaimTransition
from factcheck.db import get_database
from factcheck.dossier.content import build_dossier
from factcheck.migrate import upgrade
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.web.pdf import render_pdf


def main(counts: list[int]) -> None:
    folder = tempfile.mkdtemp()
    app = create_app(
        {"INSTANCE_PATH": folder, "SECRET_KEY": "bench-secret-key-long-enough-for-this", "ENV": "development"}
    )
    with app.app_context():
        upgrade(get_database(app).engine)
        session = get_database(app).write_sessions()
        set_actor(session, Actor.system("bench", "bench"))
        # No sign-in in a benchmark: the hash matches no password.
        unusable = "!"
        user = User(
            email="bench@example.org", name="Bench Reviewer", role=Role.REVIEWER, password_hash=unusable
        )
        session.add(user)
        for count in counts:
            claim = Claim(
                text=f"A claim with {count} sources.",
                claimant="Bench",
                created_by=user,
                state=ClaimState.RESEARCHING,
            )
            claim.transitions.append(ClaimTransition(from_state=None, to_state=ClaimState.NEW, actor=user))
            for n in range(count):
                claim.sources.append(
                    Source(
                        title=f"Gauge reading {n}",
                        url=f"https://data.example.org/gauges/{n}",
                        kind=SourceKind.DATA_SET,
                        stance=Stance.CONTEXT,
                        quote=f"Daily load on day {n}: {200 + n % 50} t.",
                        created_by=user,
                    )
                )
            session.add(claim)
            session.commit()
            with app.test_request_context("/claims/1/dossier.pdf", base_url="http://localhost"):
                from flask import render_template

                started = time.perf_counter()
                dossier = build_dossier(session, claim, user)
                html = render_template("dossier/pdf.html", dossier=dossier)
                data = render_pdf(html, base_url="http://localhost/claims/1/dossier.pdf")
                print(
                    f"{count:5d} sources: {time.perf_counter() - started:6.2f} s, {len(data) // 1024} KB",
                    flush=True,
                )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10, 50, 100, 300])
