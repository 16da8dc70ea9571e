"""Time stamps over HTTP: idempotent retries, corrections, data-quality flags and bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Login
from tests.e2e.cases_helpers import (
    CASES,
    count_events,
    intervals_by_name,
    iso,
    milestones_of,
    minutes_ago,
    open_case,
    post_event,
    read_case,
    signed_in,
    stamp,
    when,
)
from tests.e2e.units_helpers import assert_problem


def events_path(case_id: int) -> str:
    return f"{CASES}/{case_id}/events"


async def test_a_retried_stamp_returns_the_same_event(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The same Idempotency-Key and body: the same event and body, Idempotent-Replayed: true."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    at = minutes_ago(4)
    first = await post_event(
        client, headers, case["id"], "first_ecg", at, key="ecg-1", device_at=iso(minutes_ago(0))
    )
    assert 201 == first.status_code, first.text
    assert "idempotent-replayed" not in first.headers
    stamps = await count_events(db, case["id"])

    # a retry after a lost answer: byte for byte the same request
    again = await client.post(
        events_path(case["id"]),
        content=first.request.content,
        headers={**headers, "Idempotency-Key": "ecg-1", "Content-Type": "application/json"},
    )
    assert 201 == again.status_code, again.text
    assert "true" == again.headers["idempotent-replayed"]
    assert first.json() == again.json()
    assert stamps == await count_events(db, case["id"])
    timeline = (await read_case(client, headers, case["id"]))["timeline"]
    assert [first.json()["id"]] == [e["id"] for e in timeline if e["milestone"] == "first_ecg"]


async def test_a_retry_after_a_correction_says_it_was_superseded(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A stamp corrected meanwhile, then retried with its key: the replay names its correction."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    at = minutes_ago(10)
    first = await post_event(client, headers, case["id"], "first_ecg", at, key="ecg-late")
    assert 201 == first.status_code, first.text
    fixed = await stamp(
        client,
        headers,
        case["id"],
        "first_ecg",
        at - timedelta(minutes=2),
        supersedes=first.json()["id"],
        reason="read from the ECG strip",
    )
    again = await post_event(client, headers, case["id"], "first_ecg", at, key="ecg-late")
    assert "true" == again.headers["idempotent-replayed"]
    assert (first.json()["id"], fixed["id"]) == (again.json()["id"], again.json()["superseded_by"])


async def test_a_retry_sent_later_by_the_device_is_the_same_stamp(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """A retry differing only in device_at (the device clock when sent) replays the first event."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    at = minutes_ago(4)
    first = await post_event(
        client, headers, case["id"], "first_ecg", at, key="ecg-2", device_at=iso(minutes_ago(1))
    )
    assert 201 == first.status_code, first.text
    stamps = await count_events(db, case["id"])

    again = await post_event(
        client, headers, case["id"], "first_ecg", at, key="ecg-2", device_at=iso(minutes_ago(0))
    )
    assert 201 == again.status_code, again.text
    assert "true" == again.headers["idempotent-replayed"]
    assert first.json() == again.json()
    assert stamps == await count_events(db, case["id"])


async def test_a_reused_stamp_key_with_another_body_is_422(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """The same Idempotency-Key with another time: 422 idempotency-key-reused, nothing written."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    first = await post_event(client, headers, case["id"], "first_ecg", minutes_ago(4), key="k-1")
    assert 201 == first.status_code, first.text
    stamps = await count_events(db, case["id"])

    other = await post_event(client, headers, case["id"], "first_ecg", minutes_ago(3), key="k-1")
    assert "/problems/idempotency-key-reused" == assert_problem(other, 422)["type"]
    assert stamps == await count_events(db, case["id"])


async def test_an_idempotency_key_belongs_to_its_case(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The same key on two cases makes two events: keys are per case."""
    headers = await signed_in(login, "data-manager")
    one, two = await open_case(client, headers), await open_case(client, headers)
    at = minutes_ago(4)
    first = await post_event(client, headers, one["id"], "first_ecg", at, key="shared")
    second = await post_event(client, headers, two["id"], "first_ecg", at, key="shared")
    assert (201, 201) == (first.status_code, second.status_code)
    assert "idempotent-replayed" not in second.headers
    assert first.json()["id"] != second.json()["id"]


async def test_a_correction_supersedes_and_the_intervals_follow(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The old stamp stays, marked superseded_by; the interval uses the corrected time."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    fmc = minutes_ago(60)
    await stamp(client, headers, case["id"], "first_medical_contact", fmc)
    wrong = await stamp(client, headers, case["id"], "first_ecg", fmc + timedelta(minutes=12))
    before = intervals_by_name(await read_case(client, headers, case["id"]))
    assert [(12.0, False)] == [(i["minutes"], i["met"]) for i in before["fmc_to_first_ecg"]]

    fixed = await stamp(
        client,
        headers,
        case["id"],
        "first_ecg",
        fmc + timedelta(minutes=8),
        supersedes=wrong["id"],
        reason="the ECG machine's clock was 4 minutes fast",
    )
    assert (wrong["id"], "the ECG machine's clock was 4 minutes fast") == (
        fixed["supersedes"],
        fixed["reason"],
    )
    after = await read_case(client, headers, case["id"])
    ecgs = {e["id"]: e for e in milestones_of(after, "first_ecg")}
    assert {wrong["id"], fixed["id"]} == set(ecgs)
    assert fixed["id"] == ecgs[wrong["id"]]["superseded_by"]
    assert fmc + timedelta(minutes=12) == when(ecgs[wrong["id"]]["at"])
    assert ecgs[fixed["id"]]["superseded_by"] is None
    interval = intervals_by_name(after)["fmc_to_first_ecg"][0]
    assert (8.0, True, fmc + timedelta(minutes=8)) == (
        interval["minutes"],
        interval["met"],
        when(interval["end_at"]),
    )


async def test_a_correction_of_a_correction_is_the_latest(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Corrections chain: the newest version counts, every older one stays, each marked."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    fmc = minutes_ago(60)
    await stamp(client, headers, case["id"], "first_medical_contact", fmc)
    one = await stamp(client, headers, case["id"], "first_ecg", fmc + timedelta(minutes=20))
    two = await stamp(
        client, headers, case["id"], "first_ecg", fmc + timedelta(minutes=15),
        supersedes=one["id"], reason="typo",
    )  # fmt: skip
    three = await stamp(
        client, headers, case["id"], "first_ecg", fmc + timedelta(minutes=5),
        supersedes=two["id"], reason="read from the ECG strip",
    )  # fmt: skip
    after = await read_case(client, headers, case["id"])
    marks = {e["id"]: e["superseded_by"] for e in milestones_of(after, "first_ecg")}
    assert {one["id"]: two["id"], two["id"]: three["id"], three["id"]: None} == marks
    assert [5.0] == [i["minutes"] for i in intervals_by_name(after)["fmc_to_first_ecg"]]


async def test_bad_corrections_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """No reason: 422; an already-corrected stamp: 409; a stamp of another case: 422."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    other = await open_case(client, headers)
    at = minutes_ago(30)
    old = await stamp(client, headers, case["id"], "first_ecg", at)
    foreign = await stamp(client, headers, other["id"], "first_ecg", at)
    new = await stamp(
        client, headers, case["id"], "first_ecg", at, supersedes=old["id"], reason="wrong patient"
    )
    stamps = await count_events(db)

    for reason in ("", "   "):
        unexplained = await post_event(
            client, headers, case["id"], "first_ecg", at, supersedes=new["id"], reason=reason
        )
        assert "reason" in assert_problem(unexplained, 422)["detail"]
    twice = await post_event(
        client, headers, case["id"], "first_ecg", at, supersedes=old["id"], reason="again"
    )
    found = assert_problem(twice, 409)
    assert "/problems/already-superseded" == found["type"]
    assert str(new["id"]) in found["detail"]
    elsewhere = await post_event(
        client, headers, case["id"], "first_ecg", at, supersedes=foreign["id"], reason="moved"
    )
    assert "no such stamp on this case" in assert_problem(elsewhere, 422)["detail"]
    assert stamps == await count_events(db)


async def test_a_device_clock_off_by_five_minutes_is_flagged(
    client: httpx.AsyncClient, login: Login
) -> None:
    """device_at 5 minutes off the server's clock: clock_skew; 30 seconds off: no flag."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    at = minutes_ago(10)
    skewed = await stamp(
        client, headers, case["id"], "first_ecg", at, device_at=iso(minutes_ago(5))
    )
    ahead = await stamp(
        client, headers, case["id"], "diagnosis", at, device_at=iso(minutes_ago(-5))
    )
    fine = await stamp(
        client, headers, case["id"], "ecg_transmitted", at, device_at=iso(minutes_ago(0.5))
    )
    assert (["clock_skew"], ["clock_skew"], []) == (skewed["flags"], ahead["flags"], fine["flags"])
    stored = {
        e["id"]: e["flags"] for e in (await read_case(client, headers, case["id"]))["timeline"]
    }
    assert ["clock_skew"] == stored[skewed["id"]]


async def test_an_out_of_order_stamp_is_accepted_and_flagged(
    client: httpx.AsyncClient, login: Login
) -> None:
    """A first ECG before the first medical contact: 201, flagged out_of_order."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    fmc = minutes_ago(20)
    first = await stamp(client, headers, case["id"], "first_medical_contact", fmc)
    response = await post_event(
        client, headers, case["id"], "first_ecg", fmc - timedelta(minutes=5)
    )
    assert 201 == response.status_code, response.text
    assert ([], ["out_of_order"]) == (first["flags"], response.json()["flags"])
    interval = intervals_by_name(await read_case(client, headers, case["id"]))
    assert [(-5.0, None)] == [(i["minutes"], i["met"]) for i in interval["fmc_to_first_ecg"]]


async def test_a_stroke_milestone_on_a_stemi_case_is_outside_the_pathway(
    client: httpx.AsyncClient, login: Login
) -> None:
    """ct_start on a STEMI case is kept but flagged outside_pathway; a long-ago time implausible."""
    headers = await signed_in(login, "data-manager")
    case = await open_case(client, headers)
    ct = await stamp(client, headers, case["id"], "ct_start", minutes_ago(5))
    old = await stamp(client, headers, case["id"], "first_ecg", minutes_ago(4 * 24 * 60))
    assert (["outside_pathway"], ["implausible"]) == (ct["flags"], old["flags"])


Body = Callable[[], dict[str, Any]]


def ecg(**extra: Any) -> Body:
    return lambda: {"milestone": "first_ecg", "at": iso(minutes_ago(5)), **extra}


def door(milestone: str, **extra: Any) -> Body:
    return lambda: {"milestone": milestone, "at": iso(minutes_ago(5)), **extra}


def in_an_hour() -> dict[str, Any]:
    return {"milestone": "first_ecg", "at": iso(datetime.now(UTC) + timedelta(hours=1))}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (ecg(milestone="lunch"), 422, "milestone: Value error, unknown milestone 'lunch'"),
        (ecg(at="yesterday at noon"), 422, "at: Input should be a valid datetime"),
        (ecg(at="2024-05-01T08:00:00"), 422, "at: Input should have timezone"),
        (in_an_hour, 422, "ahead of the server clock"),
        (ecg(device_at="2024-05-01T08:00:00"), 422, "device_at"),
        (ecg(colour="red"), 422, "colour: Extra inputs are not permitted"),
        (ecg(note="x" * 501), 422, "note"),
        (ecg(supersedes=0), 422, "supersedes"),
        (door("facility_arrival"), 422, "facility_arrival needs the facility_id"),
        (door("facility_departure"), 422, "facility_departure needs the facility_id"),
        (
            door("facility_departure", facility_id="county-hospital"),
            422,
            "facility 'county-hospital' is not on this case",
        ),
        (
            door("cathlab_arrival", facility_id="county-hospital"),
            422,
            "facility 'county-hospital' is not on this case",
        ),
        (door("facility_arrival", facility_id="no-such-hospital"), 404, "no-such-hospital"),
        (door("first_ecg", facility_id="Not A Slug!"), 422, "facility_id"),
    ],
)
async def test_a_bad_stamp_is_a_4xx_problem_and_nothing_is_written(
    client: httpx.AsyncClient,
    login: Login,
    db: AsyncSession,
    body: Body,
    status: int,
    words: str,
) -> None:
    """Unknown milestone, bad or future times, missing or foreign facilities: 4xx, no write."""
    headers = await signed_in(login, "township-th-nandun")
    case = await open_case(client, headers)
    await stamp(client, headers, case["id"], "facility_arrival", minutes_ago(30),
                facility_id="th-nandun")  # fmt: skip
    stamps = await count_events(db)
    response = await client.post(
        events_path(case["id"]), json=body(), headers={**headers, "Idempotency-Key": "bad-1"}
    )
    assert words in assert_problem(response, status)["detail"]
    assert stamps == await count_events(db)


@pytest.mark.parametrize(
    "username", ["auditor", "township-th-dingji", "cathlab-city-hospital", "crew-amb-03"]
)
async def test_who_is_not_on_the_case_cannot_stamp_it(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, username: str
) -> None:
    """Auditors, other units and crews not assigned: 403 and nothing written."""
    case = await open_case(client, await signed_in(login, "township-th-nandun"))
    stamps = await count_events(db)
    response = await post_event(
        client, await signed_in(login, username), case["id"], "first_ecg", minutes_ago(1)
    )
    assert "/problems/forbidden" == assert_problem(response, 403)["type"]
    assert stamps == await count_events(db)


async def test_a_stamp_on_an_unknown_case_is_404(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """No such case: 404 and nothing written."""
    stamps = await count_events(db)
    response = await post_event(
        client, await signed_in(login, "dispatcher"), 987654321, "first_ecg", minutes_ago(1)
    )
    assert "987654321" in assert_problem(response, 404)["detail"]
    assert stamps == await count_events(db)


async def test_an_idempotency_key_is_its_recorders_own(
    client: httpx.AsyncClient, login: Login, db: AsyncSession
) -> None:
    """Another user's equal key and body on the same case records that user's own stamp,
    never a replay of the first user's (issue 12, finding 8); the first user's retry replays."""
    manager = await signed_in(login, "data-manager")
    admin = await signed_in(login, "admin")
    case = await open_case(client, manager)
    at = minutes_ago(4)
    first = await post_event(client, manager, case["id"], "first_ecg", at, key="shared-ecg")
    other = await post_event(client, admin, case["id"], "first_ecg", at, key="shared-ecg")
    again = await post_event(client, manager, case["id"], "first_ecg", at, key="shared-ecg")
    assert (201, 201, 201) == (first.status_code, other.status_code, again.status_code)
    assert ("data-manager", "admin") == (first.json()["recorded_by"], other.json()["recorded_by"])
    assert first.json()["id"] != other.json()["id"]
    assert first.json()["id"] == again.json()["id"]
    assert "true" == again.headers["idempotent-replayed"]
