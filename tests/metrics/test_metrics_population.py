"""Population coverage (SDG 9.c.1) by technology and operator, signal at points of interest,
and the commune summary's road and POI columns."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from covplan.grid import GridSpec, Raster
from covplan.metrics import (
    commune_summary,
    people_on_grid,
    poi_signal,
    population_coverage,
    prepare_metrics,
)
from covplan.metrics.population import NO_POPULATION

from .conftest import FakeCoverageGrid

EPSG = 32648


def _server(grid: GridSpec, bands: list[tuple[float, float, int]]) -> Raster:
    """Serving index by vertical band of x offsets (-1 elsewhere)."""
    xs, _ = grid.cell_centres()
    offset = xs - grid.transform.c
    row = np.full(grid.width, -1, dtype=np.int32)
    for x0, x1, index in bands:
        row[(offset > x0) & (offset < x1)] = index
    return Raster(np.repeat(row[None, :], grid.height, axis=0), grid, "index")


def _uniform_people(grid: GridSpec, per_cell: float = 2.0) -> Raster:
    """A population raster on ``grid`` with ``per_cell`` people in every cell."""
    return Raster(np.full(grid.shape, per_cell), grid, "people")


def test_people_with_signal_by_technology_and_operator(
    grid: GridSpec, rect_rsrp: Callable[..., Raster]
) -> None:
    # uniform people (2 a cell); 4G west of 6 km: A serves 0-3 km, B serves 3-6 km;
    # 5G from 4.5 to 7.5 km, served by A's 5G sector
    lte = FakeCoverageGrid("4G", rect_rsrp(0, 6000),
                           _server(grid, [(0, 3000, 0), (3000, 6000, 1)]), ("A/1", "B/1"))
    nr = FakeCoverageGrid("5G", rect_rsrp(4500, 7500), _server(grid, [(4500, 7500, 0)]),
                          ("A/4",))
    sites = gpd.GeoDataFrame({"site_id": ["A", "B", "A"], "operator": ["Viettel", "VNPT",
                                                                        "Viettel"]},
                             geometry=[Point(0, 0)] * 3, crs=EPSG)
    people = people_on_grid(grid, population=_uniform_people(grid))
    table = population_coverage(people, {"4G": lte, "5G": nr}, sites=sites)
    got = {(r.technology, r.operator): r.covered_percent for r in table.itertuples()}
    assert got == pytest.approx({
        ("4G", "best operator"): 50.0,  # 6 of 12 km
        ("5G", "best operator"): 25.0,  # 3 of 12 km
        ("4G or 5G", "best operator"): 62.5,  # 0-7.5 km
        ("4G", "VNPT"): 25.0, ("4G", "Viettel"): 25.0,
        ("5G", "VNPT"): 0.0, ("5G", "Viettel"): 25.0,
    })
    assert set(table["basis"]) == {"population raster"}
    assert table.loc[0, "people_total"] == pytest.approx(2.0 * grid.width * grid.height)
    assert table.loc[0, "threshold"] == "4G RSRP >= -105 dBm"


def test_plain_rasters_give_best_operator_rows_only(grid: GridSpec,
                                                    rect_rsrp: Callable[..., Raster]) -> None:
    people = people_on_grid(grid, population=_uniform_people(grid))
    table = population_coverage(people, {"4G": rect_rsrp(0, 3000)})
    assert table[["technology", "operator"]].values.tolist() == [["4G", "best operator"]]
    assert table.loc[0, "covered_percent"] == pytest.approx(25.0)
    assert table.loc[0, "people_covered"] == pytest.approx(0.25 * 2.0 * grid.width * grid.height)


def test_without_a_population_source_no_cell_is_counted_as_a_person(
        grid: GridSpec, rect_rsrp: Callable[..., Raster]) -> None:
    # no raster, no population column: the grid weighs cells by area, which are not people
    people = people_on_grid(grid)
    assert people.basis == "area"
    table = population_coverage(people, {"4G": rect_rsrp(0, 3000), "5G": rect_rsrp(0, 600)})
    assert len(table) == 3
    assert table[["people_total", "people_covered", "covered_percent"]].isna().all().all()
    assert set(table["basis"]) == {NO_POPULATION}


def test_signal_at_points_of_interest(origin: tuple[float, float],
                                      rect_rsrp: Callable[..., Raster]) -> None:
    ox, oy = origin
    pois = gpd.GeoDataFrame({"kind": ["hospital", "university", "school"]},
                            geometry=[Point(ox + 500, oy + 500), Point(ox + 2500, oy + 500),
                                      Point(ox + 9000, oy + 500)], crs=EPSG)
    coverage = {"4G": rect_rsrp(0, 3000, dbm=-100), "5G": rect_rsrp(0, 1000, dbm=-90)}
    table = poi_signal(pois, coverage)
    assert table["rsrp_4g_dbm"].tolist()[:2] == [-100.0, -100.0]
    assert np.isnan(table["rsrp_4g_dbm"].iloc[2])
    assert table["has_4g"].tolist() == [True, True, False]
    assert table["has_5g"].tolist() == [True, False, False]


def test_commune_summary_counts_uncovered_highway_km_and_pois(
    origin: tuple[float, float], rect_rsrp: Callable[..., Raster],
    two_communes: gpd.GeoDataFrame,
) -> None:
    ox, oy = origin
    # QL.3 from x = 0 to 10 km (signal east of 5 km): 5 km uncovered, all in the west
    # commune; a provincial road (not counted) without signal; two POIs in the east
    roads = gpd.GeoDataFrame(
        {"road_class": ["national", "provincial"], "ref": ["QL.3", "ĐT.261"]},
        geometry=[LineString([(ox, oy + 5000), (ox + 10_000, oy + 5000)]),
                  LineString([(ox + 1000, oy), (ox + 1000, oy + 9000)])], crs=EPSG)
    pois = gpd.GeoDataFrame({"kind": ["hospital", "school"], "name": ["BV", "Trường"]},
                            geometry=[Point(ox + 7000, oy + 1000), Point(ox + 8000, oy + 1000)],
                            crs=EPSG)
    coverage = {"4G": rect_rsrp(5000, 12_000), "5G": rect_rsrp(7500, 12_000)}
    ctx = prepare_metrics(coverage, roads=roads, pois=pois, communes=two_communes)
    summary = commune_summary(ctx)
    assert summary["highway_uncovered_km"].tolist() == pytest.approx([5.0, 0.0])
    assert summary["pois_without_5g"].tolist() == [0, 1]  # the hospital at 7 km
    assert commune_summary(ctx, poi_kinds=["school"])["pois_without_5g"].tolist() == [0, 0]
    assert np.isnan(summary["population"]).all()  # no population known: not invented
