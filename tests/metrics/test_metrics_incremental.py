"""Metrics that follow on from the previous coverage: the changed window and exact updates.

Each expected window is read off the hand-made change; each updated figure is compared,
bit for bit, with the same figure computed from scratch.
"""

from __future__ import annotations

import numpy as np
import pytest

from covplan.grid import GridSpec, Raster
from covplan.metrics.signal import changed_window
from covplan.metrics.zones import ZoneRaster

from .conftest import FakeCoverageGrid

EPSG = 32648


@pytest.fixture
def small_grid() -> GridSpec:
    return GridSpec.from_bounds((500_000.0, 2_300_000.0, 502_000.0, 2_301_000.0), 100.0, EPSG)


def _coverage(grid: GridSpec, rsrp: np.ndarray, server: np.ndarray, keys: tuple[str, ...]
              ) -> FakeCoverageGrid:
    return FakeCoverageGrid("4G", Raster(rsrp.astype(np.float32), grid, "dBm"),
                            Raster(server.astype(np.int32), grid, "index"), keys)


def test_changed_window_bounds_every_changed_cell(small_grid: GridSpec) -> None:
    rsrp = np.full(small_grid.shape, np.nan)  # 10 rows x 20 columns
    rsrp[:, :8] = -90.0
    server = np.where(np.isnan(rsrp), -1, 0)
    before = {"4G": _coverage(small_grid, rsrp, server, ("A/1",))}
    after_rsrp = rsrp.copy()
    after_rsrp[2, 15] = -80.0  # a new cell served, by the new sector
    after_rsrp[6, 3] = -85.0   # a stronger value where A served
    after_server = server.copy()
    after_server[2, 15] = 1
    after_server[6, 3] = 1
    after = {"4G": _coverage(small_grid, after_rsrp, after_server, ("A/1", "B/1"))}
    assert changed_window(before, after) == (2, 7, 3, 16)
    assert changed_window(before, before) == (0, 0, 0, 0)  # NaN equals NaN: no change


def test_changed_window_sees_a_new_server_with_the_same_value(small_grid: GridSpec) -> None:
    rsrp = np.full(small_grid.shape, -90.0)
    before = {"4G": _coverage(small_grid, rsrp, np.zeros(small_grid.shape), ("A/1",))}
    # a new first sector shifts the indices: index 1 is still A/1, so nothing changed ...
    shifted = {"4G": _coverage(small_grid, rsrp, np.ones(small_grid.shape), ("0/1", "A/1"))}
    assert changed_window(before, shifted) == (0, 0, 0, 0)
    # ... but one cell now served by the new sector at the same value has changed
    server = np.ones(small_grid.shape)
    server[4, 9] = 0
    taken = {"4G": _coverage(small_grid, rsrp, server, ("0/1", "A/1"))}
    assert changed_window(before, taken) == (4, 5, 9, 10)


def test_coverage_that_cannot_be_compared_has_no_window(small_grid: GridSpec) -> None:
    one = Raster(np.full(small_grid.shape, -90.0, dtype=np.float32), small_grid, "dBm")
    assert changed_window({"4G": one}, {"4G": one, "5G": one}) is None
    coarse = GridSpec.from_bounds((500_000.0, 2_300_000.0, 502_000.0, 2_301_000.0), 200.0, EPSG)
    other = Raster(np.full(coarse.shape, -90.0, dtype=np.float32), coarse, "dBm")
    assert changed_window({"4G": one}, {"4G": other}) is None


def test_totals_of_some_zones_are_bit_identical_to_a_full_pass() -> None:
    rng = np.random.default_rng(7)
    grid = GridSpec.from_bounds((0.0, 0.0, 6_000.0, 4_000.0), 50.0, EPSG)  # 80 x 120
    ids = rng.integers(-1, 12, size=grid.shape).astype(np.int32)
    ids[ids == 3] = 4
    ids[:40, :60] = np.where(ids[:40, :60] >= 0, 3, -1)  # zone 3 only in one corner
    zones = ZoneRaster(ids, grid, 12)
    people = rng.random(grid.shape) * 37.3
    masks = [rng.random(grid.shape) < 0.4, rng.random(grid.shape) < 0.7]
    full_sums, full_cells = zones.totals(people, masks)
    keep = np.zeros(12, dtype=bool)
    keep[[3, 8]] = True
    sums, cells = zones.totals(people, masks, keep=keep)
    np.testing.assert_array_equal(sums[keep], full_sums[keep])
    np.testing.assert_array_equal(cells[keep], full_cells[keep])
    assert not sums[~keep].any()
    # zone 3 lies in rows 0-39, columns 0-59 only: that is all the kept scan needs
    only_3 = np.zeros(12, dtype=bool)
    only_3[3] = True
    assert zones.span(only_3) == (slice(0, 40), slice(0, 60))
    assert zones.touched((50, 60, 70, 80))[3] == np.False_
