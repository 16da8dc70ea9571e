"""A case whose stored location is broken answers a logged 500, never a patient at 0,0."""

from __future__ import annotations

import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.http import problems
from geo.exceptions import MissingLocation
from tests.conftest import Login
from tests.e2e.cases_helpers import CASES, case_body, open_case, signed_in
from tests.e2e.units_helpers import assert_problem


class Recorder:
    """Stands in for the problem handlers' logger: what was logged, with which exception."""

    def __init__(self) -> None:
        self.logged: list[tuple[str, BaseException | None]] = []

    def exception(self, event: str, **context: Any) -> None:
        self.logged.append((event, sys.exc_info()[1]))


async def test_a_case_with_an_empty_location_is_a_logged_500(
    client: httpx.AsyncClient, login: Login, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case's point emptied in the database: reading it is 500 internal-error, logged."""
    headers = await signed_in(login, "dispatcher")
    case_id = int((await open_case(client, headers, case_body()))["id"])
    await db.execute(
        text("UPDATE cases SET location = ST_GeomFromText('POINT EMPTY', 4326) WHERE id = :id"),
        {"id": case_id},
    )
    await db.commit()
    recorder = Recorder()
    monkeypatch.setattr(problems, "log", recorder)
    response = await client.get(f"{CASES}/{case_id}", headers=headers)
    assert "/problems/internal-error" == assert_problem(response, 500)["type"]
    assert "0.0" not in response.text
    [(event, error)] = recorder.logged
    assert "unhandled_error" == event
    assert isinstance(error, MissingLocation)
    assert f"case {case_id} has no location: the stored record is broken" == str(error)
