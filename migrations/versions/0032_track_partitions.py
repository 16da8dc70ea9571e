"""The GPS track partitioned by month (issue 17): ``ambulance_positions`` by RANGE of
``received_at`` (the server's clock, so every fix has a month whatever the tablet's clock says),
one partition per calendar month in UTC, and a DEFAULT partition so a fix is never refused when
no month partition exists yet. ``infofirst db track-partitions`` (run by ``db upgrade`` and by
the daily timer, ``deploy/``) creates the months ahead and drops those past the retention.

The rows already there are copied into their months (created here for every month from the
oldest fix to three months ahead).

Revision ID: 0032
Revises: 0029
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = """
    id bigint NOT NULL DEFAULT nextval('ambulance_positions_id_seq'),
    ambulance_id varchar(64) NOT NULL,
    recorded_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    position geometry(Point, 4326) NOT NULL,
    input_crs varchar(8) NOT NULL,
    speed_kmh double precision,
    heading double precision
"""
FOREIGN_KEY = (
    "CONSTRAINT fk_ambulance_positions_ambulance_id_ambulances FOREIGN KEY (ambulance_id)"
    " REFERENCES ambulances (id) ON DELETE CASCADE"
)


def _set_aside() -> None:
    op.execute("ALTER TABLE ambulance_positions RENAME TO ambulance_positions_old")
    op.execute("ALTER INDEX pk_ambulance_positions RENAME TO pk_ambulance_positions_old")
    op.execute("ALTER INDEX ix_ambulance_positions_track RENAME TO ix_ambulance_positions_old")
    op.execute(
        "ALTER TABLE ambulance_positions_old RENAME CONSTRAINT"
        " fk_ambulance_positions_ambulance_id_ambulances TO fk_ambulance_positions_old"
    )


def _copy_and_drop_old() -> None:
    op.execute("INSERT INTO ambulance_positions SELECT * FROM ambulance_positions_old")
    op.execute("ALTER SEQUENCE ambulance_positions_id_seq OWNED BY ambulance_positions.id")
    op.execute("DROP TABLE ambulance_positions_old")


def upgrade() -> None:
    op.execute("SET LOCAL TimeZone = 'UTC'")
    _set_aside()
    op.execute(
        f"CREATE TABLE ambulance_positions ({COLUMNS},"
        " CONSTRAINT pk_ambulance_positions PRIMARY KEY (id, received_at),"
        f" {FOREIGN_KEY}) PARTITION BY RANGE (received_at)"
    )
    op.execute(
        "CREATE INDEX ix_ambulance_positions_track ON ambulance_positions"
        " (ambulance_id, recorded_at)"
    )
    op.execute("CREATE TABLE ambulance_positions_default PARTITION OF ambulance_positions DEFAULT")
    op.execute(
        """
        DO $$
        DECLARE month timestamptz;
        BEGIN
          FOR month IN
            SELECT generate_series(
              date_trunc('month', least(coalesce(min(received_at), now()), now())),
              date_trunc('month', now()) + interval '3 months',
              interval '1 month')
            FROM ambulance_positions_old
          LOOP
            EXECUTE format(
              'CREATE TABLE %I PARTITION OF ambulance_positions FOR VALUES FROM (%L) TO (%L)',
              'ambulance_positions_' || to_char(month, 'YYYYMM'),
              month, month + interval '1 month');
          END LOOP;
        END $$
        """
    )
    _copy_and_drop_old()


def downgrade() -> None:
    _set_aside()
    op.execute(
        f"CREATE TABLE ambulance_positions ({COLUMNS},"
        f" CONSTRAINT pk_ambulance_positions PRIMARY KEY (id), {FOREIGN_KEY})"
    )
    op.execute(
        "CREATE INDEX ix_ambulance_positions_track ON ambulance_positions"
        " (ambulance_id, recorded_at)"
    )
    _copy_and_drop_old()
