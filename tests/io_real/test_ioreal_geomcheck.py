from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from covplan.errors import InputError
from covplan.io.geomcheck import check_geometry_types

LINES = ("LineString", "MultiLineString")


def test_allowed_types_pass() -> None:
    gdf = gpd.GeoDataFrame(
        geometry=[LineString([(0, 0), (1, 1)]), MultiLineString([[(0, 0), (1, 0)]])], crs=32648
    )
    check_geometry_types(gdf, LINES, "roads.gpkg")


def test_mixed_geojson_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "roads_mixed.geojson"
    gpd.GeoDataFrame(
        {"name": ["a", "b", "c", "d", "e"]},
        geometry=[
            LineString([(105.8, 21.5), (105.9, 21.6)]),
            Point(105.8, 21.5),
            LineString([(105.8, 21.6), (105.9, 21.6)]),
            Point(105.85, 21.55),
            Polygon([(105.8, 21.5), (105.9, 21.5), (105.9, 21.6)]),
        ],
        crs=4326,
    ).to_file(path, engine="pyogrio")
    gdf = gpd.read_file(path)
    with pytest.raises(InputError, match="2 problems") as info:
        check_geometry_types(gdf, LINES, str(path), layer="roads")
    text = str(info.value)
    assert (
        f"{path}: layer 'roads': column 'geometry': rows 3, 5: expected only LineString, "
        "MultiLineString geometries, found 2 Point."
    ) in text
    assert "row 6: expected only LineString, MultiLineString geometries, found 1 Polygon." in text
    assert "Split vector layer" in text


def test_missing_and_empty_geometries() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(0, 0), None, Point()], crs=32648)
    with pytest.raises(InputError, match="1 problem found") as info:
        check_geometry_types(gdf, ("Point",), "sites.csv")
    assert "rows 3, 4: expected only Point geometries, found 2 missing or empty geometries." in str(
        info.value
    )
