"""A 12-lead ECG drawn on standard paper as a PNG (pure: samples in, bytes out; no I/O).

25 mm/s and 10 mm/mV on a 1 mm / 5 mm grid, at ``PX_PER_MM`` pixels a millimetre: the twelve
leads in the usual 3×4 layout (I II III | aVR aVL aVF | V1 V2 V3 | V4 V5 V6, each column the
next 2.5 s of the same recording), a 10 s lead II rhythm strip below, a 1 mV × 200 ms
calibration pulse at the start of each row, the lead labels, and the speed, the gain and the
sampling rate printed at the top. Drawn with matplotlib's Agg canvas (no pyplot, no global
state): callers on the event loop run it in a thread.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

MM_PER_S = 25.0
MM_PER_MV = 10.0
PX_PER_MM = 8  # 203.2 dpi
COLUMN_S = 2.5
LAYOUT = (("I", "II", "III"), ("aVR", "aVL", "aVF"), ("V1", "V2", "V3"), ("V4", "V5", "V6"))
RHYTHM = "II"
# The paper, in mm from its top-left corner.
TRACE_LEFT = 15.0  # where each row's trace starts (its calibration pulse is to the left)
TRACE_WIDTH = MM_PER_S * COLUMN_S * len(LAYOUT)  # 10 s: 250 mm
HEADER = 12.0
ROW_HEIGHT = 40.0
ROWS = len(LAYOUT[0]) + 1  # three rows of leads, then the rhythm strip
WIDTH_MM = TRACE_LEFT + TRACE_WIDTH + 5.0
HEIGHT_MM = HEADER + ROW_HEIGHT * ROWS + 3.0
DPI = PX_PER_MM * 25.4
_MINOR, _MAJOR, _INK = "#f7c4c4", "#e07a7a", "#000000"
_PT_PER_MM = 72 / 25.4


def baseline_mm(row: int) -> float:
    """The y (mm from the paper's top) of row ``row``'s zero line; the rhythm strip is row 3."""
    return HEADER + ROW_HEIGHT * row + ROW_HEIGHT * 0.6


def render_ecg(leads: Mapping[str, Sequence[float] | np.ndarray], rate_hz: float) -> bytes:
    """The PNG of ``leads`` (name → samples in mV at ``rate_hz``) on standard ECG paper; a lead
    missing from ``leads`` leaves its place blank."""
    figure = Figure(figsize=(WIDTH_MM / 25.4, HEIGHT_MM / 25.4), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)  # draws on Agg (no pyplot, no global backend)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(0, WIDTH_MM)
    axes.set_ylim(HEIGHT_MM, 0)  # y in mm downwards, as on the paper
    axes.set_axis_off()
    _grid(axes)
    traces: list[np.ndarray] = []
    for column, names in enumerate(LAYOUT):
        start = column * COLUMN_S
        for row, name in enumerate(names):
            x0 = TRACE_LEFT + start * MM_PER_S
            _label(axes, x0 + 1.5, baseline_mm(row) - 12.0, name)
            if name in leads:
                traces.append(_trace(leads[name], rate_hz, start, COLUMN_S, x0, baseline_mm(row)))
            if column > 0:  # the mark between two columns
                y = baseline_mm(row)
                traces.append(np.array([[x0, y - 3.0], [x0, y + 3.0]]))
    rhythm_row = ROWS - 1
    _label(axes, TRACE_LEFT + 1.5, baseline_mm(rhythm_row) - 12.0, RHYTHM)
    if RHYTHM in leads:
        span = COLUMN_S * len(LAYOUT)
        traces.append(
            _trace(leads[RHYTHM], rate_hz, 0.0, span, TRACE_LEFT, baseline_mm(rhythm_row))
        )
    traces.extend(_calibration(baseline_mm(row)) for row in range(ROWS))
    axes.add_collection(
        LineCollection(traces, colors=_INK, linewidths=0.3 * _PT_PER_MM, capstyle="butt")
    )
    seconds = min((len(samples) for samples in leads.values()), default=0) / rate_hz
    axes.text(
        TRACE_LEFT,
        HEADER * 0.6,
        f"25 mm/s    10 mm/mV    {rate_hz:g} Hz    {seconds:.1f} s",
        fontsize=9,
        color=_INK,
        va="center",
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _grid(axes: Axes) -> None:
    minor: list[list[tuple[float, float]]] = []
    major: list[list[tuple[float, float]]] = []
    for x in range(int(WIDTH_MM) + 1):
        (major if x % 5 == 0 else minor).append([(x, 0.0), (x, HEIGHT_MM)])
    for y in range(int(HEIGHT_MM) + 1):
        (major if y % 5 == 0 else minor).append([(0.0, y), (WIDTH_MM, y)])
    axes.add_collection(LineCollection(minor, colors=_MINOR, linewidths=0.1 * _PT_PER_MM))
    axes.add_collection(LineCollection(major, colors=_MAJOR, linewidths=0.2 * _PT_PER_MM))


def _trace(
    samples: Sequence[float] | np.ndarray,
    rate_hz: float,
    start_s: float,
    span_s: float,
    x0: float,
    baseline: float,
) -> np.ndarray:
    """The (x, y) mm points of ``span_s`` seconds of a lead from ``start_s``."""
    first = round(start_s * rate_hz)
    part = np.asarray(samples, dtype=np.float64)[first : first + round(span_s * rate_hz)]
    x = x0 + np.arange(len(part)) / rate_hz * MM_PER_S
    return np.column_stack((x, baseline - part * MM_PER_MV))


def _calibration(baseline: float) -> np.ndarray:
    """The 1 mV × 200 ms pulse (10 mm high, 5 mm wide) left of a row's trace."""
    left, top = TRACE_LEFT - 10.0, baseline - 1.0 * MM_PER_MV
    right = left + 0.2 * MM_PER_S
    return np.array(
        [(left - 2, baseline), (left, baseline), (left, top), (right, top), (right, baseline),
         (right + 2, baseline)]
    )  # fmt: skip


def _label(axes: Axes, x: float, y: float, name: str) -> None:
    axes.text(x, y, name, fontsize=10, fontweight="bold", color=_INK, va="center")
