"""Publishing operations at model level: first publication, corrections, updates, retractions, the rules."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import migrate
from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor, set_reason
from factcheck.audit.history import claim_history
from factcheck.claims.models import Claim, ClaimState, ClaimTransition
from factcheck.db import make_engine
from factcheck.publishing import operations
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.operations import PublishingError, draft_differs, publish, publish_revision
from factcheck.publishing.snapshot import build_snapshot, search_text
from factcheck.security.permissions import PermissionDenied
from factcheck.verdicts.models import Verdict
from tests.claims.desk import acting_as, add_verdict, history_sentences, label, make_claim, stored_claim
from tests.publishing.building import NOTE, SLUG, make_team, published_claim, ready_claim, revisions

CORRECTION = PublicationKind.CORRECTION
UPDATE = PublicationKind.UPDATE
RETRACTION = PublicationKind.RETRACTION


@pytest.fixture
def team(make_user):
    return make_team(make_user)


def publication_count(db) -> int:
    return db.scalar(select(func.count()).select_from(Publication)) or 0


def edit_verdict(db, claim, editor, **values) -> Verdict:
    """Change the draft verdict as the verdict page would (it records who changed it last)."""
    acting_as(db, editor)
    verdict = stored_claim(db, claim).verdict
    assert verdict is not None
    for name, value in values.items():
        setattr(verdict, name, value)
    verdict.updated_by_id = editor.id
    # Changing a rating needs a reason in the history.
    set_reason(db, "The editor changed the verdict.")
    db.commit()
    return verdict


# --- the first publication -----------------------------------------------------------


def test_publishing_freezes_revision_one_gives_the_slug_and_moves_the_claim(db_session, team):
    claim = ready_claim(db_session, team)
    ada = team["ada"]
    acting_as(db_session, ada)

    publication = publish(db_session, claim, ada, reason="Approved after the desk meeting.")
    db_session.commit()

    claim = stored_claim(db_session, claim)
    assert claim.state == ClaimState.PUBLISHED
    assert claim.slug == SLUG
    [stored] = revisions(db_session, claim)
    assert stored.id == publication.id
    assert (stored.revision, stored.kind, stored.note) == (1, PublicationKind.PUBLICATION, None)
    assert (stored.label_name, stored.headline) == ("False", "Not 480 km")
    assert stored.published_by_id == ada.id
    snapshot = stored.snapshot
    assert snapshot["claim"] == claim.text
    assert snapshot["label"]["name"] == "False"
    assert snapshot["headline"] == "Not 480 km"
    assert [source["title"] for source in snapshot["sources"]] == ["INF Treaty, Article VII"]
    assert snapshot["published_at"] == snapshot["first_published_at"]
    assert datetime.fromisoformat(snapshot["published_at"]) == stored.published_at
    assert stored.search_text == search_text(snapshot)
    assert "not 480 km" in stored.search_text
    # The move is a workflow step like any other, with the reason as its comment.
    step = claim.transitions[-1]
    assert (step.from_state, step.to_state, step.actor_id, step.comment) == (
        ClaimState.READY,
        ClaimState.PUBLISHED,
        ada.id,
        "Approved after the desk meeting.",
    )


def test_the_history_records_the_publication_with_its_reason_and_the_move(db_session, team):
    claim = ready_claim(db_session, team)
    acting_as(db_session, team["ada"])
    publish(db_session, claim, team["ada"])
    db_session.commit()

    last = claim_history(db_session, claim.id, ratings_visible=True)[-1]
    assert last.actor_name == "Ada Admin"
    assert last.reason == "First publication."
    sentences = [item.sentence for item in last.items]
    assert "published revision 1 (publication)" in sentences
    assert "moved the claim from Ready to Published" in sentences
    assert ("Ada Admin", "published revision 1 (publication)") in history_sentences(db_session, claim)


@pytest.mark.parametrize(
    "state", [state for state in ClaimState if state not in (ClaimState.READY, ClaimState.PUBLISHED)]
)
def test_only_a_ready_claim_is_published(db_session, team, state):
    claim = make_claim(db_session, team["anna"], state)
    add_verdict(db_session, claim, team["eve"])

    with pytest.raises(
        PublishingError, match=f"only a claim that is Ready can be published; this one is {state.label}"
    ):
        publish(db_session, claim, team["ada"])

    assert stored_claim(db_session, claim).state == state
    assert stored_claim(db_session, claim).slug is None
    assert publication_count(db_session) == 0


def test_a_published_claim_is_not_published_again(db_session, team):
    claim = published_claim(db_session, team)

    with pytest.raises(PublishingError, match="already published; publish a correction"):
        publish(db_session, claim, team["ed"])
    assert len(revisions(db_session, claim)) == 1


def test_reviewers_and_signed_out_or_disabled_people_cannot_publish(db_session, team, make_user):
    claim = ready_claim(db_session, team)
    disabled = make_user(Role.ADMIN, disabled=True)

    for actor in (team["anna"], AnonymousUserMixin(), disabled, None):
        with pytest.raises(PermissionDenied):
            publish(db_session, claim, actor)
    assert stored_claim(db_session, claim).state == ClaimState.READY
    assert publication_count(db_session) == 0


def test_a_verdict_without_a_label_or_headline_is_not_published(db_session, team):
    claim = ready_claim(db_session, team)
    verdict = edit_verdict(db_session, claim, team["ed"], label_id=None)

    with pytest.raises(PublishingError, match="the verdict needs a label"):
        publish(db_session, claim, team["ada"])

    edit_verdict(db_session, claim, team["ed"], label_id=label(db_session, "false").id, headline="  ")
    with pytest.raises(PublishingError, match="the verdict needs a headline"):
        publish(db_session, claim, team["ada"])

    db_session.delete(verdict)
    db_session.commit()
    with pytest.raises(PublishingError, match="no verdict"):
        publish(db_session, stored_claim(db_session, claim), team["ada"])
    assert publication_count(db_session) == 0


# --- the four-eyes rule ----------------------------------------------------------------


def test_the_sole_author_of_the_verdict_may_not_publish_it(db_session, team):
    claim = ready_claim(db_session, team, author="eve")

    with pytest.raises(PublishingError) as refused:
        publish(db_session, claim, team["eve"])

    assert refused.value.forbidden
    message = str(refused.value)
    assert "you wrote this verdict alone" in message
    assert "four-eyes rule" in message
    # Who else could publish it: the other editors and admins, never the author or a reviewer.
    assert "ask Ada Admin or Ed Editor" in message
    assert stored_claim(db_session, claim).state == ClaimState.READY
    assert publication_count(db_session) == 0


@pytest.mark.parametrize("publisher", ["ed", "ada"])
def test_another_editor_or_admin_publishes_a_verdict_they_did_not_write(db_session, team, publisher):
    claim = ready_claim(db_session, team, author="eve")
    acting_as(db_session, team[publisher])

    publish(db_session, claim, team[publisher])
    db_session.commit()

    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


def test_a_verdict_changed_by_someone_else_has_no_sole_author(db_session, team):
    claim = ready_claim(db_session, team, author="eve")
    edit_verdict(db_session, claim, team["ed"], summary="Ed tightened the summary.")

    # Eve wrote it and Ed changed it: two pairs of hands, so either may publish.
    acting_as(db_session, team["eve"])
    publish(db_session, claim, team["eve"])
    db_session.commit()

    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


def test_an_author_who_changed_their_verdict_last_is_still_its_sole_author(db_session, team):
    claim = ready_claim(db_session, team, author="eve")
    edit_verdict(db_session, claim, team["eve"], summary="Eve's second thoughts.")

    with pytest.raises(PublishingError, match="four-eyes"):
        publish(db_session, claim, team["eve"])


def test_without_the_four_eyes_rule_the_author_publishes(db_session, team, make_app):
    claim = ready_claim(db_session, team, author="eve")
    acting_as(db_session, team["eve"])

    with make_app(FOUR_EYES=False).app_context():
        publish(db_session, claim, team["eve"])
    db_session.commit()

    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


def test_the_four_eyes_rule_follows_the_app_config_and_the_argument(db_session, team, make_app):
    claim = ready_claim(db_session, team, author="eve")

    with make_app(FOUR_EYES=True).app_context(), pytest.raises(PublishingError, match="four-eyes"):
        publish(db_session, claim, team["eve"])
    acting_as(db_session, team["eve"])
    publish(db_session, claim, team["eve"], four_eyes=False)
    db_session.commit()
    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


def test_the_refusal_says_so_when_nobody_else_can_publish(db_session, make_user):
    eve = make_user(Role.EDITOR, name="Eve Editor")
    reviewers = [make_user(Role.REVIEWER), make_user(Role.REVIEWER)]
    claim = ready_claim(db_session, {"anna": reviewers[0], "ben": reviewers[1], "eve": eve})

    with pytest.raises(PublishingError, match="there is no other editor or admin yet"):
        publish(db_session, claim, eve)


# --- slugs --------------------------------------------------------------------------------


def test_slugs_are_unique_and_never_change(db_session, team):
    first = published_claim(db_session, team)
    second = published_claim(db_session, team)
    third = published_claim(db_session, team)

    assert [stored_claim(db_session, c).slug for c in (first, second, third)] == [
        SLUG,
        f"{SLUG}-2",
        f"{SLUG}-3",
    ]
    edit_verdict(db_session, first, team["ed"], headline="A new headline")
    claim = stored_claim(db_session, first)
    claim.text = "A different wording entirely."
    db_session.commit()
    acting_as(db_session, team["ada"])
    publish_revision(db_session, claim, team["ada"], kind=CORRECTION, note=NOTE)
    db_session.commit()

    assert stored_claim(db_session, first).slug == SLUG


def test_a_slug_given_before_publication_is_kept(db_session, team):
    claim = ready_claim(db_session, team)
    claim.slug = "imported-address"
    db_session.commit()
    acting_as(db_session, team["ada"])

    publish(db_session, claim, team["ada"])
    db_session.commit()

    assert stored_claim(db_session, claim).slug == "imported-address"


# --- corrections, updates, retractions -------------------------------------------------------


@pytest.mark.parametrize("kind", [CORRECTION, UPDATE, "update"])
def test_a_correction_or_update_freezes_the_current_draft(db_session, team, kind):
    claim = published_claim(db_session, team)
    [first] = revisions(db_session, claim)
    edit_verdict(
        db_session,
        claim,
        team["ed"],
        label_id=label(db_session, "mostly-false").id,
        headline="Not 480 km, say NATO allies",
    )
    acting_as(db_session, team["ada"])

    publication = publish_revision(db_session, claim, team["ada"], kind=kind, note=f"  {NOTE}  ")
    db_session.commit()

    first_again, second = revisions(db_session, claim)
    assert second.id == publication.id
    assert first_again.snapshot == first.snapshot
    assert (second.revision, second.kind, second.note) == (2, PublicationKind(kind), NOTE)
    assert (second.label_name, second.headline) == ("Mostly false", "Not 480 km, say NATO allies")
    assert second.snapshot["headline"] == "Not 480 km, say NATO allies"
    assert second.snapshot["label"]["name"] == "Mostly false"
    assert second.snapshot["first_published_at"] == first.snapshot["published_at"]
    assert datetime.fromisoformat(second.snapshot["published_at"]) == second.published_at
    assert second.published_at >= first.published_at
    assert second.search_text == search_text(second.snapshot)
    assert second.published_by_id == team["ada"].id
    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


def test_a_revision_is_in_the_history_with_its_note_as_the_reason(db_session, team):
    claim = published_claim(db_session, team)
    acting_as(db_session, team["ed"])
    publish_revision(db_session, claim, team["ed"], kind=UPDATE, note=NOTE)
    db_session.commit()

    last = claim_history(db_session, claim.id, ratings_visible=True)[-1]
    assert (last.actor_name, last.reason) == ("Ed Editor", NOTE)
    assert [item.sentence for item in last.items] == ["published revision 2 (update)"]


def test_a_retraction_keeps_the_retracted_content_and_is_final(db_session, team):
    claim = published_claim(db_session, team)
    edit_verdict(db_session, claim, team["ed"], headline="A draft nobody published")
    acting_as(db_session, team["eve"])

    # Eve wrote the verdict alone; retracting publishes no new text, so she may.
    retraction = publish_revision(
        db_session, claim, team["eve"], kind=RETRACTION, note="The range figures we relied on were wrong."
    )
    db_session.commit()

    first, second = revisions(db_session, claim)
    assert second.id == retraction.id
    assert (second.revision, second.kind) == (2, RETRACTION)
    assert operations.comparable(second.snapshot) == operations.comparable(first.snapshot)
    assert second.snapshot["first_published_at"] == first.snapshot["first_published_at"]
    assert datetime.fromisoformat(second.snapshot["published_at"]) == second.published_at
    assert (second.label_name, second.headline) == (first.label_name, first.headline)
    for kind in (CORRECTION, UPDATE, RETRACTION):
        with pytest.raises(PublishingError, match="a retraction is final"):
            publish_revision(db_session, claim, team["ada"], kind=kind, note=NOTE)
    assert len(revisions(db_session, claim)) == 2


def test_revision_numbers_follow_each_other(db_session, team):
    claim = published_claim(db_session, team)
    acting_as(db_session, team["ada"])
    for kind in (CORRECTION, UPDATE, CORRECTION, RETRACTION):
        publish_revision(db_session, claim, team["ada"], kind=kind, note=NOTE)
        db_session.commit()

    assert [(p.revision, p.kind) for p in revisions(db_session, claim)] == [
        (1, PublicationKind.PUBLICATION),
        (2, CORRECTION),
        (3, UPDATE),
        (4, CORRECTION),
        (5, RETRACTION),
    ]


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (None, "Write the public note"),
        ("", "Write the public note"),
        ("   ", "Write the public note"),
        ("Fixed.", "too short"),
        ("x" * 2001, "longer than 2000"),
    ],
)
def test_the_public_note_is_required_and_sized(db_session, team, note, message):
    claim = published_claim(db_session, team)

    with pytest.raises(PublishingError, match=message) as refused:
        publish_revision(db_session, claim, team["ada"], kind=CORRECTION, note=note)
    assert refused.value.field == "note"
    assert len(revisions(db_session, claim)) == 1


def test_the_note_may_be_exactly_the_limits(db_session, team):
    claim = published_claim(db_session, team)
    acting_as(db_session, team["ada"])

    publish_revision(db_session, claim, team["ada"], kind=UPDATE, note="x" * 10)
    publish_revision(db_session, claim, team["ada"], kind=UPDATE, note="y" * 2000)
    db_session.commit()

    assert [len(p.note or "") for p in revisions(db_session, claim)] == [0, 10, 2000]


@pytest.mark.parametrize("kind", ["publication", "withdrawal", "", None])
def test_a_revision_is_a_correction_update_or_retraction(db_session, team, kind):
    claim = published_claim(db_session, team)

    with pytest.raises(PublishingError, match="Choose a correction, an update or a retraction") as refused:
        publish_revision(db_session, claim, team["ada"], kind=kind, note=NOTE)
    assert refused.value.field == "kind"


@pytest.mark.parametrize("state", [ClaimState.READY, ClaimState.IN_REVIEW])
def test_only_a_published_claim_gets_revisions(db_session, team, state):
    claim = (
        ready_claim(db_session, team)
        if state == ClaimState.READY
        else make_claim(db_session, team["anna"], state)
    )

    with pytest.raises(PublishingError, match="only a published claim gets corrections"):
        publish_revision(db_session, claim, team["ada"], kind=UPDATE, note=NOTE)
    assert publication_count(db_session) == 0


def test_reviewers_cannot_publish_revisions(db_session, team):
    claim = published_claim(db_session, team)

    with pytest.raises(PermissionDenied):
        publish_revision(db_session, claim, team["anna"], kind=RETRACTION, note=NOTE)


@pytest.mark.parametrize("kind", [CORRECTION, UPDATE])
def test_corrections_and_updates_follow_the_four_eyes_rule(db_session, team, kind):
    claim = published_claim(db_session, team, author="eve", publisher="ada")
    edit_verdict(db_session, claim, team["eve"], summary="Eve fixed the summary herself.")

    with pytest.raises(PublishingError, match="four-eyes") as refused:
        publish_revision(db_session, claim, team["eve"], kind=kind, note=NOTE)
    assert refused.value.forbidden
    publish_revision(db_session, claim, team["eve"], kind=kind, note=NOTE, four_eyes=False)
    db_session.commit()
    assert len(revisions(db_session, claim)) == 2


def test_a_revision_number_taken_meanwhile_is_a_clear_conflict(db_session, team, monkeypatch):
    claim = published_claim(db_session, team)
    acting_as(db_session, team["ed"])
    publish_revision(db_session, claim, team["ed"], kind=UPDATE, note=NOTE)
    db_session.commit()
    stale = revisions(db_session, claim)[0]
    # As if another editor's revision 2 arrived between reading the latest revision and inserting.
    monkeypatch.setattr(operations, "latest_revision", lambda _session, _claim_id: stale)

    with pytest.raises(PublishingError, match="someone else published this claim meanwhile") as refused:
        publish_revision(db_session, claim, team["ada"], kind=CORRECTION, note=NOTE)

    assert refused.value.conflict
    # The session is still usable, and nothing more was stored.
    assert [p.revision for p in revisions(db_session, claim)] == [1, 2]


# --- does the draft differ from what readers see? ------------------------------------------


def test_draft_differs_compares_what_readers_would_see(db_session, team):
    claim = ready_claim(db_session, team)
    assert draft_differs(db_session, claim)  # never published

    acting_as(db_session, team["ada"])
    publish(db_session, claim, team["ada"])
    db_session.commit()
    assert not draft_differs(db_session, stored_claim(db_session, claim))  # the dates do not count

    edit_verdict(db_session, claim, team["ed"], summary="A sharper summary.")
    assert draft_differs(db_session, stored_claim(db_session, claim))

    acting_as(db_session, team["ada"])
    publish_revision(db_session, stored_claim(db_session, claim), team["ada"], kind=UPDATE, note=NOTE)
    db_session.commit()
    assert not draft_differs(db_session, stored_claim(db_session, claim))

    edit_verdict(db_session, claim, team["ed"], label_id=None)
    assert draft_differs(db_session, stored_claim(db_session, claim))


def test_the_snapshot_is_the_one_build_snapshot_makes(db_session, team):
    claim = published_claim(db_session, team)
    [stored] = revisions(db_session, claim)
    fresh = build_snapshot(db_session, stored_claim(db_session, claim), published_at=stored.published_at)

    assert operations.comparable(fresh) == operations.comparable(stored.snapshot)


def test_publishing_records_one_transition(db_session, team):
    claim = published_claim(db_session, team)

    steps = db_session.scalars(
        select(ClaimTransition).where(
            ClaimTransition.claim_id == claim.id, ClaimTransition.to_state == ClaimState.PUBLISHED
        )
    ).all()
    assert [(s.from_state, s.actor_id, s.comment) for s in steps] == [
        (ClaimState.READY, team["ada"].id, None)
    ]


# --- two editors at once, with real transactions --------------------------------------------


@pytest.mark.slow
def test_two_editors_publishing_at_once_publish_once(empty_database):
    """Both press Publish at the same moment: one publishes, the other is told it already is."""
    engine = make_engine(empty_database)
    migrate.upgrade(engine)
    try:
        with Session(bind=engine, expire_on_commit=False) as setup:
            set_actor(setup, Actor.system("test setup", "test"))
            team = {
                key: accounts.create_user(
                    setup,
                    email=f"{key}@example.org",
                    name=key.title(),
                    password="correct horse battery",
                    role=role,
                )
                for key, role in (
                    ("anna", Role.REVIEWER),
                    ("ben", Role.REVIEWER),
                    ("eve", Role.EDITOR),
                    ("ed", Role.EDITOR),
                    ("ada", Role.ADMIN),
                )
            }
            setup.commit()
            claim_id = ready_claim(setup, team).id
        start = threading.Barrier(2)

        def press_publish(key: str) -> str:
            start.wait(timeout=10)
            with Session(bind=engine, expire_on_commit=False) as session:
                user = session.get(User, team[key].id)
                set_actor(session, Actor.for_user(user, origin="test"))
                claim = session.get(Claim, claim_id)
                try:
                    publish(session, claim, user)
                    session.commit()
                except PublishingError as refused:
                    session.rollback()
                    return str(refused)
                return "published"

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(press_publish, ["ed", "ada"], timeout=60))

        assert outcomes.count("published") == 1
        [refusal] = [outcome for outcome in outcomes if outcome != "published"]
        assert "already published" in refusal or "meanwhile" in refusal
        with Session(bind=engine) as check:
            assert check.scalar(select(func.count()).where(Publication.claim_id == claim_id)) == 1
            moves = check.scalar(
                select(func.count()).where(
                    ClaimTransition.claim_id == claim_id, ClaimTransition.to_state == ClaimState.PUBLISHED
                )
            )
            assert moves == 1
    finally:
        engine.dispose()
