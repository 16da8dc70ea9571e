"""The unit's quality-control view (质控, issue 16): real and drill times side by side, month by
month, against the targets, with the drills' scores and the delay reasons; JSON, Excel, PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import Login
from tests.e2e.cases_helpers import CASES, SHANGHAI, case_body, open_case, signed_in, stamp
from tests.e2e.drills_helpers import DRILLS, OTHER_UNIT_USER, UNIT, UNIT_USER, drill_now

QC = f"/api/v1/qc/units/{UNIT}"


def period() -> dict[str, str]:
    """Yesterday to today, local."""
    today = datetime.now(SHANGHAI).date()
    return {"from": f"{today - timedelta(days=1)}", "to": f"{today}"}


async def fmc_to_ecg(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: int, minutes: float
) -> None:
    contact = datetime.now(UTC) - timedelta(minutes=40)
    await stamp(client, headers, case_id, "first_medical_contact", contact)
    await stamp(client, headers, case_id, "first_ecg", contact + timedelta(minutes=minutes))


async def real_and_drill(client: httpx.AsyncClient, login: Login) -> tuple[int, dict[str, Any]]:
    """A real case at the unit that missed FMC→ECG (12 min, a reason given) and an ended drill
    that met it (8 min)."""
    unit = await signed_in(login, UNIT_USER)
    real = await open_case(client, unit, case_body())
    await fmc_to_ecg(client, unit, real["id"], 12)
    reason = await client.put(
        f"{CASES}/{real['id']}/delay-reasons/fmc_to_first_ecg",
        json={"code": "diagnosis_unclear", "note": "等家属"},
        headers=unit,
    )
    assert 200 == reason.status_code, reason.text
    county = await signed_in(login, "dispatcher")
    drill = await drill_now(client, county)
    await fmc_to_ecg(client, unit, drill["case_id"], 8)
    ended = await client.post(f"{DRILLS}/{drill['id']}/end", headers=county)
    assert 200 == ended.status_code, ended.text
    return real["id"], ended.json()


async def test_the_qc_view_shows_real_and_drill_side_by_side(
    client: httpx.AsyncClient, login: Login
) -> None:
    """Same metric, same month: the real case (missed, with its reason) and the drill (met)."""
    real_id, drill = await real_and_drill(client, login)
    county = await signed_in(login, "auditor")
    answer = await client.get(QC, params=period(), headers=county)
    assert 200 == answer.status_code, answer.text
    body = answer.json()
    assert UNIT == body["facility"]["id"]
    metric = next(
        m for m in body["metrics"] if (m["pathway"], m["name"]) == ("stemi", "fmc_to_first_ecg")
    )
    assert 10 == metric["target_minutes"]
    month = metric["months"][-1]
    assert {"n": 1, "median": 12.0, "compliance": 0.0, "judged": 1} == month["real"]
    assert {"n": 1, "median": 8.0, "compliance": 1.0, "judged": 1} == month["drill"]
    assert [(drill["id"], "ended", {"judged": 1, "met": 1})] == [
        (d["id"], d["status"], {k: d["score"][k] for k in ("judged", "met")})
        for d in body["drills"]
    ]
    assert [(real_id, False, "fmc_to_first_ecg", "diagnosis_unclear", "等家属")] == [
        (m["case_id"], m["drill"], m["metric"], m["reason"], m["note"]) for m in body["missed"]
    ]


async def test_real_reports_leave_the_drill_out_and_drill_reports_hold_it(
    client: httpx.AsyncClient, login: Login
) -> None:
    """The time-audit report: drill=false without the drill case, drill=true with it only."""
    real_id, drill = await real_and_drill(client, login)
    county = await signed_in(login, "dispatcher")
    found = {}
    for flag in ("false", "true"):
        report = await client.get(
            "/api/v1/reports/intervals",
            params={**period(), "facility_id": UNIT, "drill": flag},
            headers=county,
        )
        assert 200 == report.status_code, report.text
        found[flag] = {case["case_id"] for case in report.json()["cases"]}
    assert ({real_id}, {drill["case_id"]}) == (found["false"], found["true"])


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_qc_view_downloads_as_excel_and_pdf(
    client: httpx.AsyncClient, login: Login, lang: str
) -> None:
    """The workbook opens with openpyxl (three sheets, both sides), the PDF with pypdf."""
    real_id, drill = await real_and_drill(client, login)
    unit = await signed_in(login, UNIT_USER)
    xlsx = await client.get(QC, params={**period(), "format": "xlsx", "lang": lang}, headers=unit)
    assert 200 == xlsx.status_code, xlsx.text
    assert xlsx.headers["content-disposition"].endswith(f'-{lang}.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.content))
    assert 3 == len(book.sheetnames)
    metrics = [list(row) for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    label = "首次医疗接触至首份心电图" if lang == "zh" else "FMC to first ECG"
    row = next(r for r in metrics if r[2] == label)
    assert (1, "12.0", "0%", 1, "8.0", "100%") == tuple(row[4:10])
    drills = [list(r) for r in book.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert [[drill["id"], "1/1"]] == [[r[0], r[6]] for r in drills]
    missed = [list(r) for r in book.worksheets[2].iter_rows(min_row=3, values_only=True)]
    assert [real_id] == [r[0] for r in missed]
    pdf = await client.get(QC, params={**period(), "format": "pdf", "lang": lang}, headers=unit)
    assert (200, "application/pdf") == (pdf.status_code, pdf.headers["content-type"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert str(real_id) in text
    assert ("质控报告" if lang == "zh" else "Quality-control report") in text


@pytest.mark.parametrize(("who", "status"), [(OTHER_UNIT_USER, 403), ("crew-amb-01", 403),
                                             ("data-manager", 200), (UNIT_USER, 200)])  # fmt: skip
async def test_a_unit_reads_only_its_own_qc_view(
    client: httpx.AsyncClient, login: Login, who: str, status: int
) -> None:
    answer = await client.get(QC, params=period(), headers=await signed_in(login, who))
    assert status == answer.status_code, answer.text
