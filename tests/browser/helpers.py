"""Steps the browser tests share: signing in through the form, the API beside the browser."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect

API = "/api/v1"
TOWNSHIP = "th-nandun"
CATHLAB = "county-hospital"
NANDUN_VILLAGE = {"lon": 114.739124, "lat": 33.539841}


async def sign_in(page: Page, username: str) -> None:
    """Sign in through the page's form (password ``demo``) and wait for the user in the header."""
    await page.locator("#login-form input[name=username]").fill(username)
    await page.locator("#login-form input[name=password]").fill("demo")
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#who")).to_have_attribute("data-username", username)


async def token(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    """The Authorization header of a demo user."""
    response = await http.post(f"{API}/auth/token", data={"username": username, "password": "demo"})
    assert 200 == response.status_code, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def open_case(http: httpx.AsyncClient, headers: dict[str, str], complaint: str) -> int:
    """A STEMI case opened by the township unit at the Nandun village."""
    response = await http.post(
        f"{API}/cases",
        json={"pathway": "stemi", "location": NANDUN_VILLAGE, "complaint": complaint},
        headers=headers,
    )
    assert 201 == response.status_code, response.text
    return int(response.json()["id"])


async def send_alert(
    http: httpx.AsyncClient, headers: dict[str, str], case_id: int, summary: str
) -> dict[str, Any]:
    """POST /alerts for a case, to the county hospital; the created alert."""
    return await alert_to(http, headers, case_id, CATHLAB, summary)


async def alert_to(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: int,
    facility_id: str,
    summary: str,
    eta_minutes: float = 20,
    attachment_ids: tuple[str, ...] = (),
) -> dict[str, Any]:
    """POST /alerts for a STEMI case to the facility (vitals HR 96, BP 150/90); the alert."""
    response = await http.post(
        f"{API}/alerts",
        json={
            "case_id": case_id,
            "to_facility_id": facility_id,
            "pathway": "stemi",
            "summary": summary,
            "vitals": {"hr": 96, "bp": "150/90"},
            "eta_minutes": eta_minutes,
            "attachment_ids": list(attachment_ids),
        },
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert 201 == response.status_code, response.text
    alert: dict[str, Any] = response.json()["alert"]
    return alert


async def open_field_case(page: Page, complaint: str) -> int:
    """Open a STEMI case through the field app's form (patient at this unit); its id."""
    await page.locator("#new-case summary").click()
    form = page.locator("#new-case-form")
    await form.locator("input[name=complaint]").fill(complaint)
    await form.locator("input[name=age]").fill("63")
    await form.locator("select[name=sex]").select_option("male")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#case")).to_be_visible()
    title = await page.locator("#case-title").text_content()
    assert title is not None
    assert complaint in title
    return int(title.split("#", 1)[1].split(" ", 1)[0])
