"""The editor's verdict on a claim: the working draft that publications freeze."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, Timestamps

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim
    from factcheck.ratings.models import RatingLabel


class Verdict(Timestamps, Base):
    __tablename__ = "verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), unique=True)
    label_id: Mapped[int | None] = mapped_column(
        ForeignKey("rating_labels.id", ondelete="RESTRICT"), index=True
    )
    # An imported verdict's label as its source wrote it ("Pants on Fire", "Four Pinocchios"),
    # and who gave it: kept verbatim whether or not it maps onto our scale (label_id), so an
    # unmapped label is never lost and can be mapped later (`factcheck labels map`).
    imported_label: Mapped[str | None] = mapped_column(String(80), index=True)
    imported_publisher: Mapped[str | None] = mapped_column(String(200))
    headline: Mapped[str] = mapped_column(String(300), default="")
    # One paragraph, Markdown.
    summary: Mapped[str] = mapped_column(Text, default="")
    # The full explanation, Markdown, citing the sources.
    explanation: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The last person who changed it; with the author, decides the four-eyes rule.
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    claim: Mapped[Claim] = relationship(back_populates="verdict")
    label: Mapped[RatingLabel | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
