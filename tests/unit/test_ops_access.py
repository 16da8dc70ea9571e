"""The operations networks rule (pure) and its setting."""

from __future__ import annotations

import pytest

from dispatch.http.ops_access import OpsAccess
from dispatch.settings import Settings


def test_default_networks_are_loopback_only() -> None:
    access = OpsAccess.of(Settings().ops_networks, proxies_trusted=False)
    assert access.admits("127.0.0.1")
    assert access.admits("::1")
    assert access.admits("::ffff:127.0.0.1")  # IPv4-mapped loopback
    assert not access.admits("127.0.0.2")  # loopback /8, but not the listed /32
    assert not access.admits("10.0.0.1")
    assert not access.admits(None)
    assert not access.admits("not-an-address")


def test_proxy_headers_count_only_when_the_proxy_is_not_trusted() -> None:
    untrusted = OpsAccess.of(["127.0.0.1/32"], proxies_trusted=False)
    trusted = OpsAccess.of(["127.0.0.1/32"], proxies_trusted=True)
    for header in ("X-Forwarded-For", "forwarded", "X-Real-IP"):
        assert not untrusted.admits("127.0.0.1", [header])
        assert trusted.admits("127.0.0.1", [header])
    assert untrusted.admits("127.0.0.1", ["accept"])


def test_the_setting_reads_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOFIRST_OPS_NETWORKS", '["10.0.0.0/8", "fd00::/8"]')
    access = OpsAccess.of(Settings().ops_networks, proxies_trusted=False)
    assert access.admits("10.255.255.255")
    assert access.admits("fd12::1")
    assert not access.admits("11.0.0.0")
    assert not access.admits("127.0.0.1")
