"""The catalogues are complete and the templates hold no untranslated text.

The first two tests check the app itself: every message the code and templates ask for is
translated (not empty, not fuzzy, same placeholders) in every shipped language, and no
template shows text outside ``_()`` / ``{% trans %}``. The others try the checks on small
fixture trees, so a check that stopped catching anything would be seen.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from factcheck.web.i18n import LANGUAGES
from tests.i18n.catalogues import (
    ALLOWED_WORDS,
    catalogue_problems,
    extract,
    report,
    untranslated_in_tree,
    untranslated_text,
)

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in LANGUAGES if language != LANGUAGES[0]]


def catalogue(root: Path, language: str) -> Path:
    return root / "factcheck" / "translations" / language / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def app_messages():
    return extract(ROOT)


# --- the app's own catalogues and templates -----------------------------------------------


def test_the_code_asks_for_messages(app_messages):
    # The extraction itself works on the real tree (a broken babel.cfg would find nothing).
    assert "Save" in app_messages or len(app_messages) > 50


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(app_messages, language):
    problems = catalogue_problems(app_messages, catalogue(ROOT, language))
    assert not problems, f"{language}: {len(problems)} problems\n" + report(problems)


def test_no_template_holds_untranslated_text():
    findings = untranslated_in_tree(ROOT)
    assert not findings, f"{len(findings)} untranslated texts in templates\n" + report(findings)


def test_every_allowed_word_says_why():
    assert all(reason.strip() for reason in ALLOWED_WORDS.values())


# --- the checks, on fixture trees ------------------------------------------------------------

BABEL_CFG = """\
[python: app/**.py]
[jinja2: templates/**.html]
"""

APP_PY = """\
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

TITLE = _l("Claims")


def greet(name, count):
    return _("Signed in as %(name)s", name=name), ngettext("%(num)d claim", "%(num)d claims", count)
"""

TEMPLATE = """\
<h1>{{ _("Claims") }}</h1>
{% trans url="/m" %}Read the <a href="{{ url }}">methodology</a>.{% endtrans %}
"""

PO_HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""

COMPLETE_ES = (
    PO_HEADER
    + """\
msgid "Claims"
msgstr "Afirmaciones"

msgid "Signed in as %(name)s"
msgstr "Sesión iniciada como %(name)s"

msgid "%(num)d claim"
msgid_plural "%(num)d claims"
msgstr[0] "%(num)d afirmación"
msgstr[1] "%(num)d afirmaciones"

msgid "Read the <a href=\\"%(url)s\\">methodology</a>."
msgstr "Lea la <a href=\\"%(url)s\\">metodología</a>."
"""
)


def make_tree(tmp_path: Path, po: str | None) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "babel.cfg").write_text(BABEL_CFG)
    (tmp_path / "app" / "views.py").write_text(APP_PY)
    (tmp_path / "templates" / "page.html").write_text(TEMPLATE)
    if po is not None:
        path = catalogue(tmp_path, "es")
        path.parent.mkdir(parents=True)
        path.write_text(po)
    return tmp_path


def problems_of(tree: Path) -> list[str]:
    return catalogue_problems(extract(tree), catalogue(tree, "es"))


def test_extraction_finds_code_templates_plurals_and_trans_blocks(tmp_path):
    messages = extract(make_tree(tmp_path, None))

    assert set(messages) == {
        "Claims",
        "Signed in as %(name)s",
        "%(num)d claim",
        'Read the <a href="%(url)s">methodology</a>.',
    }
    assert messages["%(num)d claim"].plural == "%(num)d claims"
    assert {location.split(":")[0] for location in messages["Claims"].locations} == {
        "app/views.py",
        "templates/page.html",
    }


def test_a_complete_catalogue_passes(tmp_path):
    assert problems_of(make_tree(tmp_path, COMPLETE_ES)) == []


def test_a_missing_catalogue_is_reported(tmp_path):
    assert problems_of(make_tree(tmp_path, None)) == [f"{catalogue(tmp_path, 'es')}: no catalogue"]


def test_a_missing_message_is_named_with_where_it_is_asked_for(tmp_path):
    po = COMPLETE_ES.replace('msgid "Signed in as %(name)s"\nmsgstr "Sesión iniciada como %(name)s"\n', "")

    assert problems_of(make_tree(tmp_path, po)) == ["missing: 'Signed in as %(name)s' (app/views.py:7)"]


def test_an_empty_translation_is_reported(tmp_path):
    po = COMPLETE_ES.replace('msgstr "Afirmaciones"', 'msgstr ""')

    assert problems_of(make_tree(tmp_path, po)) == ["empty translation: 'Claims' (app/views.py:3)"]


def test_an_empty_plural_form_is_reported(tmp_path):
    po = COMPLETE_ES.replace('msgstr[1] "%(num)d afirmaciones"', 'msgstr[1] ""')

    assert problems_of(make_tree(tmp_path, po)) == ["empty translation: '%(num)d claim' (app/views.py:7)"]


def test_a_fuzzy_translation_is_reported(tmp_path):
    po = COMPLETE_ES.replace('msgid "Claims"', '#, fuzzy\nmsgid "Claims"')

    assert problems_of(make_tree(tmp_path, po)) == ["fuzzy: 'Claims' (app/views.py:3)"]


@pytest.mark.parametrize(
    "translation",
    ["Sesión iniciada como %(nombre)s", "Sesión iniciada", "Sesión de %(name)s como %(role)s"],
)
def test_placeholders_that_differ_are_reported(tmp_path, translation):
    po = COMPLETE_ES.replace('msgstr "Sesión iniciada como %(name)s"', f'msgstr "{translation}"')

    problems = problems_of(make_tree(tmp_path, po))

    assert len(problems) == 1
    assert problems[0].startswith("placeholders differ: 'Signed in as %(name)s'")


def test_a_plural_form_may_leave_the_number_out_but_not_add_one(tmp_path):
    without_number = COMPLETE_ES.replace('msgstr[0] "%(num)d afirmación"', 'msgstr[0] "una afirmación"')
    assert problems_of(make_tree(tmp_path, without_number)) == []

    other = tmp_path / "other"
    other.mkdir()
    with_other = COMPLETE_ES.replace('msgstr[1] "%(num)d afirmaciones"', 'msgstr[1] "%(count)d afirmaciones"')
    assert problems_of(make_tree(other, with_other))[0].startswith("placeholders differ: '%(num)d claim'")


def findings_in(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "page.html"
    path.write_text(textwrap.dedent(source))
    return [f"{finding.line}: {finding.text}" for finding in untranslated_text(path, tmp_path)]


def test_text_between_tags_is_caught_with_its_line(tmp_path):
    source = """\
    {% extends "base.html" %}
    {% block content %}
    <h1>{{ _("Claims") }}</h1>
    <p>
      Nothing here yet.
    </p>
    <p class="x">{{ count }} claims &middot; {{ other }}</p>
    {% endblock %}
    """

    assert findings_in(tmp_path, source) == ["5: Nothing here yet.", "7: claims ·"]


def test_wrapped_text_passes(tmp_path):
    source = """\
    <h1>{{ _("Claims") }}</h1>
    <p>{% trans count=3 %}There are {{ count }} claims.{% endtrans %}</p>
    <p>{% trans url="/m" %}Read the
      <a href="{{ url }}">methodology</a>.{% endtrans %}</p>
    <button title="{{ _('Save the claim') }}" aria-label="{{ _('Save') }}">{{ ngettext("%(num)d claim", "%(num)d claims", 2) }}</button>
    {# A comment is not shown. #}
    <span>{{ name }} · {{ date }}</span>
    <img src="/logo.svg" alt="">
    """

    assert findings_in(tmp_path, source) == []


def test_attributes_people_read_are_caught_when_literal(tmp_path):
    source = """\
    <input placeholder="Search claims">
    <a href="/x" title="Open the claim">{{ _("Open") }}</a>
    <img src="/x.png" alt="Logo of {{ name }}">
    <nav aria-label="Main">{{ _("Menu") }}</nav>
    <a href="/y" class="Button Primary" title="{{ _('Home') }}">{{ _("Home") }}</a>
    """

    assert findings_in(tmp_path, source) == [
        "1: placeholder=Search claims",
        "2: title=Open the claim",
        "3: alt=Logo of …",
        "4: aria-label=Main",
    ]


def test_capitalised_literals_printed_by_expressions_are_caught(tmp_path):
    source = """\
    {{ submit("Save") }}
    <p>{{ claim.claimant or "Unknown" }}</p>
    {{ submit(_("Save")) }}
    <p class="{{ 'muted' if x }}">{{ x | default('') }}</p>
    {{ field(form.name, autocomplete="Off") }}
    {{ ngettext("One source", "Several sources", n) }}
    {{ _("Added by %(name)s", name=person or "Nobody") }}
    """

    assert findings_in(tmp_path, source) == ["1: Save", "2: Unknown", "7: Nobody"]


def test_allowed_words_code_and_scripts_are_not_language(tmp_path):
    source = """\
    <p>CSV · XLSX · JSON-LD</p>
    <span>factcheck</span>
    <pre><code>curl -H "Authorization: Bearer TOKEN" /api/claims</code></pre>
    <script type="application/ld+json">{{ data }}</script>
    <p>API (URL)</p>
    """

    assert findings_in(tmp_path, source) == []


def test_the_checks_run_over_a_whole_tree(tmp_path):
    tree = make_tree(tmp_path, COMPLETE_ES)
    (tree / "templates" / "admin").mkdir()
    (tree / "templates" / "admin" / "users.html").write_text("<h1>Users</h1>\n")

    assert [str(finding) for finding in untranslated_in_tree(tree)] == [
        "templates/admin/users.html:1: 'Users'"
    ]
