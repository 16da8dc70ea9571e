"""Audit entries chained at commit (issue 17, the load).

An entry is chained by the BEFORE INSERT trigger of 0013, which takes the chain's
transaction-level lock; a request writes its entry last, so the lock was held from that INSERT
to the commit: the INSERT's answer back to the API process, the process's turn to send COMMIT
(behind everything else its event loop had to do under load), then the commit with the
synchronous standby's answer. Under the full field load, with the rollups folded at commit
(0036), 20-odd stamps and alerts at a time waited on it.

Now the service writes its entries to ``audit_pending`` (unlogged: filled and emptied by the
same transaction, never seen by another), and a deferred constraint trigger moves each one into
audit_log at commit, in the order they were written, where 0013's trigger chains it as before
(same lock, same hash, ``at`` the time it is chained). The lock is then held from the chaining
to the end of the commit only, all of it inside PostgreSQL. The move runs as the tables' owner
(SECURITY DEFINER): the application role may only insert into audit_pending, as into audit_log.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "user_id, username, role, facility_id, address, request_id, action, method, path,"
    " object_type, object_id, case_id, detail"
)
VALUES = ", ".join(f"NEW.{c.strip()}" for c in COLUMNS.split(","))


def upgrade() -> None:
    op.execute(
        "CREATE UNLOGGED TABLE audit_pending (n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " user_id bigint, username text, role text, facility_id text, address text,"
        " request_id text, action text NOT NULL, method text, path text, object_type text,"
        " object_id text, case_id bigint, detail jsonb)"
    )
    op.execute(
        f"""
        CREATE FUNCTION audit_pending_chain() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        BEGIN
          INSERT INTO public.audit_log (id, at, prev_hash, hash, {COLUMNS})
            VALUES (0, now(), '', '', {VALUES});
          DELETE FROM public.audit_pending WHERE n = NEW.n;
          RETURN NULL;
        END $$
        """  # noqa: S608 - fixed fragments
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER audit_pending_chain AFTER INSERT ON audit_pending"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_pending_chain()"
    )


def downgrade() -> None:
    op.execute("SET CONSTRAINTS audit_pending_chain IMMEDIATE")
    op.execute("DROP TRIGGER audit_pending_chain ON audit_pending")
    op.execute("DROP FUNCTION audit_pending_chain()")
    op.execute("DROP TABLE audit_pending")
