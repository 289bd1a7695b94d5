"""Language names and tags in imported files, as BCP 47 tags: "Russian" -> ``ru``, "español" -> ``es``."""

from __future__ import annotations

import langcodes

# The longest tag claims.language holds.
MAX_TAG_LENGTH = 35


def language_tag(value: str) -> str | None:
    """The BCP 47 tag for a tag ("pt-br" -> ``pt-BR``) or a language's name in English or in
    itself ("Russian", "русский", "español"); None when it is neither."""
    value = " ".join(value.split())
    if not value:
        return None
    if langcodes.tag_is_valid(value):
        tag = langcodes.standardize_tag(value)
        # A well-formed tag that names no language ("xx") is no language.
        if langcodes.Language.get(tag).is_valid():
            return tag if len(tag) <= MAX_TAG_LENGTH else None
    try:
        found = langcodes.find(value)
    except LookupError:
        return None
    tag = found.to_tag()
    return tag if len(tag) <= MAX_TAG_LENGTH else None
