"""The sentences notifications say: stored in English, shown in the reader's language.

A notification's sentence is fixed when it is written (the claim's text or a person's
name may change later), and it is written in English: the person told is not the one
whose request writes it, so the request's language says nothing about theirs. Shown on
a page or in an e-mail, the stored sentence is matched against the formats below and
said again in the current language, with the same names and quotes. A sentence that
matches none (one written before this module) is shown as it is stored.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _

from factcheck.web.marks import N_

# One format per kind of sentence; the keys are this module's only.
FORMATS = {
    "assigned": N_("%(name)s assigned you to claim %(claim)s"),
    "mentioned": N_("%(name)s mentioned you on claim %(claim)s: %(excerpt)s"),
    "commented": N_("%(name)s commented on claim %(claim)s: %(excerpt)s"),
    "published": N_("%(name)s published claim %(claim)s"),
    "moved": N_("%(name)s moved claim %(claim)s from %(from_state)s to %(to_state)s"),
    "correction": N_("%(name)s published a correction of claim %(claim)s"),
    "update": N_("%(name)s published an update of claim %(claim)s"),
    "retraction": N_("%(name)s published a retraction of claim %(claim)s"),
}

# The name given when the person who acted is not known (an account since removed).
SOMEONE = N_("Someone")


def english(key: str, **params: str) -> str:
    """The sentence as stored: English whatever the language of the request that writes it."""
    return FORMATS[key] % params


# The claim and the comment are quoted (rules.claim_words): a colon inside a quote is the quote's.
QUOTED = "“.*?”"


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for key, format_ in FORMATS.items():
        parts = re.split(r"%\((\w+)\)s", format_)
        regex = "".join(
            re.escape(part)
            if index % 2 == 0
            else f"(?P<{part}>{QUOTED if part in ('claim', 'excerpt') else '.+?'})"
            for index, part in enumerate(parts)
        )
        patterns.append((key, re.compile(f"^{regex}$", re.DOTALL)))
    return patterns


def _state_label(english_label: str) -> str:
    # The states' names were stored in English; each is shown in the current language.
    from factcheck.claims.models import ClaimState

    for state in ClaimState:
        with force_locale("en"):
            stored = state.label
        if stored == english_label:
            return state.label
    return english_label


def localised(stored: str) -> str:
    """The stored sentence in the current language (as stored if it matches no format)."""
    for key, pattern in _patterns():
        found = pattern.match(stored)
        if found is None:
            continue
        params = found.groupdict()
        if params["name"] == SOMEONE:
            params["name"] = _(SOMEONE)
        if key == "moved":
            params["from_state"] = _state_label(params["from_state"])
            params["to_state"] = _state_label(params["to_state"])
        return _(FORMATS[key], **params)
    return stored
