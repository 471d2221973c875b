"""The metrics' compiled grid kernels against the numpy they replace."""

from __future__ import annotations

import numpy as np

from covplan.metrics._kernels import raise_margin


def test_raise_margin_is_numpys_fmax_of_the_margin_with_no_service_left_out() -> None:
    rng = np.random.default_rng(7)
    best = np.full((60, 80), -np.inf, np.float32)
    expected = best.copy()
    for shared in (False, True, False):
        rsrp = rng.normal(-95.0, 15.0, best.shape).astype(np.float32)
        rsrp[rng.random(best.shape) < 0.3] = np.nan  # no service
        rsrp[0, :5] = -np.inf
        goal = np.float32(rng.normal(-100.0, 5.0))
        margin = rsrp - goal
        np.fmax(expected, np.where(np.isnan(margin), -np.inf, margin), out=expected)
        rsrp.flags.writeable = not shared  # a prediction's tiles are read-only
        raise_margin(best, rsrp, goal)
        assert np.array_equal(best, expected)
    assert np.isneginf(best).any() and np.isfinite(best).any() and not np.isnan(best).any()


def test_raise_margin_by_hand() -> None:
    best = np.array([[-np.inf, 2.0, 5.0]], np.float32)
    raise_margin(best, np.array([[np.nan, 10.0, 4.0]], np.float32), np.float32(5.0))
    assert best.tolist() == [[-np.inf, 5.0, 5.0]]
