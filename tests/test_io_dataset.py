"""The dataset model: discovery, manifest, normalisation, CRS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from covplan.errors import ConfigError, DataFileNotFoundError
from covplan.io import load_dataset, load_sites, read_manifest


def test_folder_without_manifest_loads_every_layer(tiny_dir: Path) -> None:
    ds = load_dataset(tiny_dir)
    assert set(ds.vectors) == {"communes", "villages", "roads", "sites", "fibre", "pois"}
    assert ds.crs.to_epsg() == 32648  # UTM 48N holds 105.8 E
    assert ds.terrain is not None and ds.terrain.grid.crs.to_epsg() == 32648
    assert np.isfinite(ds.terrain.data).all()
    assert any("filled 1 void" in n for n in ds.notes)


def test_sites_are_normalised_with_defaults_reported(tiny_dir: Path) -> None:
    sites = load_dataset(tiny_dir).sites
    assert sites is not None
    assert list(sites["technology"]) == ["4G", "4G", "4G", "5G"]
    five_g = sites[sites["technology"] == "5G"].iloc[0]
    assert five_g["frequency_mhz"] == 3500.0 and np.isnan(five_g["azimuth_deg"])
    four_g = sites[sites["technology"] == "4G"]
    assert (four_g["frequency_mhz"] == 1800.0).all() and (four_g["height_m"] == 30.0).all()
    notes = load_sites(tiny_dir / "sites.csv").attrs["notes"]
    assert any(n.startswith("sites: 4G defaults applied: frequency_mhz = 1800 (3 sectors)")
               for n in notes)


def test_working_crs_can_be_overridden(tiny_dir: Path) -> None:
    ds = load_dataset(tiny_dir, crs="EPSG:3405")  # VN-2000 / UTM zone 48N
    assert ds.crs.to_epsg() == 3405
    assert ds.communes is not None and ds.communes.crs.to_epsg() == 3405


def test_manifest_maps_files_and_columns(tiny_dir: Path) -> None:
    (tiny_dir / "sites.csv").rename(tiny_dir / "tram_bts.csv")
    text = (tiny_dir / "tram_bts.csv").read_text().replace("site_id,", "MaTram,")
    (tiny_dir / "tram_bts.csv").write_text(text)
    (tiny_dir / "dataset.toml").write_text(
        '[dataset]\nname = "Tỉnh thử"\n\n[layers.sites]\nfile = "tram_bts.csv"\n'
        'columns = { site_id = "MaTram" }\n\n[layers.communes]\nfile = "communes.gpkg"\n',
        encoding="utf-8",
    )
    ds = load_dataset(tiny_dir)
    assert ds.name == "Tỉnh thử"
    assert set(ds.vectors) == {"sites", "communes"}
    assert ds.sites is not None and ds.sites["site_id"].iloc[0] == "TN001"


def test_manifest_unknown_keys_are_refused_with_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "dataset.toml"
    path.write_text(
        '[dataset]\nnmae = "x"\n[layers.site]\nfile = "a.csv"\n[layers.roads]\nfiel = "r.gpkg"\n'
    )
    with pytest.raises(ConfigError) as err:
        read_manifest(path)
    text = str(err.value)
    assert "unknown key 'nmae'. Fix: did you mean 'name'?" in text
    assert "unknown layer 'site'. Fix: did you mean 'sites'?" in text
    assert "unknown key 'fiel'. Fix: did you mean 'file'?" in text


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileNotFoundError, match="no such dataset folder"):
        load_dataset(tmp_path / "nope")


def test_dataset_grid_covers_communes(tiny_dir: Path) -> None:
    ds = load_dataset(tiny_dir)
    grid = ds.grid(30.0)
    minx, miny, maxx, maxy = ds.bounds()
    gx0, gy0, gx1, gy1 = grid.bounds
    assert gx0 <= minx and gy0 <= miny and gx1 >= maxx and gy1 >= maxy
    assert grid.resolution_m == 30.0


OPENCELLID = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n"
    "LTE,452,4,1201,110001,0,105.84000,21.59000,1000,12,1,1600000000,1700000000,0\n"
    "LTE,452,4,1201,110002,0,105.84000,21.59000,1000,9,1,1600000000,1700000000,0\n"
    "LTE,452,4,1201,110003,0,105.84000,21.59000,1000,7,1,1600000000,1700000000,0\n"
    "NR,452,2,1301,920001,0,105.85000,21.60000,500,3,1,1600000000,1700000000,0\n"
    "GSM,452,1,1401,3001,0,105.86000,21.61000,2000,40,1,1600000000,1700000000,0\n"
)


def test_opencellid_export_loads_as_sites(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    path.write_text(OPENCELLID, encoding="utf-8")
    sites = load_sites(path)
    assert list(sites["technology"]) == ["4G", "4G", "4G", "5G"]
    assert sites.groupby("site_id").size().sort_values().tolist() == [1, 3]
    assert set(sites["operator"]) == {"Viettel", "VinaPhone"}
    assert sites["azimuth_deg"].isna().all()  # OpenCellID has no azimuths: omni sectors
    notes = " ".join(sites.attrs["notes"])
    assert "left out 1 cells of older technologies (1 GSM)" in notes


def test_roads_get_length_weights(tiny_dir: Path) -> None:
    roads = load_dataset(tiny_dir).roads
    assert roads is not None and (roads["length_weight"] == 1.0).all()
