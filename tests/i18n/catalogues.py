"""What the catalogue tests check, as functions of a source tree, so they can be tried on small
fixture trees as well as on the app's own.

- :func:`catalogue_problems`: every message the code and templates ask for (Babel's extraction,
  with the project's ``babel.cfg``) has a translation in a language's ``messages.po`` that is
  neither empty nor fuzzy, with the same placeholders as its msgid.
- :func:`untranslated_text`: text a template shows outside ``_()`` / ``{% trans %}``: the
  template's own text between tags, the literal values of the attributes people read
  (``title``, ``aria-label``, ``placeholder``, ``alt``), and capitalised string literals
  printed by ``{{ ... }}`` (``{{ submit("Save") }}``, ``{{ x or "Unknown" }}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

# The gettext functions the app calls (factcheck/web/i18n.py, the conventions in the i18n notes):
# keyword -> which arguments are the msgid (and the plural msgid).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
}

# %(name)s, %s, %d, %.1f ... but not a literal %%.
_PLACEHOLDER = re.compile(r"%(?:\((?P<name>\w+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<kind>[sdifrxXeEgGc])")
# The number a plural message is chosen by: a plural form may leave it out ("one claim").
PLURAL_NUMBER = "num"


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str | None
    locations: tuple[str, ...]


def extract(root: Path) -> dict[str, Message]:
    """Every message of the tree at ``root``, extracted as ``pybabel extract -F babel.cfg`` would."""
    with open(root / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, Message] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        msgid, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if not msgid:
            continue
        location = f"{filename}:{lineno}"
        previous = found.get(msgid)
        locations = (*previous.locations, location) if previous else (location,)
        found[msgid] = Message(msgid, plural or (previous.plural if previous else None), locations)
    return found


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, as written ("%(name)s", "%d"), in order."""
    return [match.group(0) for match in _PLACEHOLDER.finditer(text.replace("%%", ""))]


def _names(text: str) -> set[str]:
    return {match.group("name") or match.group(0) for match in _PLACEHOLDER.finditer(text.replace("%%", ""))}


def catalogue_problems(messages: dict[str, Message], po_path: Path) -> list[str]:
    """What is wrong with the catalogue at ``po_path`` for ``messages``, one line each, naming the
    msgid and where the code asks for it; empty when every message is translated."""
    if not po_path.is_file():
        return [f"{po_path}: no catalogue"]
    with open(po_path, "rb") as handle:
        catalogue = read_po(handle)
    problems = []
    for msgid, message in sorted(messages.items()):
        where = message.locations[0]
        entry = catalogue.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
            continue
        translations = list(entry.string) if isinstance(entry.string, tuple | list) else [entry.string]
        if not translations or any(not text for text in translations):
            problems.append(f"empty translation: {msgid!r} ({where})")
            continue
        if message.plural is None:
            wanted = _names(msgid)
            for text in translations:
                if _names(text) != wanted:
                    problems.append(
                        f"placeholders differ: {msgid!r} has {sorted(wanted)}, "
                        f"the translation {text!r} has {sorted(_names(text))} ({where})"
                    )
        else:
            allowed = _names(msgid) | _names(message.plural)
            # Every form keeps the named values; only the number may be left out ("one claim").
            required = allowed - {PLURAL_NUMBER, "%d", "%s"}
            for text in translations:
                have = _names(text)
                if not have <= allowed or not required <= have:
                    problems.append(
                        f"placeholders differ: {msgid!r} has {sorted(allowed)}, "
                        f"the plural form {text!r} has {sorted(have)} ({where})"
                    )
    return problems


# --- templates ------------------------------------------------------------------------------

# Text that is not in any language, so it stays as written, each with the reason.
ALLOWED_WORDS: dict[str, str] = {
    "factcheck": "the product's name",
    "webhook-id": "the Standard Webhooks header's name, shown as sent",
    "JSON-LD": "a format's name",
    "ClaimReview": "schema.org's name of the markup",
    "JSON": "a format's name",
    "NDJSON": "a format's name",
    "CSV": "a format's name",
    "XLSX": "a format's name",
    "PDF": "a format's name",
    "WARC": "a format's name",
    "Atom": "a format's name",
    "API": "a technical term every language uses",
    "URL": "a technical term every language uses",
    "OpenAPI": "a standard's name",
    "UTC": "the time zone's international abbreviation",
}
# Attributes whose value people read (or hear): they go through _() like text.
READ_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})
# Elements whose content is code or data, not language.
NOT_LANGUAGE_ELEMENTS = frozenset({"script", "style", "code", "pre", "kbd", "samp"})
# The mark left where a Jinja expression or statement was (it is not text).
_EXPRESSION = "\x00"
# Spaced, so a mark inside a tag (<tr{% if x %} class="y"{% endif %}>) leaves the tag readable.
_MARK = f" {_EXPRESSION} "
_ALLOWED = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(word) for word in sorted(ALLOWED_WORDS, key=len, reverse=True))
    + r")(?![\w-])"
)
# Keyword arguments whose values are for machines, not people.
_MACHINE_ARGUMENTS = frozenset(
    {"class_", "id", "autocomplete", "type", "rel", "method", "inputmode", "lang", "dir", "role", "_anchor"}
)
# Calls whose string arguments are messages already.
_GETTEXT_CALLS = frozenset(KEYWORDS) | {"lazy_ngettext"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def is_language(text: str) -> bool:
    """Whether ``text`` holds words to translate (letters left once the allowed words are gone)."""
    rest = _ALLOWED.sub(" ", text.replace(_EXPRESSION, " "))
    return any(character.isalpha() for character in rest)


class _TextFinder(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.findings: list[Finding] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and is_language(value):
                shown = " ".join(value.replace(_EXPRESSION, "…").split())
                self.findings.append(Finding(self.path, self.getpos()[0], f"{name}={shown}"))
        if tag in NOT_LANGUAGE_ELEMENTS:
            self._skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if self._skipping or not is_language(data):
            return
        # The line of the first word, not of the whitespace before it.
        line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
        # Expressions shown as "…" inside the text, dropped around it.
        words = " ".join(data.replace(_EXPRESSION, " … ").split()).strip("… ")
        self.findings.append(Finding(self.path, line, words))


def _template_text(source: str, env: Environment) -> tuple[str, list[tuple[int, str]]]:
    """The template's own text with every expression, statement and ``{% trans %}`` block
    replaced by a mark (lines kept), and the capitalised string literals that ``{{ }}`` prints
    outside gettext calls, with their lines."""
    parts: list[str] = []
    literals: list[tuple[int, str]] = []
    line = 1
    in_trans = False
    in_variable = False
    expect_block_name = False
    previous: list[tuple[str, str]] = []
    # Parenthesis depth inside ``{{ }}``, and the depths at which a gettext call's arguments are
    # (so ngettext's plural, its second argument, counts as a message too).
    depth = 0
    gettext_depths: list[int] = []
    for lineno, token, value in env.lexer.tokeniter(source, "template"):
        if lineno > line:
            parts.append("\n" * (lineno - line))
            line = lineno
        if token == "block_begin":
            expect_block_name = True
            parts.append(_MARK)
        elif token == "name" and expect_block_name:
            expect_block_name = False
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        elif token == "variable_begin":
            in_variable = True
            previous = []
            depth = 0
            gettext_depths = []
            if not in_trans:
                parts.append(_MARK)
        elif token == "variable_end":
            in_variable = False
        elif token == "data":
            if in_trans:
                parts.append(_MARK + "\n" * value.count("\n"))
            else:
                parts.append(value)
            line += value.count("\n")
            continue
        elif token == "operator" and value == "(":
            depth += 1
            if previous and previous[-1][1] in _GETTEXT_CALLS:
                gettext_depths.append(depth)
        elif token == "operator" and value == ")":
            if gettext_depths and gettext_depths[-1] == depth:
                gettext_depths.pop()
            depth -= 1
        elif token == "string" and in_variable and not in_trans:
            text = value[1:-1]
            called = (
                bool(gettext_depths)
                and gettext_depths[-1] == depth
                and bool(previous)
                and previous[-1] in (("operator", "("), ("operator", ","))
            )
            technical = (
                len(previous) >= 2
                and previous[-1] == ("operator", "=")
                and previous[-2][1] in _MACHINE_ARGUMENTS
            )
            if text[:1].isupper() and is_language(text) and not called and not technical:
                literals.append((lineno, text))
        if token not in ("whitespace", "data"):
            previous.append((token, value))
    return "".join(parts), literals


def untranslated_text(path: Path, relative_to: Path | None = None) -> list[Finding]:
    """Untranslated visible text in one template, with its line numbers."""
    source = path.read_text(encoding="utf-8")
    shown = str(path.relative_to(relative_to)) if relative_to else str(path)
    # Only lexed, never rendered: escaping does not apply.
    env = Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701
    text, literals = _template_text(source, env)
    finder = _TextFinder(shown)
    finder.feed(text)
    finder.close()
    findings = finder.findings + [Finding(shown, line, literal) for line, literal in literals]
    return sorted(findings, key=lambda finding: finding.line)


def templates_of(root: Path) -> Iterator[Path]:
    yield from sorted((root / "templates").rglob("*.html"))


def untranslated_in_tree(root: Path) -> list[Finding]:
    return [finding for path in templates_of(root) for finding in untranslated_text(path, root)]


def report(lines: Iterable[object]) -> str:
    return "\n".join(str(line) for line in lines)
