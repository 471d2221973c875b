"""Updates in windows: copy-on-write tiles, bit-identical to a fresh pass, earlier results kept.

A one-site edit updates the previous scenario's grids (best server, serving sector, the
carriers' power, the SINR, the targets' margins and views, the map's overlay) by copying
only the tiles its window touches (:mod:`covplan.tiled`). Here on the small demo, with tiles
small enough that its grid (100 x 94 cells at 150 m) has many. References: plain numpy
arrays patched by hand; the same grids predicted and measured from scratch (a fresh
evaluator, no previous result); copies of each step's grids taken before the later steps.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from covplan import tiled
from covplan.grid import Raster
from covplan.io import Dataset
from covplan.mapview.live import ScenarioView, scenario_script
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.predict import SiteCache, predict_coverage
from covplan.predict.engine import CoverageGrid
from covplan.predict.operators import best_dl_mbps, operator_sites, predict_operators
from covplan.targets import TargetSet
from covplan.tiled import KeyGrid, TiledArray

from .conftest import RESOLUTION_M

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")

#: Tile side in cells for these tests.
TILE = 8
THREE = [{"azimuth_deg": a} for a in (0.0, 120.0, 240.0)]


@pytest.fixture
def small_tiles(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(tiled, "TILE_CELLS", TILE)
    return TILE


def _whole(values: TiledArray) -> np.ndarray:
    """A copy of every cell, read from the tiles (nothing assembled and kept)."""
    rows, cols = values.shape
    return np.array(values.window((0, rows, 0, cols)), copy=True)


def _assert_same(a: np.ndarray, b: np.ndarray) -> None:
    """Equal bit for bit (NaN where the other is NaN)."""
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def _arrays(grid: CoverageGrid) -> dict[str, np.ndarray]:
    """Every grid of a prediction, read from its tiles (serving sectors as positions)."""
    out = {"rsrp": _whole(grid.rsrp_tiles.values),
           "server": grid.servers.positions(_whole(grid.servers.codes.values))}
    if grid.sinr_tiles is not None and grid.power is not None:
        out["sinr"] = _whole(grid.sinr_tiles.values)
        for k, power in enumerate(grid.power.power_mw):
            out[f"power {k}"] = _whole(power)
    return out


def _assert_same_prediction(a: CoverageGrid, b: CoverageGrid) -> None:
    assert a.site_keys == b.site_keys
    first, second = _arrays(a), _arrays(b)
    assert first.keys() == second.keys()
    for name in first:
        _assert_same(first[name], second[name])


def _assembled(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Messages of whole arrays assembled from tiles (:meth:`TiledArray.array`)."""
    return [r.getMessage() for r in caplog.records if "Assembled" in r.getMessage()]


# --- the tiles ------------------------------------------------------------------------


def test_a_patched_version_copies_the_touched_tiles_only_and_leaves_the_first_as_it_was(
) -> None:
    rng = np.random.default_rng(1)
    plain = rng.random((50, 70)).astype(np.float32)
    first = TiledArray.of(plain.copy(), tile=16)
    window = (10, 20, 30, 35)  # tile rows 0 and 1, tile columns 1 and 2 (of 5)
    second = first.updated(window, np.full((10, 5), -1.0, dtype=np.float32))
    expected = plain.copy()
    expected[10:20, 30:35] = -1.0
    _assert_same(_whole(second), expected)
    _assert_same(_whole(first), plain)
    touched = {i for i, (r0, r1, c0, c1) in enumerate(first.tile_windows())
               if r0 < 20 and r1 > 10 and c0 < 35 and c1 > 30}
    assert touched == {1, 2, 6, 7}
    for i, (a, b) in enumerate(zip(first.tiles, second.tiles, strict=True)):
        assert (a is b) == (i not in touched)
    with pytest.raises(ValueError, match="read-only"):
        second.tiles[1][0, 0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        first.window((0, 5, 0, 5))[0, 0] = 0.0
    assert first.updated((0, 0, 0, 0), np.empty((0, 0), np.float32)) is first


def test_every_read_equals_the_same_read_of_a_plain_array() -> None:
    rng = np.random.default_rng(2)
    plain = rng.random((61, 45)).astype(np.float32)
    values = TiledArray.of(plain.copy(), tile=7)
    for _ in range(12):
        r0, c0 = int(rng.integers(0, 60)), int(rng.integers(0, 44))
        r1, c1 = int(rng.integers(r0 + 1, 62)), int(rng.integers(c0 + 1, 46))
        patch = rng.random((r1 - r0, c1 - c0)).astype(np.float32)
        values = values.updated((r0, r1, c0, c1), patch)
        plain[r0:r1, c0:c1] = patch
    rows, cols = rng.integers(0, 61, 500), rng.integers(0, 45, 500)
    _assert_same(values.at(rows, cols), plain[rows, cols])
    for window in [(0, 61, 0, 45), (3, 4, 5, 6), (6, 22, 13, 40), (-5, 100, 40, 90)]:
        r0, r1, c0, c1 = window
        _assert_same(values.window(window), plain[max(r0, 0):r1, max(c0, 0):c1])
    for step, start in [(1, 0), (3, 1), (4, 2), (10, 9)]:
        _assert_same(values.every(step, start), plain[start::step, start::step])
    _assert_same(values.array(), plain)


def test_a_new_key_renumbers_no_cell(demo_small: Dataset) -> None:
    grid = demo_small.grid(RESOLUTION_M)
    codes = np.full(grid.shape, -1, dtype=np.int32)
    codes[:10] = 0
    codes[10:20] = 1
    first = KeyGrid.of(Raster(codes, grid, "index"), ("A/1", "C/1"))
    keys, code_of = first.coded(("A/1", "B/1", "C/1"))  # B sorts between A and C
    assert keys == ("A/1", "C/1", "B/1")
    assert code_of.tolist() == [0, 2, 1]
    second = KeyGrid(first.codes, keys, ("A/1", "B/1", "C/1"))
    positions = second.window((0, 30, 0, 2))
    assert positions[:10].tolist() == [[0, 0]] * 10
    assert positions[10:20].tolist() == [[2, 2]] * 10  # C/1 is now position 2
    assert (positions[20:] == -1).all()
    assert second.code_lookup(first).tolist() == [0, 1, -1]


# --- the engine -----------------------------------------------------------------------


def test_adding_and_removing_a_site_equals_fresh_predictions_and_keeps_the_earlier_one(
        small_tiles: int, demo_small: Dataset, shared_cache: SiteCache,
        caplog: pytest.LogCaptureFixture) -> None:
    """One operator's 4G network with its SINR; the new site's id sorts between others,
    so the serving indices of many sectors shift."""
    grid = demo_small.grid(RESOLUTION_M)
    base = Scenario(operator_sites(demo_small.sites, "Viettel"), dataset=demo_small.name)
    sites = base.sites
    x, y = float(sites.geometry.x.mean()), float(sites.geometry.y.mean())
    more = base.add_site("VTL-4G-0003", x + 2_000, y - 1_500, technology="4G",
                         operator="Viettel", sectors=THREE)

    def predict(scenario: Scenario, previous: CoverageGrid | None = None) -> CoverageGrid:
        return predict_coverage(scenario.sites, demo_small.terrain, grid, technology="4G",
                                cache=shared_cache, sinr=True, max_radius_m=3_000.0,
                                previous=previous)

    before = predict(base)
    kept = _arrays(before)
    with caplog.at_level(logging.DEBUG, logger="covplan.tiled"):
        added = predict(more, before)
    assert not _assembled(caplog)
    assert added.servers.keys != added.site_keys  # the new sectors have codes of their own
    _assert_same_prediction(added, predict(more))
    shared = sum(a is b for a, b in zip(before.rsrp_tiles.values.tiles,
                                        added.rsrp_tiles.values.tiles, strict=True))
    assert 0 < shared < len(before.rsrp_tiles.values.tiles)
    undone = predict(base, added)
    _assert_same_prediction(undone, before)
    for name, values in _arrays(before).items():  # the earlier prediction as it was
        _assert_same(values, kept[name])
    _assert_same(added.rsrp_dbm.data, _arrays(added)["rsrp"])
    _assert_same(added.server.data, _arrays(added)["server"])
    assert added.sinr_db is not None
    _assert_same(added.sinr_db.data, _arrays(added)["sinr"])
    for step in (1, 3, 4):  # the map's speed layer reads every step-th cell
        a = best_dl_mbps({"x": {"4G": added}}, "4G", step=step)
        b = best_dl_mbps({"x": {"4G": predict(more)}}, "4G", step=step)
        assert a is not None and b is not None
        _assert_same(a.data, b.data)


# --- the evaluator (coverage, networks, metrics, targets, the map) ---------------------


def _network_arrays(networks: dict[str, dict[str, CoverageGrid]]
                    ) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    return {(op, tech): _arrays(g) for op, grids in networks.items()
            for tech, g in grids.items()}


def test_adds_and_an_undo_equal_fresh_evaluations_and_earlier_results_stay_as_they_were(
        small_tiles: int, demo_small: Dataset, targets: TargetSet, shared_cache: SiteCache,
        caplog: pytest.LogCaptureFixture) -> None:
    """The app's loop: add a site, add another, undo; the map drawn after each step.

    The first site joins an operator's network (updated, with its SINR), the second names
    no operator (a network of its own, predicted afresh). Both ids sort between others.
    """
    evaluator = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M,
                                  cache=shared_cache)
    base = evaluator.baseline()
    evaluator.evaluate(base)
    sites = base.sites
    x, y = float(sites.geometry.x.mean()), float(sites.geometry.y.mean())
    one = base.add_site("NEW1", x + 2_000, y - 1_500, technology="4G", operator="Viettel",
                        sectors=THREE)
    two = one.add_site("NEW2", x - 2_500, y + 1_000, technology="4G", sectors=THREE)
    kept: list[tuple[dict, dict]] = []
    results = []
    for scenario in (one, two, one):  # the last: undo
        with caplog.at_level(logging.DEBUG, logger="covplan.tiled"):
            result = evaluator.evaluate(scenario)
            networks = evaluator.networks(scenario.sites)
            scenario_script(demo_small, ScenarioView(coverage=result.coverage))
        assert not _assembled(caplog)
        assert evaluator._last is not None and evaluator._last._window is not None
        viettel = networks["Viettel"]["4G"].power
        assert viettel is not None and viettel.window is not None  # summed in a window
        results.append((result, networks))
        kept.append(({t: _arrays(g) for t, g in result.coverage.items()},
                     _network_arrays(networks)))
        fresh = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M,
                                  cache=shared_cache)
        expected = fresh.evaluate(scenario)
        for name, table in expected.analysis.tables().items():
            pd.testing.assert_frame_equal(pd.DataFrame(result.analysis.tables()[name]),
                                          pd.DataFrame(table), check_exact=True, obj=name)
        for tech, g in expected.coverage.items():
            _assert_same_prediction(result.coverage[tech], g)
        fresh_networks = fresh.networks(scenario.sites)
        assert networks.keys() == fresh_networks.keys()
        for op, grids in fresh_networks.items():
            for tech, g in grids.items():
                _assert_same_prediction(networks[op][tech], g)
    first, second = (r[0].coverage["4G"].rsrp_tiles.values.tiles for r in results[:2])
    assert any(a is b for a, b in zip(first, second, strict=True))  # updated, not redone
    for (result, networks), (coverage, network_arrays) in zip(results, kept, strict=True):
        for tech, g in result.coverage.items():  # nothing earlier was written to
            for name, values in _arrays(g).items():
                _assert_same(values, coverage[tech][name])
        for key, values in _network_arrays(networks).items():
            for name, array in values.items():
                _assert_same(array, network_arrays[key][name])
    for tech in kept[0][0]:  # undo gives back the first add's grids exactly
        for name, values in kept[0][0][tech].items():
            _assert_same(kept[2][0][tech][name], values)


def test_branches_from_one_baseline_are_told_apart(
        small_tiles: int, demo_small: Dataset, targets: TargetSet,
        shared_cache: SiteCache) -> None:
    """Add a site, undo, add another elsewhere, undo to the first: the two branches number
    their new sectors alike (both extend the baseline's keys), yet every step's figures
    and networks equal a fresh evaluation's."""
    evaluator = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M,
                                  cache=shared_cache)
    base = evaluator.baseline()
    sites = base.sites
    x, y = float(sites.geometry.x.mean()), float(sites.geometry.y.mean())
    one = base.add_site("NEW1", x + 2_000, y - 1_500, technology="4G", sectors=THREE)
    other = base.add_site("NEW2", x - 3_000, y + 2_000, technology="4G", sectors=THREE)
    steps: list[Scenario] = [base, one, base, other, one]
    for scenario in steps:
        result = evaluator.evaluate(scenario).analysis
        fresh = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M,
                                  cache=shared_cache)
        for name, table in fresh.evaluate(scenario).analysis.tables().items():
            pd.testing.assert_frame_equal(pd.DataFrame(result.tables()[name]),
                                          pd.DataFrame(table), check_exact=True, obj=name)
        expected = predict_operators(scenario.sites, demo_small.terrain, evaluator.grid,
                                     floors_dbm=targets.floors_dbm(), cache=shared_cache,
                                     environment=evaluator.radio_environment,
                                     sinr=targets.needs_sinr)
        for op, grids in evaluator.networks(scenario.sites).items():
            for tech, g in grids.items():
                _assert_same_prediction(g, expected[op][tech])
