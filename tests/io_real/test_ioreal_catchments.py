from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from covplan.errors import InputError
from covplan.io.catchments import village_catchments

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
CRS_M = 32648


@pytest.fixture(scope="module")
def thai_nguyen() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(
            "../shared/realdata not found: real-data tests need the shared folder "
            "beside the repository"
        )
    return REALDATA / "thai_nguyen"


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["C1", "C2"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
        crs=CRS_M,
    )


def test_voronoi_clipped_to_commune(communes: gpd.GeoDataFrame) -> None:
    points = gpd.GeoDataFrame(
        {"village_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"]},
        geometry=[Point(250, 500), Point(750, 500), Point(1500, 500), Point(5000, 5000)],
        crs=CRS_M,
        index=[10, 11, 12, 13],
    )
    out = village_catchments(points, communes)
    assert list(out.index) == [10, 11, 12, 13]
    assert list(out["village_id"]) == ["a", "b", "c", "d"]
    assert list(out["commune"].iloc[:3]) == ["C1", "C1", "C2"]
    assert out["commune"].isna().iloc[3]
    assert out.geometry.iloc[0].equals(box(0, 0, 500, 1000))
    assert out.geometry.iloc[1].equals(box(500, 0, 1000, 1000))
    assert out.geometry.iloc[2].equals(box(1000, 0, 2000, 1000))  # alone: the whole commune
    assert out.geometry.iloc[3].is_empty  # outside every commune
    assert out.crs.to_epsg() == CRS_M


def test_duplicate_point_gets_no_second_polygon(communes: gpd.GeoDataFrame) -> None:
    points = gpd.GeoDataFrame(
        geometry=[Point(250, 500), Point(250, 500), Point(750, 500)], crs=CRS_M
    )
    out = village_catchments(points, communes)
    assert not out.geometry.iloc[0].is_empty and out.geometry.iloc[1].is_empty
    assert out.area.sum() == pytest.approx(1_000_000)


def test_geographic_input_works_in_utm(communes: gpd.GeoDataFrame) -> None:
    communes = communes.set_geometry(communes.translate(580_000, 2_390_000))
    points = gpd.GeoDataFrame(
        geometry=[Point(580_250, 2_390_500), Point(580_750, 2_390_500)], crs=CRS_M
    ).to_crs(4326)
    out = village_catchments(points, communes.to_crs(4326))
    assert out.crs.to_epsg() == CRS_M
    assert out.area.sum() == pytest.approx(1_000_000, rel=1e-3)


def test_non_point_villages_refused(communes: gpd.GeoDataFrame) -> None:
    points = gpd.GeoDataFrame(geometry=[Point(1, 1), LineString([(0, 0), (1, 1)])], crs=CRS_M)
    with pytest.raises(InputError, match=r"places\.geojson.*expected only Point.*1 LineString"):
        village_catchments(points, communes, source="places.geojson")


@pytest.mark.realdata
def test_real_osm_villages_in_92_communes(thai_nguyen: Path) -> None:
    communes = gpd.read_file(thai_nguyen / "communes_2025.geojson").to_crs(CRS_M)
    places = gpd.read_file(thai_nguyen / "places_osm_2018.geojson").to_crs(CRS_M)
    villages = places[places["fclass"].isin(["village", "hamlet", "town"])]
    inside = villages[villages.intersects(communes.union_all())]
    out = village_catchments(inside, communes)
    assert len(out) == len(inside) == 160
    assert out["commune"].notna().all()
    assert out.is_valid.all()
    # every point lies in its own polygon
    assert all(poly.contains(pt) for poly, pt in zip(out.geometry, inside.geometry, strict=True))
    # polygons do not overlap: their areas add up to the area of their union
    union = shapely.union_all(out.geometry.values)
    assert out.area.sum() == pytest.approx(union.area, rel=1e-6)
    covered = communes[communes["code"].isin(out["commune"])]
    assert union.area == pytest.approx(covered.area.sum(), rel=1e-3)
    print(f"{len(out)} villages in {len(covered)} communes, {union.area / 1e6:,.0f} km²")
