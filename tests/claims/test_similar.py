"""Similar-claim suggestions: published claims first, then the closest wording; unrelated claims never."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims import similar
from factcheck.claims.models import Claim, ClaimState
from factcheck.claims.similar import search_words, similar_claims

WORDING = "Russia's 9M729 missile has a range of 480 km"


@pytest.fixture
def add(db_session: Session, make_user: Callable[..., User]) -> Callable[..., Claim]:
    creator = make_user(Role.REVIEWER)

    def make(text: str, state: ClaimState = ClaimState.NEW) -> Claim:
        claim = Claim(text=text, claimant="Someone", state=state, created_by=creator)
        db_session.add(claim)
        db_session.commit()
        return claim

    return make


def texts(suggestions: list[similar.Suggestion]) -> list[str]:
    return [s.claim.text for s in suggestions]


def test_published_claims_come_first_then_the_closest(db_session: Session, add: Callable[..., Claim]) -> None:
    exact = add("Russia's 9M729 missile has a range of 480 km.")
    close = add("The 9M729 missile has a range of about 480 km, Russia says")
    published = add("Russia's 9M729 missile range is 480 km", ClaimState.PUBLISHED)
    add("NATO gave Russia a 60-day deadline to comply")  # shares a word, says something else
    add("The treaty was signed on 8 December 1987")  # shares nothing

    found = similar_claims(db_session, WORDING)
    assert texts(found) == [published.text, exact.text, close.text]
    assert found[0].published and not found[1].published
    assert found[1].score == 100
    assert found[1].score >= found[2].score >= similar.DEFAULT_THRESHOLD


def test_the_threshold_and_the_limit_are_respected(db_session: Session, add: Callable[..., Claim]) -> None:
    add("Russia's 9M729 missile has a range of 480 km.")
    loose = add("Russia tested the 9M729 missile")
    assert loose.text not in texts(similar_claims(db_session, WORDING, threshold=90))
    assert loose.text in texts(similar_claims(db_session, WORDING, threshold=40))
    assert len(similar_claims(db_session, WORDING, threshold=0, limit=1)) == 1
    assert similar_claims(db_session, WORDING, threshold=101) == []


def test_a_claim_can_be_left_out(db_session: Session, add: Callable[..., Claim]) -> None:
    itself = add(WORDING)
    other = add("Russia's 9M729 missile has a range of 480 kilometres")
    assert texts(similar_claims(db_session, WORDING, exclude=[itself.id])) == [other.text]


def test_case_word_order_and_punctuation_matter_little(
    db_session: Session, add: Callable[..., Claim]
) -> None:
    claim = add("480 KM IS THE RANGE OF THE 9M729 MISSILE, SAYS RUSSIA!")
    assert texts(similar_claims(db_session, WORDING)) == [claim.text]


def test_non_latin_wording(db_session: Session, add: Callable[..., Claim]) -> None:
    russian = add("Дальность ракеты 9M729 составляет 480 км")
    chinese = add("导弹 9M729 射程 为 480 公里")
    assert texts(similar_claims(db_session, "Дальность ракеты 9M729 — 480 км")) == [russian.text]
    assert texts(similar_claims(db_session, "导弹 9M729 射程 480 公里")) == [chinese.text]


def test_candidates_come_from_sql_a_bounded_number_published_first(
    db_session: Session, add: Callable[..., Claim], monkeypatch: pytest.MonkeyPatch
) -> None:
    published = add("Russia's 9M729 missile has a range of 480 km", ClaimState.PUBLISHED)
    for _ in range(3):
        add("Russia's 9M729 missile has a range of 480 km")
    monkeypatch.setattr(similar, "CANDIDATE_LIMIT", 2)
    found = similar_claims(db_session, WORDING)
    assert len(found) == 2
    assert found[0].claim.id == published.id


def test_search_words_are_the_longest_and_like_wildcards_are_plain_characters(
    db_session: Session, add: Callable[..., Claim]
) -> None:
    assert search_words("The 9M729 missile has a range of 480 km") == ["missile", "9M729", "range", "480"]
    add("Russia's 9M729 missile has a range of 480 km")
    # "%" and "_" would match anything in a LIKE pattern; here they are just characters.
    assert similar_claims(db_session, "%%%% ____", threshold=0) == []
    assert similar_claims(db_session, "", threshold=0) == []
