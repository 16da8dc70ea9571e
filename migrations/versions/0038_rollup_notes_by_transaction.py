"""The rollups' notes read and emptied by their own transaction's id (issue 17, reports
under stamps).

Migration 0036 notes a writing transaction's signed rows in ``report_facts_pending`` and
``report_cases_pending`` and folds them at commit with ``SELECT * FROM`` and ``DELETE FROM`` the
whole table: only the transaction's own rows are visible to it, but the scan reads every page,
dead rows included. Every fold leaves its rows dead until a VACUUM; a read-model rebuild
(``infofirst report rebuild``, a migration's) leaves millions. Measured on 300,000 synthetic
cases right after the benchmark's reload of the read model: 252 MB of dead notes, and every
stamp's commit took 330-365 ms (0.9 ms on the same data without them) until the table was
vacuumed: with autovacuum off, never.

Now each note carries its transaction's id (``tx``, ``pg_current_xact_id()`` by default: the
top-level transaction's, savepoints included) under an index, and the fold reads and deletes
``WHERE tx = pg_current_xact_id()``: its cost follows its own rows, not the dead ones. The note
triggers are unchanged (their positional INSERT fills ``tx`` by its default). The fold function
is 0036's with only the notes' reads and deletes changed (its upserts frozen copies).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCK_ID = 1701170117
SHARED = f"PERFORM pg_advisory_xact_lock_shared({LOCK_ID});"

# The rollups' upserts from a set of signed rows ({rows}), frozen copies of 0031's and 0034's.
ROLLUP_KEY = "drill, pathway, name, month, facility_id, minutes"
ROLLUP_DELTA = f"""
INSERT INTO report_rollup AS r ({ROLLUP_KEY}, rows, judged, met)
SELECT {ROLLUP_KEY}, sum(s), sum(s * (met IS NOT NULL)::int), sum(s * coalesce(met, false)::int)
FROM ({{rows}}) AS d ({ROLLUP_KEY}, met, s)
GROUP BY {ROLLUP_KEY} ORDER BY {ROLLUP_KEY}
ON CONFLICT ({ROLLUP_KEY}) DO UPDATE
  SET rows = r.rows + excluded.rows, judged = r.judged + excluded.judged,
      met = r.met + excluded.met
"""  # noqa: S608 - fixed fragments
BIN_KEY = "drill, pathway, name, month, facility_id, bin"
BIN_DELTA = f"""
INSERT INTO report_rollup_bins AS r ({BIN_KEY}, rows, total, judged, met)
SELECT {BIN_KEY}, sum(s), sum(s * coalesce(minutes, 0)), sum(s * (met IS NOT NULL)::int),
       sum(s * coalesce(met, false)::int)
FROM ({{rows}}) AS d (drill, pathway, name, month, facility_id, minutes, met, s)
CROSS JOIN LATERAL (SELECT CASE WHEN d.minutes >= 0 THEN floor(d.minutes)::bigint
                                WHEN d.minutes < 0 THEN -1 END) AS b (bin)
GROUP BY {BIN_KEY} ORDER BY {BIN_KEY}
ON CONFLICT ({BIN_KEY}) DO UPDATE
  SET rows = r.rows + excluded.rows, total = r.total + excluded.total,
      judged = r.judged + excluded.judged, met = r.met + excluded.met
"""  # noqa: S608 - fixed fragments
QUALITY_KEY = "drill, pathway, month, facility_id"
QUALITY_DELTA = f"""
INSERT INTO report_quality AS r ({QUALITY_KEY}, cases, missing, out_of_order, clock_skew,
                                 corrections, with_findings)
SELECT d.drill, d.pathway, d.month, k.facility_id, sum(d.s), sum(d.s * d.missing),
       sum(d.s * d.out_of_order), sum(d.s * d.clock_skew), sum(d.s * d.corrections),
       sum(d.s * (d.missing + d.out_of_order + d.clock_skew + d.corrections > 0)::int)
FROM ({{rows}}) AS d (drill, pathway, month, facilities, missing, out_of_order, clock_skew,
                      corrections, s)
CROSS JOIN LATERAL unnest(ARRAY['*']::varchar(64)[] || d.facilities) AS k (facility_id)
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
ON CONFLICT ({QUALITY_KEY}) DO UPDATE
  SET cases = r.cases + excluded.cases, missing = r.missing + excluded.missing,
      out_of_order = r.out_of_order + excluded.out_of_order,
      clock_skew = r.clock_skew + excluded.clock_skew,
      corrections = r.corrections + excluded.corrections,
      with_findings = r.with_findings + excluded.with_findings
"""  # noqa: S608 - fixed fragments

OWN = "tx = pg_current_xact_id()"
FACTS = "drill, pathway, name, month, facility_id, minutes, met, s"
CASES = "drill, pathway, month, facilities, missing, out_of_order, clock_skew, corrections, s"


def _fold(facts: str, cases: str, facts_where: str, cases_where: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION report_rollup_fold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {SHARED}
  DELETE FROM report_rollup_fold WHERE tx = NEW.tx;
  {ROLLUP_DELTA.format(rows=facts)};
  {BIN_DELTA.format(rows=facts)};
  DELETE FROM report_facts_pending{facts_where};
  {QUALITY_DELTA.format(rows=cases)};
  DELETE FROM report_cases_pending{cases_where};
  RETURN NULL;
END $$
"""  # noqa: S608 - fixed fragments


def upgrade() -> None:
    for table in ("report_facts_pending", "report_cases_pending"):
        # a stable default is evaluated once: no rewrite (no note is live between transactions)
        op.execute(f"ALTER TABLE {table} ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()")
        op.execute(f"CREATE INDEX ix_{table}_tx ON {table} (tx)")
    op.execute(
        _fold(
            f"SELECT {FACTS} FROM report_facts_pending WHERE {OWN}",  # noqa: S608 - fixed
            f"SELECT {CASES} FROM report_cases_pending WHERE {OWN}",  # noqa: S608 - fixed
            f" WHERE {OWN}",
            f" WHERE {OWN}",
        )
    )


def downgrade() -> None:
    op.execute(
        _fold("SELECT * FROM report_facts_pending", "SELECT * FROM report_cases_pending", "", "")
    )
    for table in ("report_facts_pending", "report_cases_pending"):
        op.execute(f"DROP INDEX ix_{table}_tx")
        op.execute(f"ALTER TABLE {table} DROP COLUMN tx")
