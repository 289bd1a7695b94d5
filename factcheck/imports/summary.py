"""What an import did, counted as it goes and told at the end (standard output)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from factcheck.imports.labels import normalise

# Reasons that are not a problem with the record: it is here already.
ALREADY_IMPORTED = "already imported"
PUBLISHED_HERE = "published here already"
DUPLICATE = "repeated in the input"
HERE_ALREADY = "already here (the row's Claim ID, same wording)"
LOCAL_CHANGES = "changed here since it was imported (left as it is)"
RETRACTED_HERE = "retracted here (a retraction is final)"
UNDATED_CHANGE = "changed, but undated: nothing says it is newer (left as it is)"
# Locations listed per reason; the rest are counted.
LISTED_LOCATIONS = 10


@dataclass
class Skip:
    location: str
    detail: str = ""


@dataclass
class ImportSummary:
    """Counts, skipped records grouped by reason, unmapped labels and other notes of one import."""

    # What is counted, singular: "record" (ClaimReview) or "row" (CSV).
    noun: str = "record"
    created: int = 0
    updated: int = 0
    # Records here already: the same once normalised, or not newer than the stored one (ignored).
    # Counted apart from the skips only by importers that compare versions (ClaimReview).
    compares_versions: bool = False
    unchanged: int = 0
    older: list[str] = field(default_factory=list)
    updated_why: Counter[str] = field(default_factory=Counter)
    skipped: dict[str, list[Skip]] = field(default_factory=dict)
    # Unmapped labels: normalised form -> spellings seen, counted.
    unmapped: dict[str, Counter[str]] = field(default_factory=dict)
    by_number: Counter[str] = field(default_factory=Counter)
    undated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    # --- counting -----------------------------------------------------------------------

    def add_created(self) -> None:
        self.created += 1

    def add_updated(self, why: str) -> None:
        self.updated += 1
        self.updated_why[why] += 1

    def add_unchanged(self) -> None:
        self.unchanged += 1

    def add_older(self, location: str) -> None:
        self.older.append(location)

    def skip(self, reason: str, location: str, detail: str = "") -> None:
        self.skipped.setdefault(reason, []).append(Skip(location, detail))

    def unmapped_label(self, name: str) -> None:
        self.unmapped.setdefault(normalise(name), Counter())[name] += 1

    # --- reading ------------------------------------------------------------------------

    def count(self, number: int) -> str:
        return f"{number} {self.noun}{'' if number == 1 else 's'}"

    @property
    def skipped_count(self) -> int:
        return sum(len(skips) for skips in self.skipped.values())

    @property
    def bad_count(self) -> int:
        return sum(len(skips) for reason, skips in self.skipped.items() if reason not in _BENIGN)

    @property
    def succeeded(self) -> bool:
        """Something was imported, or was here already (exit status 0): only an input none of
        whose records could be imported fails (a re-run of a file with a bad line succeeds, as the
        first run did)."""
        here = self.unchanged + len(self.older)
        return self.created + self.updated + here > 0 or self.skipped_count > self.bad_count

    def counts(self) -> dict[str, int]:
        """The figures of the first line, by name (what bench/import_sample.py reports)."""
        counts = {"created": self.created, "updated": self.updated}
        if self.compares_versions:
            counts |= {"unchanged": self.unchanged, "older_ignored": len(self.older)}
        return counts | {"skipped": self.skipped_count}

    def lines(self) -> list[str]:
        elapsed = time.monotonic() - self.started
        total = sum(self.counts().values())
        figures = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in self.counts().items())
        lines = [f"{figures[0].upper()}{figures[1:]} ({self.count(total)}) in {elapsed:.1f} s."]
        if self.updated_why:
            lines.append("Updated:")
            lines.extend(f"  {why}: {count}" for why, count in self.updated_why.most_common())
        if self.older:
            lines.append(f"Older than the record here, or as old and different (ignored): {len(self.older)}")
            lines.extend(f"    {location}" for location in self.older[:LISTED_LOCATIONS])
            if len(self.older) > LISTED_LOCATIONS:
                lines.append(f"    ... and {len(self.older) - LISTED_LOCATIONS} more")
        if self.skipped:
            lines.append("Skipped:")
            # Records already here first, then the problems, most frequent first.
            order = sorted(self.skipped.items(), key=lambda item: (item[0] not in _BENIGN, -len(item[1])))
            for reason, skips in order:
                lines.append(f"  {reason}: {len(skips)}")
                if reason in (ALREADY_IMPORTED, PUBLISHED_HERE, HERE_ALREADY):
                    continue
                for skip in skips[:LISTED_LOCATIONS]:
                    lines.append(
                        f"    {skip.location}: {skip.detail}" if skip.detail else f"    {skip.location}"
                    )
                if len(skips) > LISTED_LOCATIONS:
                    lines.append(f"    ... and {len(skips) - LISTED_LOCATIONS} more")
        if self.unmapped:
            total = sum(sum(spellings.values()) for spellings in self.unmapped.values())
            lines.append(
                f"Unmapped labels ({self.count(total)}: kept verbatim, the verdict has no label of our scale):"
            )
            ranked = sorted(
                self.unmapped.values(), key=lambda spellings: (-sum(spellings.values()), _first(spellings))
            )
            for spellings in ranked:
                names = [name for name, _ in spellings.most_common()]
                also = f" (also {', '.join(repr(name) for name in names[1:])})" if len(names) > 1 else ""
                lines.append(f"  {sum(spellings.values()):>5}  {names[0]}{also}")
        if self.by_number:
            lines.append("Mapped by their numbers (no label name matched):")
            lines.extend(f"  {count:>5}  {what}" for what, count in self.by_number.most_common())
        if self.undated:
            shown = ", ".join(self.undated[:LISTED_LOCATIONS])
            more = (
                f" and {len(self.undated) - LISTED_LOCATIONS} more"
                if len(self.undated) > LISTED_LOCATIONS
                else ""
            )
            lines.append(
                f"No datePublished, so stored with its date unknown: {len(self.undated)} ({shown}{more})"
            )
        lines.extend(self.notes)
        return lines


_BENIGN = frozenset(
    {ALREADY_IMPORTED, PUBLISHED_HERE, HERE_ALREADY, DUPLICATE, LOCAL_CHANGES, RETRACTED_HERE, UNDATED_CHANGE}
)


def _first(spellings: Counter[str]) -> str:
    return spellings.most_common(1)[0][0].casefold()
