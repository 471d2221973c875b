"""Sector wedges and the vector preparation for the web map."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from covplan.io import Dataset
from covplan.mapview._geo import feature_collection, lonlat_bounds, text_or_blank, to_wgs84
from covplan.mapview.layers import merge_lines
from covplan.mapview.sites import sector_wedge, sector_wedges


def _arc_bearings(wedge: shapely.Polygon, x: float, y: float) -> np.ndarray:
    """Compass bearings (clockwise from north) of the wedge's arc vertices."""
    coords = np.asarray(wedge.exterior.coords)
    arc = coords[np.hypot(coords[:, 0] - x, coords[:, 1] - y) > 1e-6]
    return np.degrees(np.arctan2(arc[:, 0] - x, arc[:, 1] - y)) % 360


def test_65_degree_sector_at_azimuth_90_spans_57_5_to_122_5_facing_east() -> None:
    wedge = sector_wedge(1000.0, 2000.0, azimuth_deg=90.0, beamwidth_deg=65.0, radius_m=300.0)
    bearings = _arc_bearings(wedge, 1000.0, 2000.0)
    assert bearings.min() == pytest.approx(57.5)
    assert bearings.max() == pytest.approx(122.5)
    assert wedge.centroid.x > 1000.0 + 150.0
    assert wedge.centroid.y == pytest.approx(2000.0, abs=1e-6)
    minx, _, maxx, _ = wedge.bounds
    assert minx == pytest.approx(1000.0) and maxx == pytest.approx(1300.0)
    assert wedge.is_valid


def test_north_sector_wraps_through_zero() -> None:
    wedge = sector_wedge(0.0, 0.0, azimuth_deg=350.0, beamwidth_deg=60.0, radius_m=100.0)
    bearings = _arc_bearings(wedge, 0.0, 0.0)
    signed = (bearings + 180) % 360 - 180
    assert signed.min() == pytest.approx(-40.0) and signed.max() == pytest.approx(20.0)
    assert wedge.centroid.y > 0


def test_wedge_area_matches_the_circular_sector() -> None:
    wedge = sector_wedge(0.0, 0.0, azimuth_deg=200.0, beamwidth_deg=90.0, radius_m=100.0)
    expected = math.pi * 100.0**2 * 90.0 / 360.0
    assert wedge.area == pytest.approx(expected, rel=0.01)


def test_omni_sector_is_a_disc_and_missing_beamwidth_uses_the_default() -> None:
    disc = sector_wedge(0.0, 0.0, azimuth_deg=float("nan"), radius_m=100.0)
    assert disc.area == pytest.approx(math.pi * 100.0**2, rel=0.05)
    default = sector_wedge(0.0, 0.0, azimuth_deg=0.0, beamwidth_deg=float("nan"), radius_m=100.0)
    bearings = (_arc_bearings(default, 0.0, 0.0) + 180) % 360 - 180
    assert bearings.max() - bearings.min() == pytest.approx(65.0)


def test_sector_wedges_align_with_the_sector_rows(tiny_dataset: Dataset) -> None:
    sites = tiny_dataset.sites
    assert sites is not None
    wedges = sector_wedges(sites, radius_m=250.0)
    assert wedges.index.equals(sites.index) and wedges.crs == sites.crs
    assert shapely.contains_properly(wedges.buffer(1.0), sites.geometry).all()


def test_to_wgs84_keeps_layers_inside_the_dataset_bounds(tiny_dataset: Dataset) -> None:
    (south, west), (north, east) = lonlat_bounds(tiny_dataset.bounds(), tiny_dataset.crs)
    assert 105 < west < east < 107 and 21 < south < north < 23
    for name, frame in tiny_dataset.vectors.items():
        out = to_wgs84(frame, simplify_m=10.0)
        assert out.crs.to_epsg() == 4326, name
        xy = shapely.get_coordinates(out.geometry.to_numpy())
        assert (xy[:, 0] >= west - 1e-5).all() and (xy[:, 0] <= east + 1e-5).all(), name
        assert (xy[:, 1] >= south - 1e-5).all() and (xy[:, 1] <= north + 1e-5).all(), name
        assert np.allclose(xy, np.round(xy, 5)), name


def test_to_wgs84_simplifies_in_metres_and_refuses_a_layer_without_crs() -> None:
    wiggle = LineString([(500_000 + i * 10.0, 2_400_000 + (i % 2) * 2.0) for i in range(101)])
    frame = gpd.GeoDataFrame(geometry=[wiggle], crs=32648)
    assert shapely.get_num_coordinates(to_wgs84(frame, simplify_m=5.0).geometry).sum() == 2
    assert shapely.get_num_coordinates(to_wgs84(frame).geometry).sum() > 50
    with pytest.raises(ValueError, match="has no CRS"):
        to_wgs84(gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_feature_collection_keeps_asked_columns_with_integer_ids() -> None:
    frame = gpd.GeoDataFrame(
        {"a": [1.0, np.nan], "b": ["x", None], "c": [1, 2]},
        geometry=[Point(105.1, 21.1), Point(105.2, 21.2)],
        crs=4326,
    )
    data = feature_collection(frame, ["a", "b", "missing"])
    assert [f["id"] for f in data["features"]] == [0, 1]
    assert data["features"][1]["properties"] == {"a": None, "b": None}


def test_merge_lines_joins_pieces_per_group() -> None:
    pieces = [LineString([(i * 10.0, 0), ((i + 1) * 10.0, 0)]) for i in range(10)]
    frame = gpd.GeoDataFrame({"covered": [i < 6 for i in range(10)]}, geometry=pieces, crs=32648)
    merged = merge_lines(frame, ["covered", "not_a_column"])
    assert len(merged) == 2
    assert merged.set_index("covered").length.to_dict() == {True: 60.0, False: 40.0}
    assert set(merged.geom_type) == {"LineString"}


def test_text_or_blank_formats_units() -> None:
    import pandas as pd

    values = pd.Series([30.0, np.nan, None, 1234.5, True])
    assert text_or_blank(values, unit="m").tolist() == ["30 m", "", "", "1,234 m", "yes"]
    assert text_or_blank(pd.Series([90.0]), unit="°").tolist() == ["90°"]
