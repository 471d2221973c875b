"""Calibration end to end: the demo's drive test, the file, and every prediction using it."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from covplan.calibration.calibrate import calibrate
from covplan.calibration.correction import (
    Calibration,
    TechnologyCorrection,
    calibration_phrase,
    read_calibration,
)
from covplan.calibration.measurements import read_measurements
from covplan.errors import ConfigError
from covplan.i18n import language, said
from covplan.io import load_dataset
from covplan.predict import predict_network
from covplan.predict.engine import prepare_groups
from covplan.predict.environment import RadioEnvironment
from covplan.predict.points import predict_points

Run = Callable[..., tuple[int, str, str]]


def _use(folder: Path, name: str = "calibration.toml") -> None:
    manifest = folder / "dataset.toml"
    text = manifest.read_text(encoding="utf-8").replace(
        "[dataset]\n", f'[dataset]\ncalibration = "{name}"\n', 1)
    manifest.write_text(text, encoding="utf-8")


def test_calibrate_the_demo_drive_test_and_analyze_with_it(demo: Path, run: Run) -> None:
    code, out, err = run("calibrate", demo, demo / "drive_test.csv")
    assert code == 0, out + err
    assert "before" in out and "after (held out)" in out and "5-fold" in out
    # every damaged row of the drive test is reported with its line
    truth = tomllib.loads((demo / "drive_test_truth.toml").read_text(encoding="utf-8"))
    for line in truth["drive_test"]["bad_lines"][:30]:
        assert f"{line}" in err
    calibration = read_calibration(demo / "calibration.toml")
    assert set(calibration.corrections) == {"4G", "5G"}
    gains = {}
    for tech, c in calibration.corrections.items():
        assert c.before is not None and c.after is not None and c.cross_validated
        assert abs(c.after.mean_db) < 1.5
        gains[tech] = c.before.rmse_db - c.after.rmse_db
    # stated: on held-out 2 km blocks the small demo's RMSE falls by 3 dB (4G) and 12 dB (5G)
    assert gains["4G"] > 2.0 and gains["5G"] > 8.0, gains
    _, before, _ = run("analyze", demo, "--out", demo.parent / "a0", "--lang", "en", "--no-cache")
    assert "Calibration: none" in before
    _use(demo)
    code, after, err = run("analyze", demo, "--out", demo.parent / "a1", "--lang", "en",
                          "--no-cache")
    assert code == 0, after + err
    assert "Calibration: calibration.toml, fitted on drive_test.csv" in after
    assert "4G hata-suburban" in after
    # the calibrated prediction is stronger (the drive test reads above the model): the
    # targets table changes
    assert before.split("Measured on")[0] != after.split("Measured on")[0]


def test_an_injected_offset_and_slope_are_recovered_through_the_engine(
        demo_source: Path, tmp_path: Path) -> None:
    dataset = load_dataset(demo_source)
    grid = dataset.grid(30.0)
    roads = dataset.roads
    assert roads is not None and dataset.sites is not None
    xy = np.array([(p.x, p.y) for line in roads.geometry
                   for p in line.interpolate(np.arange(0.0, line.length, 40.0))])
    environment = dataset.environment(calibrated=False)
    predicted = predict_points(dataset.sites, dataset.terrain, grid, xy[:, 0], xy[:, 1],
                               technology="4G", environment=environment)
    ok = np.isfinite(predicted.best_rsrp_dbm)
    rng = np.random.default_rng(7)
    d = predicted.distance_m
    measured = (predicted.best_rsrp_dbm + 4.0 - 7.0 * np.log10(d / 1000.0)
                + rng.normal(0.0, 4.0, d.size))
    lon, lat = Transformer.from_crs(dataset.crs, 4326, always_xy=True).transform(xy[:, 0],
                                                                                xy[:, 1])
    keys = np.array(predicted.site_keys)[np.maximum(predicted.best_sector, 0)]
    keep = ok & (measured > -139.9) & (measured < -44.1)
    frame = pd.DataFrame({"lon": lon, "lat": lat, "rsrp_dbm": measured.round(2),
                          "technology": "4G", "site_id": [k.split("/")[0] for k in keys],
                          "sector": [k.split("/")[1] for k in keys]})[keep]
    frame.to_csv(tmp_path / "synthetic.csv", index=False)
    result = calibrate(dataset, read_measurements(tmp_path / "synthetic.csv"))
    c = result.calibration.corrections["4G"]
    assert len(frame) > 500
    assert c.offset_db + sum(c.class_offsets_db.values()) / max(len(c.class_offsets_db), 1) \
        == pytest.approx(4.0, abs=1.0)
    assert c.slope_db_per_decade == pytest.approx(-7.0, abs=0.5)
    assert all(abs(v) < 1.0 for v in c.class_offsets_db.values())


def test_points_agree_with_the_grids(demo_source: Path) -> None:
    dataset = load_dataset(demo_source)
    grid = dataset.grid(30.0)
    environment = dataset.environment(calibrated=False)
    coverage = predict_network(dataset.sites, dataset.terrain, grid, environment=environment,
                               floors_dbm={"4G": -125.0, "5G": -125.0})["4G"]
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, grid.height, 3000), rng.integers(0, grid.width, 3000)
    xs, ys = grid.cell_centres()
    points = predict_points(dataset.sites, dataset.terrain, grid, xs[cols], ys[rows],
                            technology="4G", environment=environment)
    on_grid = coverage.rsrp_dbm.data[rows, cols]
    both = np.isfinite(on_grid) & np.isfinite(points.best_rsrp_dbm)
    assert both.sum() > 500
    difference = np.abs(points.best_rsrp_dbm[both] - on_grid[both])
    assert np.median(difference) < 0.5
    assert np.percentile(difference, 90) < 3.0
    same = np.mean(points.best_sector[both] == coverage.server.data[rows, cols][both])
    assert same > 0.9


def _calibration(offset: float) -> Calibration:
    return Calibration({"4G": TechnologyCorrection("4G", "hata-suburban", offset, 0.0,
                                                   (100.0, 20_000.0))})


def test_a_calibration_shifts_the_grids_and_an_empty_environment_changes_nothing(
        tiny_dir: Path) -> None:
    dataset = load_dataset(tiny_dir)
    grid = dataset.grid(90.0)
    bare = predict_network(dataset.sites, dataset.terrain, grid)["4G"]
    empty = predict_network(dataset.sites, dataset.terrain, grid,
                            environment=RadioEnvironment())["4G"]
    assert np.array_equal(bare.rsrp_dbm.data, empty.rsrp_dbm.data, equal_nan=True)
    assert bare.merged is not None and empty.merged is not None
    assert bare.merged.groups == empty.merged.groups  # same cache keys
    shifted = predict_network(dataset.sites, dataset.terrain, grid,
                              environment=RadioEnvironment(calibration=_calibration(5.0)))["4G"]
    both = np.isfinite(bare.rsrp_dbm.data)
    # +5 dB everywhere; the wider radius samples a few cells on other rays (finer spacing)
    difference = np.abs(shifted.rsrp_dbm.data[both] - bare.rsrp_dbm.data[both] - 5.0)
    assert np.median(difference) < 1e-4
    assert np.percentile(difference, 95) < 1.0
    assert np.isfinite(shifted.rsrp_dbm.data).sum() > both.sum()  # reaches farther
    assert any(n.startswith("calibration: calibration, 4G hata-suburban: +5.0 dB")
               for n in shifted.rsrp_dbm.notes)
    assert "calibration: none (the model as published)" in bare.rsrp_dbm.notes
    vi = language("vi")  # the report's methods say the notes in the reader's language
    assert "hiệu chỉnh mô hình: calibration, 4G hata-suburban: +5,0 dB tại 1 km, 0,0 dB/decade" \
        in [said(n, vi) for n in shifted.rsrp_dbm.notes]
    assert "hiệu chỉnh mô hình: không có (mô hình theo công bố)" in [
        said(n, vi) for n in bare.rsrp_dbm.notes]
    other = RadioEnvironment(calibration=_calibration(5.0))
    table = __import__("covplan.predict._groups", fromlist=["sector_table"]).sector_table(
        dataset.sites, "5G")
    from covplan.predict.engine import _settings

    s = _settings("auto", "5G", None, 1.5, 4 / 3, 5.0, 30_000.0)
    assert prepare_groups(table, dataset.terrain, grid, "5G", s, other)[3] is None


def test_the_calibration_statement_in_each_language() -> None:
    """Every output states its calibration: corrections signed, numbers the reader's way."""
    calibration = Calibration(
        {"4G": TechnologyCorrection("4G", "hata-suburban", 6.74, -12.8, (100.0, 20_000.0)),
         "5G": TechnologyCorrection("5G", "uma-nlos", -1.25, 3.0, (100.0, 5_000.0),
                                    class_offsets_db={10: 1.5, 50: -2.0})},
        source="cal.toml", measurements="drive.csv", points=12_345)
    assert calibration_phrase(calibration)(language("en")) == (
        "cal.toml, fitted on drive.csv (12,345 points): 4G hata-suburban: +6.7 dB at 1 km, "
        "-12.8 dB/decade; 5G uma-nlos: -1.2 dB at 1 km, +3.0 dB/decade, 2 land-cover class "
        "offsets")
    assert calibration_phrase(calibration)(language("vi")) == (
        "cal.toml, hiệu chỉnh theo drive.csv (12.345 điểm đo): 4G hata-suburban: +6,7 dB tại "
        "1 km, -12,8 dB/decade; 5G uma-nlos: -1,2 dB tại 1 km, +3,0 dB/decade, 2 mức hiệu "
        "chỉnh theo loại lớp phủ mặt đất")
    assert calibration.note("5G", "itm")(language("vi")) == (
        "hiệu chỉnh mô hình: cal.toml được khớp cho mô hình uma-nlos, không phải itm; không áp "
        "dụng cho 5G")


def test_calibration_file_problems_are_listed_with_their_fix(tmp_path: Path) -> None:
    path = tmp_path / "calibration.toml"
    path.write_text(_calibration(3.0).to_toml(), encoding="utf-8")
    assert read_calibration(path).corrections["4G"].offset_db == pytest.approx(3.0)
    path.write_text('[technology.4G]\nmodel = "hata"\noffset_db = 99\nslope_db_per_decade = 1\n'
                    'distance_m = [500, 100]\n[technology.3G]\nmodel = "itm"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_calibration(path)
    text = str(caught.value)
    for needle in ("model 'hata' is not a covplan model", "'offset_db' should be a number",
                   "distance_m should be [shortest, longest]", "unknown technology '3G'"):
        assert needle in text
    said = caught.value.text(language("vi"))  # in the reader's language, numbers theirs
    assert said.startswith(f"Có 4 lỗi trong tệp hiệu chỉnh {path}:")
    for needle in ("[technology.4G]: mô hình 'hata' không phải là mô hình của covplan.",
                   "'offset_db' phải là một số từ -60 đến 60, nhưng gặp 99.",
                   "distance_m phải là [ngắn nhất, dài nhất] tính bằng mét, nhưng gặp [500, 100]",
                   "[technology.3G]: công nghệ không hợp lệ: '3G'. Cách sửa: dùng một trong 4G, "
                   "5G."):
        assert needle in said, said
    path.write_text("[calibration\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_calibration(path)


def test_the_manifest_names_a_calibration_inside_the_folder_only(demo: Path, run: Run) -> None:
    (demo.parent / "elsewhere.toml").write_text(_calibration(1.0).to_toml(), encoding="utf-8")
    _use(demo, "../elsewhere.toml")
    code, out, err = run("validate", demo)
    assert code == 2 and "lies outside the dataset folder" in err, out + err
    _use_name = demo / "dataset.toml"
    _use_name.write_text(_use_name.read_text(encoding="utf-8").replace(
        'calibration = "../elsewhere.toml"', 'calibration = "missing.toml"'), encoding="utf-8")
    code, out, err = run("validate", demo)
    assert code == 2 and "calibration file not found" in err, out + err


def test_measurements_naming_sites_the_dataset_lacks_are_said(demo: Path, run: Run) -> None:
    """A drive test of a later network state (sites the dataset does not have yet): its
    rows are compared with the best server, and the report says how many and why."""
    import pandas as pd

    sites = pd.read_csv(demo / "sites.csv")
    drive = pd.read_csv(demo / "drive_test.csv")
    gone = str(drive["site_id"].dropna().value_counts().index[0])  # the most measured site
    sites[sites["site_id"] != gone].to_csv(demo / "sites.csv", index=False)
    code, out, err = run("calibrate", demo, demo / "drive_test.csv", "--out",
                         demo / "cal.toml")
    assert code == 0, out + err
    named = int((drive["site_id"] == gone).sum())
    warning = next(line for line in out.splitlines() if line.startswith("Warning:"))
    count = int(warning.split()[1].replace(",", ""))
    assert 0 < count <= named  # rows of other technologies or outside may be left out
    assert "name a serving cell the sites layer does not have" in warning
    assert "best server (its named cell is not in the sites)" in out
