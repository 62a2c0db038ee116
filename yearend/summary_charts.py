"""The annual summary's charts as PNG images: activities per month, completion per indicator.

Drawn with matplotlib's Agg backend (no display) in a Chinese font found through fontconfig
(`fc-list :lang=zh`; Debian's fonts-noto-cjk, installed by `deploy/` and `.ci/run`). Without a
CJK font the labels would print as boxes, so no chart is drawn and the summary says why.
"""

import functools
import io
import logging
import shutil
import subprocess
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt

logger = logging.getLogger(__name__)

# Preferred families, best first; any other font fontconfig knows for Chinese comes after.
PREFERRED_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC")
PARTY_RED = "#b71c1c"
FIGURE_WIDTH_INCHES = 3.4
FIGURE_HEIGHT_INCHES = 2.5


@dataclass(frozen=True)
class ChartFont:
    family: str
    path: str


@functools.cache
def cjk_font() -> ChartFont | None:
    """A font with Chinese glyphs that matplotlib can use, or None (asked of fontconfig once)."""
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "family", "file"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        logger.warning("charts: fc-list failed", exc_info=True)
        return None
    found: list[ChartFont] = []
    for line in listing.splitlines():
        path, _sep, families = line.partition(": ")
        if path and families:
            found.extend(ChartFont(family.strip(), path.strip()) for family in families.split(","))
    if not found:
        return None
    rank = {family: index for index, family in enumerate(PREFERRED_FAMILIES)}
    best = min(found, key=lambda font: (rank.get(font.family, len(rank)), font.path))
    font_manager.fontManager.addfont(best.path)
    # A .ttc collection registers under its first face's name; use whatever name matplotlib gave it.
    family = font_manager.FontProperties(fname=best.path).get_name()
    return ChartFont(family, best.path)


def _png(figure) -> bytes:
    output = io.BytesIO()
    figure.savefig(output, format="png", dpi=200, bbox_inches="tight")
    plt.close(figure)
    return output.getvalue()


def _style(font: ChartFont) -> dict:
    return {"font.family": font.family, "font.size": 7, "axes.spines.top": False, "axes.spines.right": False}


def monthly_activity_chart(font: ChartFont, months: list[str], counts: list[int]) -> bytes:
    """Bars of activities per month, the count above each bar."""
    with plt.rc_context(_style(font)):
        figure, axes = plt.subplots(figsize=(FIGURE_WIDTH_INCHES, FIGURE_HEIGHT_INCHES))
        bars = axes.bar(months, counts, color=PARTY_RED, width=0.6)
        axes.bar_label(bars, labels=[str(count) if count else "" for count in counts], padding=2, fontsize=7)
        axes.set_ylabel("活动（次）")
        axes.set_xlabel("月份")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylim(0, max([*counts, 1]) * 1.2)
        return _png(figure)


def completion_chart(font: ChartFont, names: list[str], completion: list[float]) -> bytes:
    """Horizontal bars of completion (%) per indicator with the 100 % line."""
    with plt.rc_context(_style(font)):
        figure, axes = plt.subplots(figsize=(FIGURE_WIDTH_INCHES, FIGURE_HEIGHT_INCHES))
        positions = list(range(len(names)))[::-1]
        bars = axes.barh(positions, completion, color=PARTY_RED, height=0.65)
        axes.set_yticks(positions, names)
        axes.axvline(100, color="#565e64", linewidth=1, linestyle="--")
        axes.bar_label(bars, labels=[f"{value:g}%" for value in completion], padding=3, fontsize=7)
        axes.set_xlabel("完成率（%）")
        axes.set_xlim(0, max([*completion, 100]) * 1.18)
        return _png(figure)
