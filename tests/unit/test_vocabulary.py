"""One vocabulary: its wire values, its named groups, and that schemas and tables agree with it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import CheckConstraint, Table

from units.importing import FacilityRow
from units.models import Ambulance, Facility, User
from units.schemas import FacilityPatch, StatusIn
from units.vocabulary import (
    ACTING_ROLES,
    AMBULANCE_STATUSES,
    CAPABILITIES,
    COORDINATOR_ROLES,
    FACILITY_KINDS,
    FACILITY_ROLES,
    FACILITY_STATUSES,
    READ_EVERYTHING_ROLES,
    RECORD_ANYWHERE_ROLES,
    ROLES,
    Role,
)

# The strings of the API contract: these go over the wire and into the database, unchanged.
CONTRACT_KINDS = (
    "ambulance_station",
    "village_clinic",
    "township_unit",
    "county_hospital",
    "city_hospital",
)
CONTRACT_CAPABILITIES = (
    "ecg12",
    "ecg_transmit",
    "thrombolysis",
    "pci",
    "pci_24_7",
    "ct",
    "stroke_thrombolysis",
    "thrombectomy",
)
CONTRACT_ROLES = (
    "admin", "dispatcher", "crew", "township", "cathlab", "auditor", "data_manager", "ecg_reader",
)  # fmt: skip


def test_the_wire_values_are_the_contracts() -> None:
    """Kinds, capabilities and roles are exactly the contract's strings, in its order."""
    assert CONTRACT_KINDS == FACILITY_KINDS
    assert CONTRACT_CAPABILITIES == CAPABILITIES
    assert CONTRACT_ROLES == ROLES
    assert ("ready", "busy", "offline") == FACILITY_STATUSES


def test_the_named_groups_mean_what_they_say() -> None:
    """Facility teams, overseers, coordinators and actors are the roles the checks expect."""
    assert {"township", "cathlab"} == FACILITY_ROLES
    assert {"admin", "dispatcher", "auditor", "data_manager"} == READ_EVERYTHING_ROLES
    assert {"admin", "dispatcher"} == COORDINATOR_ROLES
    assert {"admin", "dispatcher", "crew", "township", "cathlab", "data_manager"} == ACTING_ROLES
    assert {"admin", "data_manager"} == RECORD_ANYWHERE_ROLES
    assert COORDINATOR_ROLES <= READ_EVERYTHING_ROLES
    assert "township" in FACILITY_ROLES  # a plain string from the database finds its member


def _accepted(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values a schema field accepts, as its JSON schema states them."""
    schema = model.model_json_schema()
    prop: dict[str, Any] = schema["properties"][field]
    for option in prop.get("anyOf", [prop]):
        target = option.get("items", option)
        if "$ref" in target:
            enum: list[str] = schema["$defs"][target["$ref"].rsplit("/", 1)[-1]]["enum"]
            return tuple(enum)
    raise AssertionError(f"{model.__name__}.{field} states no values")


@pytest.mark.parametrize(
    ("model", "field", "vocabulary"),
    [
        (FacilityPatch, "capabilities", CAPABILITIES),
        (FacilityPatch, "status", FACILITY_STATUSES),
        (StatusIn, "status", AMBULANCE_STATUSES),
        (FacilityRow, "kind", FACILITY_KINDS),
        (FacilityRow, "capabilities", CAPABILITIES),
        (FacilityRow, "status", FACILITY_STATUSES),
    ],
)
def test_the_schemas_accept_exactly_the_vocabulary(
    model: type[BaseModel], field: str, vocabulary: tuple[str, ...]
) -> None:
    """Each schema field states the vocabulary's values, in its order."""
    assert vocabulary == _accepted(model, field)


def test_the_schemas_hand_on_plain_strings() -> None:
    """Validated values are the plain strings the database holds, not enum members."""
    row = FacilityRow.model_validate(
        {"id": "th-x", "kind": "township_unit", "name_zh": "某镇", "capabilities": "ecg12, pci"}
    )
    patch = FacilityPatch.model_validate({"capabilities": ["ct"], "status": "busy"})
    values = [row.kind, *row.capabilities, *(patch.capabilities or []), patch.status]
    assert [str] * 5 == [type(value) for value in values]
    assert ["township_unit", "ecg12", "pci", "ct", "busy"] == values


def test_a_word_outside_the_vocabulary_is_refused() -> None:
    """A misspelt capability or kind does not validate."""
    with pytest.raises(ValidationError, match="Input should be 'ecg12'"):
        FacilityPatch.model_validate({"capabilities": ["PCI"]})
    with pytest.raises(ValidationError, match="kind"):
        FacilityRow.model_validate({"id": "th-x", "kind": "hospital", "name_zh": "某镇"})


def _check(table: Any, name: str) -> str:
    assert isinstance(table, Table)
    full = f"ck_{table.name}_{name}"  # the metadata's naming convention
    found = [c for c in table.constraints if isinstance(c, CheckConstraint) and c.name == full]
    assert 1 == len(found), f"{table.name} has no CHECK constraint {name}"
    return str(found[0].sqltext)


def quoted(sql: str) -> tuple[str, ...]:
    """The quoted words of a CHECK constraint, in order."""
    return tuple(re.findall(r"'([a-z0-9_]+)'", sql))


@pytest.mark.parametrize(
    ("table", "name", "vocabulary"),
    [
        (Facility.__table__, "kind", FACILITY_KINDS),
        (Facility.__table__, "status", FACILITY_STATUSES),
        (Ambulance.__table__, "status", AMBULANCE_STATUSES),
        (User.__table__, "role", ROLES),
        (User.__table__, "facility", tuple(r for r in Role if r in FACILITY_ROLES)),
        (User.__table__, "ambulance", (Role.crew,)),
    ],
)
def test_the_tables_checks_are_built_from_the_vocabulary(
    table: Any, name: str, vocabulary: tuple[str, ...]
) -> None:
    """The models' CHECK constraints list the vocabulary's values (the migration: see
    tests/integration/test_vocabulary_db.py)."""
    assert vocabulary == quoted(_check(table, name))
