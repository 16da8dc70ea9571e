"""Tables of the geo package: the gazetteer, and the road network (nodes and segments)."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import BigInteger, Boolean, CheckConstraint, Float, Index, Integer, String, Text
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


class RoadNode(Base):
    """A junction or end of the road network."""

    __tablename__ = "road_nodes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=False
    )
    osm_id: Mapped[int | None] = mapped_column(BigInteger)


class RoadSegment(Base):
    """A stretch of road between two nodes, with its class, speed and travel minutes."""

    __tablename__ = "road_segments"
    __table_args__ = (
        Index("ix_road_segments_source", "source"),
        Index("ix_road_segments_target", "target"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[int] = mapped_column(BigInteger)
    geometry: Mapped[WKBElement] = mapped_column(
        Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False
    )
    length_m: Mapped[float] = mapped_column(Float)
    road_class: Mapped[str] = mapped_column(String(32))
    speed_kmh: Mapped[float] = mapped_column(Float)
    minutes: Mapped[float] = mapped_column(Float)
    oneway: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(Text, default="")
    osm_id: Mapped[int | None] = mapped_column(BigInteger)


class RoadNetworkInfo(Base):
    """The one row describing the loaded network; ``version`` grows with every import."""

    __tablename__ = "road_network"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    version: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    nodes: Mapped[int] = mapped_column(Integer, default=0)
    segments: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = utc_now_column()
