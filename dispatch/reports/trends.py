"""The trend the accreditation asks for (DOMAIN.md: shares rise and times fall month on month;
the transmission rate year on year). Pure, over a metric's monthly figures."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dispatch.reports.metrics import Figures


def _change(
    rate: bool, earlier: tuple[date, Figures], later: tuple[date, Figures]
) -> dict[str, Any]:
    (start, before), (end, after) = earlier, later
    mean = (
        None
        if rate or before.mean is None or after.mean is None
        else round(after.mean - before.mean, 2)
    )
    share = (
        None
        if before.compliance is None or after.compliance is None
        else round(after.compliance - before.compliance, 4)
    )
    # Times should fall (an interval's mean), shares should rise (a rate, or compliance).
    lead = -mean if mean is not None else share
    better = None if lead is None or lead == 0 else lead > 0
    return {
        "from": start.isoformat()[:7],
        "to": end.isoformat()[:7],
        "mean_change": mean,
        "share_change": share,
        "better": better,
    }


def trend(rate: bool, by_month: Mapping[date, Figures]) -> dict[str, Any]:
    """Month on month (the last two months with data) and year on year (the last month with
    data against the same month a year before, when the period holds both)."""
    months = sorted((m, f) for m, f in by_month.items() if f.n > 0 or f.judged > 0)
    month_on_month = _change(rate, months[-2], months[-1]) if len(months) >= 2 else None
    year_on_year = None
    if months:
        last, figures = months[-1]
        a_year_before = last.replace(year=last.year - 1)
        if a_year_before in by_month:
            year_on_year = _change(rate, (a_year_before, by_month[a_year_before]), (last, figures))
    return {"month_on_month": month_on_month, "year_on_year": year_on_year}
