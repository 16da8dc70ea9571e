"""Every page: the synthetic-data banner, signing in and out, the language switch."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import CATHLAB, TOWNSHIP, sign_in


async def test_every_page_says_it_shows_synthetic_data(pages: Pages) -> None:
    """The four pages and the index load without script errors and carry the synthetic banner."""
    for path in ("/", "/field", f"/cathlab/{CATHLAB}", "/console", "/reports"):
        page = await pages.new(path)
        await expect(page.locator("#synthetic-banner")).to_be_visible()
        await expect(page.locator("#synthetic-banner")).to_contain_text("合成演示数据")


async def test_sign_in_shows_the_user_and_sign_out_returns_to_the_form(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """Signing in shows who is signed in and the live state; signing out forgets the token and
    ends its session on the server (the same token is 401 afterwards: issue 12, finding 9)."""
    page = await pages.new("/field")
    await expect(page.locator("#login-form")).to_be_visible()
    await expect(page.locator("#main")).to_be_hidden()
    await sign_in(page, f"township-{TOWNSHIP}")
    await expect(page.locator("#who")).to_contain_text(f"township-{TOWNSHIP}")
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    await expect(page.locator("#login-form")).to_be_hidden()
    await page.reload()  # the token is kept for the session
    await expect(page.locator("#who")).to_have_attribute("data-username", f"township-{TOWNSHIP}")
    # signed in again and its stream open: a sign-out racing the stream's handshake would
    # have the server refuse the handshake (403), which Chromium logs as an error
    await expect(page.locator("body")).to_have_attribute("data-live", "live")
    kept = await page.evaluate("sessionStorage.getItem('infofirst.token')")
    bearer = {"Authorization": f"Bearer {kept}"}
    assert 200 == (await http.get("/api/v1/auth/me", headers=bearer)).status_code
    await page.locator("#logout").click()
    await expect(page.locator("#login-form")).to_be_visible()
    await expect(page.locator("#who")).to_be_hidden()
    assert await page.evaluate("sessionStorage.getItem('infofirst.token')") is None
    assert 401 == (await http.get("/api/v1/auth/me", headers=bearer)).status_code


async def test_wrong_password_is_refused_on_the_form(pages: Pages) -> None:
    """A wrong password keeps the form and says why."""
    pages.allow(re.compile(r"status of 401"))  # Chromium logs the refused request
    page = await pages.new(f"/cathlab/{CATHLAB}")
    await page.locator("#login-form input[name=username]").fill(f"cathlab-{CATHLAB}")
    await page.locator("#login-form input[name=password]").fill("not-the-password")
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#login-error")).to_contain_text("登录失败")
    await expect(page.locator("#main")).to_be_hidden()


async def test_language_switch_changes_the_page_and_is_remembered(pages: Pages) -> None:
    """Chinese first; the switch shows English and the choice survives a reload."""
    page = await pages.new(f"/cathlab/{CATHLAB}")
    await sign_in(page, f"cathlab-{CATHLAB}")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await expect(page.locator("#page-title")).to_have_text("导管室 / 卒中团队大屏")
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#page-title")).to_have_text("Cath lab / stroke team screen")
    await expect(page.locator("#synthetic-banner")).to_contain_text("Synthetic demo data")
    await expect(page.locator("#who")).to_contain_text("cath lab")
    await page.reload()
    await expect(page.locator("#page-title")).to_have_text("Cath lab / stroke team screen")
    await page.locator("#lang-switch").click()
    await expect(page.locator("#page-title")).to_have_text("导管室 / 卒中团队大屏")
