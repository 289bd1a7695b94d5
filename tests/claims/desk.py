"""Building claims at any point of the workflow, and reading back what the claim pages and history show."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.audit.history import claim_history
from factcheck.claims.models import Claim, ClaimState, ClaimTransition
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.sources.models import Source
from factcheck.verdicts.models import Verdict


def acting_as(db: Session, user: User) -> None:
    """Attribute the session's next writes to ``user`` (as a request would)."""
    set_actor(db, Actor.for_user(user, origin="test"))


def label(db: Session, key: str = "false") -> RatingLabel:
    found = db.scalar(select(RatingLabel).where(RatingLabel.key == key))
    assert found is not None, key
    return found


def make_claim(
    db: Session,
    creator: User,
    state: ClaimState = ClaimState.NEW,
    *,
    text: str = "Russia's 9M729 missile has a range of 480 km.",
    claimant: str = "Russian Ministry of Defence",
    previous: ClaimState | None = None,
) -> Claim:
    """A claim put straight into ``state`` (a dismissed one remembers ``previous``, new by default)."""
    claim = Claim(text=text, claimant=claimant, created_by=creator, state=state)
    claim.transitions.append(ClaimTransition(from_state=None, to_state=ClaimState.NEW, actor=creator))
    if state == ClaimState.DISMISSED:
        claim.transitions.append(
            ClaimTransition(
                from_state=previous or ClaimState.NEW,
                to_state=ClaimState.DISMISSED,
                actor=creator,
                comment="Not check-worthy.",
            )
        )
        claim.dismissed_reason = "Not check-worthy."
    elif state != ClaimState.NEW:
        claim.transitions.append(ClaimTransition(from_state=ClaimState.NEW, to_state=state, actor=creator))
    db.add(claim)
    db.commit()
    return claim


def add_source(db: Session, claim: Claim, author: User) -> Source:
    source = Source(
        claim=claim,
        title="INF Treaty, Article VII",
        url="https://www.state.gov/t/avc/trty/102360.htm",
        created_by=author,
    )
    db.add(source)
    db.commit()
    return source


def add_rating(db: Session, claim: Claim, reviewer: User, key: str = "false") -> Rating:
    rating = Rating(
        claim=claim, reviewer=reviewer, label=label(db, key), reasoning="The US says 2,000 km or more."
    )
    db.add(rating)
    db.commit()
    return rating


def add_verdict(
    db: Session, claim: Claim, editor: User, *, headline: str = "Not 480 km", key: str | None = "false"
) -> Verdict:
    verdict = Verdict(
        claim=claim,
        label=label(db, key) if key else None,
        headline=headline,
        summary="NATO allies say the range is banned by the treaty.",
        author=editor,
    )
    db.add(verdict)
    db.commit()
    return verdict


def make_ready_to_approve(db: Session, claim: Claim, editor: User, reviewers: list[User]) -> Claim:
    """Give the claim everything moving to ready needs: a source, a rating per reviewer, a verdict."""
    add_source(db, claim, reviewers[0])
    for reviewer in reviewers:
        add_rating(db, claim, reviewer)
    add_verdict(db, claim, editor)
    return claim


def stored_claim(db: Session, claim: Claim) -> Claim:
    """The claim as stored now (after requests changed it in their own sessions)."""
    db.expire_all()
    fresh = db.get(Claim, claim.id)
    assert fresh is not None
    return fresh


def history_sentences(db: Session, claim: Claim) -> list[tuple[str, str]]:
    """(actor name, sentence) for every item of the claim's history, oldest first."""
    return [
        (entry.actor_name, item.sentence)
        for entry in claim_history(db, claim.id, ratings_visible=True)
        for item in entry.items
    ]


def page_text(response: Any) -> str:
    """The page as a reader sees it: tags stripped, entities decoded, white space collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    # <bdi> isolates user text (right-to-left names) inside a line: no gap for the reader.
    body = re.sub(r"</?bdi\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def hidden_fields(response: Any) -> dict[str, str]:
    """name -> value of every hidden input of the page (the last wins)."""
    body = response.get_data(as_text=True)
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", body):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


def field_value(response: Any, element_id: str) -> str | None:
    """The value the input or textarea with this id shows, or None if there is none."""
    body = response.get_data(as_text=True)
    area = re.search(rf'<textarea\b[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</textarea>', body, re.S)
    if area:
        return html.unescape(area.group(1)).lstrip("\r\n")
    tag = re.search(rf'<input\b[^>]*id="{re.escape(element_id)}"[^>]*>', body)
    if not tag:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def select_options(response: Any, element_id: str) -> list[str]:
    """The values offered by the select with this id (empty if there is none)."""
    body = response.get_data(as_text=True)
    found = re.search(rf'<select\b[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</select>', body, re.S)
    if not found:
        return []
    return [html.unescape(value) for value in re.findall(r'<option\b[^>]*value="([^"]*)"', found.group(1))]
