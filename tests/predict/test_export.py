"""COG export: readable, georeferenced, same values, atomic."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio

from covplan.grid import GridSpec, Raster
from covplan.predict import predict_coverage, write_coverage_cog


def test_write_coverage_cog(three_sites: gpd.GeoDataFrame, terrain: Raster, grid: GridSpec,
                            tmp_path: Path) -> None:
    cov = predict_coverage(three_sites, terrain, grid, technology="4G")
    paths = write_coverage_cog(cov, tmp_path / "out")
    assert [p.name for p in paths] == ["rsrp_4G.tif", "server_4G.tif", "server_4G.csv"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    with rasterio.open(paths[0]) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata)
        assert src.crs.to_epsg() == 32648 and src.transform == grid.transform
        np.testing.assert_array_equal(src.read(1), cov.rsrp_dbm.data)
        assert src.tags()["technology"] == "4G"
    with rasterio.open(paths[1]) as src:
        assert src.dtypes[0] == "int32" and src.nodata == -1
        np.testing.assert_array_equal(src.read(1), cov.server.data)
    with paths[2].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [f"{r['site_id']}/{r['sector']}" for r in rows] == list(cov.site_keys)
    # a second write replaces the files in place
    assert write_coverage_cog(cov, tmp_path / "out") == paths
