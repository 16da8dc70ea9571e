"""Pinyin helpers for the gazetteer: toneless full pinyin, initials and query normalisation.

Pure functions; the only data used is pypinyin's bundled dictionary.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# CJK unified ideographs (basic, extension A, compatibility, extensions B and later).
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")

# Place-name readings pypinyin gets wrong (its default reading of 佛 is "fu").
_PHRASE_FIXES: dict[str, tuple[str, ...]] = {
    "千佛阁": ("qian", "fo", "ge"),
}

# Characters dropped by normalize_query: whitespace, apostrophes, hyphens and dashes.
_QUERY_DROP = re.compile("[\\s'\u2018\u2019\uff07\\-\u2010\u2011\u2012\u2013\u2014\uff0d]+")


def _ascii_alnum(text: str) -> str:
    """Keep only ASCII letters and digits, lowercased."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def _han_syllables(run: str) -> list[str]:
    """Toneless syllables of a run of Chinese characters, place-name fixes applied."""
    for phrase, fix in _PHRASE_FIXES.items():
        at = run.find(phrase)
        if at >= 0:
            rest = run[at + len(phrase) :]
            return [*_han_syllables(run[:at]), *fix, *_han_syllables(rest)]
    syllables: list[str] = lazy_pinyin(run, style=Style.NORMAL)
    return syllables


def _segments(text: str) -> list[tuple[bool, list[str]]]:
    """Split text into (is_chinese, pieces): syllables of a Chinese run, else the run itself."""
    out: list[tuple[bool, list[str]]] = []
    pos = 0
    for match in _HAN_RUN.finditer(text):
        if match.start() > pos:
            out.append((False, [text[pos : match.start()]]))
        out.append((True, _han_syllables(match.group())))
        pos = match.end()
    if pos < len(text):
        out.append((False, [text[pos:]]))
    return out


def to_pinyin(text: str) -> str:
    """Lowercase toneless pinyin without separators: "王庄村" -> "wangzhuangcun".

    ASCII letters and digits are kept (lowercased); any other character is dropped.
    """
    return "".join(_ascii_alnum(piece) for _, pieces in _segments(text) for piece in pieces)


def initials(text: str) -> str:
    """First letter of each syllable: "王庄村" -> "wzc". Non-Chinese letters/digits are kept."""
    parts: list[str] = []
    for is_chinese, pieces in _segments(text):
        for piece in pieces:
            clean = _ascii_alnum(piece)
            parts.append(clean[:1] if is_chinese else clean)
    return "".join(parts)


def normalize_query(q: str) -> str:
    """Strip, lowercase and drop spaces, apostrophes and hyphens: "Wang Zhuang" -> "wangzhuang".

    Chinese characters are kept as they are.
    """
    return _QUERY_DROP.sub("", q.strip().lower())
