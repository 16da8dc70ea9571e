"""The report as CSV, Excel and PDF: each opens, has its parts, and carries the same figures."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dispatch.cases.chart_fonts import cjk_font
from dispatch.reports.exports_xlsx import cell_values, sheet_names
from tests.conftest import Login
from tests.e2e.cases_helpers import signed_in
from tests.e2e.reports_helpers import get_report, load_all


@pytest.fixture
async def loaded(client: httpx.AsyncClient, login: Login) -> dict[str, int]:
    """The fixture cases, stamped through the API in this test's transaction."""
    return await load_all(client, login)


STEMI_ZH = "急性ST段抬高型心肌梗死"
# What a raw code looks like in a cell: a snake_case id, a "kind:subject" finding, a pathway id.
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z_]+:[a-z_]+\b|\b(?:stemi|stroke|trauma)\b")


def rows_of(response: httpx.Response) -> list[list[str]]:
    """The CSV's rows (its byte-order mark checked and dropped)."""
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_csv_summary_has_chinese_headers_and_the_figures(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """Default CSV: Chinese headers; door to wire over all: n 4, mean 48.25, compliance 0.75."""
    response = await get_report(client, await signed_in(login, "auditor"), format="csv")
    assert 200 == response.status_code, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    head, *rows = rows_of(response)
    assert ["路径", "指标", "分组", "月份", "机构", "目标"] == head[:6]
    total = next(r for r in rows if r[1] == "PCI医院入门至导丝通过 (D2W)" and r[2] == "全部")
    assert ["4", "48.25", "34.0", "87.0", "0.75"] == total[6:11]
    assert STEMI_ZH == total[0]
    months = [
        r[3] for r in rows if (r[0], r[1], r[2]) == (STEMI_ZH, "首次医疗接触至首份心电图", "按月")
    ]
    assert ["2025-03", "2025-04"] == months


async def test_csv_in_english_and_one_row_per_case(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """lang=en&table=cases: English headers, one row per real case."""
    response = await get_report(
        client, await signed_in(login, "auditor"), format="csv", lang="en", table="cases"
    )
    head, *rows = rows_of(response)
    assert ["Case id", "Pathway", "Month", "Facility", "First medical contact"] == head[:5]
    assert {
        str(loaded[k]) for k in ("a47", "b_walk_in", "c_ambulance", "d_stroke", "e_dingji")
    } == {r[0] for r in rows}
    assert "Critical value reported to arterial puncture (Minutes)" in head


async def test_csv_findings_lists_each_case_with_findings(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """table=findings: one row per case with a finding, the findings joined."""
    response = await get_report(
        client, await signed_in(login, "auditor"), format="csv", lang="en", table="findings"
    )
    head, *rows = rows_of(response)
    assert ["Case id", "Facility", "First medical contact", "Data-quality findings"] == head
    found = {int(r[0]): r[3] for r in rows}
    assert "corrected:wire_crossing" in found[loaded["b_walk_in"]]


async def test_xlsx_opens_with_its_sheets(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """The workbook opens with openpyxl and has the six sheets, Chinese names by default."""
    response = await get_report(client, await signed_in(login, "auditor"), format="xlsx")
    assert 200 == response.status_code, response.text
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert ["汇总", "按月", "按机构", "病例", "超标病例", "数据质量"] == book.sheetnames
    assert sheet_names("zh") == book.sheetnames
    summary = cell_values(book["汇总"])
    assert "指标" in summary[0]
    d2w = next(r for r in summary if r[1] == "PCI医院入门至导丝通过 (D2W)")
    assert (4, 48.25) == (d2w[6], d2w[7])
    cases = cell_values(book["病例"])
    assert 1 + 5 == len(cases)
    outside = cell_values(book["超标病例"])
    assert loaded["b_walk_in"] in [row[1] for row in outside]


async def test_xlsx_in_english(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """lang=en names the sheets in English."""
    response = await get_report(client, await signed_in(login, "auditor"), format="xlsx", lang="en")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert ["Summary", "By month", "By facility", "Cases", "Outside target", "Data quality"] == (
        book.sheetnames
    )


async def test_pdf_opens_with_its_pages(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """The PDF opens; summary, trend, facility and timeline pages are all there."""
    response = await get_report(client, await signed_in(login, "auditor"), format="pdf")
    assert 200 == response.status_code, response.text
    assert "application/pdf" == response.headers["content-type"]
    reader = PdfReader(io.BytesIO(response.content))
    texts = [page.extract_text() for page in reader.pages]
    summary = [i for i, t in enumerate(texts) if "指标汇总" in t]
    trends = [i for i, t in enumerate(texts) if "月度趋势" in t]
    bars = [i for i, t in enumerate(texts) if "各机构达标率" in t]
    worst = [i for i, t in enumerate(texts) if "超标最严重病例" in t]
    assert cjk_font() is not None, "scripts/system-deps.sh installs a CJK font"
    assert [True] * 4 == [bool(summary), bool(trends), bool(bars), bool(worst)]
    assert list(range(len(summary))) == summary  # the summary first (two pages for 20+ metrics)
    assert summary[-1] < trends[0] < bars[0] < worst[0]
    assert f"#{loaded['b_walk_in']}" in " ".join(texts[i] for i in worst)
    assert "infofirst" == reader.metadata.creator if reader.metadata else False


async def test_pdf_in_english(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """lang=en writes the PDF in English."""
    response = await get_report(client, await signed_in(login, "auditor"), format="pdf", lang="en")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Summary against the targets" in text
    assert "Door to wire" in text or "PCI door to wire" in text
    # issue 14: the misses by delay reason (none given yet for the fixtures) and the trend
    assert "Missed targets by delay reason, and the trend" in text
    assert "no reason given" in text
    assert "2025-03 → 2025-04" in text


async def test_every_file_has_the_all_chest_pain_row(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """FMC -> first ECG over all chest pain is in the CSV, Excel and PDF, in both languages
    (the fixtures' chest-pain cases are all STEMI: the same n as STEMI's row)."""
    auditor = await signed_in(login, "auditor")
    _, *rows = rows_of(await get_report(client, auditor, format="csv"))
    totals = {(r[0], r[1]): r for r in rows if r[2] == "全部"}
    combined = totals[("全部胸痛患者", "首次医疗接触至首份心电图（全部胸痛患者）")]
    assert totals[(STEMI_ZH, "首次医疗接触至首份心电图")][6] == combined[6] != "0"
    book = load_workbook(
        io.BytesIO((await get_report(client, auditor, format="xlsx", lang="en")).content),
        read_only=True,
    )
    summary = cell_values(book["Summary"])
    expected = ["all_chest_pain", "fmc_to_first_ecg", "FMC to first ECG (all chest pain)"]
    assert expected in [r[:3] for r in summary]
    for lang, name in (("zh", "全部胸痛患者"), ("en", "FMC to first ECG (all chest pain)")):
        pdf = (await get_report(client, auditor, format="pdf", lang=lang)).content
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert name in text, lang


async def test_chinese_files_carry_no_raw_codes(
    client: httpx.AsyncClient, login: Login, loaded: dict[str, int]
) -> None:
    """lang=zh: pathways, metrics, milestones and findings by their Chinese names in the three
    CSV tables and every sheet of the workbook; English keeps the codes."""
    headers = await signed_in(login, "auditor")
    cells: list[str] = []
    for table in ("summary", "cases", "findings"):
        response = await get_report(client, headers, format="csv", table=table)
        cells += [cell for row in rows_of(response) for cell in row]
    book = load_workbook(
        io.BytesIO((await get_report(client, headers, format="xlsx")).content), read_only=True
    )
    cells += [str(v) for sheet in book for row in cell_values(sheet) for v in row if v is not None]
    assert [] == [cell for cell in cells if RAW_CODE.search(cell)]
    assert any("已更正：导丝通过" in cell for cell in cells)  # corrected:wire_crossing
    assert any("缺失：发病" in cell for cell in cells)  # missing:symptom_onset
    english = await get_report(client, headers, format="csv", table="findings", lang="en")
    assert any("corrected:wire_crossing" in cell for row in rows_of(english) for cell in row)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"format": "xlsx", "pathway": "stemi"},
            "infofirst-intervals-stemi-2025-03-01_2025-04-30.xlsx",
        ),
        ({"format": "csv"}, "infofirst-intervals-all-2025-03-01_2025-04-30.csv"),
        (
            {"format": "csv", "table": "cases", "lang": "en"},
            "infofirst-intervals-cases-all-2025-03-01_2025-04-30-en.csv",
        ),
        (
            {"format": "pdf", "facility_id": "th-nandun", "from": "2025-03-01", "to": "2025-03-31"},
            "infofirst-intervals-all-th-nandun-2025-03-01_2025-03-31.pdf",
        ),
        (
            {
                "format": "csv",
                "from": "2025-03-01T00:00:00+08:00",
                "to": "2025-04-01T00:00:00+08:00",
            },
            "infofirst-intervals-all-2025-03-01_2025-03-31.csv",
        ),
    ],
)
async def test_downloads_are_named_for_what_they_hold_and_their_days(
    client: httpx.AsyncClient,
    login: Login,
    loaded: dict[str, int],
    params: dict[str, str],
    expected: str,
) -> None:
    """Content-Disposition names the report, its table, pathway, facility and period, the last
    day included (a datetime `to` is excluded: its day before is the last)."""
    response = await get_report(client, await signed_in(login, "auditor"), **params)
    assert 200 == response.status_code, response.text
    assert f'attachment; filename="{expected}"' == response.headers["content-disposition"]
