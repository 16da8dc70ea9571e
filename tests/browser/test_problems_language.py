"""Every server error in the user's language, and no page left half in Chinese after switching
to English (issue 13, item 12)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.browser.conftest import Pages
from tests.browser.helpers import (
    API,
    CATHLAB,
    TOWNSHIP,
    open_case,
    open_field_case,
    sign_in,
    token,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# Chromium logs every 4xx answer as a console error: these are the point of the tests.
REFUSED = re.compile(r"status of 4\d\d")

# The page's own modules: the same module instances as the page's (same URLs), so getLang() is
# the page's language and the call goes through the page's api() and error display.
SHOWN_ERROR = """async ([path, method, json]) => {
  const core = await import('/static/js/core.js');
  try {
    await core.api(path, { method, json: json ?? undefined });
    return 'no error';
  } catch (error) {
    return core.errorDetail(error);
  }
}"""

# Visible text, placeholders, titles and labels holding Chinese characters, with where they are.
CHINESE_LEFT = """() => {
  const cjk = /[\\u4e00-\\u9fff]/;
  const found = [];
  const where = (node) => `${node.tagName}#${node.id}.${node.className}`;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || !(parent.checkVisibility() || parent.tagName === 'OPTION')) continue;
    const text = walker.currentNode.textContent.trim();
    if (cjk.test(text)) found.push({ text, where: where(parent) });
  }
  for (const node of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    for (const name of ['placeholder', 'title', 'aria-label']) {
      const text = node.getAttribute(name);
      if (!text || !cjk.test(text)) continue;
      found.push({ text, where: `${name} of ${where(node)}` });
    }
  }
  const title = document.title;
  if (cjk.test(title)) found.push({ text: title, where: 'document.title' });
  return found;
}"""

# Chinese that is data or meant to be Chinese, not the page's own text: the switch back to 中文,
# the ambulances' call signs, the search box's examples of village names (a village, its
# pinyin, a township and village written together: what people type, in Chinese).
DATA = (
    re.compile(r"^中文$"),
    re.compile(r"^项城120-\d+$"),
    re.compile(r"^e\.g\. \S+ / [a-z]+ / \S+$"),
)


CALL_SIGN = re.compile(r"项城120-\d+")


def chinese_strings(value: Any) -> set[str]:
    """Every string holding Chinese in a JSON value (what people typed: complaints, summaries,
    notes, reasons)."""
    if isinstance(value, str):
        return {value} if CJK.search(value) else set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(chinese_strings(item) for item in value))
    return set()


async def typed_data(http: httpx.AsyncClient) -> set[str]:
    """The Chinese that people typed into the cases and alerts there are (this run's other
    tests leave theirs on the pages): data, not the page's own text."""
    headers = await token(http, "dispatcher")
    found: set[str] = set()
    for path, params in (
        (f"{API}/cases", {"status": "active", "limit": "1000"}),
        (f"{API}/cases", {"status": "closed", "limit": "1000"}),
        (f"{API}/alerts", {"limit": "500"}),
    ):
        response = await http.get(path, params=params, headers=headers)
        assert 200 == response.status_code, response.text
        found |= chinese_strings(response.json())
    # the notes given with delay reasons (issue 14; their coded labels are the pages' own text)
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=1800)), "to": str(today + timedelta(days=1))}
    report = await http.get(
        f"{API}/reports/intervals", params={**period, "cases": "all"}, headers=headers
    )
    assert report.status_code in (200, 404), report.text  # 404: no case yet
    for case in report.json().get("cases", []) if report.status_code == 200 else []:
        notes = [i["delay_reason"]["note"] for i in case["intervals"] if i["delay_reason"]]
        found |= chinese_strings(notes)
    return found


def left_in_chinese(found: list[dict[str, str]], typed: set[str]) -> list[str]:
    """What is still in Chinese once the data is taken out of it."""
    left = []
    for item in found:
        text = item["text"]
        for data in sorted(typed, key=len, reverse=True):
            text = text.replace(data, "")
        text = CALL_SIGN.sub("", text)  # a call sign inside a sentence ("from 项城120-14")
        if any(p.search(text) for p in DATA):
            continue
        if CJK.search(text):
            left.append(f"{item['text']} ({item['where']})")
    return left


async def shown_error(page: Page, path: str, method: str = "GET", json: Any = None) -> str:
    """What the page shows for the API's answer to this request."""
    return str(await page.evaluate(SHOWN_ERROR, [path, method, json]))


async def switch_language(page: Page, lang: str) -> None:
    """Press the header's switch and wait for the page to be in ``lang``."""
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")


async def test_no_page_keeps_chinese_after_switching_to_english(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The six pages, signed in (the field app with a case open), show no Chinese of their own
    once switched to English; the window's title follows too."""
    pages.allow(REFUSED)  # the reports page's default period may hold no case (404)
    headers = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, headers, "language check")
    left: dict[str, list[str]] = {}
    for path, user in (
        ("/field", f"township-{TOWNSHIP}"),
        ("/field", "crew-amb-01"),
        ("/console", "dispatcher"),
        (f"/cathlab/{CATHLAB}", f"cathlab-{CATHLAB}"),
        ("/reports", "auditor"),
        ("/ecg", "ecg-reader"),
        ("/", None),
    ):
        page = await pages.new(path)
        if user is not None:
            await sign_in(page, user)
            await expect(page.locator("body")).to_have_attribute("data-live", re.compile("live"))
        if user == f"township-{TOWNSHIP}":
            await page.locator(f".case-item[data-case-id='{case_id}']").click()
            await expect(page.locator("#case-title")).to_contain_text(f"#{case_id}")
        if path == "/console":  # Leaflet's own controls, in Chinese first
            await expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute(
                "title", "放大"
            )
            toggle = page.locator(".leaflet-control-layers-toggle")
            await expect(toggle).to_have_attribute("title", "图层")
        await switch_language(page, "en")
        await expect(page).to_have_title(re.compile(r"^infofirst · [^\u4e00-\u9fff]+$"))
        found = await page.evaluate(CHINESE_LEFT)
        left[f"{path} as {user}"] = left_in_chinese(found, await typed_data(http))
    assert {key: [] for key in left} == left


async def test_problem_types_are_shown_in_the_users_language(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """not-found, invalid-input (field by field), dispatch-conflict, forbidden and
    illegal-status-change, as the console shows them, in Chinese, then in English."""
    pages.allow(REFUSED)
    now = datetime.now(UTC).isoformat()
    headers = await token(http, "dispatcher")
    case_id = await open_case(http, await token(http, f"township-{TOWNSHIP}"), "closed case")
    closed = await http.patch(f"{API}/cases/{case_id}", json={"status": "closed"}, headers=headers)
    assert 200 == closed.status_code, closed.text
    requests: list[tuple[str, str, Any]] = [
        ("/cases/999999999", "GET", None),
        ("/alerts", "POST", {"case_id": 0, "summary": "", "to_facility_id": CATHLAB}),
        (f"/cases/{case_id}/dispatch", "POST", {}),
        (f"/cases/{case_id}/events", "POST", {"milestone": "wire_crossing", "at": "now"}),
        ("/ambulances/amb-01/status", "POST", {"status": "transporting", "at": now}),
    ]
    expected = {
        "zh": [
            "找不到病例 999999999",
            "病例：不能小于 1；路径：必填；摘要：不能为空",
            "无法派车：车辆不可用或病例已有车辆",
            "时间：不是有效的日期时间",
            "车辆状态不能从“可用”改为“转运中”；可改为：已派车、停用",
        ],
        "en": [
            "Case 999999999 not found",
            "case: must be at least 1; pathway: required; summary: must not be empty",
            "Cannot dispatch: the ambulance is not available or the case already has one",
            "time: not a valid date and time",
            "The ambulance cannot go from “available” to “transporting”; allowed:"
            " dispatched, out of service",
        ],
    }
    page = await pages.new("/console")
    await sign_in(page, "dispatcher")
    shown = {"zh": [await shown_error(page, *request) for request in requests]}
    await switch_language(page, "en")
    shown["en"] = [await shown_error(page, *request) for request in requests]
    assert expected == shown


async def test_a_dispatcher_stamping_a_hospital_time_is_told_why_in_both_languages(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """forbidden: a dispatcher records only the dispatch milestones."""
    pages.allow(REFUSED)
    case_id = await open_case(http, await token(http, f"township-{TOWNSHIP}"), "forbidden stamp")
    page = await pages.new("/console")
    await sign_in(page, "dispatcher")
    stamp = {"milestone": "wire_crossing", "at": "2026-01-01T08:00:00+08:00"}
    request = (f"/cases/{case_id}/events", "POST", stamp)
    assert "当前账号无权执行此操作" == await shown_error(page, *request)
    await switch_language(page, "en")
    assert "Your login may not do this" == await shown_error(page, *request)


async def test_a_wrong_password_is_said_in_the_language_shown(pages: Pages) -> None:
    """The sign-in form's refusal is Chinese, and English after the switch (without signing in
    again); never the server's English detail in Chinese."""
    pages.allow(REFUSED)
    page = await pages.new("/field")
    await page.locator("#login-form input[name=username]").fill(f"township-{TOWNSHIP}")
    await page.locator("#login-form input[name=password]").fill("not-the-password")
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#login-error")).to_have_text("登录失败：用户名或密码错误")
    await switch_language(page, "en")
    await expect(page.locator("#login-error")).to_have_text(
        "Sign-in failed: wrong username or password"
    )


async def test_a_refused_report_is_said_in_the_language_shown(pages: Pages) -> None:
    """invalid-report (from after to) on the reports page, in Chinese, then English."""
    pages.allow(REFUSED)
    page = await pages.new("/reports?from=2026-03-01&to=2026-02-01")
    await sign_in(page, "auditor")
    status = page.locator("#report-status")
    await expect(status).to_have_text("报表无法生成：报表条件无效（检查日期与路径）")
    await switch_language(page, "en")
    await expect(status).to_have_text(
        "The report could not be made: Cannot make this report (check the dates and pathway)"
    )


async def test_an_alert_refused_after_it_was_queued_is_said_in_the_users_language(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """The field app's "alert recorded, sending" followed by the server's refusal (the case was
    closed meanwhile, 409 case-closed): the toast says why in Chinese, then in English — never
    the server's English detail."""
    pages.allow(REFUSED)
    field = await pages.new("/field", width=1280, height=1000)
    await sign_in(field, f"township-{TOWNSHIP}")
    await expect(field.locator("body")).to_have_attribute("data-live", "live")
    case_id = await open_field_case(field, "closed before the alert")
    closed = await http.patch(
        f"{API}/cases/{case_id}", json={"status": "closed"}, headers=await token(http, "dispatcher")
    )
    assert 200 == closed.status_code, closed.text
    refusals = field.locator(".toast-error")
    for lang, expected in (
        ("zh", "病例已结束，不能再修改（需调度员重新打开）"),
        ("en", "The case is closed: a dispatcher must reopen it first"),
    ):
        if lang == "en":
            await switch_language(field, "en")
        await field.locator("#alert-summary").fill(f"refused alert ({lang})")
        await field.locator("#alert-send").click()
        await expect(refusals.filter(has_text=expected)).to_have_count(1)
    await expect(refusals.filter(has_text="it takes no")).to_have_count(0)
