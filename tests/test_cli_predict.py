"""``covplan predict`` in-process on the tiny dataset: COGs written, overwrite refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from covplan.cli.main import main


def test_predict_writes_cloud_optimised_geotiffs(tiny_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["-q", "predict", str(tiny_dir), "--technology", "4G", "--resolution", "60",
            "--out", str(out)]
    assert main(args) == 0
    assert "4G: 3 sectors" in capsys.readouterr().out
    with rasterio.open(out / "rsrp_4G.tif") as src:
        assert src.crs.to_epsg() == 32648 and src.res == (60.0, 60.0)
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        rsrp = src.read(1)
    assert np.nanmax(rsrp) > -80  # next to the site
    assert not (out / "rsrp_5G.tif").exists()
    assert main(args) == 2  # refuses to overwrite
    assert "Fix: pass --overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0
