"""The ECG readers' rota on the reading page (/ecg, issue 16): who is on duty now and, for a
reader, that they are, in Chinese and in English; an unread ECG's escalation shows on the page
of the reader on duty it names (not on an overseer's), and goes once the ECG is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import expect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from alerts.ecg_escalation import escalate_unread
from alerts.escalation import LogNotifier
from dispatch.http.database import make_engine
from dispatch.settings import Settings
from tests.browser.conftest import Pages
from tests.browser.helpers import API, sign_in, token
from tests.browser.test_ecg_reading import READER, sent_tracing


async def reader_on_duty(http: httpx.AsyncClient) -> None:
    """The demo reader on duty now: already (the demo rota's day shift) or put on by the
    admin from now up to the next shift or an hour (shifts may not overlap)."""
    admin = await token(http, "admin")
    duty = (await http.get(f"{API}/ecg-rota/on-duty", headers=admin)).json()
    if READER in [shift["username"] for shift in duty["on_duty"]]:
        return
    now = datetime.now(UTC).replace(microsecond=0)
    ahead = {"from": now.isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
    listed = (await http.get(f"{API}/ecg-rota", params=ahead, headers=admin)).json()
    starts = [
        datetime.fromisoformat(s["starts_at"]) for s in listed["shifts"] if s["username"] == READER
    ]
    ends = min([now + timedelta(hours=1), *starts])
    body = {"username": READER, "starts_at": now.isoformat(), "ends_at": ends.isoformat()}
    made = await http.post(f"{API}/ecg-rota", json=body, headers=admin)
    assert 201 == made.status_code, made.text


async def nobody_on_duty(browser_db: str) -> None:
    """Take off the shifts covering now, in the database (the API keeps a shift that began)."""
    engine = make_engine(Settings(env="test", database_url=browser_db))
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("DELETE FROM ecg_rota_shifts WHERE starts_at <= now() AND ends_at > now()")
            )
    finally:
        await engine.dispose()


async def escalate_soon_after_now(browser_db: str) -> None:
    """Run the unread-ECG escalation as the server's loop would 3 minutes from now."""
    engine = make_engine(Settings(env="test", database_url=browser_db))
    try:
        later = datetime.now(UTC) + timedelta(minutes=3, seconds=1)
        await escalate_unread(
            async_sessionmaker(engine), later, timedelta(minutes=1), LogNotifier()
        )
    finally:
        await engine.dispose()


async def test_the_page_shows_who_is_on_duty_in_chinese_and_english(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The reader: '当前值班：ecg-reader（…）' and '您正在值班'; in English 'On duty now' and
    'You are on duty'; an auditor sees the duty but no 'you' line."""
    await reader_on_duty(http)
    page = await pages.new("/ecg")
    await sign_in(page, READER)
    await expect(page.locator("#duty-now")).to_contain_text(f"当前值班：{READER}（")
    await expect(page.locator("#duty-you")).to_have_text("您正在值班")
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#duty-now")).to_contain_text(f"On duty now: {READER} (")
    await expect(page.locator("#duty-you")).to_have_text("You are on duty")
    auditor = await pages.new("/ecg")
    await sign_in(auditor, "auditor")
    await expect(auditor.locator("#duty-now")).to_contain_text(READER)
    await expect(auditor.locator("#duty-you")).to_be_hidden()


async def test_an_escalation_shows_on_the_page_of_the_reader_on_duty(
    pages: Pages, http: httpx.AsyncClient, browser_db: str
) -> None:
    """Unread at 3 minutes: the reader on duty's page (open, never reloaded) shows 'ECG #n is
    still unread'; the auditor's page does not; reading it takes the notice down."""
    await reader_on_duty(http)
    reader = await pages.new("/ecg")
    await sign_in(reader, READER)
    auditor = await pages.new("/ecg")
    await sign_in(auditor, "auditor")
    for page in (reader, auditor):
        await expect(page.locator("body")).to_have_attribute("data-live", "live")
    _, ecg_id = await sent_tracing(http, "超时未判读", 50)
    await expect(reader.locator(f"#queue button[data-ecg-id='{ecg_id}']")).to_be_visible()
    await expect(auditor.locator(f"#queue button[data-ecg-id='{ecg_id}']")).to_be_visible()
    await escalate_soon_after_now(browser_db)
    banner = reader.locator("#escalated")
    await expect(banner).to_contain_text(f"心电图 #{ecg_id} 超时未判读")
    # a tracing sent after the escalation: once the auditor's page shows it, that page has
    # had the escalation's frame too (a stream's frames arrive in order)
    _, after = await sent_tracing(http, "之后发送", 51)
    await expect(auditor.locator(f"#queue button[data-ecg-id='{after}']")).to_be_visible()
    await expect(auditor.locator("#escalated")).to_be_hidden()
    await reader.locator(f"#queue button[data-ecg-id='{ecg_id}']").click()
    await reader.locator(".finding[data-finding='no_stemi']").click()
    await expect(banner).to_be_hidden()


async def test_with_nobody_on_duty_the_page_says_every_reader_is_told(
    pages: Pages, http: httpx.AsyncClient, browser_db: str
) -> None:
    """No shift covers now: '当前无人值班…' and '您当前不在值班'; in English 'Nobody is on
    duty'."""
    await nobody_on_duty(browser_db)
    page = await pages.new("/ecg")
    await sign_in(page, READER)
    await expect(page.locator("#duty-now")).to_have_text(
        "当前无人值班：超时未判读的心电图将通知全部判读医师"
    )
    await expect(page.locator("#duty-you")).to_have_text("您当前不在值班")
    await page.locator("#lang-switch").click()
    await expect(page.locator("#duty-now")).to_have_text(
        "Nobody is on duty: an unread ECG escalates to every reader"
    )
    await expect(page.locator("#duty-you")).to_have_text("You are not on duty")
    await reader_on_duty(http)  # the demo reader on duty again for the tests after this one


async def test_the_console_says_when_nobody_is_on_duty_to_read_an_unread_ecg(
    pages: Pages, http: httpx.AsyncClient, browser_db: str
) -> None:
    """Escalated with nobody on duty: the dispatcher's toast names the case and says nobody is
    on the ECG centre's rota (every reader was told)."""
    await nobody_on_duty(browser_db)
    console = await pages.new("/console")
    await sign_in(console, "dispatcher")
    await expect(console.locator("body")).to_have_attribute("data-live", "live")
    case_id, _ = await sent_tracing(http, "无人值班", 52)
    await escalate_soon_after_now(browser_db)
    toast = console.locator(".toast-error", has_text=f"病例 #{case_id}")
    await expect(toast).to_contain_text("心电诊断中心当前无人值班（已通知全部判读医师）")
    await reader_on_duty(http)  # the demo reader on duty again for the tests after this one
