"""The robust fit and the blocked cross-validation on synthetic errors with a known truth."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.calibration.fit import (
    cross_validated_correction,
    fit_correction,
    spatial_folds,
)


def _synthetic(offset: float, slope: float, n: int = 4000, seed: int = 3
               ) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    distance = 10.0 ** rng.uniform(2.0, 4.2, n)  # 100 m to 16 km
    error = offset + slope * np.log10(distance / 1000.0) + rng.normal(0.0, 7.0, n)
    wild = rng.random(n) < 0.05  # wrong attribution, indoor readings: 5 % outliers
    error[wild] += rng.choice([-35.0, 35.0], int(wild.sum()))
    return error, distance, rng


@pytest.mark.parametrize(("offset", "slope"), [(6.0, -8.0), (-4.5, 12.0), (0.0, 0.0)])
def test_recovers_an_injected_offset_and_slope(offset: float, slope: float) -> None:
    error, distance, _ = _synthetic(offset, slope)
    fit = fit_correction(error, distance)
    assert fit.offset_db == pytest.approx(offset, abs=1.0)
    assert fit.slope_db_per_decade == pytest.approx(slope, abs=0.5)
    assert fit.slope_fitted
    assert 100.0 <= fit.distance_m[0] < fit.distance_m[1] <= 16_000.0


def test_recovers_class_offsets_relative_to_the_overall_offset() -> None:
    error, distance, rng = _synthetic(3.0, -5.0)
    classes = rng.choice([10, 40, 50], distance.size)
    error = error + np.where(classes == 10, 6.0, 0.0)  # forest 6 dB stronger than the rest
    fit = fit_correction(error, distance, classes, min_class_points=100)
    got = fit.correction_db(np.full(3, 1000.0), np.array([10, 40, 50]))
    assert got[0] - got[1] == pytest.approx(6.0, abs=1.0)
    assert got[1] == pytest.approx(3.0, abs=1.0)
    assert got[2] == pytest.approx(3.0, abs=1.0)
    rare = fit_correction(error, distance, np.where(np.arange(distance.size) < 20, 95, 40))
    assert 95 not in rare.class_offsets_db  # 20 points: no offset of its own


def test_the_slope_is_held_flat_beyond_the_measured_distances() -> None:
    error, distance, _ = _synthetic(2.0, -10.0)
    fit = fit_correction(error, distance)
    far = fit.correction_db(np.array([fit.distance_m[1], 10 * fit.distance_m[1]]))
    assert far[0] == far[1]
    narrow = fit_correction(error[:40], np.full(40, 1500.0))
    assert not narrow.slope_fitted and narrow.slope_db_per_decade == 0.0
    with pytest.raises(ValueError, match="at least 20 measurements"):
        fit_correction(error[:5], distance[:5])


def test_folds_hold_out_whole_blocks_or_routes() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 20_000, 2000), rng.uniform(0, 20_000, 2000)
    fold = spatial_folds(x, y, block_m=2000.0, folds=5)
    blocks = np.floor(x / 2000).astype(int) * 100 + np.floor(y / 2000).astype(int)
    for block in np.unique(blocks):
        assert np.unique(fold[blocks == block]).size == 1
    assert set(fold.tolist()) == {0, 1, 2, 3, 4}
    routes = np.repeat(np.arange(20), 100)
    by_route = spatial_folds(x, y, block_m=2000.0, folds=4, groups=routes)
    for r in range(20):
        assert np.unique(by_route[routes == r]).size == 1


def test_held_out_correction_removes_the_bias() -> None:
    error, distance, rng = _synthetic(5.0, -6.0)
    x, y = rng.uniform(0, 30_000, distance.size), rng.uniform(0, 30_000, distance.size)
    fold = spatial_folds(x, y, block_m=2000.0, folds=5)
    correction = cross_validated_correction(error, distance, None, fold)
    truth = 5.0 - 6.0 * np.log10(distance / 1000.0)
    before = np.sqrt(np.mean(error**2))
    after = np.sqrt(np.mean((error - correction) ** 2))
    best = np.sqrt(np.mean((error - truth) ** 2))  # what knowing the truth would leave
    assert np.isfinite(correction).all()
    assert after < before - 1.0
    assert after == pytest.approx(best, abs=0.2)
