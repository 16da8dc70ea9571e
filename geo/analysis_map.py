"""The coverage map: roads, villages coloured by road time to a PCI centre, stations, new sites."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from geo.analysis import Site
from geo.engine import TravelTimeEngine
from geo.road_arrays import FloatArray


def draw_coverage_map(
    path: Path,
    engine: TravelTimeEngine,
    villages: Sequence[Site],
    minutes_to_pci: FloatArray,
    stations: Sequence[Site],
    proposed: Sequence[Site],
    title: str,
) -> None:
    """Write a PNG map of village access to PCI with existing and proposed stations."""
    figure = Figure(figsize=(10, 10), dpi=110)
    axes = figure.add_subplot()
    segments = list(engine.arrays.seg_coords)
    axes.add_collection(LineCollection(segments, colors="#9aa0a6", linewidths=0.5, zorder=1))
    finite = np.where(np.isfinite(minutes_to_pci), minutes_to_pci, 240.0)
    dots = axes.scatter(
        [v.lon for v in villages],
        [v.lat for v in villages],
        c=finite,
        s=[max(6.0, v.population / 120) for v in villages],
        cmap="RdYlGn_r",
        vmin=0,
        vmax=120,
        zorder=3,
        edgecolors="none",
    )
    figure.colorbar(dots, ax=axes, shrink=0.7, label="minutes by road to the nearest PCI centre")
    axes.scatter(
        [s.lon for s in stations],
        [s.lat for s in stations],
        marker="s",
        s=60,
        c="#1a73e8",
        label="ambulance station",
        zorder=4,
    )
    if proposed:
        axes.scatter(
            [s.lon for s in proposed],
            [s.lat for s in proposed],
            marker="*",
            s=260,
            c="#d93025",
            label="proposed station",
            zorder=5,
        )
    axes.set_aspect(1 / np.cos(np.radians(float(np.mean([v.lat for v in villages] or [0])))))
    axes.autoscale_view()
    axes.set_title(title)
    axes.legend(loc="lower left")
    axes.set_xlabel("longitude")
    axes.set_ylabel("latitude")
    figure.tight_layout()
    figure.savefig(path)
