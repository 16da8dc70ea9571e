"""Audit trail (issue 12, finding 11): a hash-chained, append-only audit_log; stamps refuse
DELETE and TRUNCATE and no longer cascade away with their case.

Each entry's ``id``, ``at``, ``prev_hash`` and ``hash`` are set by a trigger (whatever the
inserting role wrote): the trigger takes a transaction-level advisory lock (entries are chained
one at a time, in commit order of the lock), reads the newest entry's hash and computes
``sha256(prev_hash || '|' || canonical text)`` in PostgreSQL. The canonical text is the
entry's columns, each quoted by ``quote_nullable`` (NULL apart from 'NULL'), comma-separated,
``at`` as microseconds since 1970 (no session setting changes it); ``infofirst audit verify`` recomputes it with the same expression.

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of units/audit.py's CANONICAL (over the row ``r``); verify uses its own copy.
CANONICAL = """concat_ws(',', r.id, quote_nullable((extract(epoch FROM r.at) * 1000000)::bigint),
    quote_nullable(r.user_id), quote_nullable(r.username), quote_nullable(r.role),
    quote_nullable(r.facility_id), quote_nullable(r.address), quote_nullable(r.request_id),
    quote_nullable(r.action), quote_nullable(r.method), quote_nullable(r.path),
    quote_nullable(r.object_type), quote_nullable(r.object_id), quote_nullable(r.case_id),
    quote_nullable(r.detail))"""
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("username", sa.Text),
        sa.Column("role", sa.Text),
        sa.Column("facility_id", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("request_id", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("method", sa.Text),
        sa.Column("path", sa.Text),
        sa.Column("object_type", sa.Text),
        sa.Column("object_id", sa.Text),
        sa.Column("case_id", sa.BigInteger),
        sa.Column("detail", postgresql.JSONB),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id", "id"])
    op.create_index("ix_audit_log_username", "audit_log", ["username", "id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    r = "NEW"
    op.execute(
        f"""
        CREATE FUNCTION audit_log_chain() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
          last_id bigint;
          last_hash text;
        BEGIN
          PERFORM pg_advisory_xact_lock(7311201201);
          SELECT a.id, a.hash INTO last_id, last_hash
            FROM public.audit_log a ORDER BY a.id DESC LIMIT 1;
          NEW.id := coalesce(last_id, 0) + 1;
          NEW.at := clock_timestamp();
          NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
          NEW.hash := encode(sha256(convert_to(
            NEW.prev_hash || '|' || {CANONICAL.replace("r.", r + ".")}, 'UTF8')), 'hex');
          RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION audit_log_chain()"
    )
    op.execute(
        """
        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
    )
    # Stamps: UPDATE was already refused (0003); DELETE and TRUNCATE now too, and a case with
    # stamps can no longer be deleted (no cascade).
    op.execute(
        "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events"
        " FOR EACH ROW EXECUTE FUNCTION refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events"
        " FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
    )
    op.execute(
        """
        DO $$
        DECLARE name text;
        BEGIN
          SELECT conname INTO name FROM pg_constraint
           WHERE conrelid = 'case_events'::regclass AND contype = 'f'
             AND confrelid = 'cases'::regclass;
          EXECUTE format('ALTER TABLE case_events DROP CONSTRAINT %I', name);
        END $$;
        """
    )
    op.create_foreign_key(
        "fk_case_events_case_id_cases",
        "case_events",
        "cases",
        ["case_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint("fk_case_events_case_id_cases", "case_events", type_="foreignkey")
    op.create_foreign_key(
        "fk_case_events_case_id_cases",
        "case_events",
        "cases",
        ["case_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.execute("DROP TRIGGER IF EXISTS case_events_no_truncate ON case_events")
    op.execute("DROP TRIGGER IF EXISTS case_events_no_delete ON case_events")
    op.drop_table("audit_log")
    op.execute("DROP FUNCTION IF EXISTS refuse_change()")
    op.execute("DROP FUNCTION IF EXISTS audit_log_chain()")
