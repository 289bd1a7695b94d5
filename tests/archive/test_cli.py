"""``factcheck documents add``: from an address (fetched now) or a file; failures in one line."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.documents.models import Document, FetchState
from tests.archive.helpers import writers_of
from tests.archive.site import ARTICLE, Site
from tests.documents.pdfs import report_pdf, scanned_pdf


def test_an_address_is_fetched_archived_and_stored(
    runner: FlaskCliRunner, db_session: Session, site: Site
) -> None:
    url = site.put("/news/missile")
    result = runner.invoke(args=["documents", "add", url, "--language", "en-GB"])
    assert result.exit_code == 0, result.output
    document = db_session.scalars(select(Document)).one()
    assert result.output == f"Document {document.id}: Ministry says missile range is 480 km\n"
    assert document.fetch_state == FetchState.FETCHED
    assert document.language == "en-GB"
    assert document.snapshot is not None and document.snapshot.final_url == url
    assert "480 kilometres" in document.text
    operation, actor, _ = writers_of(db_session, "documents", document.id)[0]
    assert operation == "INSERT" and actor.startswith("documents add")


def test_a_file_is_read(runner: FlaskCliRunner, db_session: Session, tmp_path: Path) -> None:
    text_file = tmp_path / "statement.txt"
    text_file.write_text("Ministry statement\n\nThe missile's range is 480 km.\n", encoding="utf-8")
    page = tmp_path / "article.html"
    page.write_text(ARTICLE, encoding="utf-8")

    result = runner.invoke(args=["documents", "add", str(text_file)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["documents", "add", str(page), "--title", "Herald, 20 November"])
    assert result.exit_code == 0, result.output
    first, second = db_session.scalars(select(Document).order_by(Document.id)).all()
    assert result.output == f"Document {second.id}: Herald, 20 November\n"
    assert (first.title, first.fetch_state) == ("Ministry statement", None)
    assert second.author == "Jane Reporter" and "480 kilometres" in second.text


def test_a_pdf_is_read_page_by_page_and_kept(
    runner: FlaskCliRunner, db_session: Session, tmp_path: Path
) -> None:
    report = tmp_path / "labour-market-q3.pdf"
    report.write_bytes(report_pdf())
    result = runner.invoke(args=["documents", "add", str(report), "--language", "en"])
    assert result.exit_code == 0, result.output
    document = db_session.scalars(select(Document)).one()
    assert result.output == f"Document {document.id}: Labour Market Report Q3\n"
    assert document.author == "Office for National Statistics" and document.language == "en"
    assert len(document.page_starts or []) == 3
    assert document.page_at(document.text.index("Unemployment fell")) == 2
    assert document.file_name == "labour-market-q3.pdf"
    assert document.file is not None and document.file.content == report.read_bytes()


def test_failures_exit_non_zero_with_one_line(
    runner: FlaskCliRunner, db_session: Session, site: Site, tmp_path: Path
) -> None:
    missing = site.url + "/gone"
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"\xff\xd8\xff")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf())
    for source, message in (
        (missing, f"Error: {missing}: the server answered 404"),
        (str(image), f"Error: {image}: Upload a .txt, .md, .html or .pdf file"),
        (str(tmp_path / "nothing.txt"), "no such file"),
        (str(scan), f"Error: {scan}: "),
    ):
        result = runner.invoke(args=["documents", "add", source])
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert message in result.output
    assert db_session.scalars(select(Document)).all() == []
