"""The report rollups folded at commit, not by every writing statement (issue 17, the load).

Until now the statement triggers of 0031/0034 upserted report_rollup, report_rollup_bins and
report_quality at once, under one transaction-level advisory lock (so that two stamps never
locked rollup rows in crossing orders). A stamp takes that lock in the middle of its request
(the read model's refresh) and holds it to its commit, across the rest of the handler, the
audit entry (whose chain lock it then waits for) and the synchronous standby's answer: under
the full field load 10-27 stamps and alerts queued on it.

Now the statement triggers only note the signed rows (``report_facts_pending``,
``report_cases_pending``: unlogged, written and emptied by the same transaction, never seen by
another) and mark the transaction (``report_rollup_fold``, one row per transaction id); a
deferred constraint trigger on that mark folds the notes into the three rollups when the
transaction commits: rollup, bins, quality, in that order, each in key order, so two folds
never wait on each other in a cycle and need no exclusive lock (they share the advisory lock
that a rebuild or a truncate takes exclusively). A rollup row is locked from the fold to the
commit only. A transaction that reads a rollup after writing (a test, a report in the same
request) folds first: ``SET CONSTRAINTS report_rollup_fold IMMEDIATE`` runs the deferred fold
at once (``dispatch.reports.rollup.fold_pending``).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCK_ID = 1701170117
EXCLUSIVE = f"PERFORM pg_advisory_xact_lock({LOCK_ID});"
SHARED = f"PERFORM pg_advisory_xact_lock_shared({LOCK_ID});"

# The signed rows (+1 written, -1 removed) of a statement, as 0031/0034 summed them.
FACT_COLUMNS = "drill, pathway, name, month, coalesce(facility_id, ''), minutes, met"
CASE_COLUMNS = "drill, pathway, month, facilities, missing, out_of_order, clock_skew, corrections"
SIGNED = {
    "insert": "SELECT {columns}, 1 FROM new_rows",
    "delete": "SELECT {columns}, -1 FROM old_rows",
    "update": "SELECT {columns}, 1 FROM new_rows UNION ALL SELECT {columns}, -1 FROM old_rows",
}
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
}

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

MARK = "INSERT INTO report_rollup_fold (tx) VALUES (txid_current()) ON CONFLICT DO NOTHING;"
FACTS_PENDING = "SELECT * FROM report_facts_pending"
CASES_PENDING = "SELECT * FROM report_cases_pending"
FOLD = f"""
CREATE FUNCTION report_rollup_fold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {SHARED}
  DELETE FROM report_rollup_fold WHERE tx = NEW.tx;
  {ROLLUP_DELTA.format(rows=FACTS_PENDING)};
  {BIN_DELTA.format(rows=FACTS_PENDING)};
  DELETE FROM report_facts_pending;
  {QUALITY_DELTA.format(rows=CASES_PENDING)};
  DELETE FROM report_cases_pending;
  RETURN NULL;
END $$
"""  # noqa: S608 - fixed fragments

# (the rollup, which is its triggers' prefix; the signed rows' columns; the notes' table; the
# rollup's upsert, as the triggers ran it before)
NOTED = (
    ("report_rollup", FACT_COLUMNS, "report_facts_pending", ROLLUP_DELTA),
    ("report_quality", CASE_COLUMNS, "report_cases_pending", QUALITY_DELTA),
)


def _replace(prefix: str, event: str, body: str) -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION {prefix}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {body} RETURN NULL; END $$"
    )


def _drop_bin_triggers() -> None:
    """report_rollup_bins' own statement triggers on report_facts (0034): the fold counts the
    bins from the facts' notes."""
    for event in SIGNED:
        op.execute(f"DROP TRIGGER report_rollup_bins_{event} ON report_facts")
        op.execute(f"DROP FUNCTION report_rollup_bins_{event}()")


def _create_bin_triggers() -> None:
    """The bins' triggers of 0034 again (downgrade)."""
    for event, rows in SIGNED.items():
        upsert = BIN_DELTA.format(rows=rows.format(columns=FACT_COLUMNS))
        op.execute(
            f"CREATE FUNCTION report_rollup_bins_{event}() RETURNS trigger LANGUAGE plpgsql"
            f" AS $$ BEGIN {EXCLUSIVE} {upsert}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER report_rollup_bins_{event} AFTER {event.upper()} ON report_facts"
            f" REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT"
            f" EXECUTE FUNCTION report_rollup_bins_{event}()"
        )


def upgrade() -> None:
    op.execute(
        "CREATE UNLOGGED TABLE report_facts_pending (drill boolean NOT NULL,"
        " pathway varchar(32) NOT NULL, name varchar(64) NOT NULL, month date NOT NULL,"
        " facility_id varchar(64) NOT NULL, minutes float8, met boolean, s integer NOT NULL)"
    )
    op.execute(
        "CREATE UNLOGGED TABLE report_cases_pending (drill boolean NOT NULL,"
        " pathway varchar(32) NOT NULL, month date NOT NULL,"
        " facilities varchar(64)[] NOT NULL, missing integer NOT NULL,"
        " out_of_order integer NOT NULL, clock_skew integer NOT NULL,"
        " corrections integer NOT NULL, s integer NOT NULL)"
    )
    op.execute("CREATE UNLOGGED TABLE report_rollup_fold (tx bigint PRIMARY KEY)")
    op.execute(FOLD)
    op.execute(
        "CREATE CONSTRAINT TRIGGER report_rollup_fold AFTER INSERT ON report_rollup_fold"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION report_rollup_fold()"
    )
    _drop_bin_triggers()
    for rollup, columns, pending, _ in NOTED:
        for event, rows in SIGNED.items():
            note = f"INSERT INTO {pending} {rows.format(columns=columns)};"
            _replace(rollup, event, f"{note} {MARK}")
        # a truncate empties the rollup at once, and this transaction's notes with it
        _replace(rollup, "truncate", f"{EXCLUSIVE} DELETE FROM {rollup}; DELETE FROM {pending};")  # noqa: S608


def downgrade() -> None:
    op.execute("SET CONSTRAINTS report_rollup_fold IMMEDIATE")
    for rollup, columns, _pending, upsert in NOTED:
        for event, rows in SIGNED.items():
            _replace(
                rollup, event, f"{EXCLUSIVE} {upsert.format(rows=rows.format(columns=columns))};"
            )
        _replace(rollup, "truncate", f"{EXCLUSIVE} DELETE FROM {rollup};")  # noqa: S608
    _create_bin_triggers()
    op.execute("DROP TRIGGER report_rollup_fold ON report_rollup_fold")
    op.execute("DROP FUNCTION report_rollup_fold()")
    op.execute("DROP TABLE report_rollup_fold, report_facts_pending, report_cases_pending")
