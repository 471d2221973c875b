"""Real public data from ../shared/realdata: communes, the Hanoi OSM roads, bad real-world input."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio

from covplan.errors import InputError
from covplan.io.carriageways import merge_dual_carriageways, weighted_length_m
from covplan.io.geomcheck import check_geometry_types
from covplan.io.osm import read_osm_roads
from covplan.io.roadclass import classify_roads, normalise_ref
from covplan.io.terrain import read_dem_geotiff, read_hgt
from covplan.io.zonal import read_population_geotiff
from covplan.schema import GEOMETRY_TYPES

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
UTM48N = 32648

pytestmark = pytest.mark.realdata
logger = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(
            "../shared/realdata not found: real-data tests need the shared folder "
            "beside the repository"
        )
    return REALDATA


@pytest.fixture(scope="module")
def hanoi_roads(realdata: Path) -> gpd.GeoDataFrame:
    """The Hanoi OSM drive network (11.7 MB), read once, in UTM 48N with road classes."""
    roads = pyogrio.read_dataframe(realdata / "hanoi" / "roads_osm_2025.geojson", use_arrow=True)
    roads = roads.to_crs(UTM48N)
    roads["road_class"] = classify_roads(roads)
    return roads


def _prefixes(ref: object) -> set[str]:
    return {prefix for prefix, _ in normalise_ref(ref if isinstance(ref, str) else None)}


def test_92_communes(realdata: Path) -> None:
    communes = gpd.read_file(realdata / "thai_nguyen" / "communes_2025.geojson")
    assert len(communes) == 92
    assert communes["code"].is_unique
    assert communes.is_valid.all()
    check_geometry_types(communes, GEOMETRY_TYPES["communes"], "communes_2025.geojson")
    area_km2 = communes.to_crs(UTM48N).area.sum() / 1e6
    assert area_km2 == pytest.approx(8375, rel=0.01)


def test_hanoi_road_classes(hanoi_roads: gpd.GeoDataFrame) -> None:
    prefixes = hanoi_roads["ref"].map(_prefixes)
    has_ct = prefixes.map(lambda p: "CT" in p)
    has_ql = prefixes.map(lambda p: "QL" in p)
    has_dt = prefixes.map(lambda p: "ĐT" in p)
    cls = hanoi_roads["road_class"]
    assert (cls[has_ct] == "expressway").all()
    assert (cls[has_ql & ~has_ct] == "national").all()
    assert (cls[has_dt & ~has_ql & ~has_ct] == "provincial").all()
    assert has_ct.sum() > 150 and has_ql.sum() > 350 and has_dt.sum() > 150
    assert (cls[hanoi_roads["highway"] == "motorway"] == "expressway").all()
    motorway_km = hanoi_roads.loc[hanoi_roads["highway"] == "motorway"].length.sum() / 1000
    assert motorway_km == pytest.approx(102, abs=2)


def test_hanoi_dual_carriageways_merge(hanoi_roads: gpd.GeoDataFrame) -> None:
    merged = merge_dual_carriageways(hanoi_roads)
    before = merged.length.groupby(merged["road_class"]).sum() / 1000
    after = weighted_length_m(merged).groupby(merged["road_class"]).sum() / 1000
    for cls in before.index:
        logger.info(
            "%-10s %7.1f km -> %7.1f km after carriageway merging", cls, before[cls], after[cls]
        )
        print(f"{cls:<10} {before[cls]:7.1f} km -> {after[cls]:7.1f} km")
    assert (after <= before + 1e-9).all()
    assert after.sum() < before.sum()
    motorway = merged["highway"] == "motorway"
    motorway_after = weighted_length_m(merged[motorway]).sum() / 1000
    # the motorways are almost all dual: about half the drawn length remains
    assert 45 < motorway_after < 60
    # two-way roads are untouched (a motorway without the tag is one-way)
    two_way = (merged["oneway"].isna() & (merged["highway"] != "motorway")) | (
        merged["oneway"] == "no"
    )
    assert (merged.loc[two_way, "length_weight"] == 1.0).all()


# --- bad real-world input ---------------------------------------------------------------


def test_truncated_real_style_pbf(tmp_path: Path) -> None:
    # the first 64 kB of what an interrupted download leaves behind
    import osmium
    from osmium.osm.mutable import Node, Way

    whole = tmp_path / "vietnam-latest.osm.pbf"
    writer = osmium.SimpleWriter(str(whole))
    rng = np.random.default_rng(0)
    for i in range(1, 40_001):
        lon, lat = 105.8 + rng.random() * 0.2, 21.5 + rng.random() * 0.2
        writer.add_node(Node(id=i, location=(lon, lat)))
    for w in range(2000):
        writer.add_way(
            Way(
                id=w + 1,
                nodes=list(range(w * 20 + 1, w * 20 + 21)),
                tags={"highway": "residential"},
            )
        )
    writer.close()
    cut = tmp_path / "vietnam-partial.osm.pbf"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    assert len(read_osm_roads(whole)) == 2000
    with pytest.raises(InputError, match=r"vietnam-partial\.osm\.pbf.*seems truncated or corrupt"):
        read_osm_roads(cut)


def test_hgt_of_wrong_size(realdata: Path, tmp_path: Path) -> None:
    cut = tmp_path / "N21E105.hgt"
    cut.write_bytes((realdata / "thai_nguyen" / "N21E105.hgt").read_bytes()[:2_000_000])
    with pytest.raises(
        InputError,
        match=r"N21E105\.hgt.*expected 2,884,802 bytes for SRTM3 "
        r"\(3″, 1201×1201\) or 25,934,402 bytes for SRTM1 \(1″, 3601×3601\), "
        r"found 2,000,000 bytes",
    ):
        read_hgt([cut])


def test_population_geotiff_without_crs(realdata: Path, tmp_path: Path) -> None:
    with rasterio.open(realdata / "thai_nguyen" / "population_worldpop_2020_1km.tif") as src:
        profile = src.profile
        data = src.read(1)
    profile.pop("crs")
    stripped = tmp_path / "worldpop_no_crs.tif"
    with rasterio.open(stripped, "w", **profile) as dst:
        dst.write(data, 1)
    message = r"worldpop_no_crs\.tif: layer 'population': .*found no CRS\. Fix: assign the CRS"
    with pytest.raises(InputError, match=message):
        read_population_geotiff(stripped)
    with pytest.raises(InputError, match=r"worldpop_no_crs\.tif: layer 'terrain'"):
        read_dem_geotiff(stripped)


def test_geojson_with_mixed_geometry_types(realdata: Path, tmp_path: Path) -> None:
    roads = gpd.read_file(realdata / "thai_nguyen" / "roads_national_coarse.geojson")
    places = gpd.read_file(realdata / "thai_nguyen" / "places_osm_2018.geojson").head(3)
    mixed = gpd.GeoDataFrame(
        {"name": [*roads["ten"], *places["name"]]},
        geometry=[*roads.geometry, *places.geometry],
        crs=4326,
    )
    path = tmp_path / "roads_and_places.geojson"
    mixed.to_file(path, engine="pyogrio")
    with pytest.raises(
        InputError,
        match=r"roads_and_places\.geojson: layer 'roads': column "
        r"'geometry': rows 28, 29, 30: expected only LineString, "
        r"MultiLineString geometries, found 3 Point\.",
    ):
        check_geometry_types(gpd.read_file(path), GEOMETRY_TYPES["roads"], str(path), layer="roads")
