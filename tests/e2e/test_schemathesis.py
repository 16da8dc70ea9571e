"""Issue 12 (in CI): every operation of the app's OpenAPI schema, fuzzed by schemathesis
with bounded examples, as admin and as an unrelated township user, answers no 5xx.

Schemathesis generates the requests (valid ones and ones that break the schema); they are sent
in-process through the test's own client, so they run inside the test's rolled-back transaction
on the real test database (schemathesis' own ASGI transport would run the app on another event
loop, away from that transaction). ``not_a_server_error`` is the check: any 5xx fails.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from dispatch.app import create_app
from dispatch.settings import Settings
from tests.conftest import Login
from tests.e2e.cases_helpers import signed_in

# Examples per operation, user and mode (valid, invalid): 35 operations x 2 users x 2 modes x 3
# keep the whole module well under 90 s on two cores.
# (INFOFIRST_FUZZ_EXAMPLES: more, for a longer run by hand).
MAX_EXAMPLES = int(os.environ.get("INFOFIRST_FUZZ_EXAMPLES", "3"))
USERS = ("admin", "township-th-dingji")  # Dingji: a township with no part in anything here
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(env="test")).openapi())
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in SCHEMA.get_all_operations())
}


def generated(label: str, mode: GenerationMode) -> list[Case]:
    """Up to MAX_EXAMPLES cases of the operation, generated (not shrunk, no example database)."""
    cases: list[Case] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(OPERATIONS[label].as_strategy(generation_mode=mode))
    def collect(case: Case) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # an operation without parameters or body has no invalid request
        assert mode is GenerationMode.NEGATIVE
    return cases


def request_of(case: Case, headers: dict[str, str]) -> requests.PreparedRequest:
    """The case as bytes on the wire (schemathesis' own serialisation, through requests)."""
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url="http://test")
    sent = {k: v for k, v in kwargs.pop("headers", {}).items() if k.lower() != "authorization"}
    kwargs.pop("timeout", None)
    kwargs.pop("allow_redirects", None)
    return requests.Request(headers={**sent, **headers}, **kwargs).prepare()


def test_every_operation_is_covered() -> None:
    """The schema lists every route of the API (no operation silently left out)."""
    assert len(OPERATIONS) >= 30
    assert "GET /api/v1/cases/{case_id}" in OPERATIONS


@pytest.mark.parametrize("label", sorted(OPERATIONS))
async def test_no_server_error(client: httpx.AsyncClient, login: Login, label: str) -> None:
    """Valid and schema-breaking requests, as admin and as an unrelated township: no 5xx."""
    failures: list[str] = []
    for username in USERS:
        headers = await signed_in(login, username)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for case in generated(label, mode):
                prepared = request_of(case, headers)
                assert prepared.method is not None
                assert prepared.url is not None
                response = await client.request(
                    prepared.method,
                    prepared.url,
                    content=prepared.body,
                    headers=dict(prepared.headers),
                )
                if response.status_code >= 500:
                    failures.append(
                        f"{username} {mode.value}: {prepared.method} {prepared.url} "
                        f"body={prepared.body!r:.300} -> {response.status_code}"
                    )
    assert not failures, "\n".join(failures)
