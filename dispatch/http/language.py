"""The language of what the server draws or writes for a person: ``?lang=zh|en`` when the page
asks for one, else the browser's ``Accept-Language``; Chinese when neither names zh or en."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
DEFAULT_LANG: Lang = "zh"


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def accepted_lang(header: str | None) -> Lang:
    """The first of zh and en by the header's preference (``q``), e.g. ``en-GB,en;q=0.9`` → en,
    ``zh-CN,zh;q=0.9,en;q=0.8`` → zh; neither (or no header) → zh."""
    best: tuple[float, int, Lang] | None = None
    for position, item in enumerate((header or "").split(",")):
        tag, *parameters = item.split(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("zh", "en"):
            continue
        quality = _quality(parameters)
        lang: Lang = "zh" if primary == "zh" else "en"
        candidate = (-quality, position, lang)
        if quality > 0 and (best is None or candidate < best):
            best = candidate
    return best[2] if best is not None else DEFAULT_LANG


def chosen_lang(asked: Lang | None, accept_language: str | None) -> Lang:
    """``?lang=`` when given, else the browser's preference."""
    return asked if asked is not None else accepted_lang(accept_language)
