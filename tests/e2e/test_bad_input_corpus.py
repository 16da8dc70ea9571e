"""Issue 12, finding 10: a corpus of bad requests across every router. Each answers a 4xx
problem+json (never a 5xx) and writes nothing (every main table's rows are unchanged).

Ids past the database's bigint (2^63 and 10^20, in paths, queries and bodies), NUL characters
in any text (JSON, form, query, path), NaN and Infinity in any number, and report periods at
year 1 or 9999 or longer than the allowed span.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.alerts_helpers import alert_body, nandun_case, send
from tests.e2e.bad_input_helpers import fingerprint
from tests.e2e.cases_helpers import case_body, iso, minutes_ago, signed_in
from tests.e2e.units_helpers import assert_problem

API = "/api/v1"
BIG = 2**63  # one past the largest bigint
HUGE = 10**20
NUL = "\u0000"


@dataclass(frozen=True)
class Bad:
    """One bad request: ``{case}`` and ``{alert}`` in the path or a raw body are filled in."""

    method: str
    path: str
    user: str = "admin"
    json: Any = None
    raw: str | None = None  # a JSON body written by hand (NaN, Infinity)
    data: dict[str, str] | None = None  # a form body
    status: int | None = None  # None: any 4xx
    extra: dict[str, Any] = field(default_factory=dict)


def stamp(**extra: Any) -> dict[str, Any]:
    return {"milestone": "first_medical_contact", "at": iso(minutes_ago(5)), **extra}


CORPUS: dict[str, Bad] = {
    # cases
    "case id 2^63": Bad("GET", f"/cases/{BIG}"),
    "case id 10^20": Bad("GET", f"/cases/{HUGE}"),
    "patch case id 2^63": Bad("PATCH", f"/cases/{BIG}", json={"killip_class": 2}),
    "stamp case id 2^63": Bad("POST", f"/cases/{BIG}/events", json=stamp()),
    "dispatch case id 2^63": Bad("POST", f"/cases/{BIG}/dispatch", json={}),
    "decision case id 2^63": Bad("GET", f"/cases/{BIG}/decision"),
    "timeline case id 10^20": Bad("GET", f"/cases/{HUGE}/timeline.svg"),
    "case complaint NUL": Bad("POST", "/cases", json=case_body(complaint=f"胸痛{NUL}2h")),
    "case pathway NUL": Bad("POST", "/cases", json=case_body(pathway=f"stemi{NUL}")),
    "case lon NaN": Bad(
        "POST", "/cases", raw='{"pathway": "stemi", "location": {"lon": NaN, "lat": 33.4}}'
    ),
    "case lat Infinity": Bad(
        "POST", "/cases", raw='{"pathway": "stemi", "location": {"lon": 114.9, "lat": Infinity}}'
    ),
    "case age 2^63": Bad("POST", "/cases", json=case_body(patient={"age": BIG})),
    "case list status NUL": Bad("GET", "/cases?status=%00"),
    "case list from year 1 NUL": Bad("GET", "/cases?from=%00"),
    "stamp note NUL": Bad("POST", "/cases/{case}/events", json=stamp(note=f"a{NUL}b")),
    "stamp supersedes 2^63": Bad("POST", "/cases/{case}/events", json=stamp(supersedes=BIG)),
    "stamp facility NUL": Bad(
        "POST", "/cases/{case}/events", json=stamp(facility_id=f"th-nandun{NUL}")
    ),
    "patch stroke score NaN": Bad("PATCH", "/cases/{case}", raw='{"stroke_score": NaN}'),
    "patch destination NUL": Bad(
        "PATCH", "/cases/{case}", json={"destination_facility_id": f"county{NUL}"}
    ),
    "dispatch ambulance NUL": Bad(
        "POST", "/cases/{case}/dispatch", json={"ambulance_id": f"amb-01{NUL}"}
    ),
    # alerts
    "alert id 2^63": Bad("GET", f"/alerts/{BIG}"),
    "ack alert id 2^63": Bad("POST", f"/alerts/{BIG}/ack", json={"action": "acknowledged"}),
    "cancel alert id 10^20": Bad("POST", f"/alerts/{HUGE}/cancel", json={"reason": "test"}),
    "alert list case id 2^63": Bad("GET", f"/alerts?case_id={BIG}"),
    "dispatch stream since 10^20": Bad("GET", f"/dispatch/alerts?since={HUGE}"),
    "dispatch stream since -10^20": Bad("GET", f"/dispatch/alerts?since=-{HUGE}"),
    "facility stream since 10^20": Bad("GET", f"/facilities/county-hospital/alerts?since={HUGE}"),
    "alert case id 2^63": Bad("POST", "/alerts", json=alert_body(BIG)),
    "alert summary NUL": Bad("POST", "/alerts", json=alert_body(1, summary=f"胸痛{NUL}")),
    "alert vitals NaN": Bad(
        "POST", "/alerts", raw=json.dumps(alert_body(1)).replace('"hr": 96', '"hr": NaN')
    ),
    "alert vitals Infinity": Bad(
        "POST", "/alerts", raw=json.dumps(alert_body(1)).replace('"spo2": 95', '"spo2": -Infinity')
    ),
    "alert vitals 10^30": Bad("POST", "/alerts", json=alert_body(1, vitals={"hr": 10**30})),
    "alert vitals NUL": Bad("POST", "/alerts", json=alert_body(1, vitals={f"b{NUL}p": "1"})),
    "alert eta NaN": Bad(
        "POST",
        "/alerts",
        raw=json.dumps(alert_body(1)).replace('"eta_minutes": 25', '"eta_minutes": NaN'),
    ),
    "ack note NUL": Bad(
        "POST",
        "/alerts/{alert}/ack",
        user="cathlab-county-hospital",
        json={"action": "acknowledged", "note": NUL},
    ),
    "cancel reason NUL": Bad(
        "POST", "/alerts/{alert}/cancel", user="township-th-nandun", json={"reason": f"x{NUL}"}
    ),
    # attachments
    "attachment id NUL": Bad("GET", "/attachments/%00"),
    "attachment id with NUL": Bad("GET", "/attachments/abc%00def"),
    "attachment without a file": Bad("POST", "/attachments", data={"note": "x"}),
    # facilities
    "facility id NUL": Bad("GET", "/facilities/%00"),
    "facility patch address NUL": Bad(
        "PATCH", "/facilities/county-hospital", json={"address": f"x{NUL}"}
    ),
    "facility list kind NUL": Bad("GET", "/facilities?kind=%00"),
    # ambulances
    "position speed NaN": Bad(
        "POST",
        "/ambulances/amb-01/positions",
        raw=json.dumps({"lon": 114.9, "lat": 33.45, "recorded_at": iso(minutes_ago(1))})[:-1]
        + ', "speed_kmh": NaN}',
    ),
    "position heading 2^63": Bad(
        "POST",
        "/ambulances/amb-01/positions",
        json={"lon": 114.9, "lat": 33.45, "recorded_at": iso(minutes_ago(1)), "heading": BIG},
    ),
    "ambulance status NUL": Bad(
        "POST", "/ambulances/amb-01/status", json={"status": NUL, "at": iso(minutes_ago(1))}
    ),
    "ambulance list status NUL": Bad("GET", "/ambulances?status=%00"),
    "nearest lon NaN": Bad("GET", "/ambulances/nearest?lon=nan&lat=33.4"),
    "nearest lat inf": Bad("GET", "/ambulances/nearest?lon=114.9&lat=inf"),
    "nearest k 10^20": Bad("GET", f"/ambulances/nearest?lon=114.9&lat=33.4&k={HUGE}"),
    # reports
    "report at year 1": Bad("GET", "/reports/intervals?from=0001-01-01&to=0001-12-31"),
    "report at year 9999": Bad("GET", "/reports/intervals?from=9999-01-01&to=9999-12-31"),
    "report from year 1 to 9999": Bad("GET", "/reports/intervals?from=0001-01-01&to=9999-12-31"),
    "report over 5 years": Bad("GET", "/reports/intervals?from=2015-01-01&to=2024-12-31"),
    "report from NUL": Bad("GET", "/reports/intervals?from=%00&to=2024-12-31"),
    "report pathway NUL": Bad(
        "GET", "/reports/intervals?from=2024-01-01&to=2024-12-31&pathway=%00"
    ),
    # auth
    "login username NUL": Bad("POST", "/auth/token", data={"username": NUL, "password": "demo"}),
    "login password NUL": Bad(
        "POST", "/auth/token", data={"username": "admin", "password": f"demo{NUL}"}
    ),
    "login without password": Bad("POST", "/auth/token", data={"username": "admin"}),
    # roads and places
    "places q NUL": Bad("GET", "/places?q=%00"),
    "places limit 10^20": Bad("GET", f"/places?q=a&limit={HUGE}"),
    "roads bbox NaN": Bad("GET", "/roads?bbox=nan,nan,nan,nan"),
    "roads bbox inf": Bad("GET", "/roads?bbox=-inf,-inf,inf,inf"),
    "travel time NaN": Bad("GET", "/travel-time?from=nan,nan&to=114.9,33.4"),
    "coverage minutes NaN": Bad("GET", "/coverage?minutes=nan"),
    "coverage facility NUL": Bad("GET", "/coverage?facility_id=%00"),
}


def test_the_corpus_is_large_enough() -> None:
    """The issue asks for at least 50 requests across every router."""
    assert len(CORPUS) >= 50


@pytest.mark.parametrize("name", list(CORPUS))
async def test_bad_request_is_4xx_problem_and_writes_nothing(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, name: str
) -> None:
    """Each bad request: a 4xx problem+json, and every main table as it was."""
    bad = CORPUS[name]
    case_id, township = await nandun_case(client, login)
    sent = await send(client, township, alert_body(case_id))
    assert 201 == sent.status_code, sent.text
    alert_id = sent.json()["alert"]["id"]
    path = API + bad.path.replace("{case}", str(case_id)).replace("{alert}", str(alert_id))
    headers = await signed_in(login, bad.user)
    kwargs: dict[str, Any] = {}
    if bad.raw is not None:
        kwargs["content"] = bad.raw.encode()
        headers = {**headers, "Content-Type": "application/json"}
    elif bad.json is not None:
        kwargs["json"] = bad.json
    elif bad.data is not None:
        kwargs["data"] = bad.data
    before = await fingerprint(db)
    response = await client.request(bad.method, path, headers=headers, **kwargs)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_problem(response, response.status_code)
    assert before == await fingerprint(db)
