"""``infofirst simulate``: play a scenario live against a running server, over its HTTP API.

The ``47min`` scenario is the reference case (synthetic): a STEMI patient walks into the Nandun
township chest-pain unit; the county reads the transmitted ECG, the critical value is reported,
an ambulance is dispatched, the cath lab is activated from the field, the ambulance drives the
real (synthetic) roads to the county hospital while its GPS fixes stream in, the patient
bypasses the ED, and the artery is punctured 47 minutes after the critical value.

A simulated clock runs ``speed`` times faster than the wall clock and ends on it, so every stamp
is in the past when it is sent (the server refuses times ahead of its clock).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

Echo = Callable[[str], None]
TOWNSHIP = "th-nandun"
COUNTY = "county-hospital"
VILLAGE = (114.752, 33.566)  # a village beside Nandun (synthetic demo county)


@dataclass
class SimClock:
    """Simulated minutes mapped onto the wall clock, ending on it."""

    speed: float
    duration_minutes: float

    def __post_init__(self) -> None:
        self.real_start = time.monotonic()
        self.wall_start = datetime.now(UTC)
        self.sim_start = self.wall_start - timedelta(
            minutes=self.duration_minutes * (1 - 1 / self.speed)
        )

    def at(self, minute: float) -> datetime:
        """The simulated time ``minute`` minutes into the scenario."""
        return self.sim_start + timedelta(minutes=minute)

    async def until(self, minute: float) -> datetime:
        """Wait (scaled) until the scenario reaches ``minute``; returns that simulated time."""
        due = minute * 60 / self.speed
        delay = due - (time.monotonic() - self.real_start)
        if delay > 0:
            await asyncio.sleep(delay)
        return self.at(minute)


class Api:
    """A thin client: signs in as the demo users and raises on any error."""

    def __init__(self, client: httpx.AsyncClient, password: str) -> None:
        self.client = client
        self.password = password
        self.tokens: dict[str, str] = {}

    async def as_user(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            response = await self.client.post(
                "/api/v1/auth/token", data={"username": username, "password": self.password}
            )
            response.raise_for_status()
            self.tokens[username] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    async def call(self, user: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**(await self.as_user(user)), **kwargs.pop("headers", {})}
        response = await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} → {response.status_code}: {response.text}")
        return response.json() if response.content else None


def _iso(at: datetime) -> str:
    return at.isoformat()


def _along(coords: list[list[float]], share: float) -> tuple[float, float]:
    """The point ``share`` (0..1) of the way along a polyline (by vertex distance)."""
    steps = [math.dist(a, b) for a, b in itertools.pairwise(coords)]
    goal, walked = share * sum(steps), 0.0
    for (a, b), step in zip(itertools.pairwise(coords), steps, strict=True):
        if walked + step >= goal and step > 0:
            f = (goal - walked) / step
            return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
        walked += step
    return (coords[-1][0], coords[-1][1])


async def scenario_47min(api: Api, speed: float, echo: Echo) -> dict[str, Any]:
    """Play the reference case; returns the case as the server reports it at the end."""
    township, cathlab = f"township-{TOWNSHIP}", f"cathlab-{COUNTY}"
    facilities = (await api.call("dispatcher", "GET", "/facilities"))["features"]
    where = {f["id"]: f["geometry"]["coordinates"] for f in facilities}
    road = await api.call(
        "dispatcher",
        "GET",
        "/travel-time",
        params={
            "from": ",".join(map(str, where[TOWNSHIP])),
            "to": ",".join(map(str, where[COUNTY])),
        },
    )
    drive = float(road["minutes"])
    # Minute 0 is the critical value report; the scenario starts 25 minutes before it. With a
    # unit waiting at the Nandun station the puncture comes 47 minutes after the critical value.
    depart, puncture = 9.0, 47.0
    clock = SimClock(speed, 25 + 90)

    def t(minute: float) -> float:
        return minute + 25

    async def stamp(user: str, milestone: str, minute: float, facility: str | None = None) -> None:
        at = await clock.until(t(minute))
        body: dict[str, Any] = {
            "milestone": milestone,
            "at": _iso(at),
            "device_at": _iso(datetime.now(UTC)),
        }
        if facility:
            body["facility_id"] = facility
        key = {"Idempotency-Key": f"sim-{case_id}-{milestone}-{facility or ''}"}
        await api.call(user, "POST", f"/cases/{case_id}/events", json=body, headers=key)
        echo(f"{at:%H:%M:%S} {milestone}" + (f" @ {facility}" if facility else ""))

    async def status(user: str, ambulance: str, value: str, minute: float) -> None:
        at = await clock.until(t(minute))
        body = {"status": value, "at": _iso(at)}
        await api.call(user, "POST", f"/ambulances/{ambulance}/status", json=body)
        echo(f"{at:%H:%M:%S} ambulance {ambulance}: {value}")

    onset = clock.at(t(-25))
    opened = await api.call(
        township,
        "POST",
        "/cases",
        json={
            "pathway": "stemi",
            "location": {"lon": where[TOWNSHIP][0], "lat": where[TOWNSHIP][1]},
            "complaint": "合成演示：胸痛2小时 / synthetic demo: chest pain",
            "symptom_onset": _iso(onset),
            "patient": {"age": 63, "sex": "male"},
        },
        headers={"Idempotency-Key": f"sim-47min-{clock.wall_start.timestamp():.0f}"},
    )
    case_id = opened["id"]
    echo(f"case {case_id} opened at {TOWNSHIP} (synthetic)")
    await stamp(township, "facility_arrival", -14, TOWNSHIP)
    await stamp(township, "first_medical_contact", -14)
    await stamp(township, "first_ecg", -8)
    await stamp(township, "ecg_transmitted", -6)
    await stamp(township, "diagnosis", -1)  # the county's reading, received at the township
    await stamp(township, "critical_value_reported", 0)
    await api.call(township, "PATCH", f"/cases/{case_id}", json={"destination_facility_id": COUNTY})
    await stamp(township, "prealert_sent", 1)
    notified = await clock.until(t(1.5))
    sent = await api.call(
        "dispatcher", "POST", f"/cases/{case_id}/dispatch", json={"at": _iso(notified)}
    )
    ambulance = sent["ambulance"]["ambulance_id"]
    station = where[sent["ambulance"]["station_id"]]
    crew = f"crew-{ambulance}"
    on_scene = 2 + max(1.0, float(sent["ambulance"]["minutes"]))
    depart = max(depart, on_scene + 4)
    arrive = depart + drive
    puncture = max(puncture, arrive + 6)
    echo(f"dispatched {ambulance} ({sent['ambulance']['minutes']:.1f} min away by road)")
    coords = road["geometry"]["coordinates"]
    fixes = max(2, int(drive * 2))

    async def fix(share: float, minute: float) -> None:
        at = await clock.until(t(minute))
        lon, lat = _along(coords, share)
        body = {"lon": lon, "lat": lat, "recorded_at": _iso(at), "speed_kmh": 60.0}
        await api.call(crew, "POST", f"/ambulances/{ambulance}/positions", json=body)

    async def home(minute: float) -> None:
        at = await clock.until(t(minute))
        body = {"lon": station[0], "lat": station[1], "recorded_at": _iso(at), "speed_kmh": 0.0}
        await api.call(crew, "POST", f"/ambulances/{ambulance}/positions", json=body)
        echo(f"{at:%H:%M:%S} ambulance {ambulance} back at its station")

    steps: list[tuple[float, Callable[[], Awaitable[None]]]] = [
        (2, lambda: status(crew, ambulance, "en_route", 2)),
        (3, lambda: stamp(cathlab, "cathlab_activated", 3, COUNTY)),  # from the field
        (on_scene, lambda: status(crew, ambulance, "on_scene", on_scene)),
        (depart, lambda: stamp(township, "facility_departure", depart, TOWNSHIP)),
        (depart, lambda: status(crew, ambulance, "transporting", depart)),
        (20, lambda: stamp(cathlab, "cathlab_ready", 20, COUNTY)),  # before the patient arrives
        (arrive, lambda: status(crew, ambulance, "at_destination", arrive)),
        (arrive + 2, lambda: stamp(cathlab, "cathlab_arrival", arrive + 2, COUNTY)),
        (arrive + 3, lambda: status(crew, ambulance, "returning", arrive + 3)),
        (puncture, lambda: stamp(cathlab, "arterial_puncture", puncture, COUNTY)),
        (puncture + 8, lambda: stamp(cathlab, "wire_crossing", puncture + 8, COUNTY)),
        (arrive + 20, lambda: home(arrive + 20)),
        (arrive + 21, lambda: status(crew, ambulance, "available", arrive + 21)),
    ]
    for i in range(1, fixes):
        minute = depart + drive * i / fixes
        steps.append((minute, functools.partial(fix, i / fixes, minute)))
    for _, step in sorted(steps, key=lambda s: s[0]):
        await step()
    result: dict[str, Any] = await api.call(cathlab, "GET", f"/cases/{case_id}")
    return result


SCENARIOS: dict[str, Callable[[Api, float, Echo], Awaitable[dict[str, Any]]]] = {
    "47min": scenario_47min,
}
