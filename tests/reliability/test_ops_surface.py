"""The operations surface behind a trusted proxy, on a real server process (issue 12, finding
12): the address checked is the client's after uvicorn's proxy handling, and HSTS follows the
proxy's X-Forwarded-Proto."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests import server_process
from tests.server_process import HOST, free_port


def test_behind_a_trusted_proxy_the_forwarded_client_is_checked(
    reliability_db: str, log_dir: Path
) -> None:
    """As `infofirst serve` runs with INFOFIRST_FORWARDED_ALLOW_IPS=127.0.0.1 behind nginx."""
    port = free_port()
    log_path = log_dir / f"ops-surface-{port}.log"
    process = server_process.start(
        port,
        reliability_db,
        log_path,
        {"forwarded_allow_ips": "127.0.0.1"},
        "--proxy-headers",
        "--forwarded-allow-ips",
        "127.0.0.1",
    )
    url = f"http://{HOST}:{port}"
    try:
        server_process.wait_ready(process, url, "ops-surface", log_path)
        with httpx.Client(base_url=url, timeout=10) as http:

            def status(path: str, forwarded_for: str | None = None) -> int:
                headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
                return http.get(path, headers=headers).status_code

            # the proxy itself (loopback, nothing forwarded): inside the networks
            assert [200, 200] == [status("/metrics"), status("/api/v1/openapi.json")]
            # a client the proxy forwards from outside, even one claiming loopback first
            for forwarded in ("203.0.113.7", "127.0.0.1, 203.0.113.7"):
                assert [404, 404, 404] == [
                    status(path, forwarded) for path in ("/metrics", "/readyz", "/api/v1/docs")
                ], forwarded
            assert 200 == status("/healthz", "203.0.113.7")
            secure = http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
            plain = http.get("/healthz")
        assert "max-age=31536000; includeSubDomains" == secure.headers["strict-transport-security"]
        assert "strict-transport-security" not in plain.headers
        assert "DENY" == plain.headers["x-frame-options"]
    finally:
        server_process.stop(process)
