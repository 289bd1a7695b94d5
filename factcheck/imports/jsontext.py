"""JSON records decoded so that one malformed record never stops an import.

Python's own decoder accepts what a database or our code cannot keep: lone
surrogate escapes (``"\\ud800"``, which cannot be encoded as UTF-8), NUL
characters (which PostgreSQL refuses in text), ``NaN`` and ``Infinity`` (not
JSON at all), numbers of any length (a 100,000-digit integer raises ValueError
when converted, or when turned back into text) and nesting as deep as the
interpreter's stack (RecursionError). :func:`decode` gives such values a marker
instead of raising, so the other records of a document still decode, and
:func:`problem` names what is wrong with one record, in plain words and with
where in it, for the import to skip it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Arrays and objects inside one record (ClaimReview needs five or six).
MAX_DEPTH = 64
# The longest number, in characters (rating numbers are a few digits).
MAX_NUMBER_LENGTH = 100

# The reasons a record is skipped for (the summary groups by them).
INVALID_JSON = "invalid JSON"
TOO_DEEP = "nested too deeply"
NUMBER_TOO_LONG = "number too long"
INVALID_TEXT = "invalid text"

# JSON strings (skipped over) and brackets, to find nesting the decoder cannot reach.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE_OR_NUL = re.compile("[\x00\ud800-\udfff]")
# The longest path to a value shown in a detail, in characters.
_PATH_SHOWN = 60


@dataclass(frozen=True)
class _Marker:
    """A value the decoder met but did not build; ``reason`` and ``detail`` say why."""

    reason: str
    detail: str


# A subtree nested deeper than the decoder can go is replaced by this string before decoding.
_DEEP_PLACEHOLDER = "\x00factcheck: nested too deeply\x00"


class Malformed(ValueError):
    """What is wrong with one record: ``reason`` groups it in the summary, ``detail`` says where."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def decode(text: str) -> Any:
    """The JSON value of ``text``, with markers for what :func:`problem` reports.
    Raises json.JSONDecodeError (a ValueError) only for text that is not JSON."""
    try:
        return _loads(text)
    except RecursionError:
        # Deeper than the interpreter's stack: cut the deep parts out, so the rest still decodes.
        return _loads(_shallow(text))


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)


def _integer(text: str) -> Any:
    return int(text) if len(text) <= MAX_NUMBER_LENGTH else _too_long(text)


def _float(text: str) -> Any:
    return float(text) if len(text) <= MAX_NUMBER_LENGTH else _too_long(text)


def _too_long(text: str) -> _Marker:
    return _Marker(NUMBER_TOO_LONG, f"a number of {len(text):,} characters (at most {MAX_NUMBER_LENGTH})")


def _constant(name: str) -> _Marker:
    return _Marker(INVALID_JSON, f"{name} is not a JSON number")


def _shallow(text: str) -> str:
    """``text`` with every array or object deeper than MAX_DEPTH replaced by a placeholder string."""
    parts: list[str] = []
    depth = 0
    cut_from: int | None = None
    kept = 0
    for token in _TOKENS.finditer(text):
        symbol = token.group()
        if symbol in "[{":
            depth += 1
            if depth == MAX_DEPTH + 1:
                cut_from = token.start()
        elif symbol in "]}":
            if depth == MAX_DEPTH + 1 and cut_from is not None:
                parts.append(text[kept:cut_from])
                parts.append(json.dumps(_DEEP_PLACEHOLDER))
                kept = token.end()
                cut_from = None
            depth -= 1
    if cut_from is not None:
        # Never closed: the decoder reports the document as cut short.
        parts.append(text[kept:cut_from])
        parts.append(json.dumps(_DEEP_PLACEHOLDER))
        kept = len(text)
    parts.append(text[kept:])
    return "".join(parts)


def problem(value: Any) -> Malformed | None:
    """What makes a decoded record unusable, or None: nesting deeper than MAX_DEPTH, a marker
    left by :func:`decode`, a lone surrogate or a NUL character in a string or a key."""
    # Depth-first without recursion: a record may be nested as deep as the decoder allowed.
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return Malformed(
                    TOO_DEEP, f"more than {MAX_DEPTH} levels of arrays and objects at {_at(path)}"
                )
            entries = item.items() if isinstance(item, dict) else enumerate(item)
            children = []
            for key, child in entries:
                if isinstance(key, str) and (bad := _bad_text(key)) is not None:
                    return Malformed(INVALID_TEXT, f"{bad} in a name at {_at(path)}")
                children.append(
                    (child, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]", depth + 1)
                )
            stack.extend(reversed(children))
        elif isinstance(item, str):
            if item == _DEEP_PLACEHOLDER:
                return Malformed(
                    TOO_DEEP, f"more than {MAX_DEPTH} levels of arrays and objects at {_at(path)}"
                )
            if (bad := _bad_text(item)) is not None:
                return Malformed(INVALID_TEXT, f"{bad} in {_at(path)}")
        elif isinstance(item, _Marker):
            return Malformed(item.reason, f"{item.detail} at {_at(path)}")
    return None


def text_problem(cells: dict[str, str]) -> Malformed | None:
    """What makes a row of text cells unusable (a NUL character, a lone surrogate), or None."""
    for name, cell in cells.items():
        if (bad := _bad_text(cell)) is not None:
            return Malformed(INVALID_TEXT, f"{bad} in {name}")
    return None


def _bad_text(text: str) -> str | None:
    found = _SURROGATE_OR_NUL.search(text)
    if found is None:
        return None
    character = found.group()
    if character == "\x00":
        return "a NUL character (U+0000)"
    return f"a lone surrogate (\\u{ord(character):04x}, not a character)"


def _at(path: str) -> str:
    path = path.lstrip(".")
    # A path 64 levels deep says no more than its start.
    return (path if len(path) <= _PATH_SHOWN else path[: _PATH_SHOWN - 1] + "\u2026") or "the top"
