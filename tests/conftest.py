"""Shared fixtures: tiny hand-made datasets that build on one another, and the real-data path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import LineString, Point, box

#: The benchmarks' helpers (SPLAT! runner, headless-browser harness) serve the tests too.
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

#: ../shared/realdata beside the repository (read in place, never copied).
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"

#: A point in Thai Nguyen (lon, lat) and its UTM 48N neighbourhood.
LON0, LAT0 = 105.80, 21.60


def pytest_configure(config: pytest.Config) -> None:
    """numpy on normal memory pages and stale numba machine code of the radio kernels
    dropped, as the CLI and the app start."""
    from covplan._pages import prefer_small_pages
    from covplan.radio import refresh_kernel_cache

    prefer_small_pages()
    refresh_kernel_cache()


@pytest.fixture(autouse=True)
def _background_evaluations_end_with_their_test() -> Iterator[None]:
    """A baseline the app evaluates behind a page read from disk ends with its test.

    Running on into the next test, it would share that test's warning filters: they are
    process-wide, and a thread leaving ``warnings.catch_warnings`` (pandas and rasterio
    enter it often) restores them under another thread's feet.
    """
    yield
    compute = sys.modules.get("covplan.app.compute")
    if compute is not None:
        compute.wait_for_warming()


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The shared real-data folder; skips the test when it is absent."""
    if not REALDATA.is_dir():
        pytest.skip(
            f"real data not found at {REALDATA}: real-data tests need ../shared/realdata "
            "beside the repository"
        )
    return REALDATA


def _write(frame: gpd.GeoDataFrame, path: Path, layer: str | None = None) -> Path:
    frame.to_file(path, layer=layer, engine="pyogrio")
    return path


SITES_CSV = (
    "site_id,sector,lon,lat,technology,operator,height_m,azimuth_deg\n"
    "TN001,1,105.805,21.605,4G,Viettel,30,0\n"
    "TN001,2,105.805,21.605,4G,Viettel,30,120\n"
    "TN001,3,105.805,21.605,4G,Viettel,30,240\n"
    "TN002,1,105.83,21.62,5G,VinaPhone,25,\n"
)


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A valid dataset folder: 2 communes, 3 villages, 2 roads, 2 sites, 1 POI, fibre, rasters."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    c1 = box(LON0, LAT0, LON0 + 0.05, LAT0 + 0.05)
    c2 = box(LON0 + 0.05, LAT0, LON0 + 0.10, LAT0 + 0.05)
    _write(
        gpd.GeoDataFrame(
            {"code": ["99001", "99002"], "name": ["Xã Tân Hòa", "Phường Đông"]},
            geometry=[c1, c2],
            crs=4326,
        ),
        folder / "communes.gpkg",
    )
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3"],
            "name": ["Xóm Đồng", "Thôn Nà", "Bản Pác"],
            "population": [500, 800, 120],
            "fibre": [True, True, False],
        },
        geometry=[
            box(LON0 + 0.01, LAT0 + 0.01, LON0 + 0.02, LAT0 + 0.02),
            box(LON0 + 0.06, LAT0 + 0.01, LON0 + 0.07, LAT0 + 0.02),
            box(LON0 + 0.08, LAT0 + 0.03, LON0 + 0.09, LAT0 + 0.04),
        ],
        crs=4326,
    )
    _write(villages, folder / "villages.gpkg")
    roads = gpd.GeoDataFrame(
        {"road_class": ["national", "local"], "ref": ["QL.3", None], "name": ["Quốc lộ 3", "x"]},
        geometry=[
            LineString([(LON0, LAT0 + 0.025), (LON0 + 0.1, LAT0 + 0.025)]),
            LineString([(LON0 + 0.05, LAT0), (LON0 + 0.05, LAT0 + 0.05)]),
        ],
        crs=4326,
    )
    _write(roads, folder / "roads.gpkg")
    _write(
        gpd.GeoDataFrame(
            {"kind": ["hospital"], "name": ["Bệnh viện A"]},
            geometry=[Point(LON0 + 0.03, LAT0 + 0.03)],
            crs=4326,
        ),
        folder / "pois.gpkg",
    )
    _write(
        gpd.GeoDataFrame(
            {"operator": ["VNPT"]},
            geometry=[LineString([(LON0, LAT0 + 0.015), (LON0 + 0.07, LAT0 + 0.015)])],
            crs=4326,
        ),
        folder / "fibre.gpkg",
    )
    (folder / "sites.csv").write_text(SITES_CSV, encoding="utf-8")
    _terrain(folder / "terrain.tif")
    return folder


def _terrain(path: Path) -> None:
    from pyproj import Transformer

    x0, y0 = Transformer.from_crs(4326, 32648, always_xy=True).transform(LON0 - 0.02, LAT0 + 0.07)
    rows, cols = 140, 160
    elevation = (50 + 10 * np.add.outer(np.arange(rows) / rows, np.arange(cols) / cols)).astype(
        np.int16
    )
    elevation[5, 5] = -32768  # one void, to be filled
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": "int16",
        "crs": "EPSG:32648",
        "nodata": -32768,
        "transform": rasterio.transform.from_origin(x0, y0, 90.0, 90.0),
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(elevation, 1)
