"""The SQLAlchemy URL as asyncpg's DSN: a multi-host URL keeps every host (issue 17)."""

from __future__ import annotations

from asyncpg import connect_utils

from dispatch.dsn import asyncpg_dsn

MULTI = (
    "postgresql+asyncpg://app:p%40ss@/infofirst"
    "?host=10.0.0.11:5432&host=10.0.0.12:5433&target_session_attrs=read-write"
)


def parsed(dsn: str) -> tuple[list[tuple[str, int]], str, str, str]:
    """What asyncpg reads from a DSN: the addresses, database, password, session attributes."""
    addresses, params = connect_utils._parse_connect_dsn_and_args(
        dsn=dsn, host=None, port=None, user=None, password=None, passfile=None, database=None,
        ssl=None, direct_tls=None, server_settings=None, target_session_attrs=None,
        krbsrvname=None, gsslib=None, service=None, servicefile=None,
    )  # fmt: skip
    return list(addresses), params.database, params.password, str(params.target_session_attrs)


def test_a_multi_host_url_keeps_every_host_for_asyncpg() -> None:
    assert (
        [("10.0.0.11", 5432), ("10.0.0.12", 5433)],
        "infofirst",
        "p@ss",
        "SessionAttribute.read_write",
    ) == parsed(asyncpg_dsn(MULTI))


def test_another_database_on_the_same_hosts() -> None:
    addresses, database, _, _ = parsed(asyncpg_dsn(MULTI, "postgres"))
    assert ([("10.0.0.11", 5432), ("10.0.0.12", 5433)], "postgres") == (addresses, database)


def test_a_single_host_url_is_unchanged() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/infofirst"
    assert "postgresql://postgres@127.0.0.1:5432/infofirst" == asyncpg_dsn(url)
    assert ([("127.0.0.1", 5432)], "infofirst") == parsed(asyncpg_dsn(url))[:2]
