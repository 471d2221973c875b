"""Coverage grids as Cloud-Optimised GeoTIFF, reopened with rasterio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from covplan.errors import OutputExistsError
from covplan.export.rasters import cog_paths, to_cogs
from covplan.grid import Raster
from covplan.predict import CoverageGrid

from .conftest import listing


def test_cogs_keep_the_georeferencing_and_values(tiny_coverage: dict[str, CoverageGrid],
                                                 out_dir: Path) -> None:
    written = to_cogs(tiny_coverage, out_dir)
    assert written == cog_paths(out_dir, ["4G", "5G"])
    assert listing(out_dir) == sorted(p.name for p in written)
    grid = tiny_coverage["4G"].rsrp_dbm.grid
    with rasterio.open(out_dir / "rsrp_4G.tif") as src:
        assert src.crs.to_epsg() == 32648
        assert src.transform.almost_equals(grid.transform)
        assert (src.height, src.width) == grid.shape
        assert src.tags()["technology"] == "4G"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        data = src.read(1)
    np.testing.assert_array_equal(np.isnan(data), np.isnan(tiny_coverage["4G"].rsrp_dbm.data))
    with rasterio.open(out_dir / "server_5G.tif") as src:
        assert src.nodata == -1 and src.dtypes[0] == "int32"


def test_cogs_refuse_to_overwrite(tiny_coverage: dict[str, CoverageGrid], out_dir: Path) -> None:
    to_cogs(tiny_coverage, out_dir)
    with pytest.raises(OutputExistsError, match=r"6 output files already exist.*--overwrite"):
        to_cogs(tiny_coverage, out_dir)
    to_cogs(tiny_coverage, out_dir, overwrite=True)


def test_a_bare_raster_is_skipped(tiny_coverage: dict[str, CoverageGrid], out_dir: Path) -> None:
    bare: dict[str, object] = {"4G": Raster(tiny_coverage["4G"].rsrp_dbm.data,
                                            tiny_coverage["4G"].rsrp_dbm.grid, "dBm")}
    assert to_cogs(bare, out_dir) == []
