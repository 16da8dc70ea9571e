"""The language the server draws in: ?lang, else Accept-Language, else Chinese (pure)."""

from __future__ import annotations

import pytest

from dispatch.http.language import accepted_lang, chosen_lang


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("de-DE,en;q=0.5,zh;q=0.7", "zh"),
        ("de-DE,zh;q=0.2,en;q=0.7", "en"),
        ("fr-FR,de", "zh"),
        ("en;q=0,zh;q=0.1", "zh"),
        ("zh-TW", "zh"),
        ("EN-us", "en"),
        ("en;q=abc", "zh"),
    ],
)
def test_accepted_lang_takes_the_preferred_of_zh_and_en(header: str | None, expected: str) -> None:
    """The highest-q of zh and en (ties: the first listed); neither: Chinese."""
    assert expected == accepted_lang(header)


def test_an_explicit_lang_wins_over_the_header() -> None:
    """?lang=en with a Chinese browser draws in English."""
    assert "en" == chosen_lang("en", "zh-CN")
    assert "en" == chosen_lang(None, "en")
