"""Importing facilities from point records: every row checked, then all imported or none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from geo.exceptions import GeoError, ImportRejected, RowProblem
from geo.imports import PointRecord
from geo.points import BBox, to_service_wgs84
from geo.schemas import CrsName
from units.models import Facility
from units.schemas import Capability, FacilityKind, FacilityStatus, Slug
from units.service import wgs84_point


def _split_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return value


def _text(value: Any) -> Any:
    """Numbers read from a file where text is meant (a phone number in a numeric column)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) else value


class FacilityRow(BaseModel):
    """One facility as a file describes it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, use_enum_values=True)

    id: Slug
    kind: FacilityKind
    name_zh: Annotated[str, Field(min_length=1, max_length=100)]
    name_en: Annotated[str, Field(max_length=200)] = ""
    capabilities: Annotated[list[Capability], BeforeValidator(_split_list)] = []
    status: FacilityStatus | None = (
        None  # left out: a new facility is ready, a known one keeps its own
    )
    address: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=32), BeforeValidator(_text)] = ""
    crs: CrsName = "wgs84"


def _reason(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors()
    )


def check_rows(
    records: Sequence[PointRecord], area: BBox
) -> list[tuple[FacilityRow, float, float]]:
    """Every row validated, or ImportRejected listing each bad row with its reason."""
    problems: list[RowProblem] = []
    good: list[tuple[FacilityRow, float, float]] = []
    seen: dict[str, int] = {}
    if not records:
        raise ImportRejected([RowProblem(0, "the file has no rows")])
    for record in records:
        if record.problem is not None or record.lon is None or record.lat is None:
            problems.append(RowProblem(record.row, record.problem or "no point"))
            continue
        values = {k: v for k, v in record.properties.items() if v is not None}
        try:
            row = FacilityRow.model_validate(values)
            lon, lat = to_service_wgs84(record.lon, record.lat, row.crs, area)
        except ValidationError as exc:
            problems.append(RowProblem(record.row, _reason(exc)))
            continue
        except GeoError as exc:
            problems.append(RowProblem(record.row, str(exc)))
            continue
        if row.id in seen:
            problems.append(RowProblem(record.row, f"id {row.id!r} repeats row {seen[row.id]}"))
            continue
        seen[row.id] = record.row
        good.append((row, lon, lat))
    if problems:
        raise ImportRejected(problems)
    return good


async def import_facilities(db: AsyncSession, records: Sequence[PointRecord], area: BBox) -> int:
    """Insert or update every facility of the file in the caller's transaction."""
    rows = check_rows(records, area)
    values = [
        {
            "id": row.id,
            "kind": row.kind,
            "capabilities": list(dict.fromkeys(row.capabilities)),
            "status": row.status or "ready",
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "address": row.address,
            "phone": row.phone,
            "location": wgs84_point(lon, lat),
            "synthetic": False,
        }
        for row, lon, lat in rows
    ]
    static = ("kind", "capabilities", "name_zh", "name_en", "address", "phone", "location")
    # A live status (a busy cath lab) is only overwritten by a file that gives one.
    for with_status in (True, False):
        batch = [
            v
            for v, (row, _, _) in zip(values, rows, strict=True)
            if (row.status is not None) == with_status
        ]
        if not batch:
            continue
        statement = insert(Facility).values(batch)
        columns = (*static, "status") if with_status else static
        await db.execute(
            statement.on_conflict_do_update(
                index_elements=[Facility.id],
                # ON CONFLICT does not run the column's onupdate: stamp updated_at here.
                set_={**{c: statement.excluded[c] for c in columns}, "updated_at": func.now()},
            )
        )
    return len(values)
