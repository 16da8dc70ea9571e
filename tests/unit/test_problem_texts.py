"""Every problem type the server can answer has a message in Chinese and English (issue 13,
item 12): the pages' table (dispatch/web/static/js/problems.js) is read by Node, the server's
types from dispatch/http/problems.py and from every literal slug in the packages' source."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dispatch.http.problems import problem_types

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS_JS = ROOT / "dispatch" / "web" / "static" / "js" / "problems.js"
PACKAGES = ("dispatch", "units", "alerts", "geo")
CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def js_exports() -> dict[str, Any]:
    """problems.js's tables and a few rendered messages, as Node sees them."""
    node = shutil.which("node")
    assert node is not None, "node is needed (make jscheck installs it)"
    script = f"""
      const m = await import({json.dumps(PROBLEMS_JS.as_uri())});
      const invalid = {{type: '/problems/invalid-input', errors: [
        {{field: 'summary', code: 'string_too_long', ctx: {{max_length: 1000}}}},
        {{field: 'eta_minutes', code: 'greater_than_equal', ctx: {{ge: 0}}}},
        {{field: 'query.lang', code: 'literal_error', ctx: {{expected: "'zh' or 'en'"}}}}]}};
      const notFound = {{type: '/problems/not-found', kind: 'case', id: '42'}};
      const unknown = {{type: '/problems/made-up', title: 'Made up'}};
      console.log(JSON.stringify({{
        texts: m.PROBLEM_TEXTS,
        invalid: [m.problemMessage(invalid, 'zh'), m.problemMessage(invalid, 'en')],
        notFound: [m.problemMessage(notFound, 'zh'), m.problemMessage(notFound, 'en')],
        unknown: [m.problemMessage(unknown, 'zh'), m.problemMessage(unknown, 'en')],
      }}));
    """
    done = subprocess.run(  # noqa: S603 - a fixed script, our own file
        [node, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(done.stdout))


def literal_slug(node: ast.AST) -> str | None:
    """The slug of a ``problem(status, "slug", …)`` call or of a ``"/problems/slug"`` string."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "problem":
        second = node.args[1] if len(node.args) > 1 else None
        return str(second.value) if isinstance(second, ast.Constant) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        slug = node.value.removeprefix("/problems/")
        return slug if slug and slug != node.value else None
    return None


def slugs_in_source() -> set[str]:
    """Every literal problem slug in the packages, wherever someone adds one."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                slug = literal_slug(node)
                if slug is not None:
                    found.add(slug)
    return found


def test_every_literal_problem_slug_is_a_known_type() -> None:
    """A problem slug written anywhere in the source is one problem_types() lists."""
    assert set() == slugs_in_source() - problem_types()


def test_source_scan_finds_the_handlers_slugs() -> None:
    """The scan sees the slugs written by hand (it would pass vacuously otherwise)."""
    assert {"invalid-input", "database-busy", "body-too-large"} <= slugs_in_source()


@pytest.mark.parametrize("slug", sorted(problem_types()))
def test_every_problem_type_has_both_translations(slug: str) -> None:
    """The pages have a Chinese and an English message for the type."""
    texts = js_exports()["texts"]
    assert slug in texts, f"add {slug!r} to PROBLEM_TEXTS in problems.js"
    zh, en = texts[slug]
    assert CJK.search(zh), f"{slug}: the Chinese text {zh!r} has no Chinese"
    assert en.strip(), f"{slug}: no English text"
    assert not CJK.search(en), f"{slug}: the English text {en!r} has Chinese"


def test_no_translation_for_a_type_the_server_does_not_have() -> None:
    """The table holds only the server's types (a renamed type leaves no stale entry)."""
    assert set() == set(js_exports()["texts"]) - problem_types()


def test_invalid_input_is_shown_field_by_field_in_each_language() -> None:
    """A 422's fields read "field: what is wrong" with the limits, in the language asked."""
    zh, en = js_exports()["invalid"]
    assert (
        "摘要：最多 1000 个字符；预计到达（分钟）：不能小于 0；语言：不是允许的值（'zh'、'en'）"
        == zh
    )
    assert (
        "summary: at most 1000 characters; ETA (minutes): must be at least 0;"
        " language: not one of 'zh' or 'en'"
    ) == en


def test_placeholders_are_filled_from_the_problem() -> None:
    """A not-found names what was not found, translated, with its id."""
    assert ["找不到病例 42", "Case 42 not found"] == js_exports()["notFound"]


def test_an_unknown_type_gets_a_generic_message_with_the_title() -> None:
    """A type the table does not know: a translated generic message and the server's title."""
    assert ["操作未成功（Made up）", "The request failed (Made up)"] == js_exports()["unknown"]
