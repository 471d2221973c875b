"""The planner page's measurements and its outdoor/indoor switch, through AppTest.

On the small demo province (in Vietnamese, its default). Every figure the page shows is
checked against the library computed here, independently of the page: the measurements
against :func:`covplan.calibration.compare.compare_measurements`, the indoor targets
against the outdoor ones.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from covplan.calibration.compare import Comparison, compare_measurements
from covplan.calibration.measurements import read_measurements
from covplan.i18n import language
from covplan.io import load_dataset
from covplan.mapview.measurements import ERROR_COLOURS, error_class

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VI = language("vi")
#: The error table's headers on the Vietnamese page.
POINTS, MEAN = VI._("Points"), VI._("Mean error (dB)")
DRIVE_TEST = "The dataset's drive test (drive_test.csv)"
A_FILE = "A file (CSV or G-NetTrack log)"




def _number(text: str) -> float:
    """``"1.234,5"`` or ``"−0,4"`` (the page's Vietnamese) as a float."""
    return float(text.replace(".", "").replace(",", ".").replace("−", "-"))


def error_table(at: AppTest) -> pd.DataFrame:
    tables = [f.value for f in at.dataframe if POINTS in f.value.columns]
    assert len(tables) == 1, [list(f.value.columns) for f in at.dataframe]
    return tables[0]


def map_script(at: AppTest) -> str:
    """The scenario layers the page sent to the map component with this run."""
    (component,) = at.get("component_instance")
    return str(json.loads(component.proto.json_args)["feature_group"])


def assert_table_matches(table: pd.DataFrame, expected: Comparison) -> None:
    """The page's error table says what the library computes, per technology and overall."""
    errors = expected.errors()
    assert len(table) == len(errors)
    for (_, shown), (_, row) in zip(table.iterrows(), errors.iterrows(), strict=True):
        assert int(_number(shown[POINTS])) == int(row["points"])
        assert _number(shown[MEAN]) == pytest.approx(float(row["mean_db"]), abs=0.051)
    assert int(_number(table[POINTS].iloc[-1])) == len(expected.points)


def test_the_dataset_drive_test_shows_its_errors_and_its_points(
    app: AppTest, small_demo: Path
) -> None:
    assert not [f for f in app.dataframe if POINTS in f.value.columns]  # none chosen at first
    assert VI._("Measurements (measured − predicted)") not in map_script(app)
    app.radio(key="measure_source").set_value(DRIVE_TEST).run()
    assert not app.exception, [e.value for e in app.exception]
    measurements = read_measurements(small_demo / "drive_test.csv")
    expected = compare_measurements(load_dataset(small_demo), measurements)
    assert_table_matches(error_table(app), expected)
    # the points are on the map, each coloured by its error class
    script = map_script(app)
    assert VI._("Measurements (measured − predicted)") in script
    assert script.count('"predicted":') == len(expected.points)
    classes = np.unique(error_class(expected.points["error_db"].to_numpy()))
    assert all(ERROR_COLOURS[k] in script for k in classes)
    # the demo's drive test has bad rows on purpose: counted, with their lines
    bad = sum(len(p.rows) for p in measurements.problems)
    assert bad > 0
    (warning,) = [w.value for w in app.warning if "dòng lỗi" in w.value]
    assert f"Đã bỏ {bad} dòng lỗi" in warning
    first = measurements.problems[0]
    assert f"line {first.rows[0]}" in warning or f"lines {first.rows[0]}," in warning
    # back to none: the table and the points go
    app.radio(key="measure_source").set_value("None").run()
    assert not [f for f in app.dataframe if POINTS in f.value.columns]
    assert VI._("Measurements (measured − predicted)") not in map_script(app)


def _good_rows(small_demo: Path, count: int) -> pd.DataFrame:
    """``count`` rows of the demo's drive test that are all usable."""
    frame = pd.read_csv(small_demo / "drive_test.csv", dtype=str)
    usable = read_measurements(small_demo / "drive_test.csv").frame["line"] - 2
    return frame.iloc[usable.to_numpy()[:count]].reset_index(drop=True)


def test_an_uploaded_file_reports_its_bad_row_by_line(
    app: AppTest, small_demo: Path, tmp_path: Path
) -> None:
    rows = _good_rows(small_demo, 40)
    bad = rows.iloc[[0]].assign(rsrp_dbm="strong")  # no number
    table = pd.concat([rows.iloc[:5], bad, rows.iloc[5:]], ignore_index=True)
    path = tmp_path / "my_drive.csv"
    table.to_csv(path, index=False)
    bad_line = 2 + 5  # the header is line 1; the bad row is the sixth data row
    app.radio(key="measure_source").set_value(A_FILE).run()
    app.file_uploader(key="measure_upload").set_value(
        (path.name, path.read_bytes(), "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    (warning,) = [w.value for w in app.warning if "dòng lỗi" in w.value]
    assert "Đã bỏ 1 dòng lỗi" in warning
    assert f"line {bad_line}:" in warning and "strong" in warning
    assert "my\\_drive.csv" in warning  # named as uploaded, not by the server's folder
    assert str(tmp_path) not in warning
    expected = compare_measurements(load_dataset(small_demo), read_measurements(path))
    assert len(expected.points) == 40
    assert_table_matches(error_table(app), expected)
    assert map_script(app).count('"predicted":') == 40


def test_an_upload_with_no_usable_row_is_refused_with_its_lines(
    app: AppTest, small_demo: Path
) -> None:
    text = "lon,lat,rsrp_dbm,technology\n105.8,21.7,n/a,4G\n105.8,21.7,-80,3G\n"
    app.radio(key="measure_source").set_value(A_FILE).run()
    app.file_uploader(key="measure_upload").set_value(
        ("nothing.csv", text.encode(), "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    said = "\n".join(e.value for e in app.error)
    assert VI._("These measurements cannot be used.") in said
    assert "dòng 2" in said and "nothing.csv" in said  # said in the page's language
    assert "line 2" not in said and "Fix:" not in said
    assert not [f for f in app.dataframe if POINTS in f.value.columns]
    assert len(app.metric) > 0  # the rest of the page is drawn


def shares(at: AppTest) -> list[float]:
    """The measured share (%) of every target tile, in order."""
    return [_number(m.value.removesuffix(" %")) for m in at.metric]


def test_indoors_lowers_the_signal_targets_and_outdoors_restores_them(app: AppTest) -> None:
    outdoor, shown = shares(app), [m.value for m in app.metric]
    assert any("ngoài trời" in c.value for c in app.caption)  # said: counted outdoors
    app.radio(key="environment").set_value("indoor").run()
    assert not app.exception, [e.value for e in app.exception]
    indoor = shares(app)
    assert all(i <= o for i, o in zip(indoor, outdoor, strict=True)), (indoor, outdoor)
    assert any(i < o for i, o in zip(indoor, outdoor, strict=True)), (indoor, outdoor)
    said = [i.value for i in app.info if "ITU-R P.2109" in i.value]
    assert said and said[0].startswith("Vùng phủ tính trong nhà")
    assert re.search(r"4G \+\d+,\d dB", said[0])  # the entry loss added, per technology
    # buildings of thermally efficient glass and walls let less in: lower still
    app.selectbox(key="building").set_value("thermally-efficient").run()
    assert not app.exception, [e.value for e in app.exception]
    efficient = shares(app)
    assert all(e <= i for e, i in zip(efficient, indoor, strict=True)), (efficient, indoor)
    assert efficient != indoor
    app.radio(key="environment").set_value("outdoor").run()
    assert [m.value for m in app.metric] == shown  # exactly as before
    assert not [i for i in app.info if "ITU-R P.2109" in i.value]
    assert any("ngoài trời" in c.value for c in app.caption)



def test_a_gnettrack_log_is_read_and_its_3g_rows_are_counted_not_errors(
    app: AppTest, small_demo: Path, tmp_path: Path
) -> None:
    rows = _good_rows(small_demo, 30)
    log = pd.DataFrame({
        "Timestamp": rows["time"], "Longitude": rows["lon"], "Latitude": rows["lat"],
        "Operatorname": rows["operator"], "CellID": "", "Node": "",
        "NetworkTech": rows["technology"].map({"4G": "LTE", "5G": "NR"}),
        "Level": rows["rsrp_dbm"], "Qual": "-10", "PSC": ""})
    log.loc[3, "NetworkTech"] = "UMTS"  # a 3G row: skipped and counted, not an error
    path = tmp_path / "gnettrack_log.txt"
    log.to_csv(path, sep="\t", index=False)
    app.radio(key="measure_source").set_value(A_FILE).run()
    app.file_uploader(key="measure_upload").set_value(
        (path.name, path.read_bytes(), "text/plain")).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert not [w for w in app.warning if "dòng lỗi" in w.value]  # no bad row
    captions = "\n".join(c.value for c in app.caption)
    assert "Dùng 29 trên 30 dòng (g-nettrack)" in captions
    assert "1 điểm không được so sánh: rows of 2G/3G skipped" in captions
    measurements = read_measurements(path)
    assert measurements.format == "g-nettrack" and len(measurements.frame) == 29
    expected = compare_measurements(load_dataset(small_demo), measurements)
    assert_table_matches(error_table(app), expected)
