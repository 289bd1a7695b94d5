"""Revision 0007: claims imported when the review URL was the key are found again by their
identity after the upgrade (a re-import creates nothing), and the downgrade gives the URL back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from factcheck import create_app, migrate
from factcheck.audit import verification
from factcheck.db import get_database, make_engine
from factcheck.imports.identity import url_claim_key
from tests.conftest import config_for_tests
from tests.imports.samples import LOBBYIST, WHALES, run_import, script_line, write
from tests.imports.test_record_identity import ARTICLE, GRASSLEY, KAVANAUGH

BEFORE = "0006"


def keys_by_text(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        return {
            claim: key for claim, key in connection.execute(text("SELECT text, imported_from FROM claims"))
        }


def test_claims_imported_before_0007_are_found_again_and_the_downgrade_restores_their_urls(
    tmp_path: Path, empty_database: str
) -> None:
    engine = make_engine(empty_database)
    migrate.upgrade(engine, "head")
    app = create_app(config_for_tests(tmp_path, empty_database))
    try:
        # Records imported, then the database taken back to revision 0006: the importer of then
        # keyed them by their review URL, as the downgrade does. (The importer of now writes
        # columns that 0006 does not have, so it cannot fill a 0006 database itself.)
        crawl = write(
            tmp_path, "crawl.txt", "\n".join(map(script_line, (WHALES, LOBBYIST, KAVANAUGH))) + "\n"
        )
        assert run_import(app, "claimreview", crawl).exit_code == 0
        migrate.downgrade(engine, BEFORE)
        assert sorted(keys_by_text(engine).values()) == sorted(
            r["url"] for r in (WHALES, LOBBYIST, KAVANAUGH)
        )

        migrate.upgrade(engine, "head")

        assert sorted(keys_by_text(engine).values()) == sorted(
            url_claim_key(r["url"], r["claimReviewed"]) for r in (WHALES, LOBBYIST, KAVANAUGH)
        )
        again = run_import(app, "claimreview", crawl)
        assert again.output.startswith("Created 0, updated 0, unchanged 3, older ignored 0, skipped 0"), (
            again.output
        )
        # The article's second claim is a claim of its own now.
        second = run_import(app, "claimreview", write(tmp_path, "second.txt", script_line(GRASSLEY) + "\n"))
        assert second.output.startswith("Created 1, updated 0, unchanged 0"), second.output

        migrate.downgrade(engine, BEFORE)

        keys = keys_by_text(engine)
        assert keys["Japanese whaling crew eaten alive by killer whales, 16 dead."] == WHALES["url"]
        assert keys["I\u2019ve never taken a position on Roe v. Wade."] == ARTICLE
        # The second claim of the article cannot have the URL too (it is unique): it keeps its key.
        assert keys["No nominee has ever had more documents released."] == url_claim_key(
            ARTICLE, GRASSLEY["claimReviewed"]
        )
        with engine.begin() as connection:
            report = verification.verify(connection, directory=None)
            assert report.ok, report.summary()

        migrate.upgrade(engine, "head")
        assert run_import(app, "claimreview", crawl).output.startswith("Created 0, updated 0, unchanged 3")
    finally:
        get_database(app).engine.dispose()
        engine.dispose()
