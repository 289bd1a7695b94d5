"""The API's request and response bodies, defined once: pydantic validates requests with
them and spectree writes them into the OpenAPI document (factcheck/api/spec.py).

Limits here mirror the operations' own (which still check everything: these only
give a client the per-field message before the operation is asked).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from factcheck.claims.models import AnchorStatus, ClaimantKind, ClaimState
from factcheck.publishing.models import PublicationKind
from factcheck.sources.models import SourceKind, Stance

# Ids are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_control_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in text; the other C0 controls but tab and line breaks are noise.
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _plausible_date(value: date | None) -> date | None:
    if value is not None and not 1000 <= value.year <= 9000:
        raise ValueError("give a date between the years 1000 and 9000")
    return value


def Text(max_length: int) -> Any:
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_control_characters)]


Day = Annotated[date, AfterValidator(_plausible_date)]


class RequestBody(BaseModel):
    """Unknown fields are refused, so a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- problems -----------------------------------------------------------------------


class Problem(BaseModel):
    """An error (RFC 9457). ``errors`` maps each field to its messages (422)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None
    # 409 and 412: the resource as it is now.
    current: dict[str, Any] | None = None


# --- me -------------------------------------------------------------------------------


class TokenOut(BaseModel):
    prefix: str | None
    name: str
    scope: Literal["read", "write"]
    created_at: datetime
    expires_at: datetime | None


class MeOut(BaseModel):
    id: int
    name: str
    email: str
    role: Literal["reviewer", "editor", "admin"]
    permissions: list[str]
    token: TokenOut


# --- documents ----------------------------------------------------------------------------


class DocumentIn(RequestBody):
    """A document from its text (without a title, its first line is the title), or, with ``url``
    and no ``text``, fetched from that address in the background: 202, state ``fetching``."""

    # One of the two is needed: said in the document too, so clients (and schemathesis) know.
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"anyOf": [{"required": ["text"]}, {"required": ["url"]}]}
    )

    text: Text(10_000_000) | None = None  # the app's MAX_DOCUMENT_BYTES decides the real limit
    title: Text(500) | None = None
    url: Text(2000) | None = None
    outlet: Text(200) | None = None
    author: Text(200) | None = None
    published_on: Day | None = None
    language: Text(35) | None = None


class DocumentOut(BaseModel):
    id: int
    title: str
    url: str | None
    outlet: str | None
    author: str | None
    published_on: date | None
    language: str | None
    text: str
    text_sha256: str
    created_at: datetime
    # Documents added by their address: "fetching", "fetched" or "failed" (with the reason);
    # null for a text given as such.
    fetch_state: str | None
    fetch_error: str | None
    fetched_at: datetime | None
    links: dict[str, str]


# --- claims ---------------------------------------------------------------------------------


class AppearanceIn(RequestBody):
    """Where the claim appeared: a quote from a document (``document_id`` and ``quote``,
    with the selection's ``prefix``, ``suffix``, ``start`` and ``end`` if known), or a web
    address (``url``). The quote is looked up in the document's text, as on the desk."""

    document_id: Id | None = None
    quote: Text(5000) | None = None
    prefix: Text(200) | None = None
    suffix: Text(200) | None = None
    start: Annotated[int, Field(ge=0, le=MAX_ID)] | None = None
    end: Annotated[int, Field(ge=0, le=MAX_ID)] | None = None
    url: Text(2000) | None = None
    appeared_on: Day | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> AppearanceIn:
        if self.document_id is None and self.url is None:
            raise ValueError("give document_id and quote, or url")
        if self.document_id is not None and self.url is not None:
            raise ValueError("give document_id and quote, or url, not both")
        return self


class ClaimIn(RequestBody):
    text: Text(5000)
    claimant: Text(200)
    claimant_kind: ClaimantKind | None = None
    claimed_on: Day | None = None
    review_by: Day | None = None
    appearance: AppearanceIn


class ClaimUpdate(RequestBody):
    """The fields to change (the others keep their values), and the version they are based
    on, unless an If-Match header names it."""

    version: Id | None = None
    text: Text(5000) | None = None
    claimant: Text(200) | None = None
    claimant_kind: ClaimantKind | None = None
    claimed_on: Day | None = None
    review_by: Day | None = None


class AppearanceOut(BaseModel):
    id: int
    document_id: int | None
    url: str | None
    quote: str | None
    prefix: str | None
    suffix: str | None
    start: int | None
    end: int | None
    # The PDF page the quote is on (a W3C FragmentSelector "page=N"); None for other documents.
    page: int | None
    # The same place as W3C Web Annotation selectors (Quote, Position and, in a PDF, Fragment).
    selectors: list[dict[str, Any]]
    appeared_on: date | None
    anchor_status: AnchorStatus


class PersonOut(BaseModel):
    id: int
    name: str


class ClaimOut(BaseModel):
    id: int
    text: str
    claimant: str
    claimant_kind: ClaimantKind
    claimed_on: date | None
    review_by: date | None
    state: ClaimState
    dismissed_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: PersonOut | None
    tags: list[str]
    assignees: list[PersonOut]
    appearances: list[AppearanceOut]
    links: dict[str, str]


SortName = Literal["relevance", "newest", "oldest", "updated", "claimant", "review_by"]


class ClaimListQuery(RequestBody):
    """The desk's filters, search and sorts. ``after`` is the ``next`` link's cursor."""

    q: Text(200) | None = None
    state: ClaimState | None = None
    label: Id | None = Field(default=None, description="a rating label's id: claims whose verdict has it")
    assignee: Annotated[str, Field(pattern=r"^(none|[1-9][0-9]{0,9})$")] | None = Field(
        default=None, description="a user's id, or none for unassigned claims"
    )
    tag: Text(80) | None = None
    claimant: Text(200) | None = None
    captured_from: Day | None = None
    captured_to: Day | None = None
    sort: SortName | None = None
    after: Text(2000) | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50

    @field_validator("captured_to")
    @classmethod
    def _dates_in_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("captured_from")
        if value is not None and start is not None and start > value:
            raise ValueError("the end date is before the start date")
        return value


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    next: str | None = Field(description="the next page's address; null on the last page")


# --- transitions --------------------------------------------------------------------------------


class TransitionIn(RequestBody):
    to_state: ClaimState
    comment: Text(2000) | None = None
    from_state: ClaimState | None = Field(
        default=None, description="the state you saw; if the claim moved meanwhile, 409"
    )


class TransitionOption(BaseModel):
    to_state: ClaimState
    label: str
    allowed: bool
    reason: str | None
    needs_reason: bool
    taken_elsewhere: bool


class TransitionOptions(BaseModel):
    state: ClaimState
    options: list[TransitionOption]


class TransitionOut(BaseModel):
    id: int
    from_state: ClaimState | None
    to_state: ClaimState
    comment: str | None
    actor: PersonOut | None
    created_at: datetime
    claim: ClaimOut


# --- sources and comments ------------------------------------------------------------------


class SourceIn(RequestBody):
    """A source of the claim: a web address or a full citation (or both), with a title."""

    title: Text(500)
    url: Text(2000) | None = None
    citation: Text(20_000) | None = None
    publisher: Text(200) | None = None
    published_on: Day | None = None
    kind: SourceKind = SourceKind.OTHER
    stance: Stance = Stance.CONTEXT
    quote: Text(20_000) | None = None
    note: Text(20_000) | None = None
    is_primary: bool = False


class SourceOut(BaseModel):
    id: int
    claim_id: int
    title: str
    url: str | None
    citation: str | None
    publisher: str | None
    published_on: date | None
    kind: SourceKind
    stance: Stance
    quote: str | None
    note: str | None
    is_primary: bool
    version: int
    created_by: PersonOut | None
    created_at: datetime


class SourceList(BaseModel):
    items: list[SourceOut]


class CommentIn(RequestBody):
    body: Annotated[str, Field(max_length=20_000), AfterValidator(_no_control_characters)] = Field(
        description="Markdown"
    )


class CommentOut(BaseModel):
    id: int
    claim_id: int
    author: PersonOut | None
    body: str | None = Field(description="Markdown; null once the comment is removed")
    removed: bool
    created_at: datetime
    updated_at: datetime


class CommentList(BaseModel):
    items: list[CommentOut]


# --- ratings and the verdict -------------------------------------------------------------------


class LabelOut(BaseModel):
    id: int
    key: str
    name: str


class RatingIn(RequestBody):
    """Your rating of the claim: a label of the active scale and why."""

    label_id: Id
    reasoning: Text(20_000)


class RatingOut(BaseModel):
    id: int
    claim_id: int
    reviewer: PersonOut | None
    label: LabelOut
    reasoning: str
    created_at: datetime
    updated_at: datetime


class RatingList(BaseModel):
    """Ratings are blind: until you have rated the claim (editors and admins: always), ``items``
    is empty and only ``count`` says how many others rated it."""

    visible: bool
    count: int
    mine: RatingOut | None
    items: list[RatingOut]


class VerdictIn(RequestBody):
    """The whole verdict (fields left out are emptied). Changing a verdict that exists needs the
    version you read (``version``, or If-Match with its ETag); changing its label, a ``reason``."""

    headline: Text(300)
    label_id: Id | None = None
    summary: Text(20_000) = ""
    explanation: Text(200_000) = ""
    reason: Text(2000) | None = Field(default=None, description="why the label changes; kept in the history")
    version: Id | None = None


class VerdictOut(BaseModel):
    id: int
    claim_id: int
    label: LabelOut | None
    imported_label: str | None
    headline: str
    summary: str
    explanation: str
    author: PersonOut | None
    updated_by: PersonOut | None
    version: int
    created_at: datetime
    updated_at: datetime


# --- publications and the history ----------------------------------------------------------------


class PublicationIn(RequestBody):
    """Publish the verdict (``publication``: a Ready claim, with an optional ``reason`` for the
    history), or a ``correction``, ``update`` or ``retraction`` of a published one, with its
    public ``note`` (what changed and why; readers see it with its date)."""

    kind: PublicationKind
    note: Text(2000) | None = None
    reason: Text(2000) | None = None
    verdict_version: Id | None = Field(
        default=None, description="the verdict version you reviewed; if it changed meanwhile, 409"
    )
    latest_revision: Id | None = Field(
        default=None, description="the newest revision you read; if another was published since, 409"
    )


class PublicationOut(BaseModel):
    id: int
    claim_id: int
    revision: int
    kind: PublicationKind
    note: str | None
    label_name: str
    headline: str
    published_at: datetime
    published_by: PersonOut | None
    snapshot: dict[str, Any] = Field(description="what readers were shown by this revision")
    links: dict[str, str]


class PublicationList(BaseModel):
    items: list[PublicationOut]


class HistoryFieldOut(BaseModel):
    name: str
    old: str
    new: str


class HistoryItemOut(BaseModel):
    sentence: str
    table: str
    operation: str
    fields: list[HistoryFieldOut]


class HistoryEntryOut(BaseModel):
    seq: int
    occurred_at: datetime
    actor_name: str
    actor_role: str | None
    origin: str
    reason: str | None
    items: list[HistoryItemOut]


class HistoryOut(BaseModel):
    """Every change to the claim and what belongs to it, oldest first; rating labels and
    reasonings are hidden as on the desk until you may see the ratings (``ratings_visible``)."""

    ratings_visible: bool
    items: list[HistoryEntryOut]


# --- exports ---------------------------------------------------------------------------------------


class ExportQuery(RequestBody):
    """The export page's format and filters (all optional; all must hold)."""

    format: Literal["csv", "xlsx", "json", "ndjson", "claimreview"] = "csv"
    date_field: Literal["captured", "published"] = Field(
        default="captured", description="which day date_from and date_to bound: captured or first published"
    )
    date_from: Day | None = None
    date_to: Day | None = None
    state: ClaimState | None = None
    label: Text(60) | None = Field(default=None, description="the draft verdict's rating label, by key")
    tag: Text(80) | None = Field(default=None, description="a tag's name")
    reviewer: Text(254) | None = Field(default=None, description="claims this person rated: email or user id")
    claimant: Text(200) | None = Field(default=None, description="a part of the claimant's name")
