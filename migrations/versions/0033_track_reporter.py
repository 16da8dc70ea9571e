"""Who reported each GPS fix, and no fix changed afterwards (issue 17).

A fix is no longer a per-request entry of the hash-chained audit trail: at 5,000 ambulances (a
fix every 10 s each, 500 a second) every fix would take the chain's lock until its commit and
serialise every write in the county behind it. The track row itself is the record instead:
``reported_by`` is the id of the user whose token posted it (NULL for the rows written before
this revision and for fixes a command loads, e.g. the synthetic demo), and a trigger refuses
UPDATE for every role, as the stamps' and the audit trail's do (``refuse_change``, 0013). The
application role has no DELETE or TRUNCATE on the track (dispatch/app_role.py); only the owner
drops a month past the retention (``infofirst db track-partitions``).

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0033"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE ambulance_positions ADD COLUMN reported_by integer")
    op.execute(
        "CREATE TRIGGER ambulance_positions_no_update BEFORE UPDATE ON ambulance_positions"
        " FOR EACH ROW EXECUTE FUNCTION refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER ambulance_positions_no_update ON ambulance_positions")
    op.execute("ALTER TABLE ambulance_positions DROP COLUMN reported_by")
