"""``infofirst report`` against the real test database: the file, its formats, bad input.

The command opens its own engine and reads committed rows, so the one test that needs cases
commits two fixture cases and deletes them again (their report rows go with them).
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from typer.testing import CliRunner, Result

from dispatch.cases.maintenance import remove_cases
from dispatch.cases.models import Case
from dispatch.cli import app
from dispatch.settings import get_settings
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_report_sql import load_fixture
from tests.unit.test_report_fixtures import A47, F_DRILL

CLI_ENV = {"INFOFIRST_DATABASE_URL": TEST_DATABASE_URL, "INFOFIRST_ENV": "test"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


async def run(*args: str) -> tuple[Result, str]:
    """Run ``infofirst`` in a thread (it calls asyncio.run itself) with fresh settings."""
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(lambda: CliRunner().invoke(app, list(args), env=CLI_ENV))
    finally:
        get_settings.cache_clear()
    return result, " ".join(ANSI.sub("", result.output).split())


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[dict[str, int]]:
    """The 47-minute case and the drill, committed for the command; deleted afterwards."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as db, db.begin():
        ids = {case.key: await load_fixture(db, case) for case in (A47, F_DRILL)}
    try:
        yield ids
    finally:
        async with sessions() as db, db.begin():
            await remove_cases(db, select(Case.id).where(Case.id.in_(list(ids.values()))))


async def test_report_writes_each_format(committed: dict[str, int], tmp_path: Path) -> None:
    """xlsx, pdf, csv and json files of 10–20 March 2025; the drill only with --drill."""
    period = ["--from", "2025-03-10", "--to", "2025-03-20"]
    for fmt in ("xlsx", "pdf", "csv", "json"):
        out = tmp_path / f"report.{fmt}"
        result, text = await run("report", *period, "--format", fmt, "-o", str(out))
        assert 0 == result.exit_code, text
        assert f"wrote {out}" in text.replace(" ", " ")
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    assert "汇总" == book.sheetnames[0]
    assert len(PdfReader(io.BytesIO((tmp_path / "report.pdf").read_bytes())).pages) >= 3
    assert "PCI医院入门至导丝通过" in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert '"case_count": 1' in (tmp_path / "report.json").read_text(encoding="utf-8")
    drill = tmp_path / "drill.json"
    result, text = await run("report", *period, "--format", "json", "--drill", "-o", str(drill))
    assert 0 == result.exit_code, text
    assert f'"case_id": {committed["f_drill"]}' in drill.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--from", "2025-04-30", "--to", "2025-03-01"], 2, "is after to"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--format", "docx"], 2, "unknown format"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--pathway", "x"], 2, "unknown pathway"),
        (["--from", "2025-03-01", "--to", "2025-03-31", "--facility", "th-x"], 2, "th-x"),
        (["--from", "2019-01-01", "--to", "2019-01-31"], 1, "nothing to report"),
    ],
    ids=["from-after-to", "unknown-format", "unknown-pathway", "unknown-facility", "empty"],
)
async def test_bad_input_exits_with_a_message(
    args: list[str], code: int, words: str, tmp_path: Path
) -> None:
    """Bad input exits 2 and an empty period 1, each saying why; no file is written."""
    out = tmp_path / "report.out"
    result, text = await run("report", *args, "-o", str(out))
    assert code == result.exit_code, text
    assert words in text
    assert not out.exists()
