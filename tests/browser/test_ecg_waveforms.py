"""12-lead waveforms on the pages (issue 16): a township picks a DICOM file in the field app
and sends it for reading; the reader's page shows it drawn on ECG paper (the image loads, at
the paper's pixel size); an aECG the same, in English. Synthetic files, never a patient's."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Locator, Page, expect

from alerts.ecg_paper import HEIGHT_MM, PX_PER_MM, WIDTH_MM
from tests.browser.conftest import Pages
from tests.browser.helpers import API, TOWNSHIP, open_case, open_field_case, sign_in, token
from tests.waveform_files import aecg_12_lead, dicom_12_lead

READER = "ecg-reader"
PAPER_PX = [WIDTH_MM * PX_PER_MM, HEIGHT_MM * PX_PER_MM]


async def loaded_size(image: Locator) -> list[int]:
    """The image's natural size once it has loaded (waits for the load, not a sleep)."""
    handle = await image.element_handle()
    assert handle is not None
    page: Page = image.page
    await page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=handle, timeout=15_000
    )
    size: list[int] = await handle.evaluate("(img) => [img.naturalWidth, img.naturalHeight]")
    return size


async def test_a_dicom_picked_in_the_field_app_is_read_drawn_on_ecg_paper(
    pages: Pages, tmp_path: Path
) -> None:
    """The field app's picker takes a .dcm (whatever type the browser gives it), uploads it
    and sends it for reading; the reader sees it as the drawn 12-lead paper."""
    field = await pages.new("/field")
    await sign_in(field, f"township-{TOWNSHIP}")
    accept = await field.locator("#ecg-file").get_attribute("accept") or ""
    assert {".dcm", ".xml"} <= set(accept.split(","))
    await open_field_case(field, "十二导联波形")
    waveform = tmp_path / "12-lead.dcm"
    waveform.write_bytes(dicom_12_lead())
    await field.locator("#ecg-file").set_input_files(waveform)
    listed = field.locator("#ecg-list li")
    await expect(listed).to_contain_text("12-lead.dcm")
    await expect(listed.locator(".tag-done")).to_be_visible()  # uploaded: the server took it
    await field.locator("#ecg-list .ecg-read-send").click()
    sent = field.locator("#ecg-readings li")
    await expect(sent).to_have_attribute("data-status", "awaiting_reading")
    ecg_id = int(await sent.get_attribute("data-ecg-id") or 0)

    reader = await pages.new("/ecg")
    await sign_in(reader, READER)
    await reader.locator(f"#queue button[data-ecg-id='{ecg_id}']").click()
    await expect(reader.locator("#reading-facts")).to_contain_text("十二导联波形")
    drawing = reader.locator("#tracing img")
    await expect(drawing).to_be_visible()
    assert PAPER_PX == await loaded_size(drawing)


async def test_the_field_app_refuses_a_file_of_another_kind_before_uploading(
    pages: Pages, tmp_path: Path
) -> None:
    """A text file is refused on the device, in the user's language, and not listed."""
    field = await pages.new("/field")
    await sign_in(field, f"township-{TOWNSHIP}")
    await open_field_case(field, "错误文件")
    note = tmp_path / "notes.txt"
    note.write_text("ST elevation V1-V4")
    await field.locator("#ecg-file").set_input_files(note)
    await expect(field.locator(".toast-error")).to_contain_text("DICOM .dcm、HL7 aECG .xml")
    await expect(field.locator("#ecg-list li")).to_have_count(0)


async def test_an_aecg_sent_for_reading_is_drawn_on_the_english_reading_page(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """An HL7 aECG sent by the township's system (multipart) is drawn for the reader; the
    page in English."""
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "aECG waveform")
    sent = await http.post(
        f"{API}/ecgs",
        data={"case_id": str(case_id)},
        files={"file": ("ecg.xml", aecg_12_lead(), "text/xml")},
        headers=township,
    )
    assert 201 == sent.status_code, sent.text
    page = await pages.new("/ecg")
    await sign_in(page, READER)
    await page.locator("#lang-switch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.locator(f"#queue button[data-ecg-id='{sent.json()['id']}']").click()
    await expect(page.locator("#reading-title")).to_contain_text(f"case #{case_id}")
    drawing = page.locator("#tracing img")
    await expect(drawing).to_be_visible()
    assert PAPER_PX == await loaded_size(drawing)
