"""A synthetic ECG image for the browser tests (drawn, never a patient's): PQRST complexes with
ST elevation on ECG paper, labelled as synthetic."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def beat(t: np.ndarray, st_mm: float) -> np.ndarray:
    """One heartbeat in mV over ``t`` seconds (0-0.8 s), with ST segment elevation."""

    def wave(center: float, width: float, height: float) -> np.ndarray:
        return height * np.exp(-(((t - center) / width) ** 2))

    st = np.where((t > 0.30) & (t < 0.42), st_mm / 10, 0.0)
    return (
        wave(0.10, 0.025, 0.15)
        + wave(0.22, 0.008, -0.10)
        + wave(0.25, 0.010, 1.20)
        + wave(0.28, 0.010, -0.25)
        + st
        + wave(0.47, 0.050, 0.35 + st_mm / 10)
    )


def synthetic_ecg_png() -> bytes:
    """A PNG of three synthetic leads (V2-V4 style ST elevation), about 1200 x 480 px."""
    figure = Figure(figsize=(12, 4.8), dpi=100, facecolor="#fff5f5")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0.02, 0.04, 0.96, 0.86))
    seconds = np.linspace(0, 6, 3000)
    for row, (lead, st_mm) in enumerate((("V2", 3.0), ("V3", 4.0), ("V4", 2.5))):
        phase = np.mod(seconds, 0.8)
        axes.plot(seconds, beat(phase, st_mm) - row * 2.2, color="#111", linewidth=1.2)
        axes.text(0.05, -row * 2.2 + 0.7, lead, fontsize=12)
    axes.set_xticks(np.arange(0, 6.01, 0.2))
    axes.set_yticks(np.arange(-5.5, 1.6, 0.5))
    axes.grid(color="#f4a6a6", linewidth=0.6)
    axes.tick_params(labelbottom=False, labelleft=False, length=0)
    axes.set_xlim(0, 6)
    axes.set_ylim(-5.5, 1.6)
    figure.suptitle("SYNTHETIC ECG (demo data, not a patient) - ST elevation V2-V4", fontsize=13)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()
