"""The transparency pages: the audit history's signed checkpoints, as a page, as JSON and as Atom, for anyone."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.audit import checkpoints, keys
from factcheck.claims.models import Claim
from factcheck.public import transparency
from factcheck.publishing.models import Publication, PublicationKind
from tests.public.conftest import when

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]


def stored(db: Session) -> list[checkpoints.Statement]:
    """Every checkpoint in the database, oldest first."""
    return checkpoints.from_database(db.connection())


@pytest.fixture
def two_publications(published_check: PublishedCheck, revise_check: ReviseCheck) -> None:
    claim = published_check(headline="Alpha", published_at=when(1))
    revise_check(
        claim, PublicationKind.CORRECTION, "We misstated the treaty's range limits.", published_at=when(2)
    )


def test_the_page_explains_checkpoints_and_lists_the_keys_and_the_newest(
    client: FlaskClient, db_session: Session, two_publications: None
) -> None:
    response = client.get("/transparency/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key in keys.active().public_keys():
        assert key["key_id"] in html and key["public_key"] in html
    made = stored(db_session)
    assert len(made) >= 2
    for statement in made:
        assert statement.head in html
        assert f'id="{transparency.anchor(statement)}"' in html
    assert "at a publication" in html
    assert "factcheck audit verify --checkpoints http://localhost/transparency/checkpoints.json" in html
    assert 'href="/transparency/checkpoints.atom"' in html
    # Shared by every reader and cacheable, under the strict CSP: no cookie, no inline script or style.
    assert response.cache_control.public and response.cache_control.max_age
    assert response.headers.get("ETag") and "Set-Cookie" not in response.headers
    assert "<script" not in html and "style=" not in html


def test_the_page_before_any_checkpoint(client: FlaskClient) -> None:
    html = client.get("/transparency/").get_data(as_text=True)
    assert "No checkpoint has been made yet" in html


def test_the_page_lists_only_the_newest(
    client: FlaskClient, db_session: Session, two_publications: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transparency, "PAGE_ENTRIES", 1)
    *older, newest = stored(db_session)
    html = client.get("/transparency/").get_data(as_text=True)
    assert transparency.anchor(newest) in html
    assert not any(transparency.anchor(statement) in html for statement in older)
    assert "every one is in the JSON file" in html


def test_a_new_checkpoint_changes_the_pages_validators(
    client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    published_check(published_at=when(1))
    for path in ("/transparency/", "/transparency/checkpoints.json", "/transparency/checkpoints.atom"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, path
    published_check(published_at=when(2))
    for path in ("/transparency/", "/transparency/checkpoints.json", "/transparency/checkpoints.atom"):
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 200, path


def test_the_json_lists_the_keys_and_every_checkpoint_and_reads_back_as_a_copy(
    client: FlaskClient, db_session: Session, two_publications: None, tmp_path: Any
) -> None:
    response = client.get("/transparency/checkpoints.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.cache_control.public and "Set-Cookie" not in response.headers
    document = json.loads(response.get_data(as_text=True))
    assert document["type"] == transparency.DOCUMENT_TYPE
    assert document["keys"] == keys.active().public_keys()
    made = stored(db_session)
    assert document["checkpoints"] == [statement.to_json() for statement in made]

    # Anyone can check each signature with nothing but the published key.
    published = {
        key["key_id"]: Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
        for key in document["keys"]
    }
    for item in document["checkpoints"]:
        statement = checkpoints.Statement.from_json(item)
        published[statement.key_id].verify(bytes.fromhex(statement.signature), statement.message())

    # A saved copy is what `factcheck audit verify --checkpoints FILE` reads.
    copy = tmp_path / "checkpoints.json"
    copy.write_bytes(response.data)
    assert [found.statement for found in checkpoints.from_copy(str(copy))] == made


def test_the_json_before_any_checkpoint_is_an_empty_list(client: FlaskClient, tmp_path: Any) -> None:
    response = client.get("/transparency/checkpoints.json")
    assert json.loads(response.data)["checkpoints"] == []
    copy = tmp_path / "checkpoints.json"
    copy.write_bytes(response.data)
    assert checkpoints.from_copy(str(copy)) == []


def test_the_json_streams_in_chunks_that_join_into_the_document(
    db_session: Session, two_publications: None
) -> None:
    public_keys = keys.active().public_keys()
    made = stored(db_session)
    chunks = list(transparency.document_chunks(db_session, public_keys, up_to=None))
    assert json.loads("".join(chunks))["checkpoints"] == []
    newest_id = transparency.checkpoint_state(db_session).newest_id
    chunks = list(transparency.document_chunks(db_session, public_keys, up_to=newest_id, batch=1))
    assert len(chunks) == len(made) + 2
    assert [item["seq"] for item in json.loads("".join(chunks))["checkpoints"]] == [s.seq for s in made]


def test_the_atom_feed_has_one_entry_per_checkpoint_with_the_signed_statement(
    client: FlaskClient, db_session: Session, two_publications: None
) -> None:
    response = client.get("/transparency/checkpoints.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert response.cache_control.public
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Factcheck demo newsroom: audit history checkpoints"
    made = stored(db_session)
    assert len(feed.entries) == len(made)
    newest_first = list(reversed(made))
    assert len({entry.id for entry in feed.entries}) == len(made)
    for entry, statement in zip(feed.entries, newest_first, strict=True):
        assert entry.title.startswith(f"Checkpoint of changeset {statement.seq}, made ")
        assert entry.link == "http://localhost/transparency/"
        (content,) = entry.content
        assert checkpoints.Statement.from_json(json.loads(content.value)) == statement
    assert [tag.term for tag in feed.entries[0].tags] == [checkpoints.PUBLICATION]


def test_the_atom_feed_holds_the_newest(
    client: FlaskClient, db_session: Session, two_publications: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transparency, "FEED_ENTRIES", 1)
    feed = feedparser.parse(client.get("/transparency/checkpoints.atom").data)
    assert not feed.bozo
    (entry,) = feed.entries
    assert json.loads(entry.content[0].value) == stored(db_session)[-1].to_json()


def test_the_atom_feed_before_any_checkpoint(client: FlaskClient) -> None:
    feed = feedparser.parse(client.get("/transparency/checkpoints.atom").data)
    assert not feed.bozo and feed.entries == []


def test_the_public_site_links_to_the_transparency_page(client: FlaskClient) -> None:
    for path in ("/checks/", "/about"):
        assert 'href="/transparency/"' in client.get(path).get_data(as_text=True), path
