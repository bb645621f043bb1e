"""Shared constants for the geo tests: repo paths and the tiny city's UTM origin."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geo.crs import to_geographic

REPO_DATA_DIR = Path(__file__).resolve().parents[3] / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

X0 = 350_000.0
Y0 = 9_230_000.0


def latlon(x_m: float, y_m: float) -> tuple[float, float]:
    """(lat, lon) of a UTM 49S point."""
    lons, lats = to_geographic(np.array([x_m]), np.array([y_m]))
    return float(lats[0]), float(lons[0])
