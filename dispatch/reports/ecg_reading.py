"""How fast the county's ECG centre reads (issue 16): for the ECGs received in a period, the
minutes from arrival to the first reading — median, P90, and the share read within 10 minutes —
overall, by month (local), by reader, by sending unit and by rota shift.

By rota shift (``by_shift``): the reading counts for the shift it was made in — the reader's own
shift on the rota (``alerts/ecg_rota.py``) covering the first reading's time, half-open, so a
reading made exactly at a shift's ``ends_at`` belongs to the next shift (the reader's next one
if it starts then, else ``off_rota``). Shifts are grouped by their label, ``day`` or
``night``: the comparison a chest-pain centre audits (are tracings read as fast at night, with
one cardiologist on call, as by day?); one row per shift would hold a handful of ECGs each,
too few for a median. ``off_rota``: read by a reader with no shift then; ``null``: not read yet.

An ECG still unread counts in ``n`` and against the share (it was not read within the target),
not in the median; its first reading is the one no other supersedes' chain starts from (the
original, ``supersedes IS NULL``), so a later correction does not make the centre look faster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

TARGET_MINUTES = 10.0  # the reading is the diagnosis: DOMAIN.md, first ECG -> diagnosis < 10 min

_SQL = """
WITH first_reading AS (
  SELECT e.id, e.received_at, e.from_facility_id, e.from_ambulance_id,
         to_char(e.received_at AT TIME ZONE :tz, 'YYYY-MM') AS month,
         r.read_by,
         CASE WHEN r.id IS NULL THEN NULL ELSE coalesce(s.label, 'off_rota') END AS shift,
         extract(epoch FROM r.read_at - e.received_at) / 60.0 AS minutes
  FROM ecgs e
  LEFT JOIN ecg_readings r ON r.ecg_id = e.id AND r.supersedes IS NULL
  LEFT JOIN users u ON u.username = r.read_by
  -- one reader's shifts never overlap (migration 0030): at most one row joins
  LEFT JOIN ecg_rota_shifts s
    ON s.user_id = u.id AND s.starts_at <= r.read_at AND r.read_at < s.ends_at
  WHERE e.received_at >= :start AND e.received_at < :end AND e.drill = :drill
)
SELECT GROUPING(month, read_by, unit, shift) AS g, month, read_by, unit, shift,
       count(*) AS n,
       count(minutes) AS read,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS p90,
       count(*) FILTER (WHERE minutes <= :target) AS within
FROM (SELECT *, coalesce(from_facility_id, from_ambulance_id, '') AS unit FROM first_reading) f
GROUP BY GROUPING SETS ((), (month), (read_by), (unit), (shift))
ORDER BY g, month, read_by, unit, shift
"""

# GROUPING(month, read_by, unit, shift) of each grouping set: the bits of the columns left out.
_OVERALL, _BY_MONTH, _BY_READER, _BY_UNIT, _BY_SHIFT = 0b1111, 0b0111, 0b1011, 0b1101, 0b1110


def _figures(row: Any) -> dict[str, Any]:
    n, within = int(row.n), int(row.within)
    return {
        "n": n,
        "read": int(row.read),
        "median_minutes": None if row.median is None else round(float(row.median), 2),
        "p90_minutes": None if row.p90 is None else round(float(row.p90), 2),
        "within_target": within,
        "share_within_target": round(within / n, 4) if n else None,
    }


async def ecg_reading_report(
    db: AsyncSession, start: datetime, end: datetime, time_zone: str, drill: bool = False
) -> dict[str, Any]:
    """The period's reading times: ``overall``, ``by_month``, ``by_reader``, ``by_unit``,
    ``by_shift``."""
    rows = (
        await db.execute(
            text(_SQL),
            {
                "start": start,
                "end": end,
                "drill": drill,
                "tz": time_zone,
                "target": TARGET_MINUTES,
            },
        )
    ).all()
    report: dict[str, Any] = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "drill": drill,
        "target_minutes": TARGET_MINUTES,
        "overall": _figures(next(r for r in rows if r.g == _OVERALL)),
        "by_month": [],
        "by_reader": [],
        "by_unit": [],
        "by_shift": [],
    }
    for row in rows:
        if row.g == _BY_MONTH:
            report["by_month"].append({"month": row.month, **_figures(row)})
        elif row.g == _BY_READER:
            report["by_reader"].append({"reader": row.read_by, **_figures(row)})
        elif row.g == _BY_UNIT:
            report["by_unit"].append({"unit": row.unit, **_figures(row)})
        elif row.g == _BY_SHIFT:
            report["by_shift"].append({"shift": row.shift, **_figures(row)})
    return report
