"""GET /reports/intervals as JSON over the fixture cases stamped through the API.

Every figure must equal the pure module's on the same cases (tests/unit/test_report_*.py
check those by hand), so the read model kept current by each stamp is proven end to end.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dispatch.reports.combined import COMBINED, combine
from dispatch.reports.metrics import Figures, aggregate, month_of, quality_counts
from tests.conftest import Login
from tests.e2e.cases_helpers import signed_in
from tests.e2e.reports_helpers import get_report, load_all
from tests.unit.test_report_fixtures import COUNTY, FIXTURES, NANDUN, facts_of


def rounded(figures: Figures) -> dict[str, Any]:
    """The figures as the JSON shows them."""

    def r(value: float | None, digits: int = 2) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "n": figures.n,
        "mean": r(figures.mean),
        "median": r(figures.median),
        "p90": r(figures.p90),
        "compliance": r(figures.compliance, 4),
        "outside_target": figures.outside,
        "missing": figures.missing,
    }


def shown(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        key: entry[key]
        for key in ("n", "mean", "median", "p90", "compliance", "outside_target", "missing")
    }


@pytest.fixture
async def loaded(client: httpx.AsyncClient, login: Login) -> dict[str, int]:
    """The fixture cases, stamped through the API in this test's transaction."""
    return await load_all(client, login)


async def test_every_metric_equals_the_pure_module(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """Whole period, each month and each facility: the JSON equals the pure figures."""
    response = await get_report(client, await signed_in(login, "auditor"), cases="none")
    assert 200 == response.status_code, response.text
    body = response.json()
    real = [facts_of(c, loaded[c.key]) for c in FIXTURES if not c.drill]
    expected = aggregate(real, month_of("Asia/Shanghai"))
    for combined in COMBINED:  # FMC -> first ECG over all chest pain: the union's figures
        expected.update(aggregate(combine(real, combined), month_of("Asia/Shanghai")))
    metrics = {(m["pathway"], m["name"]): m for m in body["metrics"]}
    assert set(expected) == set(metrics)
    for key, groups in expected.items():
        metric = metrics[key]
        assert rounded(groups.total) == shown(metric), key
        assert {m.isoformat()[:7]: rounded(f) for m, f in groups.by_month.items()} == {
            e["month"]: shown(e) for e in metric["by_month"]
        }, key
        assert {p: rounded(f) for p, f in groups.by_facility.items()} == {
            e["facility_id"]: shown(e) for e in metric["by_facility"]
        }, key
    assert 5 == body["case_count"]
    assert {**quality_counts(real), "cases": 5} == body["quality"]
    assert "cases" not in body


async def test_the_contract_fields_and_the_targets(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """Each metric has n, mean, median, p90, compliance, target; D2W judged against 90 and 75%."""
    body = (await get_report(client, await signed_in(login, "auditor"), pathway="stemi")).json()
    for metric in body["metrics"]:
        assert {"n", "mean", "median", "p90", "compliance", "target"} <= set(metric)
    d2w = next(m for m in body["metrics"] if m["name"] == "door_to_wire")
    assert (90, None, 90, 0.75) == (
        d2w["target"],
        d2w["report_targets"]["mean_below"],
        d2w["report_targets"]["mean_at_most"],  # a monthly mean of exactly 90 meets it
        d2w["report_targets"]["compliance_at_least"],
    )
    assert {"mean": True, "compliance": True} == d2w["meets"]  # mean 48.25 <= 90, 75% >= 75%
    assert [(loaded["b_walk_in"], 105.0)] == [(w["case_id"], w["minutes"]) for w in d2w["worst"]]
    ecg = next(m for m in body["metrics"] if m["name"] == "fmc_to_first_ecg")
    assert {"mean": True, "compliance": False} == ecg["meets"]  # mean 9 < 10, 50% < 75%


async def test_one_row_per_case_with_its_intervals_and_findings(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """The case rows: the 47-minute case's critical value to puncture is 47, met, in March."""
    body = (await get_report(client, await signed_in(login, "auditor"))).json()
    rows = {row["case_id"]: row for row in body["cases"]}
    assert {loaded[c.key] for c in FIXTURES if not c.drill} == set(rows)
    a47 = rows[loaded["a47"]]
    assert ("2025-03", NANDUN) == (a47["month"], a47["facility_id"])
    by_name = {i["name"]: i for i in a47["intervals"]}
    assert (47.0, 60, True) == tuple(
        by_name["critical_value_to_puncture"][k] for k in ("minutes", "target_minutes", "met")
    )
    assert ["missing:symptom_onset"] == a47["findings"]
    assert "corrected:wire_crossing" in rows[loaded["b_walk_in"]]["findings"]
    assert "clock_skew:ecg_transmitted" in rows[loaded["c_ambulance"]]["findings"]
    assert "2025-04" == rows[loaded["e_dingji"]]["month"]  # 00:05 on 1 April local
    listed = {entry["case_id"] for entry in body["quality"]["listed"]}
    assert set(rows) == listed


async def test_cases_outside_target_only(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """cases=outside lists the STEMI cases with a metric outside its target."""
    headers = await signed_in(login, "auditor")
    body = (await get_report(client, headers, pathway="stemi", cases="outside")).json()
    assert [loaded["b_walk_in"], loaded["e_dingji"]] == [row["case_id"] for row in body["cases"]]


async def test_drills_are_reported_apart(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """drill=true reports only the drill case."""
    body = (await get_report(client, await signed_in(login, "auditor"), drill="true")).json()
    assert [loaded["f_drill"]] == [row["case_id"] for row in body["cases"]]
    assert body["filters"]["drill"] is True


async def test_datetimes_bound_the_period_exactly(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """from/to as datetimes: [00:00 1 April, 00:00 2 April) local holds only Dingji's case."""
    response = await get_report(
        client,
        await signed_in(login, "auditor"),
        **{"from": "2025-04-01T00:00:00+08:00", "to": "2025-04-02T00:00:00+08:00"},
    )
    assert [loaded["e_dingji"]] == [row["case_id"] for row in response.json()["cases"]]


async def test_the_47_minute_case_alone(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """10 March: the 47-minute case alone; door to wire at the county, 23 minutes."""
    body = (
        await get_report(
            client, await signed_in(login, "auditor"), **{"from": "2025-03-10", "to": "2025-03-10"}
        )
    ).json()
    assert 1 == body["case_count"]
    d2w = next(m for m in body["metrics"] if m["name"] == "door_to_wire")
    assert [(COUNTY, 23.0)] == [(e["facility_id"], e["mean"]) for e in d2w["by_facility"]]
