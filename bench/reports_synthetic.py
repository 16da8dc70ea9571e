"""Synthetic cases for the reports benchmark (合成数据, benchmark only): bench/reports.py.

A few thousand template cases are drawn at random (STEMI transfers from township units,
walk-ins and ambulance cases at the PCI hospitals, strokes with and without a transfer for
thrombectomy, chest pain; times to the second; missing stamps, corrections, out-of-order and
clock-skew findings, drills) and their read-model rows are computed by the pure modules; each
of the N cases is one template moved to its own moment of 2025 (seeded hashes of the case
number), written with INSERT … SELECT over generate_series: cases, case_events and the read
model, in batches of a million cases (the plan of each batch a temporary table: memory stays
bounded at any case count). The demo county's facilities are loaded for the keys.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from dispatch import migrate
from dispatch.cases.intervals import Stamp
from dispatch.cases.pathways import load_pathways
from dispatch.demo.county import build_demo_county
from dispatch.demo.load import load_demo
from dispatch.reports.facts import (
    CaseInput,
    EventNote,
    ReportCaseFacts,
    facilities_of,
    report_case_facts,
)
from dispatch.reports.rates import load_rates
from dispatch.reports.rollup import REBUILD_SQL

ZONE = "Asia/Shanghai"
TZ = ZoneInfo(ZONE)
T0 = datetime(2025, 1, 1, tzinfo=TZ)
GENERATOR_VERSION = 2
SEED = 7
DROPPED = ("ix_case_events_case_at", "ix_report_facts_ref_at", "ix_report_facts_outside",
           "ix_report_facts_rank", "ix_report_cases_ref_at", "ix_cases_status_created",
           "idx_cases_location")  # fmt: skip


@dataclass(frozen=True)
class Row:
    milestone: str
    off_s: int
    facility: str | None = None
    flags: tuple[str, ...] = ()
    corrects: int | None = None


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Draw:
    """Random times in seconds for one template."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def minutes(self, mean: float, spread: float = 0.5) -> int:
        """A lognormal duration around ``mean`` minutes, in whole seconds."""
        return max(30, int(self.rng.lognormvariate(0, spread) * mean * 60))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def _stemi(d: Draw, townships: list[str], pci: list[str]) -> list[Row]:
    kind = d.rng.choices(("transfer", "walk_in", "ambulance"), (0.5, 0.3, 0.2))[0]
    dest = d.rng.choice(pci)
    rows: list[Row] = []
    if d.chance(0.7):
        rows.append(Row("symptom_onset", -d.minutes(120, 0.8)))
    t = 0
    if kind == "ambulance":
        rows += [Row("call_received", -d.minutes(30)), Row("unit_notified", -d.minutes(28))]
        rows.append(Row("unit_on_scene", -60))
        first = None
    else:
        first = d.rng.choice(townships) if kind == "transfer" else dest
        rows.append(Row("facility_arrival", 0, first))
    rows.append(Row("first_medical_contact", t, first))
    ecg = t + d.minutes(7)
    rows.append(Row("first_ecg", ecg, first))
    if kind != "walk_in" and d.chance(0.65):
        rows.append(Row("ecg_transmitted", ecg + d.minutes(3)))
    diagnosis = ecg + d.minutes(8)
    rows.append(Row("diagnosis", diagnosis))
    critical = diagnosis + d.minutes(2)
    rows.append(Row("critical_value_reported", critical, first))
    lysis = kind == "transfer" and d.chance(0.15)
    if lysis:
        rows.append(Row("thrombolysis_start", diagnosis + d.minutes(25), first))
    rows.append(Row("cathlab_activated", critical + d.minutes(5), dest))
    door = critical + d.minutes(40)
    if kind == "transfer":
        leave = d.minutes(35)
        rows.append(Row("facility_departure", leave, first))
        door = leave + d.minutes(35)
    elif kind == "ambulance":
        rows.append(Row("unit_left_scene", ecg + d.minutes(10)))
        door = ecg + d.minutes(40)
    if kind == "walk_in":
        door = 0
    else:
        rows.append(Row("facility_arrival", door, dest))
    if d.chance(0.8 if kind == "walk_in" else 0.35):
        rows.append(Row("ed_arrival", door + d.minutes(3), dest))
    rows.append(Row("cathlab_ready", critical + d.minutes(28, 0.4), dest))
    lab = door + d.minutes(20)
    rows += [Row("cathlab_arrival", lab, dest), Row("arterial_puncture", lab + d.minutes(12), dest)]
    if not lysis or d.chance(0.5):
        rows.append(Row("wire_crossing", lab + d.minutes(25), dest))
    return rows


def _stroke(d: Draw, county: str, city: str) -> list[Row]:
    rows = [Row("facility_arrival", 0, county), Row("first_medical_contact", 0, county)]
    ct = d.minutes(20)
    rows.append(Row("ct_start", ct, county))
    if d.chance(0.9):
        rows.append(Row("ct_read", ct + d.minutes(15), county))
    if d.chance(0.5):
        rows.append(Row("thrombolysis_start", d.minutes(50, 0.4), county))
    if d.chance(0.3):
        leave = d.minutes(60)
        arrive = leave + d.minutes(50)
        rows += [Row("facility_departure", leave, county), Row("facility_arrival", arrive, city)]
        rows.append(Row("arterial_puncture", arrive + d.minutes(35), city))
    return rows


def _chest_pain(d: Draw, townships: list[str]) -> list[Row]:
    first = d.rng.choice(townships)
    ecg = d.minutes(8)
    return [
        Row("facility_arrival", 0, first), Row("first_medical_contact", 0, first),
        Row("first_ecg", ecg, first), Row("diagnosis", ecg + d.minutes(10)),
        Row("facility_departure", d.minutes(40), first),
    ]  # fmt: skip


def _blemishes(d: Draw, rows: list[Row]) -> list[Row]:
    """Data-quality findings: a missing stamp, a correction, disorder, clock skew."""
    if d.chance(0.05) and len(rows) > 4:
        rows.pop(d.rng.randrange(2, len(rows)))
    if d.chance(0.03):
        index = d.rng.randrange(1, len(rows))
        old = rows[index]
        rows.append(
            Row(old.milestone, old.off_s - 60 * d.rng.randint(1, 4), old.facility, (), index)
        )
    if d.chance(0.02):
        index = d.rng.randrange(len(rows))
        rows[index] = Row(
            rows[index].milestone, rows[index].off_s, rows[index].facility, ("clock_skew",)
        )
    for index, row in enumerate(rows):
        if row.milestone == "diagnosis" and d.chance(0.02):
            ecg = next((r.off_s for r in rows if r.milestone == "first_ecg"), row.off_s)
            rows[index] = Row("diagnosis", ecg - 90, row.facility, ("out_of_order",))
    return rows


def templates(count: int, seed: int) -> list[tuple[str, bool, list[Row]]]:
    """Synthetic template cases: (pathway, drill, stamps as offsets from first contact)."""
    county = build_demo_county()
    townships = [f.id for f in county.facilities if f.kind == "township_unit"]
    pci = [f.id for f in county.facilities if "pci" in f.capabilities]
    rng = random.Random(seed)
    d = Draw(rng)
    found = []
    for _ in range(count):
        pathway = rng.choices(("stemi", "stroke", "chest_pain"), (0.65, 0.25, 0.10))[0]
        if pathway == "stemi":
            rows = _stemi(d, townships, pci)
        elif pathway == "stroke":
            rows = _stroke(d, "county-hospital", "city-hospital")
        else:
            rows = _chest_pain(d, townships)
        found.append((pathway, d.chance(0.01), _blemishes(d, rows)))
    return found


def template_facts(made: list[tuple[str, bool, list[Row]]]) -> list[ReportCaseFacts]:
    """Each template's read-model facts by the pure modules, anchored at T0."""
    county = build_demo_county()
    caps = {f.id: frozenset(f.capabilities) for f in county.facilities}
    pathways, rates = load_pathways(), load_rates()
    facts = []
    for number, (pathway, drill, rows) in enumerate(made):
        replaced = {r.corrects + 1 for r in rows if r.corrects is not None}
        data = CaseInput(
            number, pathway, drill, T0, None,
            tuple(EventNote(i + 1, r.milestone, r.flags,
                            None if r.corrects is None else r.corrects + 1)
                  for i, r in enumerate(rows)),
            tuple(Stamp(i + 1, r.milestone, T0 + timedelta(seconds=r.off_s), r.facility,
                        i + 1 in replaced)
                  for i, r in enumerate(rows)),
        )  # fmt: skip
        facts.append(report_case_facts(data, pathways[pathway], rates, caps))
    return facts


async def _copy_templates(
    conn: Any, made: list[tuple[str, bool, list[Row]]], facts: list[ReportCaseFacts]
) -> None:
    await conn.execute(
        "DROP TABLE IF EXISTS bench_templates, bench_template_events, bench_template_facts;"
        " CREATE TABLE bench_templates (template_id int PRIMARY KEY, pathway text, drill bool,"
        " facility_id text, ref_off_s double precision, missing int, out_of_order int,"
        " clock_skew int, corrections int, findings text[], facilities text[]);"
        " CREATE TABLE bench_template_events (template_id int, idx int, milestone text,"
        " off_s int, facility_id text, flags text[], supersedes_idx int);"
        " CREATE TABLE bench_template_facts (template_id int, name text, leg int,"
        " facility_id text, minutes double precision, target double precision, met bool,"
        " start_off_s double precision, end_off_s double precision)"
    )

    def offset(at: datetime | None) -> float | None:
        return None if at is None else (at - T0).total_seconds()

    await conn.copy_records_to_table("bench_templates", records=[
        (f.case_id, f.pathway, f.drill, f.facility_id, offset(f.ref_at), f.missing,
         f.out_of_order, f.clock_skew, f.corrections, list(f.findings), facilities_of(f))
        for f in facts
    ])  # fmt: skip
    await conn.copy_records_to_table("bench_template_events", records=[
        (number, i, r.milestone, r.off_s, r.facility, list(r.flags), r.corrects)
        for number, (_, _, rows) in enumerate(made) for i, r in enumerate(rows)
    ])  # fmt: skip
    await conn.copy_records_to_table("bench_template_facts", records=[
        (f.case_id, x.name, x.leg, x.facility_id, x.minutes, x.target_minutes, x.met,
         offset(x.start_at), offset(x.end_at)) for f in facts for x in f.facts
    ])  # fmt: skip


# The cases are written in batches of BATCH (case numbers [$1, $2)): the plan table and each
# statement's work stay bounded whatever the case count.
BATCH = 1_000_000
PLAN_SQL = """
CREATE TEMP TABLE plan AS
SELECT g::bigint AS case_id, (abs(hashint8(g::bigint)::bigint) % $3)::int AS template_id,
       86400 + abs(hashint8(-g::bigint)::bigint) % (363 * 86400) AS shift_s
FROM generate_series($1, $2 - 1) g
"""
FILL_SQL = (
    "INSERT INTO cases (id, pathway, status, drill, synthetic, location, input_crs, complaint,"
    " created_by, created_at) SELECT p.case_id, t.pathway, 'closed', t.drill, true,"
    " ST_SetSRID(ST_MakePoint(114.9, 33.45), 4326), 'wgs84', '合成基准', 'bench',"
    " $1::timestamptz + make_interval(secs => p.shift_s + t.ref_off_s)"
    " FROM plan p JOIN bench_templates t USING (template_id)",
    "INSERT INTO case_events (id, case_id, milestone, at, received_at, recorded_by, source,"
    " facility_id, note, supersedes, reason, flags) SELECT p.case_id * 64 + e.idx, p.case_id,"
    " e.milestone, $1::timestamptz + make_interval(secs => p.shift_s + e.off_s),"
    " $1::timestamptz + make_interval(secs => p.shift_s + e.off_s), 'bench', 'user',"
    " e.facility_id, '', p.case_id * 64 + e.supersedes_idx,"
    " CASE WHEN e.supersedes_idx IS NULL THEN '' ELSE 'synthetic correction' END, e.flags"
    " FROM plan p JOIN bench_template_events e USING (template_id)",
    "INSERT INTO report_cases (case_id, pathway, drill, facility_id, ref_at, month, missing,"
    " out_of_order, clock_skew, corrections, findings, facilities)"
    " SELECT p.case_id, t.pathway, t.drill,"
    " t.facility_id, $1::timestamptz + make_interval(secs => p.shift_s + t.ref_off_s),"
    " date_trunc('month', ($1::timestamptz + make_interval(secs => p.shift_s + t.ref_off_s))"
    " AT TIME ZONE 'Asia/Shanghai')::date, t.missing,"
    " t.out_of_order, t.clock_skew, t.corrections, t.findings, t.facilities"
    " FROM plan p JOIN bench_templates t USING (template_id)",
    "INSERT INTO report_facts (case_id, name, leg, pathway, drill, facility_id, ref_at, month,"
    " minutes, target_minutes, met, start_at, end_at) SELECT p.case_id, f.name, f.leg,"
    " t.pathway, t.drill, f.facility_id,"
    " $1::timestamptz + make_interval(secs => p.shift_s + t.ref_off_s),"
    " date_trunc('month', ($1::timestamptz + make_interval(secs => p.shift_s + t.ref_off_s))"
    " AT TIME ZONE 'Asia/Shanghai')::date, f.minutes, f.target, f.met,"
    " $1::timestamptz + make_interval(secs => p.shift_s + f.start_off_s),"
    " $1::timestamptz + make_interval(secs => p.shift_s + f.end_off_s)"
    " FROM plan p JOIN bench_templates t USING (template_id)"
    " JOIN bench_template_facts f USING (template_id)",
)


def prepare(url: str, cases: int, templates_n: int) -> dict[str, Any]:
    """The database with the cases (generated once; reused while the plan is the same)."""
    migrate.upgrade(url)  # before our own event loop: it runs its own
    return asyncio.run(_fill(url, cases, templates_n))


async def _fill(url: str, cases: int, templates_n: int) -> dict[str, Any]:
    engine = create_async_engine(url)
    async with async_sessionmaker(engine)() as db, db.begin():
        await load_demo(db, build_demo_county())
    await engine.dispose()
    conn = await asyncpg.connect(dsn(url))
    wanted = f"v{GENERATOR_VERSION} seed {SEED} templates {templates_n} cases {cases}"
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (generated text, counts jsonb)")
        found = await conn.fetchrow("SELECT generated, counts FROM bench_meta")
        if found is not None and found["generated"] == wanted:
            return {"reused": True, **json.loads(found["counts"])}
        started = time.perf_counter()
        made = templates(templates_n, SEED)
        facts = template_facts(made)
        await conn.execute("SET synchronous_commit = off; SET maintenance_work_mem = '512MB'")
        async with conn.transaction():
            # Stamps refuse TRUNCATE: the owner lifts that for this statement's transaction.
            await conn.execute("ALTER TABLE case_events DISABLE TRIGGER USER")
            await conn.execute("TRUNCATE cases, bench_meta CASCADE")
            await conn.execute("ALTER TABLE case_events ENABLE TRIGGER USER")
            await _copy_templates(conn, made, facts)
            definitions = await conn.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY($1)", DROPPED
            )
            for row in definitions:
                await conn.execute(f'DROP INDEX "{row["indexname"]}"')
            await conn.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            for first in range(1, cases + 1, BATCH):
                await conn.execute(PLAN_SQL, first, min(cases + 1, first + BATCH), templates_n)
                for statement in FILL_SQL:
                    await conn.execute(statement, T0)
                await conn.execute("DROP TABLE plan")
            await conn.execute("SET LOCAL session_replication_role = origin")
            for row in definitions:
                await conn.execute(row["indexdef"])
            await conn.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), $1)", cases)
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('case_events', 'id'), $1)",
                cases * 64 + 64,
            )
        await conn.execute(
            "ANALYZE cases; ANALYZE case_events; ANALYZE report_cases; ANALYZE report_facts"
        )
        await conn.execute(REBUILD_SQL)  # the fill above bypassed the rollup's triggers
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            for table in ("cases", "case_events", "report_cases", "report_facts")
        }
        counts["generate_s"] = round(time.perf_counter() - started, 1)
        await conn.execute("INSERT INTO bench_meta VALUES ($1, $2)", wanted, json.dumps(counts))
        return {"reused": False, **counts}
    finally:
        await conn.close()
