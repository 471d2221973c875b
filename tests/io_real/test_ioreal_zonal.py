from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.warp import transform_bounds
from shapely.geometry import box

from covplan.errors import InputError
from covplan.grid import GridSpec
from covplan.io.zonal import population_to_grid, read_population_geotiff, zonal_population

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
TRANSFORM = from_origin(0, 400, 100, 100)  # 4 x 4 cells of 100 m in a local metric CRS
CRS_M = 32648


@pytest.fixture(scope="module")
def thai_nguyen() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(
            "../shared/realdata not found: real-data tests need the shared folder "
            "beside the repository"
        )
    return REALDATA / "thai_nguyen"


def _pop() -> np.ndarray:
    pop = np.full((4, 4), 100.0)
    pop[3, 3] = -99999  # nodata: no people
    return pop


def _zones(*boxes: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"Z{i}" for i in range(len(boxes))]}, geometry=[box(*b) for b in boxes], crs=CRS_M
    )


def test_split_cells_by_area() -> None:
    zones = _zones((0, 0, 150, 400), (150, 0, 400, 400))
    sums = zonal_population(_pop(), TRANSFORM, CRS_M, zones, nodata=-99999)
    assert sums.name == "population"
    assert list(sums.index) == [0, 1]
    assert sums.iloc[0] == pytest.approx(600)  # column 0 and half of column 1
    assert sums.iloc[1] == pytest.approx(900)
    assert sums.sum() == pytest.approx(1500)  # every person once


def test_centre_rule_with_one_subdivision() -> None:
    zones = _zones((0, 0, 160, 400), (160, 0, 400, 400))
    sums = zonal_population(_pop(), TRANSFORM, CRS_M, zones, nodata=-99999, subdivisions=1)
    assert list(sums) == [800, 700]


def test_overlapping_and_outside_zones_never_double_count() -> None:
    zones = _zones((0, 0, 300, 400), (100, 0, 400, 400), (1000, 1000, 2000, 2000))
    sums = zonal_population(_pop(), TRANSFORM, CRS_M, zones, nodata=-99999)
    assert sums.sum() == pytest.approx(1500)
    assert sums.iloc[2] == 0


def test_zones_in_another_crs_are_reprojected() -> None:
    zones = _zones((0, 0, 200, 400)).to_crs(4326)
    sums = zonal_population(_pop(), TRANSFORM, CRS_M, zones, nodata=-99999)
    assert sums.iloc[0] == pytest.approx(800, rel=1e-3)


def test_negative_population_is_refused() -> None:
    pop = _pop()
    pop[0, 0] = -5
    with pytest.raises(InputError, match=r"negative cells.*nodata value"):
        zonal_population(pop, TRANSFORM, CRS_M, _zones((0, 0, 400, 400)), nodata=-99999)


def test_population_to_grid_conserves_total() -> None:
    rng = np.random.default_rng(3)
    pop = rng.gamma(2.0, 50.0, size=(60, 80))
    transform = from_origin(105.6, 21.8, 1 / 120, 1 / 120)
    bounds = transform_bounds(4326, CRS_M, 105.6, 21.8 - 60 / 120, 105.6 + 80 / 120, 21.8)
    for resolution_m in (100.0, 250.0, 1000.0, 3000.0):
        grid = GridSpec.from_bounds(bounds, resolution_m, CRS_M)
        raster = population_to_grid(pop, transform, 4326, grid)
        assert raster.grid == grid and raster.units == "people"
        assert np.nansum(raster.data) == pytest.approx(pop.sum(), rel=1e-6), resolution_m


@pytest.mark.realdata
def test_real_worldpop_zonal_sums(thai_nguyen: Path) -> None:
    pop, transform, crs = read_population_geotiff(thai_nguyen / "population_worldpop_2020_1km.tif")
    assert pop.shape == (182, 110)
    province = gpd.read_file(thai_nguyen / "province_2025.geojson")
    communes = gpd.read_file(thai_nguyen / "communes_2025.geojson")
    total = zonal_population(pop, transform, crs, province).sum()
    assert total == pytest.approx(1_495_114, rel=0.01)
    assert zonal_population(pop, transform, crs, province, subdivisions=1).sum() == pytest.approx(
        1_495_114, abs=1
    )
    per_commune = zonal_population(pop, transform, crs, communes)
    assert len(per_commune) == 92 and (per_commune > 0).all()
    union = zonal_population(pop, transform, crs, communes.dissolve())
    assert per_commune.sum() == pytest.approx(union.iloc[0], rel=1e-9)
    assert per_commune.sum() == pytest.approx(total, rel=0.01)


@pytest.mark.realdata
def test_real_worldpop_on_working_grid(thai_nguyen: Path) -> None:
    pop, transform, crs = read_population_geotiff(thai_nguyen / "population_worldpop_2020_1km.tif")
    with rasterio.open(thai_nguyen / "population_worldpop_2020_1km.tif") as src:
        bounds = transform_bounds(src.crs, CRS_M, *src.bounds, densify_pts=51)
    grid = GridSpec.from_bounds(bounds, 250.0, CRS_M)
    raster = population_to_grid(pop, transform, crs, grid)
    assert np.nansum(raster.data) == pytest.approx(pop.sum(), rel=1e-6)
