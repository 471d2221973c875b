"""Gap tables out: GeoPackage layers and BOM CSV, written atomically."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from covplan.errors import OutputExistsError
from covplan.export.tables import to_csv, to_gpkg


@pytest.fixture
def pois() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": ["hospital"], "name": ["Bệnh viện Đa khoa"],
                             "has_4g": pd.array([True], dtype="boolean"),
                             "count": pd.array([3], dtype="Int64")},
                            geometry=[Point(585_000, 2_390_000)], crs=32648)


def test_layers_and_empty_layers_in_one_geopackage(tmp_path: Path,
                                                   pois: gpd.GeoDataFrame) -> None:
    empty = gpd.GeoDataFrame({"road": []}, geometry=[], crs=32648)
    path = to_gpkg({"poi_gaps": pois, "road_gaps": empty}, tmp_path / "gaps.gpkg")
    assert {n for n, _ in pyogrio.list_layers(path)} == {"poi_gaps", "road_gaps"}
    back = gpd.read_file(path, layer="poi_gaps")
    assert back.loc[0, "name"] == "Bệnh viện Đa khoa" and back.crs.to_epsg() == 32648
    assert len(gpd.read_file(path, layer="road_gaps")) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["gaps.gpkg"]


def test_csv_has_a_bom_lonlat_and_rounded_numbers(tmp_path: Path,
                                                  pois: gpd.GeoDataFrame) -> None:
    frame = pois.assign(km=[1.23456789])
    path = to_csv(frame, tmp_path / "poi_gaps.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(path, encoding="utf-8-sig")
    assert table.loc[0, "name"] == "Bệnh viện Đa khoa"
    assert table.loc[0, "km"] == 1.235
    # 585,000 E 2,390,000 N in UTM 48N is near Thai Nguyen city
    assert table.loc[0, "lon"] == pytest.approx(105.82, abs=0.01)
    assert table.loc[0, "lat"] == pytest.approx(21.61, abs=0.01)
    assert "geometry" not in table.columns


def test_existing_files_are_kept_unless_overwrite(tmp_path: Path,
                                                  pois: gpd.GeoDataFrame) -> None:
    path = tmp_path / "t.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        to_csv(pois, path)
    assert path.read_text(encoding="utf-8") == "old"
    to_csv(pois, path, overwrite=True)
    assert path.read_text(encoding="utf-8-sig").startswith("kind,name")


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, pois: gpd.GeoDataFrame,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gaps.gpkg"
    path.write_bytes(b"previous run")
    original = gpd.GeoDataFrame.to_file

    def fail_on_second_layer(self: gpd.GeoDataFrame, *args: object, **kwargs: object) -> None:
        if kwargs.get("layer") == "second":
            raise OSError("disk full")
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", fail_on_second_layer)
    with pytest.raises(OSError, match="disk full"):
        to_gpkg({"first": pois, "second": pois}, path, overwrite=True)
    assert path.read_bytes() == b"previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["gaps.gpkg"]
