"""The report's monthly rollup (issue 17): report_facts counted by (drill, pathway, metric,
month, facility, minutes), kept by triggers on report_facts in the writing statement's
transaction, so a report over whole months reads this small table instead of every fact.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "drill, pathway, name, month, facility_id, minutes"
# A fact's contribution, signed: +1 for a row written, -1 for a row removed.
DELTA = f"""
INSERT INTO report_rollup AS r ({KEY}, rows, judged, met)
SELECT {KEY}, sum(s), sum(s * (met IS NOT NULL)::int), sum(s * coalesce(met, false)::int)
FROM ({{rows}}) AS d ({KEY}, met, s)
GROUP BY {KEY} ORDER BY {KEY}
ON CONFLICT ({KEY}) DO UPDATE
  SET rows = r.rows + excluded.rows, judged = r.judged + excluded.judged,
      met = r.met + excluded.met
"""  # noqa: S608 - fixed fragments
COLUMNS = "drill, pathway, name, month, coalesce(facility_id, ''), minutes, met"
NEW = f"SELECT {COLUMNS}, 1 FROM new_rows"  # noqa: S608 - fixed fragments
OLD = f"SELECT {COLUMNS}, -1 FROM old_rows"  # noqa: S608 - fixed fragments
# One rollup writer at a time (until its commit): two stamps' statements then never lock the
# same rollup rows in crossing orders (a deadlock would fail a stamp). The audit trigger
# (0013) serialises stamps the same way.
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
REBUILD = f"""
INSERT INTO report_rollup ({KEY}, rows, judged, met)
SELECT drill, pathway, name, month, coalesce(facility_id, ''), minutes, count(*), count(met),
       count(*) FILTER (WHERE met)
FROM report_facts GROUP BY 1, 2, 3, 4, 5, 6
"""  # noqa: S608 - fixed fragments


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE report_rollup (
          drill boolean NOT NULL,
          pathway varchar(32) NOT NULL,
          name varchar(64) NOT NULL,
          month date NOT NULL,
          facility_id varchar(64) NOT NULL,
          minutes float8,
          rows bigint NOT NULL,
          judged bigint NOT NULL,
          met bigint NOT NULL
        )
        """
    )
    op.execute(f"CREATE UNIQUE INDEX ux_report_rollup ON report_rollup ({KEY}) NULLS NOT DISTINCT")
    op.execute(
        "CREATE INDEX ix_report_rollup_rank ON report_rollup (pathway, name, minutes)"
        " INCLUDE (month, facility_id, drill, rows)"
    )
    for event, body in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION report_rollup_{event}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {LOCK} {body}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER report_rollup_{event} AFTER {event.upper()} ON report_facts"
            f" REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT"
            f" EXECUTE FUNCTION report_rollup_{event}()"
        )
    op.execute(
        "CREATE FUNCTION report_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {LOCK} DELETE FROM report_rollup; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER report_rollup_truncate AFTER TRUNCATE ON report_facts"
        " FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_truncate()"
    )
    op.execute(REBUILD)
    op.execute("ANALYZE report_rollup")


def downgrade() -> None:
    for event in (*FUNCTIONS, "truncate"):
        op.execute(f"DROP TRIGGER report_rollup_{event} ON report_facts")
        op.execute(f"DROP FUNCTION report_rollup_{event}()")
    op.execute("DROP TABLE report_rollup")
