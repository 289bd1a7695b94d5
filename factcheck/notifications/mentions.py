"""@name mentions in comments: ``@`` and the part of a person's e-mail address before the ``@``.

``@anna`` names anna@example.org. A handle two active accounts share (anna@example.org and
anna@partner.org) names neither: write the whole address, ``@anna@partner.org``.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User

# Not after a letter, digit, dot or @, so the domain of an address in the text is no mention.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def handles(text: str) -> set[str]:
    """The handles mentioned in ``text``, lower-cased, without a sentence's final dot."""
    return {match.group(1).rstrip(".").lower() for match in MENTION.finditer(text or "")}


def mentioned_users(session: Session, text: str) -> list[User]:
    """The active people ``text`` mentions, each once."""
    found: dict[int, User] = {}
    for handle in handles(text):
        if "@" in handle:
            candidates = list(session.scalars(select(User).where(User.email == handle)))
        else:
            local_part = func.lower(func.substr(User.email, 1, func.length(handle) + 1))
            candidates = list(session.scalars(select(User).where(local_part == handle + "@")))
        active = [user for user in candidates if not user.is_disabled]
        if len(active) == 1:
            found[active[0].id] = active[0]
    return list(found.values())
