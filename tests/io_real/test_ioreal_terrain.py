from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.transform import from_origin

from covplan.errors import InputError
from covplan.grid import GridSpec
from covplan.io.terrain import SRTM_VOID, dem_to_grid, fill_voids, read_dem_geotiff, read_hgt

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
SRTM3 = 1201


@pytest.fixture(scope="module")
def thai_nguyen() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(
            "../shared/realdata not found: real-data tests need the shared folder "
            "beside the repository"
        )
    return REALDATA / "thai_nguyen"


def _height(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A smooth synthetic surface, the same wherever two tiles share samples."""
    return np.round(100 * (lat - 20) + 10 * (lon - 100)).astype(np.int16)


def _write_tile(folder: Path, lat0: int, lon0: int, side: int = SRTM3) -> Path:
    step = side - 1
    lats = lat0 + 1 - np.arange(side) / step
    lons = lon0 + np.arange(side) / step
    tile = _height(lons[None, :], lats[:, None])
    path = folder / f"N{lat0:02d}E{lon0:03d}.hgt"
    tile.astype(">i2").tofile(path)
    return path


def _sample(dem: np.ndarray, transform: Affine, lon: float, lat: float) -> float:
    col, row = ~transform @ (lon, lat)
    return float(dem[int(np.floor(row)), int(np.floor(col))])


def test_single_tile_georeference(tmp_path: Path) -> None:
    path = _write_tile(tmp_path, 21, 105)
    dem, transform, crs = read_hgt([path])
    assert dem.shape == (SRTM3, SRTM3)
    assert dem.dtype == np.int16
    assert crs.to_epsg() == 4326
    cell = 1 / 1200
    # pixel-is-point: the first sample is centred on 22 N, 105 E
    assert transform.a == pytest.approx(cell)
    assert transform.c == pytest.approx(105 - cell / 2)
    assert transform.f == pytest.approx(22 + cell / 2)
    assert _sample(dem, transform, 105.0, 22.0) == _height(np.array(105.0), np.array(22.0))
    assert _sample(dem, transform, 106.0, 21.0) == _height(np.array(106.0), np.array(21.0))
    assert _sample(dem, transform, 105.5, 21.25) == _height(np.array(105.5), np.array(21.25))


def test_mosaic_shares_edges_and_fills_missing_sea_tile(tmp_path: Path) -> None:
    paths = [
        _write_tile(tmp_path, 21, 105),
        _write_tile(tmp_path, 21, 106),
        _write_tile(tmp_path, 22, 105),
    ]
    dem, transform, _ = read_hgt(paths)
    assert dem.shape == (2 * 1200 + 1, 2 * 1200 + 1)
    assert transform.c == pytest.approx(105 - 1 / 2400)
    assert transform.f == pytest.approx(23 + 1 / 2400)
    for lon, lat in [(105.0, 23.0), (106.0, 22.0), (106.75, 21.5), (105.3, 22.6), (107.0, 21.0)]:
        assert _sample(dem, transform, lon, lat) == _height(np.array(lon), np.array(lat))
    assert _sample(dem, transform, 106.5, 22.5) == 0  # N22E106 not given: sea


def test_bad_tiles_are_all_reported(tmp_path: Path) -> None:
    short = tmp_path / "N21E105.hgt"
    short.write_bytes(b"\x00" * 1000)
    badly_named = tmp_path / "tile.hgt"
    badly_named.write_bytes(b"\x00" * (SRTM3 * SRTM3 * 2))
    with pytest.raises(InputError, match="2 problems") as info:
        read_hgt([short, badly_named])
    text = str(info.value)
    assert "N21E105.hgt" in text
    assert "expected 2,884,802 bytes for SRTM3" in text
    assert "25,934,402 bytes for SRTM1" in text
    assert "found 1,000 bytes" in text
    assert "re-download" in text
    from covplan.i18n import language

    said = info.value.text(language("vi"))  # sizes written the Vietnamese way
    assert "cần 2.884.802 byte" in said and "tệp có 1.000 byte" in said
    assert "expected an SRTM tile name such as N21E105.hgt" in text


def test_fill_voids_interpolates_between_rim_heights() -> None:
    dem = np.tile(np.arange(0, 200, 10, dtype=np.int16), (20, 1))  # rises 10 m per column
    dem[8:12, 8:12] = SRTM_VOID
    filled, count = fill_voids(dem, SRTM_VOID)
    assert count == 16
    assert filled.dtype == np.float32
    assert (filled[8:12, 8:12] >= 70).all() and (filled[8:12, 8:12] <= 120).all()
    np.testing.assert_array_equal(filled[dem != SRTM_VOID], dem[dem != SRTM_VOID])


def test_fill_voids_nan_and_nothing_to_fill() -> None:
    dem = np.full((5, 5), 40.0)
    filled, count = fill_voids(dem, None)
    assert count == 0 and (filled == 40).all()
    dem[2, 2] = np.nan
    filled, count = fill_voids(dem, -9999)
    assert count == 1 and filled[2, 2] == pytest.approx(40)


def test_fill_voids_all_void() -> None:
    with pytest.raises(InputError, match="found only voids"):
        fill_voids(np.full((3, 3), SRTM_VOID, dtype=np.int16), SRTM_VOID, source="x.hgt")


def test_dem_to_grid_takes_each_cells_nearest_post(tmp_path: Path) -> None:
    transform = from_origin(105.7, 21.7, 0.001, 0.001)
    rows, cols = np.mgrid[0:200, 0:200]
    plane = (100 + 0.5 * cols + 0.25 * rows).astype(np.float32)
    grid = GridSpec.from_bounds((583_000, 2_384_000, 592_000, 2_392_000), 100.0, 32648)
    raster = dem_to_grid(plane, transform, 4326, grid)
    assert raster.grid == grid and raster.data.shape == grid.shape and raster.units == "m"
    from pyproj import Transformer

    xs, ys = grid.cell_centres()
    lon, lat = Transformer.from_crs(32648, 4326, always_xy=True).transform(*np.meshgrid(xs, ys))
    col, row = (lon - 105.7) / 0.001 - 0.5, (21.7 - lat) / 0.001 - 0.5
    # the post nearest each cell centre, unblended (a peak between centres is not lowered)
    expected = 100 + 0.5 * np.rint(col) + 0.25 * np.rint(row)
    near_half = (np.abs(col - np.rint(col)) > 0.49) | (np.abs(row - np.rint(row)) > 0.49)
    np.testing.assert_array_equal(raster.data[~near_half], expected[~near_half])
    assert (~near_half).mean() > 0.9


def test_geotiff_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dem_no_crs.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="int16",
        transform=from_origin(105, 22, 0.01, 0.01),
    ) as dst:
        dst.write(np.ones((1, 4, 4), dtype=np.int16))
    with pytest.raises(InputError, match=r"dem_no_crs\.tif.*found no CRS.*gdal_edit\.py -a_srs"):
        read_dem_geotiff(path)


def test_geotiff_dem_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    data = np.arange(16, dtype=np.int16).reshape(4, 4)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="int16",
        crs="EPSG:32648",
        nodata=-32768,
        transform=from_origin(580_000, 2_390_000, 90, 90),
    ) as dst:
        dst.write(data, 1)
    dem, transform, crs, nodata = read_dem_geotiff(path)
    np.testing.assert_array_equal(dem, data)
    assert crs.to_epsg() == 32648 and nodata == -32768 and transform.a == 90


@pytest.mark.realdata
def test_real_srtm_tile(thai_nguyen: Path) -> None:
    dem, transform, _ = read_hgt([thai_nguyen / "N21E105.hgt"])
    assert int((dem == SRTM_VOID).sum()) == 1539
    filled, count = fill_voids(dem, SRTM_VOID, source="N21E105.hgt")
    assert count == 1539
    assert np.isfinite(filled).all()
    # Thai Nguyen city, about 33 m
    assert _sample(filled, transform, 105.84, 21.59) == pytest.approx(33, abs=5)
    # Tam Dao: the tile's maximum, about 1,582 m near 21.573 N, 105.544 E
    assert filled.max() == pytest.approx(1582, abs=10)
    row, col = np.unravel_index(np.argmax(filled), filled.shape)
    lon, lat = transform @ (col + 0.5, row + 0.5)
    assert lat == pytest.approx(21.573, abs=3 / 1200)
    assert lon == pytest.approx(105.544, abs=3 / 1200)
    # on a 90 m UTM working grid
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(
        [105.544, 105.84], [21.573, 21.59]
    )
    grid = GridSpec.from_bounds((x[0] - 5000, y[0] - 5000, x[1] + 5000, y[1] + 5000), 90.0, 32648)
    raster = dem_to_grid(filled, transform, 4326, grid, notes=("1,539 voids filled",))
    assert np.isfinite(raster.data).all()
    assert 1500 < raster.data.max() <= 1582  # posts, at most the tile's highest
    assert raster.sample(np.array([x[1]]), np.array([y[1]]))[0] == pytest.approx(33, abs=5)
    assert raster.notes[0] == "1,539 voids filled"
