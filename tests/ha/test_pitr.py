"""Continuous archiving and point-in-time recovery on the HA lab (issue 17): the backup that
replaces the nightly dump.

A full pgBackRest backup of the primary, then alert A, the time noted, alert B; the WAL is
archived as it fills (``archive_command`` = pgBackRest's ``archive-push`` on every node).
Restored to the noted time in a fresh data directory on a port of its own: A is there, B is
not. Measured: the backup's and the restore's seconds (the demo county's database).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.ha import backup
from tests.ha.clients import API, SENDER, open_case, report, sign_in
from tests.ha.lab import Lab, node_url


async def post_alert(
    http: httpx.AsyncClient, api: str, headers: dict[str, str], case_id: int, key: str
) -> None:
    body = {
        "case_id": case_id,
        "to_facility_id": "county-hospital",
        "pathway": "stemi",
        "summary": f"PITR {key}",
        "vitals": {"hr": 95},
        "eta_minutes": 20,
    }
    response = await http.post(
        f"{api}{API}/alerts", json=body, headers={**headers, "Idempotency-Key": key}
    )
    assert 201 == response.status_code, response.text


async def keys_on(port: int, keys: list[str]) -> set[str]:
    """Which of ``keys`` have an alert on the server at ``port``."""
    connection = await asyncpg.connect(node_url(port), timeout=10)
    try:
        rows = await connection.fetch(
            "SELECT idempotency_key FROM alerts WHERE idempotency_key = ANY($1::text[])", keys
        )
    finally:
        await connection.close(timeout=5)
    return {str(row[0]) for row in rows}


async def switch_and_archive(port: int) -> None:
    """Close the current WAL segment and wait until the archiver has it (≤ 60 s)."""
    connection = await asyncpg.connect(node_url(port), timeout=10)
    try:
        segment = await connection.fetchval("SELECT pg_walfile_name(pg_switch_wal())")
        for _ in range(300):
            done = await connection.fetchval(
                "SELECT last_archived_wal >= $1 FROM pg_stat_archiver", segment
            )
            if done:
                return
            await asyncio.sleep(0.2)
    finally:
        await connection.close(timeout=5)
    raise TimeoutError(f"WAL segment {segment} not archived within 60 s")


@pytest.mark.timeout(900)
async def test_point_in_time_recovery(lab: Lab, http: httpx.AsyncClient) -> None:
    """Restored to a time between two alerts: the first is there, the second is not."""
    api = lab.apis[0].url
    primary, _ = await asyncio.to_thread(lab.settled)
    sender = await sign_in(http, api, SENDER)
    case_id = await open_case(http, api, sender)
    figures: dict[str, Any] = {}
    key_a, key_b = f"pitr-a-{uuid.uuid4()}", f"pitr-b-{uuid.uuid4()}"
    try:
        label, backup_s = await asyncio.to_thread(backup.full_backup, primary.backup_config)
        figures["pitr_backup_s"] = round(backup_s, 2)
        await post_alert(http, api, sender, case_id, key_a)
        connection = await asyncpg.connect(node_url(primary.pg_port), timeout=10)
        try:
            target = str(await connection.fetchval("SELECT clock_timestamp()::text"))
        finally:
            await connection.close(timeout=5)
        await post_alert(http, api, sender, case_id, key_b)
        await switch_and_archive(primary.pg_port)
        _, restore_s = await asyncio.to_thread(backup.restore_to_time, lab.base, label, target)
        figures["pitr_restore_s"] = round(restore_s, 2)
        restored = await keys_on(backup.RESTORE_PORT, [key_a, key_b])
        figures["pitr_a_restored"] = key_a in restored
        figures["pitr_b_absent"] = key_b not in restored
    finally:
        report(figures)
        await asyncio.to_thread(backup.stop_restored, lab.base)

    assert {key_a, key_b} == await keys_on(primary.pg_port, [key_a, key_b])  # both on the primary
    assert figures["pitr_a_restored"], figures
    assert figures["pitr_b_absent"], figures
