"""The whole-month report's last reads that grew with the case count, as rollups kept in the
writing statement's transaction (issue 17):

- report_quality: report_cases counted by (drill, pathway, month, facility), kept by triggers
  on report_cases: a whole-month report no longer counts every case for its data quality.
- report_rollup_bins: report_rollup (0031) by whole-minute bin instead of by value, kept by
  triggers on report_facts: the histogram pass reads at most one row per minute of the range
  per metric, month and facility, whatever the distinct values (which grow with the cases:
  times are to the second), and only the located bins are read in report_rollup.

A facility's report counts the cases that name it (the case's facility or a fact's): the
case row now carries that set (``report_cases.facilities``), so the rollup follows report_cases
alone; each case counts once under ``*`` (every facility) and once under each facility of its
set.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "drill, pathway, month, facility_id"
COUNTS = "cases, missing, out_of_order, clock_skew, corrections, with_findings"
# A case's contribution, signed (+1 a row written, -1 a row removed), under '*' and under
# each facility it names.
DELTA = f"""
INSERT INTO report_quality AS r ({KEY}, {COUNTS})
SELECT d.drill, d.pathway, d.month, k.facility_id, sum(d.s), sum(d.s * d.missing),
       sum(d.s * d.out_of_order), sum(d.s * d.clock_skew), sum(d.s * d.corrections),
       sum(d.s * (d.missing + d.out_of_order + d.clock_skew + d.corrections > 0)::int)
FROM ({{rows}}) AS d (drill, pathway, month, facilities, missing, out_of_order, clock_skew,
                      corrections, s)
CROSS JOIN LATERAL unnest(ARRAY['*']::varchar(64)[] || d.facilities) AS k (facility_id)
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
ON CONFLICT ({KEY}) DO UPDATE
  SET cases = r.cases + excluded.cases, missing = r.missing + excluded.missing,
      out_of_order = r.out_of_order + excluded.out_of_order,
      clock_skew = r.clock_skew + excluded.clock_skew,
      corrections = r.corrections + excluded.corrections,
      with_findings = r.with_findings + excluded.with_findings
"""  # noqa: S608 - fixed fragments
COLUMNS = "drill, pathway, month, facilities, missing, out_of_order, clock_skew, corrections"
NEW = f"SELECT {COLUMNS}, 1 FROM new_rows"  # noqa: S608 - fixed fragments
OLD = f"SELECT {COLUMNS}, -1 FROM old_rows"  # noqa: S608 - fixed fragments
# The same lock as the facts' rollup (0031): one rollup writer at a time, so two stamps never
# lock rollup rows in crossing orders; a stamp's statement takes it once for both tables.
LOCK = "PERFORM pg_advisory_xact_lock(1701170117);"
FUNCTIONS = {
    "insert": DELTA.format(rows=NEW),
    "delete": DELTA.format(rows=OLD),
    "update": DELTA.format(rows=f"{NEW} UNION ALL {OLD}"),
}
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
}
# Each case's facilities: its own and its facts' (the facility filter of queries._cases_filter).
FACILITIES = """
UPDATE report_cases c SET facilities = s.facilities
FROM (SELECT c.case_id,
             ARRAY(SELECT DISTINCT x FROM (SELECT c.facility_id UNION ALL
                   SELECT f.facility_id FROM report_facts f WHERE f.case_id = c.case_id) u (x)
                   WHERE x IS NOT NULL ORDER BY x)::varchar(64)[] AS facilities
      FROM report_cases c) s
WHERE s.case_id = c.case_id AND s.facilities <> '{}'
"""
REBUILD = f"""
INSERT INTO report_quality ({KEY}, {COUNTS})
SELECT c.drill, c.pathway, c.month, k.facility_id, count(*), sum(c.missing),
       sum(c.out_of_order), sum(c.clock_skew), sum(c.corrections),
       count(*) FILTER (WHERE c.missing + c.out_of_order + c.clock_skew + c.corrections > 0)
FROM report_cases c CROSS JOIN LATERAL unnest(ARRAY['*']::varchar(64)[] || c.facilities)
  AS k (facility_id)
GROUP BY 1, 2, 3, 4
"""  # noqa: S608 - fixed fragments


# report_rollup_bins: a fact's contribution to its whole-minute bin (NULL: no minutes; -1:
# negative), as rollup.CELLS_SQL bins the values of report_rollup.
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
FACT_COLUMNS = "drill, pathway, name, month, coalesce(facility_id, ''), minutes, met"
BIN_FUNCTIONS = {
    "insert": BIN_DELTA.format(rows=f"SELECT {FACT_COLUMNS}, 1 FROM new_rows"),
    "delete": BIN_DELTA.format(rows=f"SELECT {FACT_COLUMNS}, -1 FROM old_rows"),
    "update": BIN_DELTA.format(
        rows=f"SELECT {FACT_COLUMNS}, 1 FROM new_rows UNION ALL"
        f" SELECT {FACT_COLUMNS}, -1 FROM old_rows"
    ),
}
BIN_REBUILD = f"""
INSERT INTO report_rollup_bins ({BIN_KEY}, rows, total, judged, met)
SELECT drill, pathway, name, month, facility_id, bin, sum(rows), sum(coalesce(minutes, 0) * rows),
       sum(judged), sum(met)
FROM report_rollup CROSS JOIN LATERAL (SELECT CASE WHEN minutes >= 0 THEN floor(minutes)::bigint
                                       WHEN minutes < 0 THEN -1 END) AS b (bin)
GROUP BY 1, 2, 3, 4, 5, 6
"""  # noqa: S608 - fixed fragments


def _statement_triggers(
    prefix: str, table: str, functions: dict[str, str], truncate: str
) -> None:
    """``prefix``_insert/_update/_delete (with their transition tables) and _truncate on
    ``table``, each taking the rollups' lock first."""
    for event, body in functions.items():
        op.execute(
            f"CREATE FUNCTION {prefix}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {LOCK} {body}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {prefix}_{event} AFTER {event.upper()} ON {table}"
            f" REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT"
            f" EXECUTE FUNCTION {prefix}_{event}()"
        )
    op.execute(
        f"CREATE FUNCTION {prefix}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {LOCK} {truncate}; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {prefix}_truncate AFTER TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_truncate()"
    )


def _drop_triggers(prefix: str, table: str) -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER {prefix}_{event} ON {table}")
        op.execute(f"DROP FUNCTION {prefix}_{event}()")


def upgrade() -> None:
    op.execute(
        "ALTER TABLE report_cases ADD COLUMN facilities varchar(64)[] NOT NULL DEFAULT '{}'"
    )
    op.execute(FACILITIES)
    op.execute(
        """
        CREATE TABLE report_quality (
          drill boolean NOT NULL,
          pathway varchar(32) NOT NULL,
          month date NOT NULL,
          facility_id varchar(64) NOT NULL,
          cases bigint NOT NULL,
          missing bigint NOT NULL,
          out_of_order bigint NOT NULL,
          clock_skew bigint NOT NULL,
          corrections bigint NOT NULL,
          with_findings bigint NOT NULL,
          PRIMARY KEY (drill, pathway, month, facility_id)
        )
        """
    )
    _statement_triggers(
        "report_quality", "report_cases", FUNCTIONS, "DELETE FROM report_quality"
    )
    op.execute(REBUILD)
    op.execute("ANALYZE report_quality")
    op.execute(
        """
        CREATE TABLE report_rollup_bins (
          drill boolean NOT NULL,
          pathway varchar(32) NOT NULL,
          name varchar(64) NOT NULL,
          month date NOT NULL,
          facility_id varchar(64) NOT NULL,
          bin bigint,
          rows bigint NOT NULL,
          total float8 NOT NULL,
          judged bigint NOT NULL,
          met bigint NOT NULL
        )
        """
    )
    op.execute(
        f"CREATE UNIQUE INDEX ux_report_rollup_bins ON report_rollup_bins ({BIN_KEY})"
        " NULLS NOT DISTINCT"
    )
    _statement_triggers(
        "report_rollup_bins", "report_facts", BIN_FUNCTIONS, "DELETE FROM report_rollup_bins"
    )
    op.execute(BIN_REBUILD)
    op.execute("ANALYZE report_rollup_bins")


def downgrade() -> None:
    _drop_triggers("report_rollup_bins", "report_facts")
    op.execute("DROP TABLE report_rollup_bins")
    _drop_triggers("report_quality", "report_cases")
    op.execute("DROP TABLE report_quality")
    op.execute("ALTER TABLE report_cases DROP COLUMN facilities")
