"""The home page at ``/``: the desk's queues for staff, the published checks for everyone else."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from factcheck import db
from factcheck.claims.workflow import configured_four_eyes
from factcheck.db import utcnow
from factcheck.home import queues
from factcheck.notifications import operations as notifications
from factcheck.security.permissions import Permission, can

# Recent activity on followed claims shown on the home page.
RECENT = 10


def home() -> ResponseReturnValue:
    if not can(current_user, Permission.READ_DESK):
        return redirect(url_for("public.checks"))
    session = db.session()
    waiting = queues.waiting_for(
        session, current_user, four_eyes=configured_four_eyes(), today=utcnow().date()
    )
    return render_template(
        "home/index.html",
        waiting=waiting,
        recent=notifications.latest(session, current_user.id, limit=RECENT),
        unread=notifications.unread_count(session, current_user.id),
        due_soon_days=queues.DUE_SOON_DAYS,
    )
