"""The declarative base every package's tables share.

It lives in ``geo`` because ``geo`` is the bottom of the dependency chain
(dispatch → alerts → units → geo), so every package may import it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now_column() -> Mapped[datetime]:
    """A timestamptz column set by the database when the row is written."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint text limiting a text column to fixed values."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
