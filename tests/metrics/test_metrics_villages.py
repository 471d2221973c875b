"""Village signal share, fibre reach, people on the grid: hand-computed on rectangles."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from shapely.geometry import LineString, Point, box

from covplan.grid import GridSpec, Raster
from covplan.metrics import (
    Thresholds,
    commune_summary,
    fibre_reached,
    people_on_grid,
    prepare_metrics,
    rasterize_zones,
    regrid_people,
    village_signal,
)

EPSG = 32648


def _people(grid: GridSpec, per_cell: np.ndarray, res_m: float) -> Raster:
    """A population raster of ``res_m`` cells from the grid's upper-left corner."""
    x0, y1 = grid.transform.c, grid.transform.f
    rows, cols = per_cell.shape
    spec = GridSpec(grid.crs_wkt, Affine(res_m, 0, x0, 0, -res_m, y1), cols, rows)
    return Raster(per_cell.astype(np.float32), spec, "people")


def _village(origin: tuple[float, float], x0: float, x1: float, y0: float, y1: float,
             **columns: object) -> gpd.GeoDataFrame:
    ox, oy = origin
    return gpd.GeoDataFrame({k: [v] for k, v in columns.items()},
                            geometry=[box(ox + x0, oy + y0, ox + x1, oy + y1)], crs=EPSG)


def test_area_share_without_population(origin: tuple[float, float], grid: GridSpec,
                                       rect_rsrp: Callable[..., Raster]) -> None:
    # a 1 km square village from x = 1 to 2 km; signal west of x = 1.5 km
    villages = _village(origin, 1000, 2000, 1000, 2000, village_id="V1", name="Xóm Đồng")
    zones = rasterize_zones(villages, grid)
    people = people_on_grid(grid)
    table = village_signal(villages, {"4G": rect_rsrp(0, 1500)}, technologies=["4G"],
                           people=people, zones=zones)
    assert people.basis == "area"
    assert table.loc[0, "signal_percent"] == pytest.approx(50.0)
    assert not table.loc[0, "covered"]  # 50 % < the 90 % village level
    assert np.isnan(table.loc[0, "population"])


def test_population_weighted_share(origin: tuple[float, float], grid: GridSpec,
                                   rect_rsrp: Callable[..., Raster]) -> None:
    # 100 m population cells: 3 people per cell west of x = 1.5 km, 1 east of it
    xs = 50.0 + 100.0 * np.arange(120)
    per_cell = np.where(xs < 1500, 3.0, 1.0)[None, :].repeat(100, axis=0)
    people = people_on_grid(grid, population=_people(grid, per_cell, 100.0))
    villages = _village(origin, 1000, 2000, 1000, 2000, village_id="V1", name="Xóm Đồng")
    table = village_signal(villages, {"4G": rect_rsrp(0, 1500)}, technologies=["4G"],
                           people=people, zones=rasterize_zones(villages, grid))
    # 10 x 10 cells of 100 m: per row 5 west cells x 3 + 5 east cells x 1 = 20 people,
    # 15 of them with signal; 10 rows: 150 of 200 people
    assert table.loc[0, "signal_percent"] == pytest.approx(75.0)
    assert table.loc[0, "population"] == pytest.approx(200.0)
    assert table.loc[0, "people_with_signal"] == pytest.approx(150.0)
    lax = village_signal(villages, {"4G": rect_rsrp(0, 1500)}, technologies=["4G"],
                         people=people, zones=rasterize_zones(villages, grid),
                         thresholds=Thresholds(village_covered_percent=75.0))
    assert bool(lax.loc[0, "covered"])


def test_village_smaller_than_a_cell_is_judged_at_its_point(
    origin: tuple[float, float], grid: GridSpec, rect_rsrp: Callable[..., Raster]
) -> None:
    villages = gpd.GeoDataFrame(
        {"village_id": ["in", "out"], "name": ["Bản Nhỏ", "Bản Xa"]},
        geometry=[box(origin[0] + 510, origin[1] + 510, origin[0] + 520, origin[1] + 520),
                  box(origin[0] + 4010, origin[1] + 510, origin[0] + 4020, origin[1] + 520)],
        crs=EPSG)
    table = village_signal(villages, {"5G": rect_rsrp(0, 1000)}, technologies=["5G"],
                           people=people_on_grid(grid), zones=rasterize_zones(villages, grid))
    assert table["signal_percent"].tolist() == [100.0, 0.0]


def test_fibre_flag_or_drop_distance(origin: tuple[float, float]) -> None:
    ox, oy = origin
    # fibre runs along y = 0; village centres at 400 m and 600 m from it, one flagged
    villages = gpd.GeoDataFrame(
        {"village_id": ["A", "B", "C"], "fibre": [False, False, True]},
        geometry=[Point(ox + 1000, oy + 400).buffer(50), Point(ox + 2000, oy + 600).buffer(50),
                  Point(ox + 3000, oy + 5000).buffer(50)], crs=EPSG)
    fibre = gpd.GeoDataFrame(geometry=[LineString([(ox, oy), (ox + 5000, oy)])], crs=EPSG)
    assert fibre_reached(villages, fibre, drop_m=500).tolist() == [True, False, True]
    assert fibre_reached(villages, fibre, drop_m=700).tolist() == [True, True, True]
    assert fibre_reached(villages, None, drop_m=500).tolist() == [False, False, True]


@pytest.mark.parametrize("res_m", [1000.0, 120.0, 50.0, 10.0])
def test_regridding_conserves_people(grid: GridSpec, res_m: float) -> None:
    rng = np.random.default_rng(5)
    rows, cols = int(10_000 // res_m), int(12_000 // res_m)
    per_cell = rng.random((rows, cols)) * 40
    per_cell[0, 0] = np.nan  # nodata holds nobody
    out = regrid_people(_people(grid, per_cell, res_m), grid)
    assert out.shape == grid.shape
    expected = np.nansum(per_cell.astype(np.float32).astype(np.float64))
    assert out.sum() == pytest.approx(expected, rel=1e-12)


def test_village_across_two_communes_is_counted_once_and_people_are_conserved(
    origin: tuple[float, float], grid: GridSpec, rect_rsrp: Callable[..., Raster],
    two_communes: gpd.GeoDataFrame,
) -> None:
    # 10 people in every 100 m cell: 120 x 100 cells, 120,000 people, half in each commune
    people = _people(grid, np.full((100, 120), 10.0), 100.0)
    village = _village(origin, 5500, 6500, 4000, 5000, village_id="V1", name="Thôn Giữa",
                       commune="00101", fibre=True, population=1000.0)
    ctx = prepare_metrics({"4G": rect_rsrp(0, 6000)}, communes=two_communes, villages=village,
                          population=people)
    summary = commune_summary(ctx)
    assert summary["code"].tolist() == ["00101", "00102"]
    assert summary["villages"].tolist() == [1, 0]
    assert summary["villages_fibre"].tolist() == [1, 0]
    assert summary["population"].tolist() == pytest.approx([60_000.0, 60_000.0])
    assert summary["population"].sum() == pytest.approx(120_000.0)
    assert summary["population_4g_percent"].tolist() == pytest.approx([100.0, 0.0])
    # the village's own share: the west half of it has signal
    assert ctx.village_signal(["4G"]).loc[0, "signal_percent"] == pytest.approx(50.0)
    assert ctx.village_signal(["4G"]).loc[0, "population"] == 1000.0
