"""Public addresses of verdicts: readable ASCII, at most 80 characters, unique, never changed."""

from __future__ import annotations

import pytest

from factcheck.claims.models import Claim
from factcheck.publishing.slugs import MAX_SLUG_LENGTH, assign_slug, readable_slug, unique_slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Russia's 9M729 missile has a range of 480 km.", "russias-9m729-missile-has-a-range-of-480-km"),
        ("NATO\u2019s \u201cultimatum\u201d \u2014 60 days!", "natos-ultimatum-60-days"),
        ("Le traité FNI a été signé à Washington", "le-traite-fni-a-ete-signe-a-washington"),
        ("Россия развернула ракеты", "rossiia-razvernula-rakety"),
        ("  <script>alert(1)</script>  ", "script-alert-1-script"),
        ("🙂 ✓ …", ""),
    ],
)
def test_readable_slugs(text, slug):
    assert readable_slug(text) == slug


def test_long_wording_is_cut_at_a_word_boundary():
    text = "The Intermediate-Range Nuclear Forces Treaty banned ground-launched missiles " * 3

    slug = readable_slug(text)

    assert len(slug) <= MAX_SLUG_LENGTH
    assert text.lower().replace(" ", "-").startswith(slug)
    assert not slug.endswith("-")


def taken(db_session, make_user, slug: str) -> None:
    db_session.add(Claim(text="Taken.", claimant="Someone", slug=slug, created_by=make_user()))
    db_session.commit()


def test_a_taken_slug_gets_the_next_number(db_session, make_user):
    assert unique_slug(db_session, "The deadline was NATO's") == "the-deadline-was-natos"
    taken(db_session, make_user, "the-deadline-was-natos")
    assert unique_slug(db_session, "The deadline was NATO's") == "the-deadline-was-natos-2"
    taken(db_session, make_user, "the-deadline-was-natos-2")
    assert unique_slug(db_session, "The deadline was NATO's") == "the-deadline-was-natos-3"


def test_a_numbered_slug_stays_within_the_limit(db_session, make_user):
    text = "word " * 40
    base = readable_slug(text)
    taken(db_session, make_user, base)

    numbered = unique_slug(db_session, text)

    assert numbered.endswith("-2")
    assert len(numbered) <= MAX_SLUG_LENGTH
    assert numbered != base


def test_the_first_text_with_words_gives_the_slug(db_session):
    assert unique_slug(db_session, "…", "", "The headline") == "the-headline"
    assert unique_slug(db_session, "…", "!!!") == "check"


def test_a_claim_keeps_its_slug(db_session, make_user):
    claim = Claim(text="The 9M729 flies 480 km.", claimant="MoD", created_by=make_user())
    db_session.add(claim)
    db_session.flush()

    assert assign_slug(db_session, claim) == "the-9m729-flies-480-km"
    claim.text = "Reworded entirely."
    assert assign_slug(db_session, claim) == "the-9m729-flies-480-km"
