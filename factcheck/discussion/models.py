"""The team's discussion of a claim."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, Timestamps, UTCDateTime

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim


class Comment(Timestamps, Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Markdown, sanitised when rendered.
    body: Mapped[str] = mapped_column(Text)
    # Deleted comments keep their place in the thread as "comment removed".
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    claim: Mapped[Claim] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
