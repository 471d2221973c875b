"""Gaps and sites as GeoPackage, GeoJSON, CSV and KML, reopened by independent readers."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from covplan.errors import OutputExistsError
from covplan.export.kml import KML_NS, kml_colour
from covplan.export.vectors import export_vectors, vector_paths
from covplan.report import ReportData

from .conftest import listing

FORMATS = ["gpkg", "geojson", "csv", "kml"]


@pytest.fixture
def layers(tiny_report: ReportData) -> dict[str, gpd.GeoDataFrame]:
    return tiny_report.layers()


def _write(layers: dict[str, gpd.GeoDataFrame], out: Path, tiny_report: ReportData,
           **kwargs: object) -> list[Path]:
    return export_vectors(layers, out, FORMATS, tables={"targets": tiny_report.analysis.targets},
                          **kwargs)  # type: ignore[arg-type]


def test_every_file_is_written_once_and_nothing_else(layers: dict[str, gpd.GeoDataFrame],
                                                     tiny_report: ReportData,
                                                     out_dir: Path) -> None:
    written = _write(layers, out_dir, tiny_report)
    expected = vector_paths(out_dir, list(layers), FORMATS, tables=["targets"])
    assert written == expected
    on_disk = sorted(p for p in out_dir.rglob("*") if p.is_file())
    assert on_disk == sorted(expected)  # no temporary files
    assert sorted(p.name for p in (out_dir / "data").iterdir()) == sorted(
        f"{name}.csv" for name in [*layers, "targets"])


def test_geopackage_keeps_counts_attributes_and_the_metric_crs(
        layers: dict[str, gpd.GeoDataFrame], tiny_report: ReportData, out_dir: Path) -> None:
    _write(layers, out_dir, tiny_report)
    names = {name for name, _ in pyogrio.list_layers(out_dir / "gaps.gpkg")}
    assert names == set(layers)
    for name, frame in layers.items():
        back = gpd.read_file(out_dir / "gaps.gpkg", layer=name, engine="pyogrio")
        assert len(back) == len(frame)
        assert back.crs == frame.crs
        for column in frame.columns.drop(frame.geometry.name):
            assert column in back.columns
    gaps = gpd.read_file(out_dir / "gaps.gpkg", layer="road_gaps", engine="pyogrio")
    np.testing.assert_allclose(gaps["length_km"], layers["road_gaps"]["length_km"])
    assert gaps["road"].tolist() == layers["road_gaps"]["road"].tolist()


def test_geojson_is_wgs84_with_the_same_features(layers: dict[str, gpd.GeoDataFrame],
                                                 tiny_report: ReportData,
                                                 out_dir: Path) -> None:
    _write(layers, out_dir, tiny_report)
    for name, frame in layers.items():
        back = gpd.read_file(out_dir / f"{name}.geojson", engine="pyogrio")
        assert len(back) == len(frame)
        assert back.crs.to_epsg() == 4326
        if len(frame):  # the same places (compared in metres)
            assert back.to_crs(frame.crs).geometry.hausdorff_distance(frame.geometry).max() < 0.5
    villages = gpd.read_file(out_dir / "village_gaps.geojson", engine="pyogrio")
    assert set(villages["name"]) == set(layers["village_gaps"]["name"])  # Vietnamese intact


def test_csv_for_people_and_for_machines(layers: dict[str, gpd.GeoDataFrame],
                                         tiny_report: ReportData, out_dir: Path) -> None:
    _write(layers, out_dir, tiny_report)
    raw = (out_dir / "village_gaps.csv").read_bytes()  # for people: BOM, headers, rounded
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(layers["village_gaps"])
    assert {"Bản Pác", "Thôn Nà"} <= {r["Village"] for r in rows}
    assert all(105 < float(r["Longitude"]) < 106 and 21 < float(r["Latitude"]) < 22
               for r in rows)
    assert all(len(r["People with 4G (%)"].partition(".")[2]) <= 1 for r in rows)
    machine = (out_dir / "data" / "village_gaps.csv").read_bytes()  # for machines
    assert not machine.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(machine))
    assert list(table.columns[:3]) == ["village_id", "name", "commune"]
    np.testing.assert_array_equal(table["signal_4g_percent"],
                                  layers["village_gaps"]["signal_4g_percent"])
    targets = pd.read_csv(out_dir / "data" / "targets.csv")
    assert targets["id"].tolist() == tiny_report.analysis.targets["id"].tolist()


def test_kml_has_a_styled_folder_per_layer_with_every_attribute(
        layers: dict[str, gpd.GeoDataFrame], tiny_report: ReportData, out_dir: Path) -> None:
    _write(layers, out_dir, tiny_report)
    path = out_dir / "gaps.kml"
    kept = {n: f for n, f in layers.items() if len(f)}
    assert {name for name, _ in pyogrio.list_layers(path)} == set(kept)
    for name, frame in kept.items():
        back = gpd.read_file(path, layer=name, engine="pyogrio")
        assert len(back) == len(frame)
        assert back.crs.to_epsg() == 4326
    villages = gpd.read_file(path, layer="village_gaps", engine="pyogrio")
    assert set(villages["Name"]) == set(layers["village_gaps"]["name"])
    assert villages["missing"].tolist() == layers["village_gaps"]["missing"].tolist()
    sites = gpd.read_file(path, layer="sites", engine="pyogrio")
    assert sites["Name"].tolist()[0] == "TN001/1"
    root = ET.parse(path).getroot()
    styles = {s.get("id") for s in root.iter(f"{{{KML_NS}}}Style")}
    assert {f"covplan-{name}" for name in kept} <= styles
    urls = [u.text for u in root.iter(f"{{{KML_NS}}}styleUrl")]
    assert len(urls) == sum(len(f) for f in kept.values())
    assert kml_colour("#e7298a") == "ff8a29e7"


def test_existing_files_are_refused_before_anything_is_written(
        layers: dict[str, gpd.GeoDataFrame], tiny_report: ReportData, out_dir: Path) -> None:
    out_dir.mkdir()
    (out_dir / "sites.geojson").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"sites\.geojson.*--overwrite"):
        _write(layers, out_dir, tiny_report)
    assert listing(out_dir) == ["sites.geojson"]
    _write(layers, out_dir, tiny_report, overwrite=True)
    assert (out_dir / "sites.geojson").read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_interrupted_export_leaves_no_partial_file(
        fmt: str, layers: dict[str, gpd.GeoDataFrame], out_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}

    def fail_second_time(real: object) -> object:
        def writer(self: object, path: object, *args: object, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == 2:  # the second layer or file, after a first one was written
                Path(str(path)).write_bytes(b"half a file")
                raise OSError("disk full")
            return real(self, path, *args, **kwargs)  # type: ignore[operator]
        return writer

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", fail_second_time(gpd.GeoDataFrame.to_file))
    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_second_time(pd.DataFrame.to_csv))
    with pytest.raises(OSError, match="disk full"):
        export_vectors(layers, out_dir, [fmt])
    left = listing(out_dir)
    assert not [name for name in left if name.startswith(".")]  # no temporary file
    if fmt in ("gpkg", "kml"):  # one file of several layers: nothing at all
        assert left == []
    elif fmt == "csv":  # the first table's CSV for people is complete, for machines absent
        first = next(iter(layers))
        assert left == sorted([f"{first}.csv", "data"]) and listing(out_dir / "data") == []
    else:  # one file per layer: the first is complete, the second absent
        first = next(iter(layers))
        assert left == [f"{first}.{fmt}"]
        if fmt == "geojson":
            back = gpd.read_file(out_dir / left[0], engine="pyogrio")
            assert len(back) == len(layers[first])
