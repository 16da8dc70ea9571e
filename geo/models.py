"""Tables of the geo package: the gazetteer of villages and townships."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geo.orm import Base, sql_in, utc_now_column

PLACE_KINDS = ("county", "township", "village")


class Place(Base):
    """A named place people call from: a village, a township, the county town."""

    __tablename__ = "places"
    __table_args__ = (
        CheckConstraint(sql_in("kind", PLACE_KINDS), name="kind"),
        Index("ix_places_pinyin", "pinyin"),
        Index("ix_places_name_zh", "name_zh"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(Text)
    pinyin: Mapped[str] = mapped_column(Text)
    initials: Mapped[str] = mapped_column(String(32))
    township_zh: Mapped[str] = mapped_column(Text, default="")
    population: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = utc_now_column()
