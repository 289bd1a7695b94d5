"""Writing imported ClaimReview records: a published claim each, found again by its identity.

Each record becomes a claim in state ``published`` (its slug, ``imported_from`` =
the record's identity (:mod:`factcheck.imports.identity`): its own identifier, else
its review URL with the claim it reviews, else a hash of its content;
one workflow step "Imported from FILE"), an appearance per web address it names,
a verdict (our label when the record's maps to one, else none) and its publication
revisions: revision 1 at the record's ``datePublished`` (without one: the time of the
import, marked ``date_unknown``, which readers see as "date unknown"), then one revision
per ``correction`` entry. The snapshot is built so that ``claim_review()`` of those
revisions gives the record back (:func:`factcheck.imports.claimreview.content_snapshot`);
it also keeps the record's own date (``review_date``: its ``dateModified``, else
``datePublished``).

Importing a record again (the same identity):

- the same public content once addresses, names and typography are normalised
  (:func:`factcheck.imports.identity.comparable`), every correction here already:
  unchanged (if only the label map changed, the verdict's label is updated, and
  nothing public changes);
- different, and newer than the stored record (its date later than the stored
  ``review_date``): new ``correction`` entries each become a revision, with its own
  date; changed content without a new correction makes one ``update`` revision
  saying the record changed at its source, published now (publications are
  immutable; what readers see never changes silently);
- different but not newer (an older crawl, or the same date): "older, ignored";
  different and undated: left as it is (nothing says which is newer);
- a claim this desk published a revision of since, or one retracted here, is
  left alone (skipped).

The caller runs each record in a savepoint and gives the audit reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from factcheck.claims.models import Appearance, Claim, ClaimState, ClaimTransition
from factcheck.imports.claimreview import (
    BadRecord,
    ParsedAppearance,
    ParsedReview,
    ParsedRevision,
    content_snapshot,
    generated_headline,
    same_organisation,
    shown_label_name,
)
from factcheck.imports.identity import comparable
from factcheck.imports.labels import LabelMapper, LabelMatch
from factcheck.imports.summary import LOCAL_CHANGES, PUBLISHED_HERE, RETRACTED_HERE, UNDATED_CHANGE
from factcheck.organisation.details import publisher
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.slugs import readable_slug, unique_slug
from factcheck.publishing.snapshot import search_text
from factcheck.publishing.urls import absolute_url
from factcheck.verdicts.models import Verdict

# Column widths: the snapshot keeps the record's text whole, the columns a prefix of it.
LABEL_NAME_LENGTH = 80
HEADLINE_LENGTH = 300
CLAIMANT_LENGTH = 200
VENUE_LENGTH = 200
# Snapshot fields that date a revision, and the label's fields that come from our map, not
# the record: neither decides whether a record changed at its source.
_DATES = frozenset({"published_at", "first_published_at", "review_date"})
_MAPPED_LABEL_FIELDS = frozenset({"key", "definition"})
# Snapshot fields added after the first imports (see _as_old_as).
_LATER_FIELDS = frozenset({"claimant_kind", "review_license"})

CREATED, UPDATED, UNCHANGED, OLDER, SKIPPED = "created", "updated", "unchanged", "older", "skipped"


@dataclass(frozen=True)
class Outcome:
    """What became of one record; ``why`` explains an update or a skip."""

    status: str
    why: str = ""
    claim_id: int | None = None
    label: LabelMatch | None = None
    label_name: str = ""
    undated: bool = False


def public_content(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without its dates and without what our label map decided."""
    content = {key: value for key, value in snapshot.items() if key not in _DATES}
    label = content.get("label")
    if isinstance(label, dict):
        content["label"] = {key: value for key, value in label.items() if key not in _MAPPED_LABEL_FIELDS}
    return content


def _as_old_as(content: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """``content`` without the fields we began to keep after the stored snapshot was made (the
    claimant's kind, revision 0006; the licence): a field we began to keep is no change at the
    source, and must not publish an update."""
    return {key: value for key, value in content.items() if key in stored or key not in _LATER_FIELDS}


def _forget_import_time(claim: Claim, revisions: list[Publication]) -> bool:
    """Make the dates of an undated record imported before revision 0008 unknown; whether it did.

    Such a record's revision 1 (and its undated corrections) got the time of the import run.
    That time is recognised: it has sub-second digits (no record's date has) and lies within a
    day before the claim's "Imported from" step. Only those revisions are marked; the record's
    content, and so what readers read, stays as it is.
    """
    first = revisions[0]
    if first.date_unknown or first.published_by_id is not None or first.published_at.microsecond == 0:
        return False
    imported_at = claim.transitions[0].created_at if claim.transitions else None
    if imported_at is None or not timedelta(0) <= imported_at - first.published_at <= timedelta(days=1):
        return False
    for revision in revisions:
        if revision.published_at == first.published_at:
            revision.date_unknown = True
    return True


def _appearance(appearance: ParsedAppearance) -> Appearance:
    """The desk's appearance: the web address, else the work's title or the venue in words."""
    if appearance.url:
        return Appearance(url=appearance.url, appeared_on=appearance.appeared_on)
    return Appearance(venue=_clip(appearance.title or "", VENUE_LENGTH), appeared_on=appearance.appeared_on)


def _label_id(match: LabelMatch) -> int | None:
    # By id: the mapper's labels outlive the batches the session is emptied between.
    return match.label.id if match.label is not None else None


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "\u2026"


class ReviewImporter:
    """Imports parsed records into one session, all attributed to one source file."""

    def __init__(self, session: Session, mapper: LabelMapper, *, source: str, now: datetime) -> None:
        self.session = session
        self.mapper = mapper
        self.source = source
        self.now = now
        self.publisher = publisher(session)
        self.check_prefix = _check_url_prefix()
        # The keys of every claim imported before (one query, instead of one per record).
        # Revision 0007 gave the claims imported before it the keys of identity.py.
        self.known_keys: set[str] = set(
            session.scalars(select(Claim.imported_from).where(Claim.imported_from.is_not(None)))
        )

    @property
    def comment(self) -> str:
        return f"Imported from {self.source}"

    def save(self, review: ParsedReview) -> Outcome:
        """Create, update or skip the record's claim; flushes. Raises BadRecord."""
        existing = self._imported_before(review)
        if existing is None:
            local = self._local_check(review.url)
            if local is not None:
                return Outcome(SKIPPED, PUBLISHED_HERE, local.id)
        match = self.mapper.match(review.label_name, review.numbers)
        label_name = shown_label_name(review, match)
        headline = review.headline or generated_headline(review, label_name)
        own = same_organisation(review.author, self.publisher)
        content = content_snapshot(review, match, own=own, label_name=label_name, headline=headline)
        if existing is not None:
            outcome = self._update(existing, review, match, content)
        else:
            outcome = self._create(review, match, content)
        return Outcome(
            outcome.status,
            outcome.why,
            outcome.claim_id,
            label=match,
            label_name=label_name,
            undated=review.date_published is None and (outcome.status == CREATED or outcome.undated),
        )

    def _imported_before(self, review: ParsedReview) -> Claim | None:
        """The claim this record was imported as, by any key it may have had; a claim found by
        an older key takes the record's own (one identity, whatever the next crawl says)."""
        for key in review.lookup_keys:
            if key not in self.known_keys:
                continue
            claim = self.session.scalar(select(Claim).where(Claim.imported_from == key))
            if claim is not None:
                if key != review.key and review.key not in self.known_keys:
                    claim.imported_from = review.key
                    self.known_keys.add(review.key)
                return claim
        return None

    # --- new records --------------------------------------------------------------------

    def _create(self, review: ParsedReview, match: LabelMatch, content: dict[str, Any]) -> Outcome:
        claim = Claim(
            text=review.claim_text,
            claimant=_clip(review.claimant, CLAIMANT_LENGTH),
            claimant_kind=review.claimant_kind,
            claimed_on=review.claimed_on,
            state=ClaimState.PUBLISHED,
            slug=self._slug(review),
            imported_from=review.key,
        )
        claim.transitions.append(
            ClaimTransition(from_state=None, to_state=ClaimState.PUBLISHED, comment=self.comment)
        )
        for appearance in review.appearances:
            claim.appearances.append(_appearance(appearance))
        claim.verdict = Verdict(
            label_id=_label_id(match),
            headline=_clip(content["headline"], HEADLINE_LENGTH),
            summary=review.summary,
            explanation="",
        )
        # Undated records stay undated: the import's time orders them, readers see "date unknown".
        first_at = review.date_published or self.now
        content = _dated(content, review)
        first_known = review.date_published is not None
        self._add_revision(
            claim, 1, PublicationKind.PUBLICATION, None, first_at, first_at, content, first_known=first_known
        )
        for number, later in enumerate(review.corrections, start=2):
            self._add_correction(claim, number, later, first_at, content, first_known=first_known)
        self.session.add(claim)
        self.session.flush()
        self.known_keys.add(review.key)
        return Outcome(CREATED, claim_id=claim.id)

    def _slug(self, review: ParsedReview) -> str:
        """Our own check's slug when the record is one of our pages (so a copy keeps its address), else
        a new one from the claim's words."""
        if review.url and self.check_prefix and review.url.startswith(self.check_prefix):
            wanted = review.url.removeprefix(self.check_prefix).strip("/")
            if wanted and readable_slug(wanted) == wanted:
                taken = self.session.scalar(select(Claim.id).where(Claim.slug == wanted).limit(1))
                if taken is None:
                    return wanted
        return unique_slug(self.session, review.claim_text, review.headline or "", "check")

    def _add_revision(
        self,
        claim: Claim,
        number: int,
        kind: PublicationKind,
        note: str | None,
        published_at: datetime,
        first_published_at: datetime,
        content: dict[str, Any],
        *,
        known: bool | None = None,
        first_known: bool = True,
    ) -> Publication:
        """``known``: whether ``published_at`` is the revision's real date (default: for revision 1,
        ``first_known``); an unknown one is in the snapshot as None."""
        known = first_known if known is None else known
        snapshot = {
            **content,
            "published_at": published_at.isoformat() if known else None,
            "first_published_at": first_published_at.isoformat() if first_known else None,
        }
        publication = Publication(
            revision=number,
            kind=kind,
            note=note,
            label_name=_clip(content["label"]["name"], LABEL_NAME_LENGTH),
            headline=_clip(content["headline"], HEADLINE_LENGTH),
            snapshot=snapshot,
            search_text=search_text(snapshot),
            published_at=published_at,
            date_unknown=not known,
            published_by_id=None,
        )
        claim.publications.append(publication)
        return publication

    def _add_correction(
        self,
        claim: Claim,
        number: int,
        later: ParsedRevision,
        first_at: datetime,
        content: dict[str, Any],
        *,
        first_known: bool,
    ) -> Publication:
        """A revision for one of the record's ``correction`` entries, at its own date (unknown
        when it has none)."""
        return self._add_revision(
            claim,
            number,
            later.kind,
            later.note,
            later.published_at or self.now,
            first_at,
            content,
            known=later.published_at is not None,
            first_known=first_known,
        )

    # --- records imported before --------------------------------------------------------

    def _update(
        self, claim: Claim, review: ParsedReview, match: LabelMatch, content: dict[str, Any]
    ) -> Outcome:
        revisions = list(
            self.session.scalars(
                select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.revision)
            )
        )
        if not revisions or any(revision.published_by_id is not None for revision in revisions):
            return Outcome(SKIPPED, LOCAL_CHANGES, claim.id)
        latest = revisions[-1]
        known = {(revision.kind, revision.note) for revision in revisions[1:]}
        new = [later for later in review.corrections if (later.kind, later.note) not in known]
        same = comparable(public_content(latest.snapshot)) == comparable(
            public_content(_as_old_as(content, latest.snapshot))
        )
        if same and not new:
            # The desk learns the kind even when the public record stays as it is.
            claim.claimant_kind = review.claimant_kind
            marked = review.date_published is None and _forget_import_time(claim, revisions)
            verdict = claim.verdict
            if verdict is not None and _label_id(match) is not None and verdict.label_id != _label_id(match):
                verdict.label_id = _label_id(match)
                self.session.flush()
                return Outcome(
                    UPDATED, "the label map gives the verdict another label", claim.id, undated=marked
                )
            return Outcome(UNCHANGED, claim_id=claim.id, undated=marked)
        if latest.kind == PublicationKind.RETRACTION:
            return Outcome(SKIPPED, RETRACTED_HERE, claim.id)
        newer = _newer(review, latest.snapshot, new_corrections=bool(new))
        if newer is None:
            return Outcome(SKIPPED, UNDATED_CHANGE, claim.id)
        if not newer:
            return Outcome(OLDER, claim_id=claim.id)
        content = _dated(content, review)
        self._refresh_claim(claim, review, match, content)
        first_at = revisions[0].published_at
        first_known = not revisions[0].date_unknown
        number = latest.revision
        for later in new:
            number += 1
            self._add_correction(claim, number, later, first_at, content, first_known=first_known)
        if not new:
            number += 1
            note = f"The fact check changed where it was first published; re-imported from {self.source}."
            self._add_revision(
                claim,
                number,
                PublicationKind.UPDATE,
                note,
                self.now,
                first_at,
                content,
                known=True,
                first_known=first_known,
            )
        self.session.flush()
        why = "new corrections" if new else "changed at the source"
        return Outcome(UPDATED, why, claim.id)

    def _refresh_claim(
        self, claim: Claim, review: ParsedReview, match: LabelMatch, content: dict[str, Any]
    ) -> None:
        claim.text = review.claim_text
        claim.claimant = _clip(review.claimant, CLAIMANT_LENGTH)
        claim.claimant_kind = review.claimant_kind
        claim.claimed_on = review.claimed_on
        known = {appearance.url or appearance.venue for appearance in claim.appearances}
        for appearance in review.appearances:
            if (appearance.url or _clip(appearance.title or "", VENUE_LENGTH)) not in known:
                claim.appearances.append(_appearance(appearance))
        verdict = claim.verdict
        if verdict is None:
            verdict = claim.verdict = Verdict()
        verdict.label_id = _label_id(match)
        verdict.headline = _clip(content["headline"], HEADLINE_LENGTH)
        verdict.summary = review.summary

    # --- our own checks -----------------------------------------------------------------

    def _local_check(self, url: str | None) -> Claim | None:
        """The claim whose public page is ``url`` in this database, if any (our own export, re-imported)."""
        if not url or not self.check_prefix or not url.startswith(self.check_prefix):
            return None
        slug = url.removeprefix(self.check_prefix).strip("/")
        if not slug:
            return None
        return self.session.scalar(select(Claim).where(Claim.slug == slug, Claim.imported_from.is_(None)))


def _dated(content: dict[str, Any], review: ParsedReview) -> dict[str, Any]:
    """The snapshot content with the record's own date, which the next import compares with."""
    record_date = review.record_date
    return {**content, "review_date": record_date.isoformat() if record_date is not None else None}


def stored_record_date(snapshot: dict[str, Any]) -> datetime | None:
    """The date of the record a revision was made from: its ``review_date``; for a revision made
    before the importer kept it, the record's ``datePublished`` (the first revision's date)."""
    when = snapshot["review_date"] if "review_date" in snapshot else snapshot.get("first_published_at")
    if not isinstance(when, str):
        return None
    try:
        parsed = datetime.fromisoformat(when)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _newer(review: ParsedReview, stored: dict[str, Any], *, new_corrections: bool) -> bool | None:
    """Whether a record that differs from the stored one is newer: its date is later (or, when
    it lists corrections we do not have, not earlier). None: the record has no date to tell."""
    record_date = review.record_date
    if record_date is None:
        return None
    stored_date = stored_record_date(stored)
    if stored_date is None:
        return True
    return record_date > stored_date or (new_corrections and record_date >= stored_date)


def _check_url_prefix() -> str | None:
    """The address our verdict pages start with (``https://site/checks/``); None before the
    public site's routes exist."""
    marker = "slug-marker"
    try:
        url = absolute_url("public.check", slug=marker)
    except (BuildError, RuntimeError):
        current_app.logger.debug("no public.check route: own checks are not recognised on import")
        return None
    return url.removesuffix(marker) if url.endswith(marker) else None


__all__ = [
    "CREATED",
    "OLDER",
    "SKIPPED",
    "UNCHANGED",
    "UPDATED",
    "BadRecord",
    "Outcome",
    "ReviewImporter",
    "public_content",
]
