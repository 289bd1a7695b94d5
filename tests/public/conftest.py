"""Published checks for the public-site tests, shared by every test module of tests/public/.

``published_check(**overrides)`` builds a claim with an appearance, sources, reviewers'
ratings, a discussion comment, an assignment and a verdict, and publishes it (revision 1)
with the publishing operations (``factcheck.publishing.operations``), as a second editor.
``revise_check(claim, kind, note, **verdict_changes)`` publishes a later revision
(correction, update, retraction) after changing the draft verdict. Both take
``published_at`` to fix the revision's time.
``draft_check(**overrides)`` builds the same claim without publishing it.

Everything a reader must never see carries one of the ``PRIVATE_MARKERS`` strings,
so privacy tests can look for them in every public response.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from unittest.mock import patch

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor, set_reason
from factcheck.claims.models import Appearance, Assignment, Claim, ClaimState, ClaimTransition, Tag
from factcheck.discussion.models import Comment
from factcheck.publishing import operations
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.verdicts.models import Verdict

# Text only the desk sees; none of it may reach a public page, feed or export.
PRIVATE_RATING_REASONING = "PRIVATE-RATING-REASONING-7f3a"
PRIVATE_SOURCE_NOTE = "PRIVATE-SOURCE-NOTE-91c2"
PRIVATE_COMMENT = "PRIVATE-COMMENT-5d0e"
PRIVATE_REVIEWER_NAME = "Rhea Privatereviewer"
PRIVATE_MARKERS = (PRIVATE_RATING_REASONING, PRIVATE_SOURCE_NOTE, PRIVATE_COMMENT, PRIVATE_REVIEWER_NAME)

DEFAULT_APPEARANCES: tuple[dict[str, Any], ...] = (
    {
        "url": "https://news.example.org/2019/01/23/missile-display",
        "quote": "The missile's range is 480 km.",
        "appeared_on": date(2019, 1, 23),
    },
)
DEFAULT_SOURCES: tuple[dict[str, Any], ...] = (
    {
        "title": "Statement on Russia's failure to comply with the INF Treaty",
        "url": "https://www.nato.int/cps/en/natohq/official_texts_161122.htm",
        "publisher": "NATO",
        "published_on": date(2018, 12, 4),
        "kind": SourceKind.OFFICIAL_STATEMENT,
        "stance": Stance.REFUTES,
        "quote": "Russia has developed and fielded a missile system, the 9M729, which violates the INF Treaty.",
        "is_primary": True,
    },
    {
        "title": "Russia shows off missile it says complies with treaty",
        "url": "https://news.example.org/russia-missile",
        "publisher": "Example News",
        "published_on": date(2019, 1, 23),
        "kind": SourceKind.NEWS_REPORT,
        "stance": Stance.CONTEXT,
        "quote": "The ministry said the range was 480 km.",
        "is_primary": False,
    },
)


def when(day: int, hour: int = 12) -> datetime:
    """A time in February 2019, UTC: the public tests' calendar."""
    return datetime(2019, 2, day, hour, tzinfo=UTC)


def label_of(db: Session, key: str) -> RatingLabel:
    found = db.scalar(select(RatingLabel).where(RatingLabel.key == key))
    assert found is not None, f"no rating label {key!r}"
    return found


@contextmanager
def clock_at(when: datetime | None) -> Iterator[None]:
    """Make the publishing operations see ``when`` as now (None: the real clock)."""
    if when is None:
        yield
        return
    with patch.object(operations, "utcnow", lambda: when):
        yield


class CheckBuilder:
    """Builds claims the way the desk would leave them, published or not."""

    def __init__(self, db: Session, make_user: Callable[..., User]) -> None:
        self.db = db
        self.make_user = make_user
        self.counter = itertools.count(1)
        self._reviewers: list[User] = []
        self._editor: User | None = None
        self._publisher: User | None = None

    @property
    def reviewers(self) -> list[User]:
        if not self._reviewers:
            self._reviewers = [
                self.make_user(Role.REVIEWER, name=PRIVATE_REVIEWER_NAME),
                self.make_user(Role.REVIEWER),
            ]
        return self._reviewers

    @property
    def editor(self) -> User:
        """The verdicts' author."""
        if self._editor is None:
            self._editor = self.make_user(Role.EDITOR)
        return self._editor

    @property
    def publisher(self) -> User:
        """Another editor, who publishes (the four-eyes rule)."""
        if self._publisher is None:
            self._publisher = self.make_user(Role.EDITOR)
        return self._publisher

    def draft(
        self,
        *,
        text: str = "Russia's 9M729 missile has a range of 480 km.",
        claimant: str = "Russian Ministry of Defence",
        claimed_on: date | None = date(2019, 1, 23),
        label: str | None = "false",
        headline: str = "The 9M729's range is not 480 km, NATO allies say",
        summary: str = "NATO allies say the missile's range is **banned** by the INF Treaty.",
        explanation: str = "The treaty banned ground-launched missiles with ranges of 500 to 5,500 km.",
        appearances: Sequence[dict[str, Any]] = DEFAULT_APPEARANCES,
        sources: Sequence[dict[str, Any]] = DEFAULT_SOURCES,
        tags: Sequence[str] = ("INF Treaty",),
        slug: str | None = None,
        state: ClaimState = ClaimState.READY,
        private: bool = True,
    ) -> Claim:
        """A claim with everything publishing needs; ``private`` adds ratings, notes, a comment, an assignment."""
        db = self.db
        set_actor(db, Actor.system("test setup", "test"))
        number = next(self.counter)
        reviewers, editor = self.reviewers, self.editor
        # Built in one piece: nothing is flushed half-made (an appearance in a document, say).
        with db.no_autoflush:
            claim = Claim(
                text=text, claimant=claimant, claimed_on=claimed_on, created_by=reviewers[0], state=state
            )
            claim.slug = slug
            claim.transitions.append(
                ClaimTransition(from_state=None, to_state=ClaimState.NEW, actor=reviewers[0])
            )
            if state != ClaimState.NEW:
                claim.transitions.append(
                    ClaimTransition(from_state=ClaimState.NEW, to_state=state, actor=reviewers[0])
                )
            for values in appearances:
                claim.appearances.append(
                    Appearance(
                        url=values.get("url"),
                        document=values.get("document"),
                        quote_exact=values.get("quote"),
                        appeared_on=values.get("appeared_on"),
                        created_by=reviewers[0],
                    )
                )
            for values in sources:
                claim.sources.append(
                    Source(**values, note=PRIVATE_SOURCE_NOTE if private else None, created_by=reviewers[0])
                )
            for name in tags:
                tag = db.scalar(select(Tag).where(Tag.name == name)) or Tag(name=name)
                claim.tags.append(tag)
            if label is not None:
                claim.verdict = Verdict(
                    label=label_of(db, label),
                    headline=headline,
                    summary=summary,
                    explanation=explanation,
                    author=editor,
                )
            if private:
                for reviewer in reviewers:
                    claim.ratings.append(
                        Rating(
                            reviewer=reviewer,
                            label=label_of(db, "mostly-true"),
                            reasoning=f"{PRIVATE_RATING_REASONING} by {reviewer.name} ({number})",
                        )
                    )
                claim.comments.append(Comment(author=reviewers[1], body=PRIVATE_COMMENT))
                claim.assignments.append(Assignment(user=reviewers[0], assigned_by=editor))
            db.add(claim)
        db.commit()
        return claim

    def publish(self, *, published_at: datetime | None = None, **overrides: Any) -> Claim:
        number = self.db.scalar(select(func.count(Claim.id))) or 0
        overrides.setdefault("slug", f"check-{number + 1}-{next(self.counter)}")
        overrides["state"] = ClaimState.READY
        claim = self.draft(**overrides)
        publisher = self.publisher
        set_actor(self.db, Actor.for_user(publisher, origin="test"))
        with clock_at(published_at):
            operations.publish(self.db, claim, publisher)
        self.db.commit()
        return claim

    def revise(
        self,
        claim: Claim,
        kind: PublicationKind | str = PublicationKind.CORRECTION,
        note: str = "We corrected the range given in the summary.",
        *,
        published_at: datetime | None = None,
        **verdict_changes: Any,
    ) -> Publication:
        """Change the draft verdict (``label`` is a key), then publish it as the next revision."""
        set_actor(self.db, Actor.system("test setup", "test"))
        verdict = claim.verdict
        assert verdict is not None
        if "label" in verdict_changes:
            verdict.label = label_of(self.db, verdict_changes.pop("label"))
        for name, value in verdict_changes.items():
            setattr(verdict, name, value)
        if self.db.dirty:
            set_reason(self.db, note)
            self.db.commit()
        publisher = self.publisher
        set_actor(self.db, Actor.for_user(publisher, origin="test"))
        with clock_at(published_at):
            publication = operations.publish_revision(self.db, claim, publisher, kind=kind, note=note)
        self.db.commit()
        return publication


@pytest.fixture
def check_builder(db_session: Session, make_user: Callable[..., User]) -> CheckBuilder:
    return CheckBuilder(db_session, make_user)


@pytest.fixture
def published_check(check_builder: CheckBuilder) -> Callable[..., Claim]:
    """``published_check(**overrides)``: a published claim (see :meth:`CheckBuilder.draft` for overrides,
    plus ``published_at``)."""
    return check_builder.publish


@pytest.fixture
def revise_check(check_builder: CheckBuilder) -> Callable[..., Publication]:
    """``revise_check(claim, kind, note, published_at=None, **verdict_changes)``: a later revision."""
    return check_builder.revise


@pytest.fixture
def draft_check(check_builder: CheckBuilder) -> Callable[..., Claim]:
    """``draft_check(**overrides)``: a claim ready to publish but never published."""
    return check_builder.draft
