"""Who reads which report, and bad input: clear 4xx problem+json, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Login
from tests.e2e.cases_helpers import signed_in
from tests.e2e.reports_helpers import REPORT, get_report, load_all
from tests.e2e.units_helpers import assert_problem
from tests.unit.test_report_fixtures import COUNTY, DINGJI, NANDUN


@pytest.fixture
async def loaded(client: httpx.AsyncClient, login: Login) -> dict[str, int]:
    """The fixture cases, stamped through the API in this test's transaction."""
    return await load_all(client, login)


def facilities_in(body: dict) -> set[str | None]:  # type: ignore[type-arg]
    return {e["facility_id"] for m in body["metrics"] for e in m["by_facility"]}


@pytest.mark.parametrize("username", ["auditor", "admin", "dispatcher"])
async def test_network_roles_read_every_facility(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int], username: str
) -> None:
    """Auditors, admins and dispatchers see every facility's figures."""
    response = await get_report(client, await signed_in(login, username), cases="none")
    assert 200 == response.status_code, response.text
    assert {NANDUN, DINGJI, COUNTY} <= facilities_in(response.json())


async def test_a_township_user_reads_only_its_own_facility(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """township-th-nandun: Nandun's figures only, and only the cases with a fact there."""
    body = (await get_report(client, await signed_in(login, "township-th-nandun"))).json()
    assert {NANDUN} == facilities_in(body)
    assert NANDUN == body["filters"]["facility_id"]
    assert [loaded["a47"]] == [row["case_id"] for row in body["cases"]]


async def test_a_township_user_may_not_read_another_facility(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """township-th-nandun asking for the county: 403."""
    headers = await signed_in(login, "township-th-nandun")
    body = assert_problem(await get_report(client, headers, facility_id=COUNTY), 403)
    assert NANDUN in body["detail"]


async def test_a_cath_lab_reads_its_hospital(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """cathlab-county-hospital: the county's figures (door to wire among them)."""
    body = (await get_report(client, await signed_in(login, "cathlab-county-hospital"))).json()
    assert {COUNTY} == facilities_in(body)
    assert "door_to_wire" in {m["name"] for m in body["metrics"]}


async def test_a_crew_has_no_reports(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """A crew user: 403."""
    assert_problem(await get_report(client, await signed_in(login, "crew-amb-01")), 403)


async def test_signing_in_is_required(client: httpx.AsyncClient) -> None:
    """No token: 401."""
    assert_problem(await client.get(REPORT, params={"from": "2025-03-01", "to": "2025-03-31"}), 401)


@pytest.mark.parametrize(
    ("params", "status", "slug", "words"),
    [
        ({"from": "2025-04-30", "to": "2025-03-01"}, 422, "invalid-report", "after"),
        ({"pathway": "cardiac"}, 422, "invalid-report", "unknown pathway"),
        ({"facility_id": "th-nowhere"}, 404, "not-found", "th-nowhere"),
        ({"format": "docx"}, 422, "invalid-input", "format"),
        ({"from": "2025-02-30"}, 422, "invalid-report", "not a date"),
        ({"from": "2024-01-01", "to": "2024-01-31"}, 404, "empty-period", "nothing to report"),
        ({"lang": "fr"}, 422, "invalid-input", "lang"),
    ],
    ids=["from-after-to", "unknown-pathway", "unknown-facility", "unknown-format", "bad-date",
         "empty-period", "unknown-language"],
)  # fmt: skip
async def test_bad_input_is_a_clear_problem(
    client: httpx.AsyncClient,
    login: Login,
    loaded: dict[str, int],
    params: dict[str, str],
    status: int,
    slug: str,
    words: str,
) -> None:
    """Each bad request answers its 4xx problem+json naming what is wrong."""
    response = await get_report(client, await signed_in(login, "auditor"), **params)
    body = assert_problem(response, status)
    assert f"/problems/{slug}" == body["type"]
    assert words in body["detail"]


async def test_from_and_to_are_required(client: httpx.AsyncClient, login: Login) -> None:
    """Without from: 422 naming the parameter."""
    response = await client.get(
        REPORT, params={"to": "2025-03-31"}, headers=await signed_in(login, "auditor")
    )
    assert "from" in assert_problem(response, 422)["detail"]


async def test_an_empty_facility_period_is_refused(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """Dingji's township user in March (its case is in April): 404 empty period."""
    headers = await signed_in(login, "township-th-dingji")
    response = await get_report(client, headers, **{"from": "2025-03-01", "to": "2025-03-31"})
    assert DINGJI in assert_problem(response, 404)["detail"]
