"""Demo data: the seed article, claims from it in every workflow state, and demo accounts.

Loading is idempotent: users are matched by email, the document by the hash of
its text, claims by their wording; what exists already is left as it is.
The sources name real documents (see "Background facts" in PRODUCT.md).
The published claim goes through the desk's own publishing operations: the
editor writes the verdict and the admin publishes it (the four-eyes rule), then
a correction follows with its dated public note.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, User
from factcheck.audit import changesets as audit
from factcheck.audit.changesets import Actor
from factcheck.claims.capturing import AppearanceValues, capture_claim
from factcheck.claims.editing import ClaimValues
from factcheck.claims.models import Claim, ClaimState
from factcheck.claims.workflow import record_move
from factcheck.documents.models import Document
from factcheck.publishing.models import PublicationKind
from factcheck.publishing.operations import publish, publish_revision
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.verdicts.models import Verdict

SEED_ARTICLE = "seed-article-inf-treaty.txt"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str


# Demo passwords are public on purpose; `factcheck demo` refuses to run in production.
ACCOUNTS = [
    DemoAccount("admin@example.org", "Ada Admin", Role.ADMIN, "demo-admin-password"),
    DemoAccount("editor@example.org", "Elena Editor", Role.EDITOR, "demo-editor-password"),
    DemoAccount("anna@example.org", "Anna Reviewer", Role.REVIEWER, "demo-reviewer-password"),
    DemoAccount("boris@example.org", "Boris Reviewer", Role.REVIEWER, "demo-reviewer-password"),
]

# --- the real documents the sources cite ------------------------------------

INF_TREATY = {
    "title": "Treaty Between the United States of America and the Union of Soviet Socialist Republics "
    "on the Elimination of Their Intermediate-Range and Shorter-Range Missiles (INF Treaty)",
    "publisher": "U.S. Department of State",
    "published_on": date(1987, 12, 8),
    "kind": SourceKind.PRIMARY_DOCUMENT,
    "is_primary": True,
    "url": "https://2009-2017.state.gov/t/avc/trty/102360.htm",
    "quote": "Article II: ground-launched missiles with a range capability in excess of 500 kilometers "
    "but not in excess of 5500 kilometers are intermediate-range missiles and shorter-range missiles.",
}
COMPLIANCE_REPORT_2014 = {
    "title": "Adherence to and Compliance with Arms Control, Nonproliferation, and Disarmament "
    "Agreements and Commitments",
    "publisher": "U.S. Department of State",
    "published_on": date(2014, 7, 31),
    "kind": SourceKind.OFFICIAL_STATEMENT,
    "is_primary": True,
    "citation": "U.S. Department of State, annual compliance report, July 2014: the first public "
    "finding that Russia was in violation of its INF Treaty obligations.",
}
NATO_STATEMENT_2018 = {
    "title": "Statement on the Intermediate-Range Nuclear Forces (INF) Treaty",
    "publisher": "NATO Foreign Ministers",
    "published_on": date(2018, 12, 4),
    "kind": SourceKind.OFFICIAL_STATEMENT,
    "is_primary": True,
    "url": "https://www.nato.int/cps/en/natohq/official_texts_161122.htm",
    "quote": "Allies have concluded that Russia has developed and fielded a missile system, the 9M729, "
    "which violates the INF Treaty and poses significant risks to Euro-Atlantic security.",
}
POMPEO_DEADLINE_2018 = {
    "title": "Press Availability at NATO Headquarters",
    "publisher": "U.S. Department of State (Secretary of State Michael R. Pompeo)",
    "published_on": date(2018, 12, 4),
    "kind": SourceKind.OFFICIAL_STATEMENT,
    "is_primary": True,
    "citation": "Secretary of State Michael R. Pompeo, remarks at NATO headquarters, Brussels, "
    "4 December 2018, announcing that the United States would suspend its obligations in 60 days "
    "unless Russia returned to full and verifiable compliance.",
}
RUSSIAN_MOD_BRIEFING_2019 = {
    "title": "Briefing on the 9M729 missile for foreign military attachés and journalists",
    "publisher": "Ministry of Defence of the Russian Federation",
    "published_on": date(2019, 1, 23),
    "kind": SourceKind.OFFICIAL_STATEMENT,
    "is_primary": True,
    "citation": "Briefing at the Patriot park near Moscow, 23 January 2019, at which the ministry "
    "displayed the 9M729 and stated its maximum range as 480 km.",
}
US_ALLEGATIONS_FACT_SHEET_2017 = {
    "title": "Refuting Russian Allegations of U.S. Noncompliance with the INF Treaty",
    "publisher": "U.S. Department of State, Bureau of Arms Control, Verification and Compliance",
    "published_on": date(2017, 12, 8),
    "kind": SourceKind.OFFICIAL_STATEMENT,
    "is_primary": True,
    "citation": "Fact sheet answering Russia's claim that the Mk 41 launchers of the Aegis Ashore "
    "site in Romania could fire offensive cruise missiles.",
}
US_SUSPENSION_2019 = {
    "title": "U.S. Intent to Withdraw from the INF Treaty February 2, 2019",
    "publisher": "U.S. Department of State (Secretary of State Michael R. Pompeo)",
    "published_on": date(2019, 2, 2),
    "kind": SourceKind.OFFICIAL_STATEMENT,
    "is_primary": True,
    "citation": "Press statement: the United States suspends its obligations under the INF Treaty "
    "and will withdraw in six months unless Russia returns to compliance.",
}


@dataclass(frozen=True)
class DemoClaim:
    quote: str  # exactly as in the seed article
    text: str  # the checkable wording
    claimant: str
    state: ClaimState
    sources: list[tuple[dict[str, Any], Stance, str]] = field(default_factory=list)
    # (reviewer email, label key, reasoning)
    ratings: list[tuple[str, str, str]] = field(default_factory=list)
    # (label key, headline, summary, explanation)
    verdict: tuple[str, str, str, str] | None = None
    dismissed_reason: str | None = None
    slug: str | None = None
    # A correction after publication: (the corrected explanation, a source it adds, the public note).
    correction: tuple[str, tuple[dict[str, Any], Stance, str], str] | None = None


CLAIMS = [
    DemoClaim(
        quote="the new Russian 9M729 or SSC-8 missiles are already installed in Europe and that they "
        "are capable of carrying a nuclear warhead that violates the INF Treaty",
        text="Russia's new 9M729 (SSC-8) missiles are already deployed in Europe and violate the INF Treaty.",
        claimant="Jens Stoltenberg, NATO Secretary-General",
        state=ClaimState.PUBLISHED,
        slug="russia-9m729-missile-violates-inf-treaty",
        sources=[
            (
                NATO_STATEMENT_2018,
                Stance.SUPPORTS,
                "All NATO allies, not only the US, reached this finding.",
            ),
            (INF_TREATY, Stance.CONTEXT, "The 500 to 5,500 km band is what the dispute turns on."),
            (
                RUSSIAN_MOD_BRIEFING_2019,
                Stance.REFUTES,
                "Russia's stated range is just under the band.",
            ),
        ],
        ratings=[
            (
                "anna@example.org",
                "mostly-true",
                "The allied finding is public and unanimous; the "
                "intelligence behind it is not, and Russia disputes the range.",
            ),
            ("boris@example.org", "mostly-true", "Matches the NATO statement of 4 December 2018."),
        ],
        verdict=(
            "mostly-true",
            "NATO allies did find that the 9M729 violates the INF Treaty",
            "The United States and all NATO allies concluded in December 2018 that Russia had "
            "developed and fielded the 9M729 in violation of the treaty. Russia denies it and "
            "says the missile's range is 480 km.",
            # As first published: it dates the first US accusation to 2017 (corrected below).
            "The INF Treaty of 8 December 1987 banned ground-launched missiles with ranges between "
            "500 and 5,500 km. The United States first accused Russia of breaking it in 2017. "
            "On **4 December 2018** NATO foreign ministers stated that Russia had "
            "developed and fielded the 9M729, which violates the treaty.\n\n"
            "On 23 January 2019 Russia displayed the missile and gave its range as 480 km, just "
            "under the treaty's band. The evidence behind the allied finding has not been published, "
            "which is why we rate the claim *mostly* true.",
        ),
        correction=(
            "The INF Treaty of 8 December 1987 banned ground-launched missiles with ranges between "
            "500 and 5,500 km. The United States first publicly accused Russia of a violation in its "
            "July 2014 arms-control compliance report, and named the missile 9M729 in late 2017. "
            "On **4 December 2018** NATO foreign ministers stated that Russia had "
            "developed and fielded the 9M729, which violates the treaty.\n\n"
            "On 23 January 2019 Russia displayed the missile and gave its range as 480 km, just "
            "under the treaty's band. The evidence behind the allied finding has not been published, "
            "which is why we rate the claim *mostly* true.",
            (
                COMPLIANCE_REPORT_2014,
                Stance.CONTEXT,
                "The first public US finding of a violation, three years before the missile was named.",
            ),
            "Corrected the date of the first US accusation: the United States first publicly accused "
            "Russia of violating the INF Treaty in its July 2014 compliance report, not in 2017 "
            "(2017 is when it named the 9M729). We added that report to the sources. "
            "The rating is unchanged.",
        ),
    ),
    DemoClaim(
        quote="NATO had established an ultimatum of 60 days in December",
        text="NATO set Russia a 60-day ultimatum in December 2018 to return to the INF Treaty.",
        claimant="The article's author",
        state=ClaimState.READY,
        sources=[
            (
                POMPEO_DEADLINE_2018,
                Stance.REFUTES,
                "The deadline was announced by the US Secretary of State.",
            ),
            (NATO_STATEMENT_2018, Stance.CONTEXT, "Allies backed the US position the same day."),
        ],
        ratings=[
            (
                "anna@example.org",
                "misleading",
                "The US set the deadline; NATO allies supported it.",
            ),
            ("boris@example.org", "mostly-false", "NATO as an organisation set no ultimatum."),
        ],
        verdict=(
            "misleading",
            "The 60-day deadline was set by the United States, with NATO's backing",
            "The deadline was announced by US Secretary of State Mike Pompeo on 4 December 2018. "
            "NATO foreign ministers backed the US finding the same day, but the ultimatum was not NATO's.",
            "Secretary Pompeo announced at NATO headquarters on 4 December 2018 that the US would "
            "suspend its obligations in 60 days unless Russia returned to compliance. The allies' "
            "statement of the same day supports the finding of a violation but sets no deadline.",
        ),
    ),
    DemoClaim(
        quote="the 9M729 missile does not violate the postulates of the agreement",
        text="The 9M729 missile does not violate the INF Treaty.",
        claimant="Sergei Lavrov, Russian Foreign Minister",
        state=ClaimState.IN_REVIEW,
        sources=[
            (RUSSIAN_MOD_BRIEFING_2019, Stance.SUPPORTS, "Russia's own account of the range."),
            (NATO_STATEMENT_2018, Stance.REFUTES, "The allies' finding of a violation."),
        ],
        ratings=[
            (
                "anna@example.org",
                "false",
                "Every NATO ally found a violation; Russia offers no verifiable data.",
            ),
        ],
    ),
    DemoClaim(
        quote="US missile defense systems already installed in Eastern Europe can easily be converted "
        "into offensive ballistic missile launchers",
        text="US missile-defence systems in Eastern Europe can easily be converted into offensive missile launchers.",
        claimant="Government of the Russian Federation",
        state=ClaimState.RESEARCHING,
        sources=[
            (
                US_ALLEGATIONS_FACT_SHEET_2017,
                Stance.REFUTES,
                "The US position on the Mk 41 launchers.",
            ),
        ],
    ),
    DemoClaim(
        quote="In October, the US announced they would withdraw from the treaty unless Russia suspended "
        "the alleged violations",
        text="In October 2018 the US announced it would withdraw from the INF Treaty unless Russia ended its violations.",
        claimant="The article's author",
        state=ClaimState.NEW,
    ),
    DemoClaim(
        quote="Russia has warned that it has to respond if American missiles are stationed in Europe, "
        "making them targets",
        text="Russia will have to respond if American missiles are stationed in Europe, making them targets.",
        claimant="Government of the Russian Federation",
        state=ClaimState.DISMISSED,
        dismissed_reason="A warning about future intentions, not a checkable statement of fact.",
    ),
]

# The path each state is reached by, so the demo history looks like real work.
PATHS = {
    ClaimState.NEW: [],
    ClaimState.RESEARCHING: [ClaimState.RESEARCHING],
    ClaimState.IN_REVIEW: [ClaimState.RESEARCHING, ClaimState.IN_REVIEW],
    ClaimState.READY: [ClaimState.RESEARCHING, ClaimState.IN_REVIEW, ClaimState.READY],
    # Then published by the publishing operation, which takes the last step itself.
    ClaimState.PUBLISHED: [ClaimState.RESEARCHING, ClaimState.IN_REVIEW, ClaimState.READY],
    ClaimState.DISMISSED: [ClaimState.DISMISSED],
}


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=lambda: {"users": 0, "documents": 0, "claims": 0})
    accounts: list[DemoAccount] = field(default_factory=list)

    def describe(self) -> str:
        made = ", ".join(f"{count} {kind}" for kind, count in self.created.items())
        lines = [f"Demo data loaded ({made} new; existing records left as they were)."]
        lines.append("Demo accounts (email / password / role):")
        lines += [f"  {a.email:<22} {a.password:<24} {a.role.value}" for a in self.accounts]
        return "\n".join(lines)


def seed_article_text() -> str:
    return resources.files("factcheck.demo").joinpath(SEED_ARTICLE).read_text(encoding="utf-8")


def load(db: Session) -> DemoReport:
    report = DemoReport(accounts=list(ACCOUNTS))
    loader = audit.get_actor(db)
    users = {account.email: _user(db, account, report) for account in ACCOUNTS}
    labels = {label.key: label for label in db.scalars(select(RatingLabel))}
    audit.set_actor(db, Actor.for_user(users["anna@example.org"], origin="demo"))
    document = _document(db, users["anna@example.org"], report)
    for spec in CLAIMS:
        if db.scalar(select(Claim.id).where(Claim.text == spec.text)) is None:
            _claim(db, spec, document, users, labels)
            report.created["claims"] += 1
    audit.set_actor(db, loader)
    return report


def _user(db: Session, account: DemoAccount, report: DemoReport) -> User:
    user = accounts.find_user_by_email(db, account.email)
    if user is None:
        user = accounts.create_user(
            db, email=account.email, name=account.name, password=account.password, role=account.role
        )
        report.created["users"] += 1
    return user


def _document(db: Session, creator: User, report: DemoReport) -> Document:
    text = seed_article_text()
    digest = hashlib.sha256(text.encode()).hexdigest()
    document = db.scalar(select(Document).where(Document.text_sha256 == digest))
    if document is None:
        document = Document(
            # The article's first line is its headline.
            title=text.splitlines()[0].strip(),
            outlet=None,
            language="en",
            text=text,
            text_sha256=digest,
            created_by=creator,
        )
        db.add(document)
        db.flush()
        report.created["documents"] += 1
    return document


def _claim(
    db: Session, spec: DemoClaim, document: Document, users: dict[str, User], labels: dict[str, RatingLabel]
) -> Claim:
    """Build the claim step by step, each step attributed to the person who would take it,
    so the demo's audit history reads like real work."""
    reviewer = users["anna@example.org"]
    editor = users["editor@example.org"]
    admin = users["admin@example.org"]
    path = iter(PATHS[spec.state])

    def act_as(user: User, reason: str | None = None) -> None:
        audit.set_actor(db, Actor.for_user(user, origin="demo"))
        audit.set_reason(db, reason)

    def move(to: ClaimState, actor: User, comment: str | None = None) -> None:
        record_move(db, claim, actor, to, comment)

    act_as(reviewer)
    claim = capture_claim(
        db,
        reviewer,
        ClaimValues(text=spec.text, claimant=spec.claimant),
        AppearanceValues(document=document, quote=spec.quote),
    )
    if spec.state == ClaimState.DISMISSED:
        move(next(path), reviewer, spec.dismissed_reason)
        return claim
    if spec.state == ClaimState.NEW:
        return claim

    move(next(path), reviewer)  # researching
    for source, stance, note in spec.sources:
        claim.sources.append(Source(**source, stance=stance, note=note, created_by=reviewer))
    db.flush()
    if spec.state == ClaimState.RESEARCHING:
        return claim

    move(next(path), reviewer)  # in review
    for email, label_key, reasoning in spec.ratings:
        act_as(users[email])
        claim.ratings.append(Rating(reviewer=users[email], label=labels[label_key], reasoning=reasoning))
        db.flush()
    if spec.state == ClaimState.IN_REVIEW or spec.verdict is None:
        return claim

    act_as(editor)
    label_key, headline, summary, explanation = spec.verdict
    claim.verdict = Verdict(
        label=labels[label_key],
        headline=headline,
        summary=summary,
        explanation=explanation,
        author=editor,
        updated_by=editor,
    )
    move(next(path), editor)  # ready
    if spec.state == ClaimState.READY:
        return claim

    # The editor wrote the verdict alone, so the admin publishes it (the four-eyes rule).
    act_as(admin)
    # A shorter public address than the one made from the wording; publish keeps a slug already set.
    claim.slug = spec.slug
    publish(db, claim, admin, reason="First publication after review by two reviewers and the editor.")
    if spec.correction is None:
        return claim

    # A reader points out a wrong date: the editor fixes the draft, the admin publishes the correction.
    explanation, (source, stance, note), public_note = spec.correction
    act_as(editor)
    verdict = claim.verdict
    assert verdict is not None
    verdict.explanation = explanation
    verdict.updated_by = editor
    claim.sources.append(Source(**source, stance=stance, note=note, created_by=editor))
    db.flush()
    act_as(admin)
    publish_revision(db, claim, admin, kind=PublicationKind.CORRECTION, note=public_note)
    return claim
