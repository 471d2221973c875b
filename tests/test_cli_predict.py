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


def test_predict_sinr_writes_a_band_per_operator_and_the_fastest(
        tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two operators on 4G: SINR and speed bands named by them; "any operator" is the max."""
    sites = tiny_dir / "sites.csv"
    sites.write_text(sites.read_text(encoding="utf-8")
                     + "TN003,1,105.85,21.62,4G,VinaPhone,30,90\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["-q", "predict", str(tiny_dir), "--technology", "4G", "--resolution", "60",
            "--sinr", "--edge-probability", "0.9", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "fade margin 10.3 dB" in printed  # 1.2816 x 8 dB
    with rasterio.open(out / "sinr_4G.tif") as src:
        assert src.descriptions == ("Viettel", "VinaPhone") and src.units[0] == "dB"
    with rasterio.open(out / "dl_mbps_4G.tif") as src:
        assert src.descriptions == ("Viettel", "VinaPhone", "any operator")
        bands = src.read()
    fastest = np.where(np.isnan(bands[:2]).all(axis=0), np.nan, np.nanmax(
        np.where(np.isnan(bands[:2]), -np.inf, bands[:2]), axis=0))
    np.testing.assert_array_equal(bands[2], fastest)
    assert np.nanmax(bands[2]) <= 20 * 2 * 4.4 * 0.5 + 1e-3  # 20 MHz, 2 layers, cap, 50 % load
    assert np.nanmax(bands[2]) > 10
