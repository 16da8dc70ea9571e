"""The SQLAlchemy database URL as a plain DSN for asyncpg's own connections.

A multi-host URL (issue 17: the application finds the writable node of a Patroni cluster) is
written the way SQLAlchemy's asyncpg dialect takes it, one ``host=HOST:PORT`` per node:
``postgresql+asyncpg://user@/db?host=10.0.0.1:5432&host=10.0.0.2:5432&target_session_attrs=read-write``.
Rendered as is, asyncpg would keep only the last ``host``; it takes the nodes as one
comma-separated ``host`` value instead, so that is how they are written here.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    """``url`` (SQLAlchemy, any driver) as a libpq-style DSN asyncpg reads with every host;
    ``database``: another database on the same server(s)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    hosts = parsed.query.get("host")
    if isinstance(hosts, tuple):
        parsed = parsed.update_query_dict({"host": ",".join(hosts)})
    return parsed.render_as_string(hide_password=False)
