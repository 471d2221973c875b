"""The app's downloads: named and stamped with what the page shows, built in the background."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from covplan.app.exports import Stamp, human_csv, slug
from covplan.i18n import language
from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.targets import load_targets

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DAY = dt.date(2026, 12, 2)


def test_file_names_state_dataset_preset_sites_and_date() -> None:
    vi, en = language("vi"), language("en")
    baseline = Stamp("Tỉnh Thái Nguyên", "thai_nguyen_2025", 0, DAY, vi)
    assert baseline.file_name("report.pdf") == (
        "tinh-thai-nguyen_thai-nguyen-2025_hien-trang_2026-12-02_report.pdf")
    assert baseline.line() == "Tỉnh Thái Nguyên · thai_nguyen_2025 · Hiện trạng · 02/12/2026"
    scenario = Stamp("Tỉnh Thái Nguyên", "thai_nguyen_2025", 12, DAY, en, "QL.3 fill-in")
    assert scenario.stem() == "tinh-thai-nguyen_thai-nguyen-2025_scenario-12-edits_2026-12-02"
    assert scenario.state() == "Scenario (12 edits) “QL.3 fill-in”"
    assert Stamp("x", "p", 1, DAY, en).state() == "Scenario (1 edit)"
    assert "Kịch bản (3 thay đổi)" in Stamp("x", "p", 3, DAY, vi, "scenario").about()
    assert slug("Đắk Lắk / Buôn Ma Thuột") == "dak-lak-buon-ma-thuot"


def test_csv_for_people_follows_the_language(tiny_dir: Path) -> None:
    analysis = run_analysis(load_dataset(tiny_dir), load_targets("thai_nguyen_2025"),
                            resolution_m=90.0)
    vi = human_csv(analysis.targets, "targets", language("vi"))
    en = human_csv(analysis.targets, "targets", language("en"))
    assert vi.startswith("\ufeff".encode()) and en.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(vi), sep=";", decimal=",", encoding="utf-8-sig")
    assert "Mục tiêu" in table.columns and "Phủ sóng 4G/5G 100 % các tuyến cao tốc, quốc lộ" \
        in set(table["Mục tiêu"])
    assert (table["Chỉ tiêu (%)"] == 100).any()
    english = pd.read_csv(io.BytesIO(en), encoding="utf-8-sig")
    assert "Target" in english.columns and english["Measured (%)"].dtype == float




def _gap_point(small_demo: Path) -> tuple[float, float]:
    gaps = run_analysis(load_dataset(small_demo), load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    point = gaps.to_crs(4326).geometry.iloc[0].interpolate(0.5, normalized=True)
    return point.y, point.x


def _wait(at: AppTest) -> None:
    """Let every running export of the session finish, then redraw the page."""
    for job in at.session_state["exports"].values():
        job.future.result(timeout=600)
        for sheet in job.sheets.values():
            sheet.result(timeout=600)
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_download_area_writes_the_scenario_on_screen(app: AppTest, small_demo: Path,
                                                        tmp_path: Path) -> None:
    lat, lon = _gap_point(small_demo)
    app.number_input(key="add_lat").set_value(lat)
    app.number_input(key="add_lon").set_value(lon)
    app.button(key="add_coords").click().run()
    assert not app.get("download_button") or all(
        b.proto.label != "Báo cáo PDF" for b in app.get("download_button"))
    app.button(key="prepare_downloads").click().run()
    assert not app.exception, [e.value for e in app.exception]
    (key, job), = app.session_state["exports"].items()
    assert key.endswith("|vi") and job.stamp.edits == 1
    _wait(app)
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Báo cáo PDF" in labels
    files = job.future.result().files
    stem = f"{slug(load_dataset(small_demo).name)}_thai-nguyen-2025_kich-ban-1-thay-doi_"
    assert all(path.name.startswith(stem) for path in files.values()), files
    assert {"report", "png:gaps", "mappdf:gaps", "html", "gpkg", "kml", "tif:4G",
            "zip"} <= set(files)
    text = subprocess.run(["pdftotext", str(files["report"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Kịch bản" in text
    with Image.open(files["png:gaps"]) as png:  # A4 landscape at 200 dpi
        assert png.size == pytest.approx((2338, 1653), abs=2)
    about = pyogrio.read_dataframe(files["gpkg"], layer="about").set_index("key")["value"]
    assert about["sites"] == "scenario" and about["edits"] == "1"
    assert about["preset"] == "Thái Nguyên 2025"  # as the sidebar lists it, not the file's id
    with zipfile.ZipFile(files["zip"]) as archive:
        names = archive.namelist()
        saved = json.loads(archive.read(next(n for n in names if n.endswith("scenario.json"))))
        told = archive.read(next(n for n in names if n.endswith("about.txt"))).decode("utf-8")
    assert "Bộ mục tiêu: Thái Nguyên 2025\n" in told, told
    assert len(saved["edits"]) == 1 and any(n.endswith("about.txt") for n in names)
    assert files["report"].name in names
    # the sheet of the commune selected
    app.selectbox(key="dl_commune").set_value(app.selectbox(key="dl_commune").options[0]).run()
    app.button(key="make_sheet").click().run()
    _wait(app)
    (name, pdf), = (s.result() for s in job.sheets.values())
    assert pdf.startswith(b"%PDF") and name.startswith(stem) and name.endswith(".pdf")
    assert any(b.proto.label.startswith("Tải xuống phiếu của") for b in app.get("download_button"))
    # another scenario (undo) or language asks for new files; the old ones stay kept
    app.button(key="undo").click().run()
    assert any(b.label == "Chuẩn bị tệp tải xuống" for b in app.button)


def test_every_download_is_made_in_the_run_that_draws_it(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No button hands the browser a function to call on click (issue 15, 7a).

    A file made on click is made by a callable the run registers; the next run withdraws
    it, and a click that reached the server after that left the button spinning, disabled,
    for the rest of the session. Every download is bytes, made from what the run shows.
    """
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    given: dict[str, object] = {}
    method, function = DeltaGenerator.download_button, st.download_button

    def record(self: DeltaGenerator, label: str, data: object, *args: object,
               **kwargs: object) -> object:
        given[str(kwargs.get("key"))] = data
        return method(self, label, data, *args, **kwargs)  # type: ignore[arg-type]

    def record_st(label: str, data: object, *args: object, **kwargs: object) -> object:
        given[str(kwargs.get("key"))] = data
        return function(label, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DeltaGenerator, "download_button", record)  # placeholders
    monkeypatch.setattr(st, "download_button", record_st)  # st.download_button
    app.session_state["covplan_tables"] = "Bộ mục tiêu"  # the targets' tab in view
    app.button(key="prepare_downloads").click().run()
    _wait(app)
    assert {"save_scenario", "dl_targets", "dl_report", "dl_file"} <= set(given)
    assert all(isinstance(data, bytes) for data in given.values()), given


def test_every_map_the_report_draws_has_a_name_in_words() -> None:
    """The download choice names each map (coverage, speed, SINR, gaps) in the page's
    language, never by its file id."""
    from covplan.app.downloads import _label
    from covplan.i18n import language
    from covplan.report.outputs import map_names

    vi = language("vi")
    for name in map_names(("4G", "5G"), speed=("4G", "5G")):
        for what in ("png", "mappdf"):
            label = _label(f"{what}:{name}", vi)
            assert name not in label and label.startswith("Bản đồ"), label


def test_the_saved_scenario_is_named_like_every_other_download(
        app: AppTest, small_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dataset, preset, state and date in the name, so that saved variants do not overwrite
    each other as ``scenario.json``, ``scenario (1).json``."""
    import datetime as dt

    from streamlit.delta_generator import DeltaGenerator

    names: dict[str, str] = {}
    method = DeltaGenerator.download_button

    def record(self: DeltaGenerator, label: str, data: object, *args: object,
               **kwargs: object) -> object:
        names[str(kwargs.get("key"))] = str(kwargs.get("file_name"))
        return method(self, label, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    app.number_input(key="add_lat").set_value(21.6)
    app.number_input(key="add_lon").set_value(105.8)
    app.button(key="add_coords").click().run()
    assert not app.exception
    assert names["save_scenario"] == (f"tinh-minh-son-synthetic-demo-province_thai-nguyen-2025_"
                                      f"kich-ban-1-thay-doi_{dt.date.today().isoformat()}_"
                                      "scenario.json"), names
