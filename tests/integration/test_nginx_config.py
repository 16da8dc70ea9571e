"""``nginx -t`` accepts deploy/nginx-infofirst.conf as shipped (Debian's nginx; installed by
scripts/system-deps.sh), with a throw-away self-signed certificate in place of the county's."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx-infofirst.conf"
CERT_PATHS = ("/etc/infofirst/tls/fullchain.pem", "/etc/infofirst/tls/privkey.pem")


def test_nginx_accepts_the_example(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=infofirst.county.local", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = CONFIG.read_text().replace(CERT_PATHS[0], str(cert)).replace(CERT_PATHS[1], str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(  # noqa: S603
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert 0 == result.returncode, result.stderr
    assert "syntax is ok" in result.stderr


def test_sign_in_attempts_are_limited_per_address_at_the_proxy() -> None:
    """The token endpoint has its own location with a per-address request limit answered 429
    (the application's own throttling stays behind it)."""
    text = CONFIG.read_text()
    block = text[text.index("location = /api/v1/auth/token {") :]
    block = block[: block.index("}")]
    assert "limit_req_zone $binary_remote_addr zone=infofirst_sign_in" in text
    assert "limit_req zone=infofirst_sign_in" in block
    assert "limit_req_status 429;" in block
