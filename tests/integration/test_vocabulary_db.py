"""The migrated database's CHECK constraints agree with the vocabulary (units/vocabulary.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.unit.test_vocabulary import quoted
from units.vocabulary import (
    AMBULANCE_STATUSES,
    FACILITY_KINDS,
    FACILITY_ROLES,
    FACILITY_STATUSES,
    ROLES,
    Role,
)


@pytest.mark.parametrize(
    ("table", "constraint", "vocabulary"),
    [
        ("facilities", "ck_facilities_kind", FACILITY_KINDS),
        ("facilities", "ck_facilities_status", FACILITY_STATUSES),
        ("ambulances", "ck_ambulances_status", AMBULANCE_STATUSES),
        ("users", "ck_users_role", ROLES),
        ("users", "ck_users_facility", tuple(r for r in Role if r in FACILITY_ROLES)),
        ("users", "ck_users_ambulance", (Role.crew,)),
    ],
)
async def test_the_database_checks_list_the_vocabulary(
    engine: AsyncEngine, table: str, constraint: str, vocabulary: tuple[str, ...]
) -> None:
    """Each CHECK constraint the migrations made allows exactly the vocabulary's words."""
    # The migration's names went through the naming convention once more (ck_users_ck_users_role).
    async with engine.connect() as connection:
        definitions = (
            await connection.scalars(
                text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = CAST(:table AS regclass) AND contype = 'c'"
                    " AND conname LIKE '%' || :name"
                ),
                {"table": table, "name": constraint},
            )
        ).all()
    assert 1 == len(definitions), f"{table}: no single CHECK constraint named like {constraint}"
    assert vocabulary == quoted(definitions[0])
