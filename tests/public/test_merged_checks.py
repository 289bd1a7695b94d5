"""A published check merged into another: its address answers 301 to the survivor's page while the
survivor is published, and keeps its own page when the survivor is not or the merge is undone."""

from __future__ import annotations

from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims import merging
from factcheck.public.models import StoredPage

REASON = "The same 9M729 claim was checked twice."
DUPLICATE = "Russia says the 9M729 missile flies 480 km at most."


def merge(db_session, editor, duplicate, survivor):
    set_actor(db_session, Actor.for_user(editor, origin="test"))
    record = merging.merge(db_session, editor, duplicate, survivor, REASON)
    db_session.commit()
    return record


def test_a_merged_check_moves_permanently_to_the_survivor(client, db_session, published_check, check_builder):
    survivor = published_check()
    duplicate = published_check(text=DUPLICATE)
    old_address = f"/checks/{duplicate.slug}"
    assert client.get(old_address).status_code == 200
    record = merge(db_session, check_builder.editor, duplicate, survivor)

    moved = client.get(old_address)
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/checks/{survivor.slug}")
    assert client.get(old_address, follow_redirects=True).status_code == 200
    # Earlier revisions stay readable at their own addresses.
    assert client.get(f"{old_address}/revisions/1").status_code == 200

    merging.undo(db_session, check_builder.editor, record, "Two different claims after all.")
    db_session.commit()
    assert client.get(old_address).status_code == 200


def test_a_check_merged_into_an_unpublished_claim_keeps_its_page(
    client, db_session, published_check, draft_check, check_builder
):
    survivor = draft_check()
    duplicate = published_check(text=DUPLICATE)
    merge(db_session, check_builder.editor, duplicate, survivor)
    kept = client.get(f"/checks/{duplicate.slug}")
    assert kept.status_code == 200
    assert DUPLICATE in kept.get_data(as_text=True)


def test_a_stored_page_of_a_merged_check_is_not_served(
    app, client, db_session, published_check, check_builder
):
    # Published inside the app, as an editor's request would: both pages are rendered and stored.
    with app.test_request_context():
        survivor = published_check()
        duplicate = published_check(text=DUPLICATE)
    old_address = f"/checks/{duplicate.slug}"
    assert db_session.get(StoredPage, old_address) is not None
    record = merge(db_session, check_builder.editor, duplicate, survivor)

    # The lean path would answer 200 from the stored page; the merge makes it hand over to the app.
    moved = client.get(old_address)
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/checks/{survivor.slug}")

    with app.test_request_context():
        merging.undo(db_session, check_builder.editor, record, "Two different claims after all.")
        db_session.commit()
    back = client.get(old_address)
    assert back.status_code == 200 and DUPLICATE in back.get_data(as_text=True)
