"""The pages' Content-Security-Policy and the optional map tile host."""

from __future__ import annotations

from dispatch.settings import Settings
from dispatch.web.router import content_security_policy, tile_source


def test_no_tile_url_means_no_outside_image_host() -> None:
    """Without a tile URL the pages load images only from the server itself."""
    policy = content_security_policy(Settings(env="test"))
    assert "img-src 'self' data: blob:;" in policy


def test_tile_host_is_allowed_for_images_only() -> None:
    """A configured tile server is allowed for images, with {s} subdomains as a wildcard."""
    settings = Settings(env="test", map_tile_url="https://{s}.tiles.county.lan/{z}/{x}/{y}.png")
    policy = content_security_policy(settings)
    assert "img-src 'self' data: blob: https://*.tiles.county.lan;" in policy
    assert "connect-src 'self';" in policy


def test_tile_source_ignores_what_is_not_an_http_url() -> None:
    """Only http(s) URLs with a host become a policy source."""
    assert "" == tile_source(None)
    assert "" == tile_source("javascript:alert(1)")
    assert "http://10.0.0.5:8080" == tile_source("http://10.0.0.5:8080/{z}/{x}/{y}.png")
