"""Who follows a claim and who is told what, decided from the rows a transaction writes.

:func:`react` is given the new rows of a flush (factcheck/notifications/events.py calls
it) and adds, in the same flush:

- follows: the person assigned, the person rating, the comment's author and the people
  it mentions (``@name``, factcheck/notifications/mentions.py) follow the claim;
- notifications: the person assigned ("assigned"), the people mentioned ("mentioned"),
  and the claim's other followers for a comment ("commented"), a workflow move
  ("state_changed") and a publication or later revision ("published"). Nobody is told
  of what they did themselves, disabled accounts are told nothing, and one person gets
  one notification per claim per flush (assigned and mentioned win);
- the e-mail jobs for them (factcheck/notifications/email.py).

The blind rule (factcheck/ratings): a rating is never a notification, and no message
names a label, a rating or who rated; following because one rated shows nowhere but in
one's own list of followed claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Assignment, Claim, ClaimState, ClaimTransition
from factcheck.discussion.models import Comment
from factcheck.notifications import email, mentions
from factcheck.notifications.messages import SOMEONE, english
from factcheck.notifications.models import Follow, Notification, NotificationKind
from factcheck.publishing.models import Publication
from factcheck.ratings.models import Rating

WATCHED = (Assignment, Rating, Comment, ClaimTransition, Publication)
# How much of a claim and of a comment a message quotes.
CLAIM_CHARACTERS = 80
COMMENT_CHARACTERS = 200


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def person_of(row: Any, relationship: str) -> int | None:
    """The id of the person ``row.<relationship>`` names, whether the id or the object was set."""
    found = getattr(row, f"{relationship}_id")
    if found is None and getattr(row, relationship) is not None:
        found = getattr(row, relationship).id
    return found


def claim_words(claim: Claim) -> str:
    return f"“{shorten(claim.text, CLAIM_CHARACTERS)}”"


@dataclass
class Reaction:
    """What one flush adds: follows and notifications, each once."""

    session: Session
    # (claim object's id(), person): a claim captured in this flush has no database id yet.
    following: set[tuple[int, int]] = field(default_factory=set)
    told: dict[tuple[int, int], Notification] = field(default_factory=dict)

    def _claim(self, row: Any) -> Claim | None:
        return row.claim if row.claim is not None else self.session.get(Claim, row.claim_id)

    def _name(self, user_id: int | None) -> str:
        user = self.session.get(User, user_id) if user_id is not None else None
        return user.name if user is not None else SOMEONE

    def followers(self, claim: Claim) -> set[int]:
        """Who follows the claim, with the follows this transaction adds; active accounts only."""
        pending = {
            row.user_id
            for row in self.session.new
            if isinstance(row, Follow)
            and (row.claim is claim or (claim.id is not None and row.claim_id == claim.id))
        }
        saved: set[int] = set()
        if claim.id is not None:
            saved = set(
                self.session.scalars(
                    select(Follow.user_id)
                    .join(User, User.id == Follow.user_id)
                    .where(Follow.claim_id == claim.id, User.is_disabled.is_(False))
                )
            )
        return saved | {person for person in pending if not self._disabled(person)}

    def _disabled(self, user_id: int) -> bool:
        user = self.session.get(User, user_id)
        return user is None or user.is_disabled

    def follow(self, claim: Claim, user_id: int | None) -> None:
        if user_id is None or (id(claim), user_id) in self.following:
            return
        self.following.add((id(claim), user_id))
        if user_id in self.followers(claim):
            return
        self.session.add(Follow(claim=claim, user_id=user_id))

    def tell(
        self, people: Iterable[int], claim: Claim, kind: NotificationKind, actor_id: int | None, message: str
    ) -> None:
        for person in people:
            key = (person, id(claim))
            if person == actor_id or key in self.told or self._disabled(person):
                continue
            notification = Notification(
                user_id=person, claim=claim, actor_id=actor_id, kind=kind, message=message
            )
            self.told[key] = notification
            self.session.add(notification)

    # --- what each kind of row means --------------------------------------------------

    def assigned(self, row: Assignment) -> None:
        claim = self._claim(row)
        user_id = person_of(row, "user")
        if claim is None or user_id is None:
            return
        self.follow(claim, user_id)
        actor = person_of(row, "assigned_by")
        message = english("assigned", name=self._name(actor), claim=claim_words(claim))
        self.tell([user_id], claim, NotificationKind.ASSIGNED, actor, message)

    def rated(self, row: Rating) -> None:
        # Following only: telling anyone that a rating came in would break the blind rule.
        claim = self._claim(row)
        if claim is not None:
            self.follow(claim, person_of(row, "reviewer"))

    def commented(self, row: Comment) -> None:
        claim = self._claim(row)
        if claim is None:
            return
        actor = person_of(row, "author")
        self.follow(claim, actor)
        excerpt = f"“{shorten(row.body, COMMENT_CHARACTERS)}”"
        mentioned = [user.id for user in mentions.mentioned_users(self.session, row.body)]
        for person in mentioned:
            self.follow(claim, person)
        name = self._name(actor)
        self.tell(
            mentioned,
            claim,
            NotificationKind.MENTIONED,
            actor,
            english("mentioned", name=name, claim=claim_words(claim), excerpt=excerpt),
        )
        self.tell(
            sorted(self.followers(claim)),
            claim,
            NotificationKind.COMMENTED,
            actor,
            english("commented", name=name, claim=claim_words(claim), excerpt=excerpt),
        )

    def moved(self, row: ClaimTransition) -> None:
        claim = self._claim(row)
        if claim is None or row.from_state is None:
            # Capturing a claim: nobody follows it yet.
            return
        actor = person_of(row, "actor")
        name = self._name(actor)
        if row.to_state == ClaimState.PUBLISHED:
            kind = NotificationKind.PUBLISHED
            message = english("published", name=name, claim=claim_words(claim))
        else:
            kind = NotificationKind.STATE_CHANGED
            # Stored in English (factcheck/notifications/messages.py), the states' names too.
            with force_locale("en"):
                from_state, to_state = ClaimState(row.from_state).label, ClaimState(row.to_state).label
            message = english(
                "moved", name=name, claim=claim_words(claim), from_state=from_state, to_state=to_state
            )
        self.tell(sorted(self.followers(claim)), claim, kind, actor, message)

    def published(self, row: Publication) -> None:
        # The first revision is told as the move to Published (see moved()).
        claim = self._claim(row)
        if claim is None or row.revision is None or row.revision <= 1:
            return
        actor = person_of(row, "published_by")
        kind = row.kind.value if row.kind.value in ("correction", "update", "retraction") else "published"
        message = english(kind, name=self._name(actor), claim=claim_words(claim))
        self.tell(sorted(self.followers(claim)), claim, NotificationKind.PUBLISHED, actor, message)


# Assignments and mentions first, so that their notification is the one a person gets.
ORDER = {Assignment: 0, Comment: 1, Rating: 2, ClaimTransition: 3, Publication: 4}


def react(session: Session, rows: Iterable[Any]) -> None:
    """Add the follows, notifications and e-mail jobs the new ``rows`` call for."""
    watched = sorted((row for row in rows if isinstance(row, WATCHED)), key=lambda row: ORDER[type(row)])
    if not watched:
        return
    reaction = Reaction(session)
    for row in watched:
        if isinstance(row, Assignment):
            reaction.assigned(row)
        elif isinstance(row, Rating):
            reaction.rated(row)
        elif isinstance(row, Comment):
            reaction.commented(row)
        elif isinstance(row, ClaimTransition):
            reaction.moved(row)
        else:
            reaction.published(row)
    email.schedule(session, {person for person, _claim in reaction.told})
