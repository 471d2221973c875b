"""Terrain and population rasters: where they lie, how much they cover, how large they are.

Each case changes the raster of the valid tiny dataset (``tests/conftest.py``, a 10 × 5.5 km
province near Thái Nguyên city) and runs ``covplan validate`` (or ``analyze``): a raster of
another place is refused with both extents; one covering the area in part loads with the share
stated; a raster or grid too large is refused before it is read or allocated; beyond the
terrain, the prediction runs over flat ground at the stated height.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

from covplan.i18n import language
from covplan.io import load_dataset
from covplan.predict.engine import predict_coverage

from .conftest import (
    CliResult,
    assert_nothing_new,
    assert_refused,
    snapshot,
    with_peak_memory,
)

Cli = Callable[..., CliResult]
TO_UTM = Transformer.from_crs(4326, 32648, always_xy=True)
LON0, LAT0 = 105.80, 21.60  # the tiny province's south-west corner (tests/conftest.py)


def write_raster(path: Path, data: np.ndarray, *, west: float, north: float, res: float,
                 crs: str | None = "EPSG:32648", nodata: float | None = None,
                 **extra: object) -> Path:
    profile: dict[str, object] = {"driver": "GTiff", "width": data.shape[1],
                                  "height": data.shape[0], "count": 1, "dtype": data.dtype.name,
                                  "transform": from_origin(west, north, res, res), **extra}
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def utm(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    return float(x), float(y)


def manifest(folder: Path, terrain: str = "", population: str = "") -> None:
    text = ('[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "sites.csv"\n'
            '[layers.villages]\nfile = "villages.gpkg"\n[layers.roads]\nfile = "roads.gpkg"\n')
    (folder / "dataset.toml").write_text(text + terrain + population, encoding="utf-8")


# --- rasters of another place -----------------------------------------------------------


def test_a_population_raster_in_europe_is_refused(tiny_dir: Path, cli: Cli) -> None:
    write_raster(tiny_dir / "population.tif", np.full((20, 20), 5.0, np.float32),
                 west=10.0, north=50.0, res=0.01, crs="EPSG:4326")
    assert_refused(cli("validate", tiny_dir), "population.tif", "does not overlap the study area",
                   "lon 10.00–10.20, lat 49.80–50.00", "lon 105.80–105.90, lat 21.60–21.65",
                   fix="its CRS is wrong")


def test_a_terrain_geotiff_in_europe_is_refused(tiny_dir: Path, cli: Cli) -> None:
    write_raster(tiny_dir / "terrain.tif", np.full((20, 20), 300, np.int16),
                 west=10.0, north=50.0, res=0.01, crs="EPSG:4326")
    assert_refused(cli("validate", tiny_dir), "terrain.tif", "layer 'terrain'",
                   "does not overlap the study area", fix="N21E105.hgt")


def test_an_srtm_tile_of_another_place_is_refused(tiny_dir: Path, cli: Cli) -> None:
    (tiny_dir / "terrain.tif").unlink()
    (tiny_dir / "N50E010.hgt").write_bytes(np.full((1201, 1201), 200, ">i2").tobytes())
    assert_refused(cli("validate", tiny_dir), "N50E010.hgt", "does not overlap",
                   "lon 10.00–11.00, lat 50.00–51.00",
                   fix="give the SRTM tiles that cover the area")


def test_every_raster_problem_is_listed_at_once(tiny_dir: Path, cli: Cli) -> None:
    write_raster(tiny_dir / "population.tif", np.full((20, 20), 5.0, np.float32),
                 west=10.0, north=50.0, res=0.01, crs="EPSG:4326")
    write_raster(tiny_dir / "terrain.tif", np.full((20, 20), 300, np.int16),
                 west=10.0, north=50.0, res=0.01, crs="EPSG:4326")
    result = cli("validate", tiny_dir)
    assert_refused(result, "2 problems", "terrain.tif", "population.tif")


def test_a_raster_in_utm_labelled_as_wgs84_is_refused(tiny_dir: Path, cli: Cli) -> None:
    x0, y0 = utm(LON0, LAT0 + 0.05)
    # metres written as degrees: the raster lands far outside any real place
    write_raster(tiny_dir / "terrain.tif", np.full((10, 10), 80, np.int16),
                 west=x0, north=y0, res=1000.0, crs="EPSG:4326")
    assert_refused(cli("validate", tiny_dir), "terrain.tif", "does not overlap",
                   fix="gdal_edit.py -a_srs")


# --- partial cover ------------------------------------------------------------------------


def _west_half(folder: Path, height_m: int = 100, *, nodata_margin: bool = False) -> float:
    """A terrain (WGS 84) over the west commune, up to 105.85 E; returns the share expected."""
    res = 0.0003  # about 31 m
    data = np.full((round(0.07 / res), round(0.06 / res)), height_m, np.int16)
    if nodata_margin:  # a clipped DEM: nodata from the edge inwards, plus one enclosed hole
        data = np.pad(data, ((0, 0), (0, 60)), constant_values=-9999)
        data[100:104, 50:54] = -9999
    write_raster(folder / "terrain.tif", data, west=LON0 - 0.01, north=LAT0 + 0.06, res=res,
                 crs="EPSG:4326", nodata=-9999)
    return 0.5


def test_partial_terrain_is_stated_by_validate_and_info(tiny_dir: Path, cli: Cli) -> None:
    _west_half(tiny_dir)
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "terrain: terrain.tif covers 50 % of the study area" in result.text
    assert "flat ground at 100 m" in result.text
    assert "Terrain: terrain.tif covers 50 %" in cli("info", tiny_dir).out


def test_the_terrain_share_is_geometric(tiny_dir: Path) -> None:
    expected = _west_half(tiny_dir)
    ds = load_dataset(tiny_dir)
    assert ds.terrain_coverage is not None
    assert ds.terrain_coverage.share == pytest.approx(expected, abs=0.01)
    assert any("covers 50 %" in w for w in ds.warnings)
    # the warning is the terrain's statement, in the reader's language where one is known
    assert f"terrain: {ds.terrain_statement()}" in ds.warnings
    assert f"địa hình: {ds.terrain_statement(language('vi'))}" in ds.warnings_in(language("vi"))
    assert any("địa hình: terrain.tif phủ 50 %" in w for w in ds.warnings_in(language("vi")))


def test_a_full_terrain_says_so(tiny_dir: Path, cli: Cli) -> None:
    west, north = utm(LON0 - 0.02, LAT0 + 0.07)
    write_raster(tiny_dir / "terrain.tif", np.full((300, 420), 40, np.int16),
                 west=west, north=north, res=30.0)
    ds = load_dataset(tiny_dir)
    assert ds.terrain_coverage is not None and ds.terrain_coverage.complete
    assert not any("terrain" in w for w in ds.warnings)
    assert "covers 100 % of the study area" in cli("validate", tiny_dir).out


def test_no_terrain_states_the_flat_earth(tiny_dir: Path, cli: Cli) -> None:
    (tiny_dir / "terrain.tif").unlink()
    out = cli("validate", tiny_dir).out
    assert "no terrain layer: every prediction runs over flat ground (flat earth)" in out


def test_refuse_outside_refuses_partial_terrain(tiny_dir: Path, cli: Cli) -> None:
    _west_half(tiny_dir)
    manifest(tiny_dir, terrain='[layers.terrain]\nfile = "terrain.tif"\noutside = "refuse"\n')
    result = cli("validate", tiny_dir)
    assert_refused(result, "terrain.tif", 'outside = "refuse"', fix='write outside = "flat"')
    share = float(re.search(r"covers ([\d.]+) % of the study area", result.text).group(1))
    assert share == pytest.approx(50, abs=0.5)


def test_refuse_outside_names_the_missing_srtm_tiles(tmp_path: Path, cli: Cli,
                                                     tiny_dir: Path) -> None:
    # the province straddles 106 E; only the western tile is given
    (tiny_dir / "terrain.tif").unlink()
    import geopandas as gpd
    from shapely.geometry import box

    gpd.GeoDataFrame({"code": ["1"], "name": ["Xã A"]},
                     geometry=[box(105.97, 21.60, 106.03, 21.65)], crs=4326).to_file(
        tiny_dir / "communes.gpkg")
    (tiny_dir / "N21E105.hgt").write_bytes(np.full((1201, 1201), 50, ">i2").tobytes())
    manifest(tiny_dir, terrain='[layers.terrain]\nfile = "N21E105.hgt"\noutside = "refuse"\n')
    (tiny_dir / "villages.gpkg").unlink()
    (tiny_dir / "dataset.toml").write_text(
        (tiny_dir / "dataset.toml").read_text().replace(
            '[layers.villages]\nfile = "villages.gpkg"\n', ""))
    assert_refused(cli("validate", tiny_dir), "N21E105.hgt", fix="(N21E106.hgt)")


def test_nodata_beyond_a_clipped_dem_is_outside_not_a_void(tiny_dir: Path) -> None:
    _west_half(tiny_dir, 100, nodata_margin=True)
    ds = load_dataset(tiny_dir)
    assert ds.terrain_coverage is not None
    assert ds.terrain_coverage.share == pytest.approx(0.5, abs=0.01)
    # the enclosed 4 × 4 hole is a void, filled from its rim (all 100 m)
    assert any("filled 16 void cells" in n for n in ds.notes)
    assert np.isfinite(ds.terrain.data).all()


def test_outside_height_is_the_mean_unless_set(tiny_dir: Path) -> None:
    _west_half(tiny_dir, 100)
    ds = load_dataset(tiny_dir)
    assert ds.terrain_coverage is not None and ds.terrain_coverage.outside_height_m == 100
    manifest(tiny_dir, terrain='[layers.terrain]\nfile = "terrain.tif"\n'
             "outside_height_m = 250\n")
    ds = load_dataset(tiny_dir)
    assert ds.terrain_coverage is not None and ds.terrain_coverage.outside_height_m == 250
    x, y = utm(LON0 + 0.09, LAT0 + 0.025)  # east half: beyond the terrain
    assert ds.terrain.sample(np.array([x]), np.array([y]))[0] == 250
    x, y = utm(LON0 + 0.02, LAT0 + 0.025)  # west half: the terrain's own height
    assert ds.terrain.sample(np.array([x]), np.array([y]))[0] == 100


def test_beyond_the_terrain_the_prediction_is_flat_ground(tiny_dir: Path) -> None:
    """A flat 100 m terrain over half the area, 100 m beyond it: the same as 100 m everywhere.

    With the old nearest-edge fill this held only by accident of a flat edge; the reference
    here is a terrain that covers the whole area at the same height.
    """
    _west_half(tiny_dir, 100)
    half = load_dataset(tiny_dir)
    west, north = utm(LON0 - 0.02, LAT0 + 0.07)
    write_raster(tiny_dir / "terrain.tif", np.full((300, 420), 100, np.int16),
                 west=west, north=north, res=30.0)
    full = load_dataset(tiny_dir)
    grid = full.grid(100.0)
    kwargs = {"technology": "4G", "model": "itm", "warn_range": False}
    a = predict_coverage(half.sites, half.terrain, grid, **kwargs).rsrp_dbm.data
    b = predict_coverage(full.sites, full.terrain, grid, **kwargs).rsrp_dbm.data
    assert np.isfinite(b).sum() > 1000
    np.testing.assert_allclose(a, b, atol=0.05, equal_nan=True)


def test_partial_population_warns_with_the_share(tiny_dir: Path, cli: Cli) -> None:
    # WorldPop-like, in WGS 84: a quarter of the province (its west half, south half)
    write_raster(tiny_dir / "population.tif", np.full((10, 20), 20.0, np.float32),
                 west=LON0, north=LAT0 + 0.025, res=0.0025, crs="EPSG:4326", nodata=-99999.0)
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    assert "population (population.tif) covers 25 % of the study area" in result.err


# --- sizes --------------------------------------------------------------------------------


def test_a_huge_declared_geotiff_is_refused_before_reading(tiny_dir: Path, cli: Cli) -> None:
    """60000 × 60000 cells declared in a file of a few kB: refused without allocating them.

    At 1 m, the study area and its 5 km margin alone are about 310 million cells.
    """
    west, north = utm(LON0 - 0.2, LAT0 + 0.2)
    path = tiny_dir / "terrain.tif"
    profile = {"driver": "GTiff", "width": 60_000, "height": 60_000, "count": 1,
               "dtype": "int16", "crs": "EPSG:32648", "nodata": -32768,
               "transform": from_origin(west, north, 1.0, 1.0), "tiled": True,
               "blockxsize": 512, "blockysize": 512, "compress": "deflate", "sparse_ok": True}
    with rasterio.open(path, "w", **profile):
        pass  # nothing written: every block is sparse
    assert path.stat().st_size < 20 * 1024**2
    result, peak = with_peak_memory(cli, "validate", tiny_dir)
    assert_refused(result, "terrain.tif", "cells over the study area",
                   "more than covplan reads (200,000,000)", fix="COVPLAN_MAX_RASTER_CELLS")
    assert peak < 200 * 1024**2


def test_the_raster_limit_follows_the_setting(tiny_dir: Path, cli: Cli,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from covplan import settings

    monkeypatch.setattr(settings, "max_raster_cells", 1_000)
    assert_refused(cli("validate", tiny_dir), "terrain.tif", "more than covplan reads (1,000)",
                   fix="raise the limit with COVPLAN_MAX_RASTER_CELLS")


def test_a_grid_too_fine_is_refused_before_allocating(tiny_dir: Path, cli: Cli,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    result = cli("analyze", tiny_dir, "--resolution", "1", "--out", out)
    # 10.4 × 5.6 km at 1 m is about 58 million cells, over the 50 million limit
    assert_refused(result, "1 m grid", "more than covplan computes (50,000,000)",
                   fix="--resolution 5 or coarser")
    assert_nothing_new(before, tmp_path)


def test_nonsense_resolution_is_refused(tiny_dir: Path, cli: Cli) -> None:
    ds = load_dataset(tiny_dir)
    from covplan.errors import ConfigError

    with pytest.raises(ConfigError, match="expected a positive number of metres"):
        ds.grid(float("nan"))


# --- unreadable rasters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "named"),
    [
        ("terrain.tif", b"II*\x00" + bytes(range(256)) * 4, "GDAL cannot read it"),
        ("terrain.tif", b"", "GDAL cannot read it"),
        ("N21E105.hgt", b"\x00\x01" * 1000, "expected 2,884,802 bytes"),
    ],
    ids=["garbage-tif", "empty-tif", "truncated-hgt"],
)
def test_unreadable_rasters(tiny_dir: Path, cli: Cli, name: str, content: bytes,
                            named: str) -> None:
    (tiny_dir / "terrain.tif").unlink()
    (tiny_dir / name).write_bytes(content)
    assert_refused(cli("validate", tiny_dir), name, named)


def test_a_terrain_of_only_nodata_names_the_file(tiny_dir: Path, cli: Cli) -> None:
    west, north = utm(LON0 - 0.02, LAT0 + 0.07)
    write_raster(tiny_dir / "terrain.tif", np.full((300, 420), -32768, np.int16),
                 west=west, north=north, res=30.0, nodata=-32768)
    assert_refused(cli("validate", tiny_dir), "terrain.tif", "layer 'terrain'",
                   fix="check the file's nodata value")


def test_a_geotiff_without_crs(tiny_dir: Path, cli: Cli) -> None:
    west, north = utm(LON0 - 0.02, LAT0 + 0.07)
    write_raster(tiny_dir / "terrain.tif", np.full((300, 420), 40, np.int16),
                 west=west, north=north, res=30.0, crs=None)
    assert_refused(cli("validate", tiny_dir), "terrain.tif", "found no CRS",
                   fix='crs = "EPSG:4326" under [layers.terrain]')
