"""The CJK font the server's charts draw Chinese with (WenQuanYi Micro Hei or Noto Sans CJK,
installed by scripts/system-deps.sh); without one, charts are drawn in English rather than
with empty boxes."""

from __future__ import annotations

from functools import lru_cache

from matplotlib import font_manager

CJK_FILES = ("wqy-microhei", "wqy-zenhei", "notosanscjk", "notoserifcjk", "sourcehansans")


@lru_cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font (registered with matplotlib), if any."""
    for path in sorted(font_manager.findSystemFonts()):
        if any(mark in path.lower().replace("-", "").replace("_", "") for mark in
               (m.replace("-", "") for m in CJK_FILES)):  # fmt: skip
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
    return None
