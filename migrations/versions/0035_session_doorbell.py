"""A doorbell for the processes' session caches (issue 17, the write path).

Each API process may reuse, for a few seconds, a signed-in session it has read
(``units/session_cache.py``); whatever ends or changes a session or its user must reach every
process at once, whoever writes it (the API, the command line, plain SQL): triggers on
``sessions`` and ``users`` ring the ``session_change`` channel, after the change is committed
(NOTIFY is transactional), with ``session <jti>`` or ``user <id>``. Sessions are written on
sign-in, renewal and sign-out, users rarely: no NOTIFY on a hot path.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION ring_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_TABLE_NAME = 'sessions' THEN
            PERFORM pg_notify('session_change', 'session ' || OLD.jti);
          ELSE
            PERFORM pg_notify('session_change', 'user ' || OLD.id);
          END IF;
          RETURN NULL;
        END $$
        """
    )
    for table in ("sessions", "users"):
        op.execute(
            f"CREATE TRIGGER {table}_ring_session_change AFTER UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION ring_session_change()"
        )


def downgrade() -> None:
    for table in ("sessions", "users"):
        op.execute(f"DROP TRIGGER {table}_ring_session_change ON {table}")
    op.execute("DROP FUNCTION ring_session_change()")
