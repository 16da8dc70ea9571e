"""The escalation webhook (issue 12, finding 12: unauthenticated plain HTTP): https, or http to
loopback outside production only; every request signed with HMAC-SHA256 over
``<timestamp>.<body>``, checked here by a real local HTTPS receiver the way a gateway would."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts import webhook
from alerts.escalation import WebhookNotifier
from dispatch.app import create_app, notifier_for
from dispatch.settings import Settings

SECRET = "a-shared-secret-of-at-least-32-characters"
ALERT = {"id": 7, "to_facility_id": "county-hospital", "summary": "STEMI"}


@dataclass
class Receiver:
    """A gateway on 127.0.0.1 that answers 200 only to a fresh request signed with ``secret``,
    checked with nothing but ``hmac`` (the recipe in the README), else 401."""

    secret: bytes
    url: str = ""
    seen: list[tuple[dict[str, str], bytes, bool]] = field(default_factory=list)

    def valid(self, headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("x-infofirst-timestamp", "")
        signed = headers.get("x-infofirst-signature", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        mac = hmac.new(self.secret, timestamp.encode() + b"." + body, hashlib.sha256)
        return hmac.compare_digest("sha256=" + mac.hexdigest(), signed)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            headers = {}
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            body = await asyncio.wait_for(
                reader.readexactly(int(headers.get("content-length", "0"))), 5
            )
            ok = self.valid(headers, body)
            self.seen.append((headers, body, ok))
            status = "200 OK" if ok else "401 Unauthorized"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass  # a client that refused our certificate
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with Debian's openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@contextlib.asynccontextmanager
async def receiver(certificate: tuple[Path, Path], secret: str = SECRET) -> AsyncIterator[Receiver]:
    """A running HTTPS ``Receiver`` on a free local port."""
    found = Receiver(secret.encode())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0, ssl=context)
    found.url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/notify"
    try:
        yield found
    finally:
        server.close()
        await server.wait_closed()


def configured(settings: Settings, **update: object) -> Settings:
    return settings.model_copy(update={"escalation_webhook_secret": None, **update})


async def test_a_signed_webhook_over_https_is_accepted_by_the_gateway(
    settings: Settings, certificate: tuple[Path, Path]
) -> None:
    """The app's notifier (URL, secret and CA from the settings) reaches the HTTPS gateway,
    whose own HMAC check passes; the body is the alert and level as sent."""
    async with receiver(certificate) as gateway:
        notifier = notifier_for(
            settings.model_copy(
                update={
                    "escalation_webhook_url": gateway.url,
                    "escalation_webhook_secret": SecretStr(SECRET),
                    "escalation_webhook_ca_file": str(certificate[0]),
                }
            )
        )
        outcome = await notifier.notify(ALERT, 2)
    assert outcome.startswith("delivered on attempt 1 (200)")
    headers, body, ok = gateway.seen[-1]
    assert ok
    assert {"alert": ALERT, "level": 2} == json.loads(body)
    assert headers["x-infofirst-signature"].startswith("sha256=")


async def test_a_wrong_secret_or_an_untrusted_certificate_is_not_delivered(
    certificate: tuple[Path, Path],
) -> None:
    """The gateway refuses another key (401); without the CA the TLS check refuses the gateway."""
    trusted = ssl.create_default_context(cafile=str(certificate[0]))
    async with receiver(certificate) as gateway:
        wrong = WebhookNotifier(
            gateway.url, attempts=2, first_pause=0.01, timeout=2, secret=b"x" * 40, verify=trusted
        )
        with pytest.raises(RuntimeError, match="gave up after 2 attempts: HTTP 401"):
            await wrong.notify(ALERT, 1)
        untrusted = WebhookNotifier(
            gateway.url, attempts=1, timeout=2, secret=SECRET.encode(), verify=True
        )
        with pytest.raises(RuntimeError, match="gave up after 1 attempts: ConnectError"):
            await untrusted.notify(ALERT, 1)
    assert [False, False] == [ok for _, _, ok in gateway.seen]


def test_verify_checks_the_body_and_the_replay_window() -> None:
    """At, just inside and just outside the 300 s window, both ways; a changed body fails."""
    key, body, now = SECRET.encode(), b'{"alert":{"id":7},"level":1}', 1_800_000_000
    for age, expected in [(0, True), (300, True), (301, False), (-300, True), (-301, False)]:
        headers = webhook.signed_headers(key, now - age, body)
        stamp, signed = headers[webhook.TIMESTAMP_HEADER], headers[webhook.SIGNATURE_HEADER]
        assert expected is webhook.verify(key, stamp, signed, body, now), age
    headers = webhook.signed_headers(key, now, body)
    stamp, signed = headers[webhook.TIMESTAMP_HEADER], headers[webhook.SIGNATURE_HEADER]
    assert not webhook.verify(key, stamp, signed, body.replace(b"7", b"8"), now)
    assert not webhook.verify(b"another-key", stamp, signed, body, now)
    assert not webhook.verify(key, None, signed, body, now)
    assert not webhook.verify(key, "-1", signed, body, now)
    assert not webhook.verify(key, "１２", signed, body, now)  # non-ASCII digits


@pytest.mark.parametrize(
    ("url", "secret", "environment", "refused"),
    [
        ("https://gateway.county.local/notify", SECRET, "production", None),
        ("https://gateway.county.local/notify", SECRET[:31], "production", "SECRET"),
        ("https://gateway.county.local/notify", None, "production", "SECRET"),
        ("http://127.0.0.1:9100/notify", SECRET, "production", "https in production"),
        ("http://gateway.county.local/notify", SECRET, "production", "https in production"),
        ("http://127.0.0.1:9100/notify", None, "test", None),
        ("http://[::1]:9100/notify", None, "dev", None),
        ("http://localhost:9100/notify", None, "demo", None),
        ("http://127.0.0.1.example.net/notify", None, "dev", "only go to loopback"),
        ("http://10.0.0.5/notify", None, "dev", "only go to loopback"),
        ("ftp://127.0.0.1/notify", None, "dev", "must be https"),
        ("https:///notify", None, "dev", "no host"),
    ],
)
def test_where_the_webhook_may_go(
    url: str, secret: str | None, environment: str, refused: str | None
) -> None:
    if refused is None:
        webhook.check(url, secret, environment)
    else:
        with pytest.raises(webhook.WebhookRefused, match=refused):
            webhook.check(url, secret, environment)


def test_the_app_refuses_to_start_with_a_plain_http_webhook_in_production(
    settings: Settings,
) -> None:
    """create_app builds the notifier first thing (notifier_for), so the start fails."""
    bad = configured(settings, env="production", escalation_webhook_url="http://127.0.0.1:9/")
    with pytest.raises(ValueError, match="https in production"):
        notifier_for(bad)
    with pytest.raises(ValueError, match="https in production"):
        create_app(bad)
