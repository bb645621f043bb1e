"""The duration bins of the trend rollups: exact below EXACT_BELOW_S, within 0.5 % above."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import rollups
from dashboard.rollups import EXACT_BELOW_S, MAX_KEY, MAX_RELATIVE_ERROR, bin_key, bin_value


def _dense(values) -> np.ndarray:
    hist = np.zeros(2 * MAX_KEY + 1, dtype=np.int64)
    for v in values:
        hist[bin_key(int(v)) + MAX_KEY] += 1
    return hist


def test_the_stated_error_bound_is_under_half_a_percent():
    assert MAX_RELATIVE_ERROR < 0.005


def test_durations_under_the_exact_bound_are_their_own_bin_of_either_sign():
    for seconds in range(-EXACT_BELOW_S + 1, EXACT_BELOW_S):
        assert bin_value(bin_key(seconds)) == seconds


def test_every_duration_up_to_two_weeks_and_samples_to_68_years_is_within_the_bound():
    seconds = np.concatenate(
        [np.arange(EXACT_BELOW_S, 14 * 86_400), np.geomspace(14 * 86_400, 2**31 - 1, 5000)]
    ).astype(np.int64)
    for sign in (1, -1):
        got = np.array([bin_value(bin_key(int(sign * s))) for s in seconds[::7]])
        want = sign * seconds[::7].astype(float)
        assert np.all(np.abs(got - want) <= MAX_RELATIVE_ERROR * np.abs(want) + 1e-9)


def test_bins_keep_the_order_of_durations_so_ranks_land_in_the_right_bin():
    seconds = list(range(-100_000, 100_000, 37))
    keys = [bin_key(s) for s in seconds]
    assert keys == sorted(keys)
    assert abs(bin_key(10**12)) == MAX_KEY  # beyond 68 years: the last bin, not an overflow


def test_percentiles_of_exact_bins_equal_numpys_linear_interpolation():
    rng = np.random.default_rng(4)
    values = rng.integers(-20, EXACT_BELOW_S, size=313)
    hist = _dense(values)
    for p in (0.5, 0.9, 0.0, 1.0):
        assert rollups.percentile(hist, p) == pytest.approx(np.percentile(values, p * 100))


def test_percentiles_of_long_durations_are_within_the_bound():
    rng = np.random.default_rng(5)
    values = rng.lognormal(np.log(3000), 0.8, size=2001).astype(np.int64) + EXACT_BELOW_S
    hist = _dense(values)
    for p in (0.5, 0.9):
        want = np.percentile(values, p * 100)
        assert abs(rollups.percentile(hist, p) - want) <= MAX_RELATIVE_ERROR * want


def test_a_single_duration_is_every_percentile():
    hist = _dense([42])
    assert rollups.percentile(hist, 0.5) == 42.0
    assert rollups.percentile(hist, 0.9) == 42.0
