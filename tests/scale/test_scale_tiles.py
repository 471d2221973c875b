"""Tiles of a province's grid: the tiled prediction and targets equal the untiled ones,
bit for bit (the tasks run here in-process, as a worker would run them)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from shapely.geometry import Point

from covplan.grid import GridSpec
from covplan.io import load_dataset
from covplan.planning import ScenarioEvaluator, run_analysis
from covplan.predict.engine import MAX_RADIUS_M
from covplan.scale import (
    ProvinceJob,
    ProvinceResult,
    RunSettings,
    TilePlan,
    finish_tiled,
    plan_jobs,
    predict_tile,
    read_country,
    run_province,
)
from covplan.scale.tiles import (
    assemble_coverage,
    exact_tiling,
    plan_tiles,
    province_site_keys,
    sites_near,
    tile_grid,
)
from covplan.targets import load_targets

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")

#: The tiled province runs on the default 30 m grid (about 240,000 cells).
TILE_RESOLUTION_M = 30.0


@pytest.mark.parametrize(("shape", "max_cells", "count"), [
    ((96, 100), 2_400, 4), ((96, 100), 9_600, 1), ((10, 1_000), 2_500, 4), ((7, 9), 10, 7),
])
def test_tiles_cover_the_grid_once_within_the_budget(shape: tuple[int, int], max_cells: int,
                                                      count: int) -> None:
    windows = plan_tiles(shape, max_cells)
    assert len(windows) == count
    cover = np.zeros(shape, dtype=int)
    for r0, r1, c0, c1 in windows:
        assert (r1 - r0) * (c1 - c0) <= max_cells
        cover[r0:r1, c0:c1] += 1
    assert (cover == 1).all()


def test_a_tile_grid_keeps_every_cell_centre() -> None:
    grid = GridSpec("EPSG:32648", Affine(30.0, 0.0, 420_000.0, 0.0, -30.0, 2_400_000.0),
                    100, 80)
    tile = tile_grid(grid, (40, 80, 25, 100))
    xs, ys = grid.cell_centres()
    txs, tys = tile.cell_centres()
    assert np.array_equal(txs, xs[25:100]) and np.array_equal(tys, ys[40:80])
    assert exact_tiling(grid)
    odd = GridSpec("EPSG:32648", Affine(33.3, 0.0, 420_000.0, 0.0, -33.3, 2_400_000.0), 10, 10)
    assert not exact_tiling(odd)


def test_sites_beyond_the_overlap_are_left_out() -> None:
    grid = GridSpec("EPSG:32648", Affine(30.0, 0.0, 420_000.0, 0.0, -30.0, 2_400_000.0),
                    100, 100)
    east = grid.bounds[2]
    sites = gpd.GeoDataFrame({"site_id": ["near", "far"]},
                             geometry=[Point(east + MAX_RADIUS_M - 10.0, 2_398_500.0),
                                       Point(east + MAX_RADIUS_M + 100.0, 2_398_500.0)],
                             crs=32648)
    assert list(sites_near(sites, grid)["site_id"]) == ["near"]


@pytest.fixture(scope="module")
def province(country_source: Path) -> ProvinceJob:
    """The first province of the country, as a job on a 30 m grid."""
    plan = plan_jobs(read_country(country_source), RunSettings(TILE_RESOLUTION_M))
    return plan.jobs[0]


def _four_tiles(job: ProvinceJob) -> ProvinceJob:
    """``job`` with a cell budget that splits its grid into 2 × 2 tiles."""
    rows, cols = load_dataset(job.path).grid(TILE_RESOLUTION_M).shape
    budget = math.ceil(rows / 2) * math.ceil(cols / 2)
    return replace(job, settings=replace(job.settings, max_tile_cells=budget))


def test_tiled_and_untiled_give_the_same_grids_and_target_table(province: ProvinceJob) -> None:
    job = _four_tiles(province)
    plan = run_province(job)
    assert isinstance(plan, TilePlan) and len(plan.windows) == 4
    tiles = [predict_tile(job, window) for window in plan.windows]
    tiled = finish_tiled(job, plan, tiles)
    whole = run_province(province)
    assert isinstance(tiled, ProvinceResult) and isinstance(whole, ProvinceResult)
    assert tiled.analysis is not None and whole.analysis is not None
    assert tiled.stats is not None and tiled.stats.tiles == 4
    pd.testing.assert_frame_equal(tiled.analysis.targets, whole.analysis.targets,
                                  check_exact=True)
    for name in ("population", "road_classes", "roads"):
        pd.testing.assert_frame_equal(getattr(tiled.analysis, name),
                                      getattr(whole.analysis, name), check_exact=True)
    for name, layer in tiled.analysis.layers().items():
        pd.testing.assert_frame_equal(pd.DataFrame(layer),
                                      pd.DataFrame(getattr(whole.analysis, name)),
                                      check_exact=True)
    alone = run_analysis(load_dataset(province.path), load_targets(province.targets),
                         resolution_m=TILE_RESOLUTION_M)
    pd.testing.assert_frame_equal(tiled.analysis.targets, alone.targets, check_exact=True)

    dataset = load_dataset(province.path)
    evaluator = ScenarioEvaluator(dataset, load_targets(province.targets),
                                  resolution_m=TILE_RESOLUTION_M)
    single = evaluator.coverage(dataset.sites)
    assembled = assemble_coverage(evaluator.grid, tiles,
                                  province_site_keys(dataset.sites, evaluator.statuses))
    assert sorted(assembled) == sorted(single)
    for tech, grid in assembled.items():
        assert grid.site_keys == single[tech].site_keys
        assert np.array_equal(grid.rsrp_dbm.data, single[tech].rsrp_dbm.data, equal_nan=True)
        assert np.array_equal(grid.server.data, single[tech].server.data)


@pytest.mark.slow
def test_a_full_province_in_nine_tiles_equals_the_whole(tmp_path: Path) -> None:
    """The full demo province (118 km across): tiles leave out the sites beyond the overlap."""
    from covplan.demo import generate_demo

    folder = generate_demo(tmp_path / "full", size="full", seed=57)
    resolution_m = 150.0
    rows, cols = load_dataset(folder).grid(resolution_m).shape
    settings = RunSettings(resolution_m, max_tile_cells=math.ceil(rows / 3) * math.ceil(cols / 3))
    job = ProvinceJob("full", str(folder), "full", "thai_nguyen_2025", settings, "")
    plan = run_province(job)
    assert isinstance(plan, TilePlan) and len(plan.windows) == 9
    tiles = [predict_tile(job, window) for window in plan.windows]
    assert min(t.sectors for t in tiles) < max(t.sectors for t in tiles)
    tiled = finish_tiled(job, plan, tiles)
    whole = run_province(replace(job, settings=replace(settings, max_tile_cells=10**9)))
    assert isinstance(tiled, ProvinceResult) and isinstance(whole, ProvinceResult)
    assert tiled.analysis is not None and whole.analysis is not None
    pd.testing.assert_frame_equal(tiled.analysis.targets, whole.analysis.targets,
                                  check_exact=True)
