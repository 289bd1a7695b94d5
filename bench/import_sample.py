"""The ClaimReview sample imported twice, then a changed copy: what each run created, updated,
left unchanged, ignored as older and skipped, and what /corrections would list.

What it does
    For each database (``--database``: a fresh SQLite file or PostgreSQL database built by the
    real migrations, see _databases.py) it runs the real command
    ``factcheck import claimreview`` four times:

      1. the sample (default /work/shared/data/claimreview-sample/fact_checks_sample.txt,
         one ``<script type="application/ld+json">`` record per line);
      2. the same file again: everything should be unchanged;
      3. a changed copy written to a temporary directory (seeded, ``--seed``):
         ``--newer`` records genuinely newer (``dateModified`` 30 days after their
         ``datePublished``) with another rating label of the sample; ``--older`` records
         with another label but dated 30 days before; ``--respelt`` records that differ
         only in spelling (http for https, ``www.`` added or removed, a trailing slash,
         "The " added to or taken from the publisher's name, the publisher's URL in capitals
         with its default port, curly for straight quotes and back, doubled spaces);
         ``--new-claims`` records that are a second claim reviewed by an article already
         imported (its URL, another claim). Every other record is as it was.

      4. the sample once more, as if two crawls alternated.

    After each run it prints the command's counts (created / updated / unchanged / older
    ignored / skipped, with the reasons for the skips) and how many revisions /corrections
    lists (every revision after a claim's first). Expected: run 2 changes nothing, run 3
    updates exactly the newer records, creates the new claims, and adds one revision to
    /corrections per newer record; run 4 finds the newer records' old versions older
    (ignored) and changes nothing.

How to run (from the repository root)
    .venv/bin/python bench/import_sample.py                        # SQLite
    .venv/bin/python bench/import_sample.py --database both
    .venv/bin/python bench/import_sample.py path/to/other_sample.txt --newer 20
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _databases import BENCH_AUDIT_KEY, DEFAULT_POSTGRESQL_URL, describe, fresh_database, selected
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from factcheck import create_app
from factcheck.db import get_database
from factcheck.public.pages import LATER_REVISION
from factcheck.publishing.models import Publication

DEFAULT_SAMPLE = Path("/work/shared/data/claimreview-sample/fact_checks_sample.txt")
_SCRIPT = re.compile(r"^\s*<script[^>]*>(.*)</script>\s*$", re.DOTALL)
_FIRST_LINE = re.compile(
    r"Created (\d+), updated (\d+), unchanged (\d+), older ignored (\d+), skipped (\d+) \((\d+) records?\)"
)
COLUMNS = ("created", "updated", "unchanged", "older ignored", "skipped")


# --- the changed copy ---------------------------------------------------------------------------


def read_sample(path: Path) -> list[dict[str, Any]]:
    """The sample's records (lines that are not a script with a JSON object are left out)."""
    records = []
    for line in path.read_text("utf-8").splitlines():
        match = _SCRIPT.match(line)
        if match is None:
            continue
        try:
            record = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def script_line(record: dict[str, Any]) -> str:
    return '<script type="application/ld+json">' + json.dumps(record, ensure_ascii=False) + "</script>"


def _label(record: dict[str, Any]) -> str | None:
    rating = record.get("reviewRating")
    return rating.get("alternateName") if isinstance(rating, dict) else None


def _published(record: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(record.get("datePublished"))[:10])
    except ValueError:
        return None


def _relabelled(record: dict[str, Any], labels: list[str], rng: random.Random) -> dict[str, Any]:
    other = rng.choice([label for label in labels if label != _label(record)])
    return {**record, "reviewRating": {**record["reviewRating"], "alternateName": other}}


def _respelt(record: dict[str, Any]) -> dict[str, Any]:
    """The record as another crawl spells it: nothing a reader would call a change."""
    changed = dict(record)
    url = str(record["url"])
    url = url.replace("https://www.", "http://") if "://www." in url else url.replace("://", "://www.", 1)
    changed["url"] = url.rstrip("/") if url.endswith("/") else url + "/"
    author = record.get("author")
    if isinstance(author, dict):
        name = str(author.get("name", ""))
        author = {**author, "name": name[4:] if name.startswith("The ") else f"The {name}"}
        parts = urlsplit(author["url"]) if isinstance(author.get("url"), str) else None
        if parts is not None and parts.hostname:
            # The host in capitals, with the scheme's default port.
            port = ":443" if parts.scheme == "https" else ":80"
            author["url"] = f"{parts.scheme}://{parts.hostname.upper()}{port}{parts.path or '/'}"
        changed["author"] = author
    claim = str(record["claimReviewed"])
    swapped = claim.translate(str.maketrans({"\u2019": "'", "\u201c": '"', "\u201d": '"', "'": "\u2019"}))
    changed["claimReviewed"] = swapped.replace(" ", "  ", 2)
    return changed


def changed_copy(
    records: list[dict[str, Any]], args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict]:
    """The records of a later crawl, and how many of each change were made."""
    rng = random.Random(args.seed)
    labels = sorted({label for record in records if (label := _label(record))})
    candidates = [
        index
        for index, record in enumerate(records)
        if _label(record) and _published(record) and isinstance(record.get("url"), str)
    ]
    rng.shuffle(candidates)
    newer = candidates[: args.newer]
    older = candidates[args.newer : args.newer + args.older]
    respelt = candidates[args.newer + args.older : args.newer + args.older + args.respelt]
    copy = [dict(record) for record in records]
    for index in newer:
        modified = _published(records[index]) + timedelta(days=30)  # type: ignore[operator]
        copy[index] = {**_relabelled(records[index], labels, rng), "dateModified": modified.isoformat()}
    for index in older:
        earlier = _published(records[index]) - timedelta(days=30)  # type: ignore[operator]
        copy[index] = {**_relabelled(records[index], labels, rng), "datePublished": earlier.isoformat()}
    for index in respelt:
        copy[index] = _respelt(records[index])
    used = set(newer) | set(older) | set(respelt)
    for number, index in enumerate([i for i in candidates if i not in used][: args.new_claims], start=1):
        record = records[index]
        copy.append({**record, "claimReviewed": f"A second claim the same article reviews (no. {number})."})
    counts = {
        "newer": len(newer),
        "older": len(older),
        "respelt": len(respelt),
        "new claims": min(args.new_claims, len(candidates) - len(used)),
    }
    return copy, counts


# --- the runs -----------------------------------------------------------------------------------


def later_revisions(engine: Engine) -> int:
    """The revisions /corrections lists."""
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Publication).where(LATER_REVISION)) or 0


def run_import(app: Any, path: Path) -> tuple[dict[str, int], list[str]]:
    result = app.test_cli_runner().invoke(args=["import", "claimreview", str(path)])
    lines = result.output.splitlines()
    match = _FIRST_LINE.search(lines[0]) if lines else None
    if (result.exception is not None and not isinstance(result.exception, SystemExit)) or match is None:
        raise SystemExit(f"the import of {path} failed: {result.output or result.exception!r}")
    counts = dict(zip(COLUMNS, (int(group) for group in match.groups()[:5]), strict=True))
    # The summary without the list of unmapped labels (the sample's own scales: long and unchanging).
    shown = []
    for line in lines[1:]:
        if line.startswith(("Unmapped labels", "Mapped by their numbers")):
            break
        shown.append(line)
    return counts, shown


def run(dialect: str, sample: Path, args: argparse.Namespace) -> None:
    records = read_sample(sample)
    copy, made = changed_copy(records, args)
    with fresh_database(dialect, args.postgresql_url) as engine, tempfile.TemporaryDirectory() as directory:
        changed = Path(directory) / "fact_checks_changed.txt"
        changed.write_text("\n".join(script_line(record) for record in copy) + "\n", "utf-8")
        app = create_app(
            {
                "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-to-pass",
                "AUDIT_KEY": BENCH_AUDIT_KEY,
                "INSTANCE_PATH": directory,
                "PUBLIC_URL": "https://factcheck.example.org",
            }
        )
        print(f"{dialect} ({describe(engine)}): {sample} ({len(records)} records)")
        print(
            f"changed copy: {len(copy)} records; {made['newer']} newer with another label, "
            f"{made['older']} older with another label, {made['respelt']} respelt only, "
            f"{made['new claims']} new claims of articles already imported"
        )
        print()
        rows = []
        details = []
        runs = (
            ("1. sample", sample),
            ("2. sample again", sample),
            ("3. changed copy", changed),
            ("4. sample after the copy", sample),
        )
        for name, path in runs:
            counts, shown = run_import(app, path)
            rows.append((name, counts, later_revisions(engine)))
            details.append((name, shown))
        print("| run | " + " | ".join(COLUMNS) + " | /corrections lists |")
        print("|---|" + "---|" * (len(COLUMNS) + 1))
        for name, counts, corrections in rows:
            print(
                f"| {name} | " + " | ".join(str(counts[column]) for column in COLUMNS) + f" | {corrections} |"
            )
        print()
        for name, shown in details:
            if shown:
                print(f"{name}:")
                print("\n".join(f"  {line}" for line in shown))
        get_database(app).engine.dispose()
        print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sample", nargs="?", type=Path, default=DEFAULT_SAMPLE, help="the sample file")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--postgresql-url", default=DEFAULT_POSTGRESQL_URL, help="server to create the database on"
    )
    parser.add_argument("--seed", type=int, default=11, help="random seed of the changed copy")
    parser.add_argument("--newer", type=int, default=8, help="records made newer, with another label")
    parser.add_argument("--older", type=int, default=6, help="records made older, with another label")
    parser.add_argument("--respelt", type=int, default=12, help="records respelt only")
    parser.add_argument("--new-claims", type=int, default=2, help="new claims of articles already imported")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not args.sample.is_file():
        parser.error(f"no sample at {args.sample}")
    for dialect in selected(args.database):
        run(dialect, args.sample, args)


if __name__ == "__main__":
    main()
