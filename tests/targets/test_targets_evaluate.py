"""Target evaluation on hand-made geometry with hand-computed answers.

The province: a 12 km x 10 km grid of 50 m cells, west and east communes split at x = 6 km,
4 people in every 100 m cell (48,000 people, 400 per km²). 4G covers x >= 5 km, 5G covers
x >= 10 km. QL.3 runs 10 km along y = 5 km from x = 0. Villages are 1 km squares at
x = 1-2 km (fibre flag), 6-7 km and 10.5-11.5 km (fibre 300 m away), all at y = 1-2 km.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine
from shapely.geometry import LineString, Point, box

from covplan.grid import GridSpec, Raster
from covplan.metrics import MetricContext, prepare_metrics
from covplan.targets import evaluate_targets, parse_targets

X0, Y0, EPSG = 500_000.0, 2_300_000.0, 32648


def _rect(grid: GridSpec, x0: float, x1: float) -> Raster:
    xs, _ = grid.cell_centres()
    row = np.where((xs > X0 + x0) & (xs < X0 + x1), -80.0, np.nan).astype(np.float32)
    return Raster(np.repeat(row[None, :], grid.height, axis=0), grid, "dBm")


@pytest.fixture(scope="module")
def ctx() -> MetricContext:
    grid = GridSpec.from_bounds((X0, Y0, X0 + 12_000, Y0 + 10_000), 50.0, EPSG)
    pop_grid = GridSpec(grid.crs_wkt, Affine(100.0, 0, X0, 0, -100.0, Y0 + 10_000), 120, 100)
    population = Raster(np.full((100, 120), 4.0, dtype=np.float32), pop_grid, "people")
    communes = gpd.GeoDataFrame(
        {"code": ["00101", "00102"], "name": ["Xã Tây", "Phường Đông"]},
        geometry=[box(X0, Y0, X0 + 6000, Y0 + 10_000),
                  box(X0 + 6000, Y0, X0 + 12_000, Y0 + 10_000)], crs=EPSG)
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1", "V2", "V3"], "name": ["Xóm Một", "Xóm Hai", "Xóm Ba"],
         "population": [1000.0, 2000.0, 500.0], "fibre": [True, False, False]},
        geometry=[box(X0 + a, Y0 + 1000, X0 + a + 1000, Y0 + 2000) for a in (1000, 6000, 10_500)],
        crs=EPSG)
    fibre = gpd.GeoDataFrame(geometry=[LineString([(X0 + 9500, Y0 + 1200),
                                                   (X0 + 12_000, Y0 + 1200)])], crs=EPSG)
    roads = gpd.GeoDataFrame({"road_class": ["national"], "ref": ["QL.3"]},
                             geometry=[LineString([(X0, Y0 + 5000), (X0 + 10_000, Y0 + 5000)])],
                             crs=EPSG)
    pois = gpd.GeoDataFrame(
        {"kind": ["hospital", "university", "school"], "name": ["BV", "ĐH", "Trường"]},
        geometry=[Point(X0 + 11_000, Y0 + 8000), Point(X0 + 6000, Y0 + 8000),
                  Point(X0 + 11_000, Y0 + 9000)], crs=EPSG)
    coverage = {"4G": _rect(grid, 5000, 12_000), "5G": _rect(grid, 10_000, 12_000)}
    return prepare_metrics(coverage, communes=communes, villages=villages, roads=roads,
                           pois=pois, fibre=fibre, population=population)


def _target(**fields: object) -> dict[str, object]:
    return {"label": str(fields["id"]), "goal_percent": 100, **fields}


TARGETS = [
    _target(id="roads", layer="roads", measure="length_share", technologies=["4G", "5G"],
            filter={"road_class": ["expressway", "national"]}),
    _target(id="roads_half", layer="roads", measure="length_share", technologies=["4G"],
            filter={"ref": ["QL3"]}, goal_percent=50),
    _target(id="no_expressway", layer="roads", measure="length_share", technologies=["4G"],
            filter={"road_class": ["expressway"]}),
    _target(id="fibre", layer="villages", measure="fibre_share", goal_percent=99.3),
    _target(id="people", layer="population", measure="population_share",
            technologies=["4G", "5G"], or_fibre=True, goal_percent=95),
    _target(id="people_east", layer="population", measure="population_share",
            technologies=["4G"], filter={"commune": ["00102"]}),
    _target(id="poi", layer="pois", measure="point_share", technologies=["5G"],
            filter={"kind": ["university", "hospital"]}),
    _target(id="res_people", layer="villages", measure="village_share", technologies=["5G"]),
    _target(id="res_count", layer="villages", measure="village_share", technologies=["4G"],
            weight="count"),
    _target(id="res_area", layer="villages", measure="village_share", technologies=["4G"],
            weight="area"),
]


@pytest.fixture(scope="module")
def table(ctx: MetricContext):  # type: ignore[no-untyped-def]
    targets = parse_targets({"preset": {"name": "Tỉnh thử"}, "target": TARGETS})
    return evaluate_targets(targets, ctx).set_index("id")


@pytest.mark.parametrize(("target", "measured", "covered", "total", "unit", "met", "short"), [
    ("roads", 50.0, 5.0, 10.0, "km", False, 5.0),
    ("roads_half", 50.0, 5.0, 10.0, "km", True, 0.0),
    # V1 by its flag, V3 within 500 m of fibre: 2 of 3; 99.3 % of 3 = 2.979 -> 1 village short
    ("fibre", 200 / 3, 2.0, 3.0, "villages", False, 1.0),
    # x >= 5 km: 7 of 12 km of 400/km² x 10 km = 28,000 people, plus V1 (1 km², fibre): 400
    ("people", 28_400 / 480, 28_400.0, 48_000.0, "people", False, 45_600.0 - 28_400.0),
    ("people_east", 100.0, 24_000.0, 24_000.0, "people", True, 0.0),
    ("poi", 50.0, 1.0, 2.0, "POIs", False, 1.0),
    # only V3 (500 people) lies in 5G
    ("res_people", 500 / 35, 500.0, 3500.0, "people", False, 3000.0),
    ("res_count", 200 / 3, 2.0, 3.0, "villages", False, 1.0),
    ("res_area", 200 / 3, 2.0, 3.0, "km²", False, 1.0),
])
def test_measured_values_and_shortfalls(table, target: str, measured: float, covered: float,  # type: ignore[no-untyped-def]
                                        total: float, unit: str, met: bool, short: float) -> None:
    row = table.loc[target]
    assert row["measured_percent"] == pytest.approx(measured)
    assert row["covered"] == pytest.approx(covered)
    assert row["total"] == pytest.approx(total)
    assert row["unit"] == unit
    assert bool(row["met"]) is met
    assert row["status"] == ("met" if met else "not met")
    assert row["shortfall"] == pytest.approx(short)


def test_every_result_names_threshold_measure_and_denominator(table) -> None:  # type: ignore[no-untyped-def]
    roads = table.loc["roads"]
    assert roads["threshold"] == "4G RSRP >= -105 dBm or 5G RSRP >= -105 dBm"
    assert roads["denominator"] == ("10.0 km of road (road class: expressway, national), "
                                    "dual carriageways counted once")
    assert table.loc["fibre", "threshold"] == "fibre flag, or fibre within 500 m"
    assert table.loc["people", "threshold"].endswith("or in a fibre-reached village")
    assert table.loc["people", "denominator"] == "48,000 people (population raster)"
    assert (table["measure"] != "").all() and (table["denominator"] != "").all()


def test_a_target_without_data_says_so(table) -> None:  # type: ignore[no-untyped-def]
    row = table.loc["no_expressway"]
    assert row["status"] == "no data"
    assert pd.isna(row["met"])
    assert math.isnan(row["measured_percent"]) and math.isnan(row["shortfall"])
