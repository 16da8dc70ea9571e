"""The 12-lead ECG drawn on standard paper (pure): the scale of the drawing, measured in its
pixels at the DPI it was rendered at."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from alerts.ecg_paper import HEIGHT_MM, TRACE_LEFT, WIDTH_MM, baseline_mm, render_ecg
from tests.waveform_files import LEADS

RATE = 500


def flat_leads(seconds: float = 10.0) -> dict[str, np.ndarray]:
    return {lead: np.zeros(int(RATE * seconds)) for lead in LEADS}


def rendered(leads: dict[str, np.ndarray]) -> tuple[np.ndarray, float]:
    """The drawing's pixels (RGB) and its pixels a millimetre, from the PNG's own DPI."""
    image = Image.open(io.BytesIO(render_ecg(leads, RATE)))
    dpi_x, dpi_y = image.info["dpi"]
    assert round(dpi_x, 1) == round(dpi_y, 1)
    return np.asarray(image.convert("RGB")), float(dpi_x) / 25.4


def centres(indices: np.ndarray) -> list[float]:
    """The centre of each run of consecutive indices."""
    runs = np.split(indices, np.flatnonzero(np.diff(indices) > 1) + 1)
    return [float(run.mean()) for run in runs if len(run)]


def test_a_1_mv_200_ms_pulse_is_10_mm_high_and_5_mm_wide() -> None:
    """A 1 mV pulse lasting 200 ms in lead II is drawn, on the rhythm strip, 10 mm high
    (10 mm/mV) and 5 mm wide (25 mm/s) at the DPI the PNG says it has."""
    leads = flat_leads()
    leads["II"][int(5.0 * RATE) : int(5.2 * RATE)] = 1.0
    pixels, px_per_mm = rendered(leads)
    # the rhythm strip around 5 s: 10 mm before the pulse to 10 mm after, 15 mm above to 5 below
    left, base = TRACE_LEFT + 5.0 * 25, baseline_mm(3)
    x0, x1 = round((left - 10) * px_per_mm), round((left + 15) * px_per_mm)
    y0, y1 = round((base - 15) * px_per_mm), round((base + 5) * px_per_mm)
    ink = (pixels[y0:y1, x0:x1] < 100).all(axis=2)  # the trace is black, the grid pink
    rows = np.flatnonzero(ink.sum(axis=1) >= 3 * px_per_mm)  # horizontal strokes
    columns = np.flatnonzero(ink.sum(axis=0) >= 3 * px_per_mm)  # vertical strokes
    top, bottom = centres(rows)
    rise, fall = centres(columns)
    assert abs((bottom - top) / px_per_mm - 10.0) <= 0.25, (top, bottom)
    assert abs((fall - rise) / px_per_mm - 5.0) <= 0.25, (rise, fall)
    assert abs((y0 + bottom) / px_per_mm - base) <= 0.25  # the zero line where it belongs


def test_the_png_is_the_paper_at_8_pixels_a_millimetre() -> None:
    """The drawing is the whole paper (270 x 175 mm) at 8 px/mm (203.2 dpi)."""
    pixels, px_per_mm = rendered(flat_leads())
    assert (8.0, (round(HEIGHT_MM * 8), round(WIDTH_MM * 8))) == (
        round(px_per_mm, 3),
        pixels.shape[:2],
    )


def test_the_grid_has_a_line_every_millimetre_and_a_bolder_one_every_5() -> None:
    """Along a row of the paper between the traces, grid lines come every 1 mm, and every
    fifth is darker (the 5 mm squares)."""
    pixels, px_per_mm = rendered(flat_leads())
    y = round((baseline_mm(0) + 10.5) * px_per_mm)  # a blank band below the first row
    row = pixels[y, : round(WIDTH_MM * px_per_mm)].astype(int)
    tinted = np.flatnonzero(row[:, 1] < 235)  # grid lines take green out of white
    lines = centres(tinted)
    spacing = np.diff(lines) / px_per_mm
    assert abs(float(np.median(spacing)) - 1.0) <= 0.05
    bold = centres(np.flatnonzero(row[:, 1] < 170))
    assert abs(float(np.median(np.diff(bold))) / px_per_mm - 5.0) <= 0.1


def test_a_short_recording_leaves_the_later_columns_blank() -> None:
    """Three seconds of tracing fill the first column and a little of the second; the
    third and fourth columns (V1-V6) have no trace, only their labels."""
    leads = {lead: np.full(3 * RATE, 0.5) for lead in LEADS}
    pixels, px_per_mm = rendered(leads)
    y = round((baseline_mm(0) - 5) * px_per_mm)  # 0.5 mV above the first row's zero line
    ink = (pixels[y] < 100).all(axis=1)
    drawn = np.flatnonzero(ink) / px_per_mm
    drawn = drawn[drawn > TRACE_LEFT - 2]  # not the calibration pulse, left of the trace
    assert abs(drawn.min() - TRACE_LEFT) <= 0.5  # from 0 s
    assert abs(drawn.max() - (TRACE_LEFT + 3.0 * 25)) <= 0.5  # to 3 s, nothing after
