"""The nginx example of deploy/ (issue 12, finding 12): port 80 only redirects to 443, the TLS
server sends HSTS and allows only TLS 1.2/1.3, and every request still reaches the app."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx-infofirst.conf"
TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+')


@dataclass
class Block:
    """A directive with its arguments, and the directives inside it if it is a block."""

    name: str
    args: list[str]
    children: list[Block] = field(default_factory=list)

    def all(self, name: str) -> list[Block]:
        return [child for child in self.children if child.name == name]

    def one(self, name: str) -> Block:
        found = self.all(name)
        assert 1 == len(found), f"{name}: {len(found)}"
        return found[0]


def parse(text: str) -> Block:
    """nginx's configuration syntax: directives end with ';', blocks are in braces."""
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    root = Block("main", [])
    stack, words = [root], []
    for token in TOKEN.findall(text):
        if token == ";":
            stack[-1].children.append(Block(words[0], words[1:]))
            words = []
        elif token == "{":
            block = Block(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            stack.pop()
        else:
            words.append(token.strip("\"'"))
    assert [root] == stack, "unbalanced braces"
    assert not words, f"unterminated directive {words}"
    return root


def servers() -> list[Block]:
    return parse(CONFIG.read_text()).all("server")


def listening_on(port: str) -> Block:
    matching = [s for s in servers() if any(port in d.args[0] for d in s.all("listen"))]
    assert 1 == len(matching)
    return matching[0]


def test_port_80_redirects_to_https_and_serves_nothing() -> None:
    plain = listening_on("80")
    assert {("80",), ("[::]:80",)} == {tuple(d.args) for d in plain.all("listen")}
    assert ["301", "https://$host$request_uri"] == plain.one("return").args
    assert [] == plain.all("location"), "nothing is proxied over plain http"


def test_the_tls_server_sends_hsts_and_refuses_old_protocols() -> None:
    tls = listening_on("443")
    assert all("ssl" in d.args for d in tls.all("listen"))
    headers = {d.args[0]: d.args[1:] for d in tls.all("add_header")}
    assert ["max-age=31536000; includeSubDomains", "always"] == headers["Strict-Transport-Security"]
    assert ["TLSv1.2", "TLSv1.3"] == tls.one("ssl_protocols").args
    ciphers = tls.one("ssl_ciphers").args[0].split(":")
    assert all(c.startswith("ECDHE-") and ("GCM" in c or "CHACHA20" in c) for c in ciphers)
    assert ["off"] == tls.one("ssl_session_tickets").args
    assert ["off"] == tls.one("server_tokens").args
    # the app's own HSTS (over a trusted https proxy) is not sent a second time
    assert ["Strict-Transport-Security"] == tls.one("proxy_hide_header").args
    # no location sets its own add_header, which would drop the server's HSTS there
    assert all(not loc.all("add_header") for loc in tls.all("location"))


def test_the_app_still_learns_the_client_and_the_scheme() -> None:
    assert ["infofirst"] == parse(CONFIG.read_text()).one("upstream").args
    api = next(loc for loc in listening_on("443").all("location") if loc.args == ["/"])
    forwarded = {d.args[0]: d.args[1] for d in api.all("proxy_set_header")}
    assert "$proxy_add_x_forwarded_for" == forwarded["X-Forwarded-For"]
    assert "https" == forwarded["X-Forwarded-Proto"]
