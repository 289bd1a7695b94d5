"""``factcheck documents add SOURCE``: a document from a web address (fetched now) or a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from factcheck.accounts.models import Role
from factcheck.archive.fetching import FetchError, FetchSettings
from factcheck.documents import fetching, pdf
from factcheck.documents.extract import (
    ACCEPTED,
    DEFAULT_MAX_HTML_BYTES,
    UnreadableUpload,
    extension_of,
    read_upload,
)
from factcheck.documents.operations import (
    DEFAULT_MAX_BYTES,
    DocumentError,
    DocumentValues,
    add_document,
    clean_url,
)

ADD_COMMAND = "documents add"


@dataclass(frozen=True)
class _Operator:
    """Whoever runs the command on the server, trusted as imports are; the document has no creator
    and the history names the command and the system user."""

    is_authenticated: bool = True
    role: Role = Role.ADMIN
    id: None = None


@click.group()
def documents() -> None:
    """Documents on the desk."""


@documents.command("add")
@click.argument("source")
@click.option("--title", help="The document's title (default: the page's title, or the text's first line).")
@click.option("--language", help="A language tag such as en, ru or pt-BR.")
@with_appcontext
def add(source: str, title: str | None, language: str | None) -> None:
    """Add a document from SOURCE: an http(s) address, fetched now and archived, or a .txt, .md,
    .html or .pdf file. Prints "Document N: TITLE"."""
    from factcheck.cli import command_session

    config = current_app.config
    try:
        if source.lower().startswith(("http://", "https://")):
            with command_session(ADD_COMMAND) as session:
                document = fetching.add_fetched(
                    session,
                    _Operator(),
                    source,
                    FetchSettings.from_config(config),
                    title=title,
                    language=language,
                )
                line = f"Document {document.id}: {document.title}"
        else:
            values = _from_file(Path(source), title, language)
            with command_session(ADD_COMMAND) as session:
                document = add_document(
                    session,
                    _Operator(),
                    values,
                    max_bytes=int(config.get("MAX_DOCUMENT_BYTES", DEFAULT_MAX_BYTES)),
                )
                line = f"Document {document.id}: {document.title}"
    except FetchError as error:
        raise click.ClickException(f"{source}: {error}") from None
    except (DocumentError, UnreadableUpload) as error:
        raise click.ClickException(f"{source}: {str(error).rstrip('.')}") from None
    click.echo(line)


def _from_file(path: Path, title: str | None, language: str | None) -> DocumentValues:
    if not path.is_file():
        raise click.ClickException(f"{path}: no such file (give a {ACCEPTED} file or an http(s) address)")
    if extension_of(path.name) == ".pdf":
        return _from_pdf(path, title, language)
    extracted = read_upload(
        path.name,
        path.read_bytes(),
        max_html_bytes=int(current_app.config.get("MAX_HTML_UPLOAD_BYTES", DEFAULT_MAX_HTML_BYTES)),
    )
    metadata = extracted.metadata
    return DocumentValues(
        title=title or (str(metadata["title"]) if metadata.get("title") else None),
        text=extracted.text,
        url=_valid_url(metadata.get("url")),
        outlet=str(metadata["outlet"]) if metadata.get("outlet") else None,
        author=str(metadata["author"]) if metadata.get("author") else None,
        published_on=metadata.get("published_on"),  # type: ignore[arg-type]
        language=language or (str(metadata["language"]) if metadata.get("language") else None),
    )


def _from_pdf(path: Path, title: str | None, language: str | None) -> DocumentValues:
    """As an uploaded PDF on the desk: its text page by page, the original kept for staff."""
    data = path.read_bytes()
    read = pdf.read_pdf(data)
    return DocumentValues(
        title=title or read.title,
        text=read.text,
        author=read.author,
        language=language,
        page_starts=read.page_starts,
        file_name=path.name,
        file_type=pdf.MEDIA_TYPE,
        file_content=data,
    )


def _valid_url(value: object) -> str | None:
    """The address a saved page names as its own, when it is a usable one (as on the desk)."""
    try:
        return clean_url(str(value)) if value else None
    except DocumentError:
        return None
