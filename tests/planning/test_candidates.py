"""Candidate sources, thinning, exclusion zones and the planner's candidate files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import CRS
from shapely.geometry import LineString

from covplan.errors import InputError
from covplan.grid import GridSpec, Raster
from covplan.metrics import sample_roads
from covplan.planning import CandidateOptions, load_candidates
from covplan.planning._sources import (
    colocation_points,
    high_ground_points,
    road_points,
    thin,
)
from covplan.planning.candidates import to_sectors

X0, Y0 = 580_000.0, 2_380_000.0
UTM = CRS.from_epsg(32648)


def test_road_points_follow_the_gap_at_the_spacing_and_offset() -> None:
    roads = gpd.GeoDataFrame({"road_class": ["national"], "ref": ["QL.3"]},
                             geometry=[LineString([(X0, Y0), (X0 + 10_000, Y0)])], crs=UTM)
    samples = sample_roads(roads, 100.0)
    middle = (samples.pieces.x - X0) / 1000.0  # km of each 100 m piece midpoint
    gap = (middle > 2.0) & (middle < 7.0)  # pieces between km 2 and km 7
    points = road_points(samples, gap, spacing_m=1000.0, offset_m=30.0)
    assert points["x"].tolist() == pytest.approx([X0 + 2500 + 1000 * k for k in range(5)])
    assert points["y"].tolist() == pytest.approx([Y0 + 30, Y0 - 30, Y0 + 30, Y0 - 30, Y0 + 30])
    assert (points["source"] == "road").all()
    short = (middle > 3.0) & (middle < 3.3)  # a 300 m gap still gets one, at its middle
    one = road_points(samples, short, spacing_m=1000.0, offset_m=0.0)
    assert one["x"].tolist() == pytest.approx([X0 + 3150.0])


def test_high_ground_finds_the_summits() -> None:
    grid = GridSpec.from_bounds((X0, Y0, X0 + 12_000, Y0 + 9_000), 100.0, UTM)
    xs, ys = grid.cell_centres()
    gx, gy = np.meshgrid(xs, ys)
    hills = [(X0 + 3_050, Y0 + 4_050, 400.0), (X0 + 9_050, Y0 + 6_050, 250.0)]
    z = 100.0 + sum(h * np.exp(-((gx - x) ** 2 + (gy - y) ** 2) / 1500.0**2)
                    for x, y, h in hills)
    found = high_ground_points(Raster(z, grid, "m"), radius_m=2_000.0, min_relief_m=40.0)
    got = sorted(zip(found["x"], found["y"], strict=True))
    assert got == [(hills[0][0], hills[0][1]), (hills[1][0], hills[1][1])]
    flat = high_ground_points(Raster(np.full(grid.shape, 50.0), grid, "m"), radius_m=2_000.0,
                              min_relief_m=40.0)
    assert flat.empty


def test_colocation_offers_5g_on_4g_sites_without_it(sites: gpd.GeoDataFrame) -> None:
    points = colocation_points(sites)
    assert points["site_id"].tolist() == ["COLO-TN001", "COLO-TN003"]  # TN002 is 5G already
    assert points["azimuths"].tolist() == [(0.0, 120.0, 240.0), (90.0,)]
    assert (points["technology"] == "5G").all()
    assert points["height_m"].tolist() == [30.0, 35.0]
    sectors = to_sectors(points.assign(candidate_id=points["site_id"]), sites.crs,
                         CandidateOptions(), "4G")
    assert sectors.groupby("site_id").size().to_dict() == {"COLO-TN001": 3, "COLO-TN003": 1}
    assert (sectors["technology"] == "5G").all() and (sectors["status"] == "candidate").all()
    assert (sectors["frequency_mhz"] == 3500.0).all()
    # 5G added on a tower is the tower's operator's: it counts for that network, and the
    # edit that builds it says so
    assert sectors.groupby("site_id")["operator"].first().to_dict() == {
        "COLO-TN001": "Viettel", "COLO-TN003": "MobiFone"}
    from covplan.planning.report import site_edits

    chosen = gpd.GeoDataFrame({"site_id": ["COLO-TN003"]}, geometry=[sectors.geometry.iloc[-1]],
                              crs=sectors.crs)
    (edit,) = site_edits(chosen, sectors)
    assert edit.values["operator"] == "MobiFone"


def test_thinning_keeps_fixed_points_and_the_first_of_close_ones() -> None:
    points = pd.DataFrame({"x": [0.0, 100.0, 250.0, 1000.0, 1050.0],
                           "y": [0.0, 0.0, 0.0, 0.0, 0.0]})
    fixed = np.array([False, False, False, False, True])
    kept = thin(points, 200.0, fixed)
    assert kept.tolist() == [True, False, True, False, True]


def test_candidate_file_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "cand.csv"
    good.write_text("site_id,lon,lat,height_m,cost\nP1,105.80,21.60,40,2.5\nP2,105.82,21.61,,\n")
    points = load_candidates(good, UTM)
    assert points["site_id"].tolist() == ["P1", "P2"]
    assert points["x"].iloc[0] == pytest.approx(583_000, abs=1_000)
    bad = tmp_path / "bad.csv"
    bad.write_text("lon,lat,height_m,cost\n105.80,21.60,tall,1\n105.82,21.61,30,-4\n")
    with pytest.raises(InputError) as caught:
        load_candidates(bad, UTM)
    text = str(caught.value)
    assert "column 'height_m': line 2" in text and "column 'cost': line 3" in text


def test_names_skip_the_sites_already_in_the_network() -> None:
    """Planning from a scenario that holds an earlier recommendation's sites: new names."""
    from covplan.planning.candidates import _ids

    points = pd.DataFrame({"source": ["road", "road", "colocation", "user", "village"],
                           "site_id": [None, None, "COLO-TN1", "MY-1", None]})
    taken = {"CAND-R00001", "CAND-R00003", "COLO-TN1", "TN1"}
    assert _ids(points, taken) == ["CAND-R00002", "CAND-R00004", "COLO-TN1-2", "MY-1",
                                   "CAND-V00001"]
