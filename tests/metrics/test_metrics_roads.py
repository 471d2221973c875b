"""Road coverage on hand-made geometry: shares, chainage of gaps, dual carriageways."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from covplan.grid import GridSpec, Raster
from covplan.metrics import (
    Thresholds,
    coverage_by_class,
    coverage_by_road,
    covered_pieces,
    prepare_metrics,
    rasterize_zones,
    road_coverage,
    road_gaps,
    sample_roads,
)

EPSG = 32648


def _roads(origin: tuple[float, float], rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    x0, y0 = origin
    for row in rows:
        row["geometry"] = LineString([(x0 + x, y0 + y) for x, y in row.pop("coords")])  # type: ignore[attr-defined]
    return gpd.GeoDataFrame(rows, crs=EPSG)


def test_half_covered_road_gives_half_and_one_gap_with_chainage(
    origin: tuple[float, float], rect_rsrp: Callable[..., Raster]
) -> None:
    # 10 km national road from x = 0 to x = 10 km at y = 5 km; signal east of x = 5 km.
    roads = _roads(origin, [{"road_class": "national", "ref": "QL3", "name": "Quốc lộ 3",
                             "coords": [(0, 5000), (10_000, 5000)]}])
    coverage = {"4G": rect_rsrp(5000, 12_000)}
    samples = sample_roads(roads, 50.0)
    covered = covered_pieces(samples, coverage, ["4G"], Thresholds())
    by_class = coverage_by_class(samples, covered)
    assert by_class["road_class"].tolist() == ["national"]
    row = by_class.iloc[0]
    assert (row["length_km"], row["covered_km"], row["uncovered_km"]) == (
        pytest.approx(10.0), pytest.approx(5.0), pytest.approx(5.0))
    assert row["covered_percent"] == pytest.approx(50.0)
    gaps = road_gaps(samples, covered)
    assert len(gaps) == 1
    gap = gaps.iloc[0]
    assert (gap["road"], gap["ref"]) == ("QL.3", "QL.3")
    assert gap["start_km"] == pytest.approx(0.0)
    assert gap["end_km"] == pytest.approx(5.0)
    assert gap["length_km"] == pytest.approx(5.0)
    assert gaps.geometry.iloc[0].length == pytest.approx(5000.0)
    per_road = coverage_by_road(samples, covered)
    assert per_road.loc[0, "road"] == "QL.3"
    assert per_road.loc[0, "covered_percent"] == pytest.approx(50.0)


def test_chainage_follows_the_drawing_direction(origin: tuple[float, float],
                                                rect_rsrp: Callable[..., Raster]) -> None:
    roads = _roads(origin, [{"road_class": "national", "ref": "QL.3",
                             "coords": [(10_000, 5000), (0, 5000)]}])  # drawn east to west
    samples = sample_roads(roads, 50.0)
    covered = covered_pieces(samples, {"4G": rect_rsrp(5000, 12_000)}, ["4G"], Thresholds())
    gap = road_gaps(samples, covered).iloc[0]
    assert (gap["start_km"], gap["end_km"]) == (pytest.approx(5.0), pytest.approx(10.0))


def test_gaps_merge_across_the_ways_of_one_road_and_name_communes(
    origin: tuple[float, float], rect_rsrp: Callable[..., Raster], grid: GridSpec,
    two_communes: gpd.GeoDataFrame,
) -> None:
    # QL.3 in three ways (the middle one drawn backwards); signal only for 4 km < x < 6 km.
    roads = _roads(origin, [
        {"road_class": "national", "ref": "QL.3", "coords": [(0, 5000), (3000, 5000)]},
        {"road_class": "national", "ref": "QL 3", "coords": [(7000, 5000), (3000, 5000)]},
        {"road_class": "national", "ref": "QL.3", "coords": [(7000, 5000), (10_000, 5000)]},
    ])
    samples = sample_roads(roads, 50.0)
    assert len(samples.routes) == 1
    covered = covered_pieces(samples, {"4G": rect_rsrp(4000, 6000)}, ["4G"], Thresholds())
    gaps = road_gaps(samples, covered, communes=two_communes,
                     commune_zones=rasterize_zones(two_communes, grid))
    spans = sorted((round(g.start_km, 6), round(g.end_km, 6)) for g in gaps.itertuples())
    assert spans == [(0.0, 4.0), (6.0, 10.0)]
    assert gaps["length_km"].tolist() == pytest.approx([4.0, 4.0])
    # the 6-10 km gap (x = 6..10 km) lies in the east commune, the other in the west one
    by_start = {round(g.start_km): g.communes for g in gaps.itertuples()}
    assert by_start == {0: "Xã Tây Sơn", 6: "Phường Đông Hòa"}


def test_gap_crossing_a_commune_boundary_names_both(
    origin: tuple[float, float], rect_rsrp: Callable[..., Raster], grid: GridSpec,
    two_communes: gpd.GeoDataFrame,
) -> None:
    roads = _roads(origin, [{"road_class": "expressway", "ref": "CT.07",
                             "coords": [(1000, 2000), (11_000, 2000)]}])
    samples = sample_roads(roads, 50.0)
    covered = covered_pieces(samples, {"4G": rect_rsrp(0, 3000)}, ["4G"], Thresholds())
    gap = road_gaps(samples, covered, communes=two_communes,
                    commune_zones=rasterize_zones(two_communes, grid)).iloc[0]
    assert gap["road"] == "CT.07"
    assert (gap["start_km"], gap["end_km"]) == (pytest.approx(2.0), pytest.approx(10.0))
    assert gap["communes"] == "Xã Tây Sơn; Phường Đông Hòa"
    assert gap["commune_codes"] == "00101; 00102"


def test_dual_carriageway_is_counted_once(origin: tuple[float, float],
                                          rect_rsrp: Callable[..., Raster]) -> None:
    carriageways = pytest.importorskip("covplan.io.carriageways")
    # two one-way carriageways of QL.3, 20 m apart, 6 km long, drawn in opposite directions
    roads = _roads(origin, [
        {"road_class": "national", "ref": "QL.3", "highway": "trunk", "oneway": "yes",
         "coords": [(0, 5000), (6000, 5000)]},
        {"road_class": "national", "ref": "QL.3", "highway": "trunk", "oneway": "yes",
         "coords": [(6000, 5020), (0, 5020)]},
    ])
    merged = carriageways.merge_dual_carriageways(roads, max_separation_m=40.0)
    assert merged["length_weight"].tolist() == pytest.approx([0.5, 0.5])
    coverage = {"4G": rect_rsrp(3000, 12_000)}
    samples = sample_roads(merged, 50.0)
    covered = covered_pieces(samples, coverage, ["4G"], Thresholds())
    row = coverage_by_class(samples, covered).iloc[0]
    assert (row["length_km"], row["covered_km"], row["uncovered_km"]) == (
        pytest.approx(6.0), pytest.approx(3.0), pytest.approx(3.0))
    gaps = road_gaps(samples, covered)
    assert gaps["counted_km"].sum() == pytest.approx(3.0)  # one gap per carriageway, half each
    assert gaps["length_km"].tolist() == pytest.approx([3.0, 3.0])
    # the context merges one-way carriageways itself when the roads carry no weight
    ctx = prepare_metrics(coverage, roads=roads)
    assert ctx.roads is not None
    assert ctx.roads.counted_m.sum() == pytest.approx(6000.0)


def test_pieces_are_no_longer_than_the_step_and_tile_the_road(origin: tuple[float, float]
                                                              ) -> None:
    # a 3-4-5 road: 500 m long, so 10 pieces of 50 m; and a 1,010 m road: 21 pieces
    roads = _roads(origin, [{"road_class": "local", "coords": [(0, 0), (300, 400)]},
                            {"road_class": "local", "coords": [(0, 1000), (1010, 1000)]}])
    samples = sample_roads(roads, 50.0, sources=True)
    lengths = samples.pieces.length_m
    assert lengths.max() <= 50.0 + 1e-9
    totals = np.bincount(samples.source, weights=lengths)
    assert totals.tolist() == pytest.approx([500.0, 1010.0])
    assert np.bincount(samples.source).tolist() == [10, 21]


def test_road_coverage_is_aligned_to_the_roads(origin: tuple[float, float],
                                               rect_rsrp: Callable[..., Raster]) -> None:
    roads = _roads(origin, [
        {"road_class": "national", "ref": "QL.3", "coords": [(0, 5000), (4000, 5000)]},
        {"road_class": "provincial", "ref": "ĐT.261", "coords": [(1000, 0), (1000, 10_000)]},
    ]).set_index(pd.Index([1, 10]))
    table = road_coverage(roads, {"4G": rect_rsrp(0, 2000)}, technologies=("4G",))
    assert table.index.tolist() == [1, 10]
    assert table["length_m"].tolist() == pytest.approx([4000.0, 10_000.0])
    assert table["covered_percent"].tolist() == pytest.approx([50.0, 100.0])


def test_either_technology_counts_and_thresholds_apply(origin: tuple[float, float],
                                                       rect_rsrp: Callable[..., Raster]) -> None:
    roads = _roads(origin, [{"road_class": "national", "ref": "QL.3",
                             "coords": [(0, 5000), (10_000, 5000)]}])
    coverage = {"4G": rect_rsrp(0, 2000, dbm=-100), "5G": rect_rsrp(8000, 10_000, dbm=-108)}
    samples = sample_roads(roads, 50.0)
    both = covered_pieces(samples, coverage, ["4G", "5G"], Thresholds())
    assert samples.counted_m[both].sum() == pytest.approx(2000.0)  # 5G at -108 < -105
    loose = covered_pieces(samples, coverage, ["4G", "5G"], Thresholds(rsrp_5g_dbm=-110))
    assert samples.counted_m[loose].sum() == pytest.approx(4000.0)


def test_roads_outside_the_communes_are_left_out(
    origin: tuple[float, float], rect_rsrp: Callable[..., Raster],
    two_communes: gpd.GeoDataFrame,
) -> None:
    west = two_communes.iloc[[0]]
    roads = _roads(origin, [{"road_class": "national", "ref": "QL.3",
                             "coords": [(0, 5000), (10_000, 5000)]}])
    ctx = prepare_metrics({"4G": rect_rsrp(0, 3000)}, roads=roads, communes=west)
    assert ctx.roads is not None
    assert ctx.roads.counted_m.sum() == pytest.approx(6000.0)
    gaps = road_gaps(ctx.roads, ctx.road_covered(["4G"]))
    assert gaps[["start_km", "end_km"]].to_numpy().tolist() == [pytest.approx([3.0, 6.0])]
