"""GET /reports/cpc-export (issue 14): one national chest-pain platform record per chest-pain
case, its gaps named; scoped like the time-audit report."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.conftest import Login
from tests.e2e.cases_helpers import signed_in
from tests.e2e.reports_helpers import PERIOD, load_all
from tests.e2e.units_helpers import assert_problem
from tests.unit.test_report_fixtures import COUNTY, NANDUN

EXPORT = "/api/v1/reports/cpc-export"


@pytest.fixture
async def loaded(client: httpx.AsyncClient, login: Login) -> dict[str, int]:
    return await load_all(client, login)


async def export(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> httpx.Response:
    return await client.get(EXPORT, params={**PERIOD, **params}, headers=headers)


async def test_the_47_minute_case_is_a_complete_transfer_record_but_its_onset(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """The auditor gets the STEMI fixtures (the stroke case and the drill are not chest pain
    or not real); the 47-minute case: a transfer from Nandun filed by the county, primary
    PCI, D2W 23, bypassing the ED and CCU, and only its onset missing."""
    response = await export(client, await signed_in(login, "auditor"))
    assert 200 == response.status_code, response.text
    body = response.json()
    records = {r["case_id"]: r for r in body["records"]}
    assert loaded["d_stroke"] not in records
    a47 = records[loaded["a47"]]
    assert ("transfer", COUNTY, NANDUN) == (
        a47["first_aid"]["arrival_mode"],
        a47["registration"]["filing_facility_id"],
        a47["first_aid"]["transfer"]["first_facility_id"],
    )
    assert (True, 23.0) == (a47["pci"]["primary_pci"], a47["pci"]["door_to_wire_minutes"])
    assert {"ed": True, "ccu": True} == a47["bypass"]
    assert ["symptom_onset"] == a47["missing"]
    assert body["count"] == len(body["records"])


async def test_a_township_reads_only_the_cases_it_is_on_and_a_crew_none(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """township-th-nandun: the 47-minute case only; asking for the county: 403; a crew: 403;
    another township with no case: an empty list."""
    nandun = await signed_in(login, f"township-{NANDUN}")
    body = (await export(client, nandun)).json()
    assert [loaded["a47"]] == [r["case_id"] for r in body["records"]]
    assert_problem(await export(client, nandun, facility_id=COUNTY), 403)
    assert_problem(await export(client, await signed_in(login, "crew-amb-05")), 403)
    other = (await export(client, await signed_in(login, "township-th-fanji"))).json()
    assert [] == other["records"]


async def test_the_excel_file_has_one_row_per_record_and_a_dated_name(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    headers = await signed_in(login, "data-manager")
    count = (await export(client, headers)).json()["count"]
    response = await export(client, headers, format="xlsx")
    assert 200 == response.status_code, response.text
    assert (
        'filename="infofirst-cpc-2025-03-01_2025-04-30.xlsx"'
        in (response.headers["content-disposition"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert ("case_id", "missing") == (rows[0][0], rows[0][-1])
    assert count == len(rows) - 1


async def test_a_stroke_export_is_refused(client: httpx.AsyncClient, login: Login) -> None:
    """The CPC record is for chest pain: pathway=stroke is a 422 problem."""
    response = await export(client, await signed_in(login, "auditor"), pathway="stroke")
    assert_problem(response, 422)
