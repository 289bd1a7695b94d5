"""The organisation's public details, shown on the about page and in ClaimReview."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, Timestamps


class Organisation(Timestamps, Base):
    __tablename__ = "organisation"
    # A single row: the id is fixed at 1.
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Markdown: who we are, funding, ownership (IFCN transparency principles).
    about: Mapped[str] = mapped_column(Text, default="")
    corrections_policy: Mapped[str] = mapped_column(Text, default="")
    # The language the public site is written in (factcheck/web/i18n.py LANGUAGES).
    public_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
