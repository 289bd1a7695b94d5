"""The rating scale and reviewers' independent ratings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, Timestamps

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim


class RatingLabel(Timestamps, Base):
    """One label of the team's rating scale.

    Ordered labels carry a ``value`` (1 = least accurate), used as the
    ClaimReview ``ratingValue``; labels outside the order (Unverifiable,
    Satire) have none.
    """

    __tablename__ = "rating_labels"
    __table_args__ = (CheckConstraint("value IS NULL OR value >= 1", name="value_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable machine name, e.g. "mostly-false".
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[int | None]
    # The public definition shown on the methodology page.
    definition: Mapped[str] = mapped_column(Text, default="")
    # Display order on forms and the methodology page.
    position: Mapped[int] = mapped_column(default=0)
    # Retired labels stay for old ratings but are not offered any more.
    is_active: Mapped[bool] = mapped_column(default=True)

    # Its name and definition in the interface's other languages (factcheck/ratings/translations.py).
    translations: Mapped[list[RatingLabelTranslation]] = relationship(
        cascade="all, delete-orphan", order_by="RatingLabelTranslation.language"
    )


class RatingLabelTranslation(Timestamps, Base):
    """A label's name and definition in one of the interface's other languages, given by an admin.

    An empty name or definition means "not translated": readers see the label's own
    (source-language) text. Rows are kept when emptied, so their ``updated_at`` still
    moves and the public pages' validators change with them.
    """

    __tablename__ = "rating_label_translations"
    __table_args__ = (UniqueConstraint("label_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("rating_labels.id", ondelete="CASCADE"))
    # A code of factcheck.web.i18n.LANGUAGES other than the source language, e.g. "es".
    language: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80), default="")
    definition: Mapped[str] = mapped_column(Text, default="")


class Rating(Timestamps, Base):
    """One reviewer's blind, independent assessment of a claim."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("claim_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("rating_labels.id", ondelete="RESTRICT"))
    reasoning: Mapped[str] = mapped_column(Text)

    claim: Mapped[Claim] = relationship(back_populates="ratings")
    reviewer: Mapped[User] = relationship()
    label: Mapped[RatingLabel] = relationship()
