"""The ``infofirst`` command line against the real test database.

CLI commands open their own engine from the settings and commit for real, so every test here
uses ids starting with ``t-cli-`` and deletes them again. Each command runs in a worker thread
(``asyncio.to_thread``) because it calls ``asyncio.run`` itself.
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner, Result

from dispatch.cli import app
from dispatch.demo.county import DemoCounty
from dispatch.demo.load import demo_logins
from dispatch.settings import Settings, get_settings
from geo.exceptions import ImportRejected
from geo.imports import read_points
from tests.conftest import TEST_DATABASE_URL
from units.importing import check_rows
from units.security import verify_password

Invoke = Callable[..., Awaitable[Result]]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
COLUMNS = ("id", "kind", "name_zh", "capabilities", "lon", "lat")
CLI_ENV = {"INFOFIRST_DATABASE_URL": TEST_DATABASE_URL, "INFOFIRST_ENV": "test"}


def plain(result: Result) -> str:
    """The command's output without colour codes, its whitespace (and line wraps) collapsed."""
    return " ".join(ANSI.sub("", result.output).split())


def crashed(result: Result) -> BaseException | None:
    """The exception the command died of, if it was not a deliberate exit."""
    return None if isinstance(result.exception, SystemExit) else result.exception


@pytest.fixture
def invoke() -> Invoke:
    """Run an ``infofirst`` command on the test database, in a thread, with fresh settings."""
    runner = CliRunner()

    async def run(*args: str) -> Result:
        get_settings.cache_clear()
        try:
            return await asyncio.to_thread(lambda: runner.invoke(app, list(args), env=CLI_ENV))
        finally:
            get_settings.cache_clear()

    return run


async def delete_cli_rows(engine: AsyncEngine) -> None:
    """Remove every user and facility a CLI test may have committed."""
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM users WHERE username LIKE 't-cli-%'"))
        await connection.execute(text("DELETE FROM facilities WHERE id LIKE 't-cli-%'"))


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The engine, with the ``t-cli-`` rows cleared before and after the test (even on failure)."""
    await delete_cli_rows(engine)
    yield engine
    await delete_cli_rows(engine)


async def fetch(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a query on a fresh connection (it sees what the CLI committed)."""
    async with engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(text(sql), params)]


async def cli_facilities(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    """The committed ``t-cli-`` facilities by id."""
    rows = await fetch(
        engine,
        "SELECT id, kind, name_zh, capabilities, synthetic, created_at, updated_at,"
        " ST_X(location) AS lon, ST_Y(location) AS lat"
        " FROM facilities WHERE id LIKE 't-cli-%' ORDER BY id",
    )
    return {row["id"]: row for row in rows}


def write_csv(path: Path, rows: list[tuple[str, str, str, str, str, str]]) -> Path:
    """A CSV of (id, kind, name_zh, capabilities, lon, lat) rows."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def good_rows(name: str = "测试") -> list[tuple[str, str, str, str, str, str]]:
    """Three good facilities inside the demo county."""
    return [
        ("t-cli-1", "township_unit", f"{name}一", "ecg12,ecg_transmit", "114.85", "33.45"),
        ("t-cli-2", "ambulance_station", f"{name}二", "ecg12", "114.90", "33.50"),
        ("t-cli-3", "village_clinic", f"{name}三", "", "114.76", "33.56"),
    ]


async def test_import_facilities_commits_every_row_and_prints_the_count(
    invoke: Invoke, committed: AsyncEngine, tmp_path: Path
) -> None:
    """`import facilities FILE` exits 0, says how many it imported, and commits them."""
    path = write_csv(tmp_path / "facilities.csv", good_rows())
    result = await invoke("import", "facilities", str(path))
    assert (0, None) == (result.exit_code, crashed(result)), result.output
    assert "imported 3 facilities" in plain(result)
    rows = await cli_facilities(committed)
    assert ["t-cli-1", "t-cli-2", "t-cli-3"] == list(rows)
    assert ("township_unit", "测试一", ["ecg12", "ecg_transmit"], False) == (
        rows["t-cli-1"]["kind"],
        rows["t-cli-1"]["name_zh"],
        rows["t-cli-1"]["capabilities"],
        rows["t-cli-1"]["synthetic"],
    )
    assert (114.85, 33.45) == pytest.approx((rows["t-cli-1"]["lon"], rows["t-cli-1"]["lat"]))


async def test_reimport_through_the_cli_updates_rows_and_their_updated_at(
    invoke: Invoke, committed: AsyncEngine, tmp_path: Path
) -> None:
    """Importing the same file again updates the rows (and updated_at) instead of adding rows."""
    path = write_csv(tmp_path / "facilities.csv", good_rows())
    assert 0 == (await invoke("import", "facilities", str(path))).exit_code
    before = await cli_facilities(committed)
    write_csv(path, good_rows(name="改名"))
    result = await invoke("import", "facilities", str(path))
    assert (0, None) == (result.exit_code, crashed(result)), result.output
    after = await cli_facilities(committed)
    assert ["改名一", "改名二", "改名三"] == [row["name_zh"] for row in after.values()]
    assert {ident: True for ident in before} == {
        ident: after[ident]["updated_at"] > before[ident]["updated_at"] for ident in before
    }
    assert {ident: row["created_at"] for ident, row in before.items()} == {
        ident: row["created_at"] for ident, row in after.items()
    }


async def test_bad_file_exits_1_lists_every_bad_row_and_writes_nothing(
    invoke: Invoke, committed: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    """A file with bad rows exits 1, prints each row number with its reason, and commits nothing."""
    path = write_csv(
        tmp_path / "bad.csv",
        [
            *good_rows(),
            ("T_CLI BAD", "township_unit", "坏编号", "", "114.85", "33.45"),
            ("t-cli-kind", "hospital", "坏类型", "", "114.85", "33.45"),
            ("t-cli-lon", "township_unit", "坏经度", "", "[/b]", "33.45"),
            ("t-cli-cap", "township_unit", "坏能力", "ecg12,[mri]", "114.85", "33.45"),
        ],
    )
    with pytest.raises(ImportRejected) as expected:
        check_rows(read_points(path), settings.service_area)
    result = await invoke("import", "facilities", str(path))
    assert (1, None) == (result.exit_code, crashed(result)), result.output
    output = plain(result)
    assert "nothing imported: 4 bad row(s)" in output
    assert [4, 5, 6, 7] == [problem.row for problem in expected.value.problems]
    lines = [f"row {p.row}: {' '.join(p.reason.split())}" for p in expected.value.problems]
    assert {line: True for line in lines} == {line: line in output for line in lines}, output
    assert {} == await cli_facilities(committed)


async def test_import_of_an_unreadable_file_exits_1_with_row_0(
    invoke: Invoke, committed: AsyncEngine, tmp_path: Path
) -> None:
    """A file of an unsupported type exits 1 and says why, as row 0."""
    path = tmp_path / "facilities.txt"
    path.write_text("id,kind\n", encoding="utf-8")
    result = await invoke("import", "facilities", str(path))
    assert (1, None) == (result.exit_code, crashed(result)), result.output
    assert "row 0: unsupported file type '.txt'" in plain(result)


async def test_users_add_creates_a_township_user_who_can_sign_in(
    invoke: Invoke, committed: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """`users add NAME --role township --facility F --password P` saves a user who can sign in."""
    args = "users add t-cli-township --role township --facility th-nandun --password x"
    result = await invoke(*args.split())
    assert (0, None) == (result.exit_code, crashed(result)), result.output
    assert "user t-cli-township (township) saved" in plain(result)
    rows = await fetch(
        committed,
        "SELECT role, facility_id, ambulance_id, active, password_hash FROM users"
        " WHERE username = 't-cli-township'",
    )
    assert [("township", "th-nandun", None, True)] == [
        (row["role"], row["facility_id"], row["ambulance_id"], row["active"]) for row in rows
    ]
    assert (True, False) == (
        verify_password(rows[0]["password_hash"], "x"),
        verify_password(rows[0]["password_hash"], "demo"),
    )
    response = await client.post(
        "/api/v1/auth/token", data={"username": "t-cli-township", "password": "x"}
    )
    assert 200 == response.status_code, response.text
    assert ("township", "th-nandun") == (response.json()["role"], response.json()["facility_id"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "township"], "the township role needs --facility"),
        (["--role", "township", "--facility", "t-cli-nowhere"], "no facility with id"),
        (["--role", "crew"], "the crew role needs --ambulance"),
        (["--role", "mayor"], "unknown role 'mayor'"),
    ],
)
async def test_users_add_with_a_missing_or_wrong_tie_exits_1(
    invoke: Invoke, committed: AsyncEngine, args: list[str], message: str
) -> None:
    """A user whose role lacks its facility or ambulance (or is unknown) is refused: exit 1."""
    result = await invoke("users", "add", "t-cli-refused", *args, "--password", "x")
    assert (1, None) == (result.exit_code, crashed(result)), result.output
    assert message in plain(result)
    assert [] == await fetch(committed, "SELECT id FROM users WHERE username = 't-cli-refused'")


async def row_versions(engine: AsyncEngine, county: DemoCounty) -> dict[str, dict[str, str]]:
    """The xmin (last writing transaction) of every demo row, per table."""
    usernames = [login.username for login in demo_logins(county)]
    queries: dict[str, tuple[str, dict[str, Any]]] = {
        "facilities": ("SELECT id, xmin::text AS v FROM facilities WHERE synthetic", {}),
        "places": ("SELECT id, xmin::text AS v FROM places WHERE synthetic", {}),
        "ambulances": ("SELECT id, xmin::text AS v FROM ambulances WHERE synthetic", {}),
        "users": (
            "SELECT username AS id, xmin::text AS v FROM users WHERE username = ANY(:names)",
            {"names": usernames},
        ),
        "rota": ("SELECT id, xmin::text AS v FROM ecg_rota_shifts WHERE synthetic", {}),
    }
    return {
        table: {row["id"]: row["v"] for row in await fetch(engine, sql, **params)}
        for table, (sql, params) in queries.items()
    }


async def test_demo_load_twice_rewrites_nothing_the_second_time(
    invoke: Invoke, engine: AsyncEngine, demo_county: DemoCounty
) -> None:
    """A second `demo load` creates no users and rewrites no facility, place, ambulance or
    demo rota row."""
    first = await invoke("demo", "load")
    assert (0, None) == (first.exit_code, crashed(first)), first.output
    before = await row_versions(engine, demo_county)
    second = await invoke("demo", "load")
    assert (0, None) == (second.exit_code, crashed(second)), second.output
    after = await row_versions(engine, demo_county)
    counts = (
        f"{len(demo_county.facilities)} facilities, {len(demo_county.ambulances)} ambulances,"
        f" {len(demo_county.places)} places; 0 new users"
    )
    assert counts in plain(second)
    assert "0 synthetic ECG rota shifts added" in plain(second)
    rota = after.pop("rota")
    assert 9 <= len(rota)  # the demo reader's day shifts, yesterday to a week ahead
    assert before.pop("rota") == rota
    assert {
        "facilities": len(demo_county.facilities),
        "places": len(demo_county.places),
        "ambulances": len(demo_county.ambulances),
        "users": len(demo_logins(demo_county)),
    } == {table: len(rows) for table, rows in after.items()}
    assert before == after


async def test_demo_load_refuses_in_production_and_writes_nothing(committed: AsyncEngine) -> None:
    """`demo load` with INFOFIRST_ENV=production exits 2 with a reason; no row changes (the
    demo users' password is published)."""
    count = "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM facilities) AS f"
    before = await fetch(committed, count)
    runner = CliRunner()
    env = {**CLI_ENV, "INFOFIRST_ENV": "production"}
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(lambda: runner.invoke(app, ["demo", "load"], env=env))
    finally:
        get_settings.cache_clear()
    assert (2, None) == (result.exit_code, crashed(result)), result.output
    assert "refuses to run in production" in plain(result)
    assert before == await fetch(committed, count)


async def test_users_disable_ends_sessions_and_enable_lets_the_user_back(
    invoke: Invoke, committed: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """`users disable NAME` ends the user's open sessions (its token gets 401) and refuses its
    sign-in; `users enable NAME` lets it sign in again; an unknown name exits 1."""
    result = await invoke(
        *[
            "users",
            "add",
            "t-cli-crew",
            "--role",
            "crew",
            "--ambulance",
            "amb-03",
            "--password",
            "pw-0123456789",
        ]
    )
    assert 0 == result.exit_code, result.output
    form = {"username": "t-cli-crew", "password": "pw-0123456789"}
    token = (await client.post("/api/v1/auth/token", data=form)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert 200 == (await client.get("/api/v1/auth/me", headers=headers)).status_code
    result = await invoke("users", "disable", "t-cli-crew")
    assert (0, None) == (result.exit_code, crashed(result)), result.output
    assert "user t-cli-crew disabled" in plain(result)
    assert 401 == (await client.get("/api/v1/auth/me", headers=headers)).status_code
    assert 401 == (await client.post("/api/v1/auth/token", data=form)).status_code
    result = await invoke("users", "enable", "t-cli-crew")
    assert "user t-cli-crew enabled" in plain(result)
    assert 200 == (await client.post("/api/v1/auth/token", data=form)).status_code
    result = await invoke("users", "disable", "t-cli-nobody")
    assert (1, None) == (result.exit_code, crashed(result)), result.output


@pytest.mark.parametrize(
    ("password", "saved"),
    [
        ("demo", False),  # the demo password: production would refuse to start
        ("9-chars-x", False),  # just below the 10 characters
        ("t-cli-prod", False),  # the username
        ("10-chars-x", True),  # at the threshold
        ("11-chars-xy", True),  # just above
    ],
)
async def test_users_add_in_production_refuses_demo_short_or_username_passwords(
    committed: AsyncEngine, password: str, saved: bool
) -> None:
    """In production `users add` applies the password rules (a demo password, fewer than 10
    characters or the username is exit 1 with nothing written); tests and demos may use any."""
    env = {**CLI_ENV, "INFOFIRST_ENV": "production"}
    args = ["users", "add", "t-cli-prod", "--role", "admin", "--password", password]
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(lambda: CliRunner().invoke(app, args, env=env))
    finally:
        get_settings.cache_clear()
    assert ((0 if saved else 1), None) == (result.exit_code, crashed(result)), result.output
    rows = await fetch(committed, "SELECT demo_password FROM users WHERE username = 't-cli-prod'")
    assert ([{"demo_password": False}] if saved else []) == rows
    if not saved:
        assert "nothing was written" in plain(result)


async def test_db_track_partitions_keeps_the_months_and_db_app_url_names_the_app_role(
    invoke: Invoke, engine: AsyncEngine
) -> None:
    """`db track-partitions` (issue 17) runs on the test database and prints what it did, a
    second run making nothing; `db app-url` prints the application role's URL."""
    first = await invoke("db", "track-partitions")
    assert 0 == first.exit_code, first.output
    second = await invoke("db", "track-partitions")
    assert 0 == second.exit_code, second.output
    assert "GPS track months made: none; dropped (past the retention): none" in plain(second)
    months = await fetch(
        engine,
        "SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'ambulance_positions'::regclass",
    )
    assert months[0]["n"] >= 5  # this month, three ahead, DEFAULT
    url = await invoke("db", "app-url")
    assert 0 == url.exit_code, url.output
    assert "infofirst_app@" in plain(url)
