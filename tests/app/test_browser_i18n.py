"""End to end in headless Chromium: the page in Vietnamese and English, downloads that arrive.

One Streamlit server on the small demo serves the module; each test opens its own page (a
session of its own). Every wait is on a condition: the text shown, the script runs' starts
and ends as the server sends them over the page's websocket, a download arriving.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import CHROMIUM, FLAGS, TABLE, AppPage
from PIL import Image

from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.targets import load_targets

pytestmark = pytest.mark.browser

#: Longest wait for anything the page does (the first page also loads the province).
TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def app(browser: Any, server: str) -> Iterator[AppPage]:
    """The app in a new page (a new session), opened and drawn, in its default language."""
    context = browser.new_context(viewport={"width": 1600, "height": 1200},
                                  accept_downloads=True)
    page = AppPage(context.new_page())
    page.page.set_default_timeout(TIMEOUT_MS)
    page.open(server)
    page.wait_settled(TIMEOUT_MS / 1000)  # the first run drawn to its end before any action
    page.wait_tables(TIMEOUT_MS / 1000)  # then, the map drawn, the tables under it
    try:
        yield page
    finally:
        context.close()


def rerun(app: AppPage, action: Callable[[], None], *, finish: bool = True,
          fragment: bool = False) -> None:
    """Do ``action`` and wait until the script run it starts has begun (and ended).

    With ``fragment``, the run is of a part of the page (``st.fragment``).
    """
    app.run(action, finish=finish, fragment=fragment, timeout_s=TIMEOUT_MS / 1000)


def button(app: AppPage, name: str) -> Any:
    return app.page.get_by_role("button", name=name, exact=True)


def download(app: AppPage, name: str, folder: Path) -> Path:
    """Click the download button ``name``; the file that arrives."""
    with app.page.expect_download() as arrived:
        button(app, name).click()
    target = folder / str(arrived.value.suggested_filename)
    arrived.value.save_as(target)
    return target


def gap_point(small_demo: Path) -> tuple[float, float]:
    """The middle of the demo's longest uncovered highway stretch (lat, lon)."""
    gaps = run_analysis(load_dataset(small_demo), load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    point = gaps.to_crs(4326).geometry.iloc[0].interpolate(0.5, normalized=True)
    return point.y, point.x


def test_the_page_speaks_vietnamese_then_english(app: AppPage) -> None:
    page = app.page
    assert page.locator("h1").inner_text().startswith("covplan — phủ sóng so với các mục tiêu")
    assert page.get_by_text("Quy hoạch", exact=True).is_visible()
    layers = app.map_state()["layers"]
    assert "Vùng phủ sóng 4G (RSRP)" in layers and "Thôn, xóm, bản" in layers
    assert app.frame.get_by_text("Cường độ sóng (RSRP, dBm)", exact=False).first.is_visible()
    app.mark_frame()
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="covplan — coverage against the Resolution 57 targets"
                     ).wait_for()
    app.wait_new_frame()  # every word on the map too: a map in English
    assert page.get_by_text("Planner", exact=True).is_visible()
    assert "4G coverage (RSRP)" in app.map_state()["layers"]
    assert app.frame.get_by_text("Signal (RSRP, dBm)", exact=False).first.is_visible()
    assert all(value.count(".") == 1 for value in app.kpis()), app.kpis()  # 72.1 %


def test_pdf_report_and_map_png_download_while_the_map_stays_usable(
    app: AppPage, small_demo: Path, tmp_path: Path
) -> None:
    page = app.page
    button(app, "Chuẩn bị tệp tải xuống").click()
    page.get_by_text("Đang chuẩn bị tệp tải xuống", exact=False).wait_for()
    # the files are written in the background: a click on the map is an edit at once
    before, applied = app.kpis(), app.applied()
    clicked = app.click(*gap_point(small_demo))
    assert app.wait_update(before, applied, timeout_s=120, since=clicked) is not None
    rerun(app, button(app, "Hoàn tác").click)  # back to the scenario asked for
    button(app, "Báo cáo PDF").wait_for()
    report = download(app, "Báo cáo PDF", tmp_path)
    assert report.name.endswith("_hien-trang_" + report.name.split("_hien-trang_")[1])
    text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Mục tiêu" in text and "Tỉnh Minh Sơn" in text
    png = download(app, "Tải xuống Bản đồ vùng phủ sóng 4G (PNG)", tmp_path)
    with Image.open(png) as image:  # A4 landscape at 200 dpi, as `covplan report` draws it
        assert image.format == "PNG" and image.size == pytest.approx((2338, 1653), abs=2)


def test_save_right_after_an_edit_downloads_and_the_button_comes_back(
    app: AppPage, small_demo: Path, tmp_path: Path
) -> None:
    """Issue 15, 7a: "Save scenario" clicked while the run of an added site is going on."""
    from playwright.sync_api import expect

    page = app.page
    lat, lon = gap_point(small_demo)
    page.get_by_text("Thêm trạm theo tọa độ", exact=True).click()
    for label, value in (("Vĩ độ (°B)", lat), ("Kinh độ (°Đ)", lon)):
        field = page.get_by_label(label)
        field.fill(f"{value:.5f}")
        expect(field).to_have_value(f"{value:.5f}")  # typed, not yet sent: Enter sends it
        rerun(app, lambda: field.press("Enter"))  # noqa: B023 (called at once)
    rerun(app, button(app, "Thêm trạm tại đây").click, finish=False)  # the run is going on
    early = json.loads(download(app, "Lưu kịch bản (JSON)", tmp_path / "early").read_text())
    assert len(early["edits"]) in (0, 1)  # the page as it was, or as it became
    app.wait_settled(TIMEOUT_MS / 1000)
    saved = json.loads(download(app, "Lưu kịch bản (JSON)", tmp_path / "after").read_text())
    assert [e["op"] for e in saved["edits"]] == ["add"]
    assert saved["edits"][0]["lat"] == pytest.approx(lat, abs=1e-5)
    assert button(app, "Lưu kịch bản (JSON)").is_enabled()
    # a table's CSV, right after switching the preset
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').click()
    rerun(app, page.get_by_role("option", name="Bắc Ninh 2030").click, finish=False)
    first = download(app, "Tải xuống commune_summary.csv", tmp_path / "csv")
    assert first.read_bytes().startswith("\ufeff".encode())
    app.wait_settled(TIMEOUT_MS / 1000)
    again = download(app, "Tải xuống commune_summary.csv", tmp_path / "csv2")
    assert again.read_text(encoding="utf-8-sig").startswith("Mã xã")


def test_one_save_after_loading_a_scenario_saves_what_was_loaded(
    app: AppPage, small_demo: Path, tmp_path: Path
) -> None:
    """Issue 15, 7b: back to baseline, load a scenario of 12 edits, save once."""
    sites = load_dataset(small_demo).sites
    assert sites is not None
    removed = sorted(sites["site_id"].astype(str).unique())[:12]
    scenario = {"covplan_scenario": 1, "name": "twelve",
                "edits": [{"op": "remove", "site_id": site} for site in removed]}
    path = tmp_path / "twelve.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    page = app.page
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Mở tệp kịch bản")
    rerun(app, lambda: uploader.locator('input[type="file"]').set_input_files(str(path)))
    page.get_by_text("Kịch bản (12 thay đổi)", exact=False).first.wait_for()
    saved = json.loads(download(app, "Lưu kịch bản (JSON)", tmp_path).read_text())
    assert [e["site_id"] for e in saved["edits"]] == removed
    rerun(app, button(app, "Về hiện trạng").click)
    back = json.loads(download(app, "Lưu kịch bản (JSON)", tmp_path / "back").read_text())
    assert back["edits"] == []


def test_every_click_on_a_table_tab_opens_it(app: AppPage) -> None:
    """Several tabs in a row, one click each: each opens at once (every other click was
    lost while the tabs' default followed the tab last shown)."""
    page = app.page
    for name in ("Đoạn đường chưa có sóng", "Thôn, xóm, bản chưa có sóng hoặc cáp quang",
                 "Bộ mục tiêu", "Xã, phường", "Điểm trọng yếu chưa có sóng 5G"):
        rerun(app, page.get_by_role("tab", name=name).click, fragment=True)
        page.get_by_role("tab", name=name, selected=True).wait_for(timeout=TIMEOUT_MS)


def test_a_chosen_table_tab_shows_its_table_and_csv_and_stays_in_english(
    app: AppPage, tmp_path: Path
) -> None:
    """Only the tab in view is drawn: choosing another draws its table and CSV button (a
    run of the tables alone); a language switch keeps that tab in view."""
    page = app.page
    tables = page.locator(TABLE)
    assert tables.count() == 1 and button(app, "Tải xuống commune_summary.csv").count() == 1
    assert button(app, "Tải xuống road_gaps.csv").count() == 0  # not drawn out of view
    whole = app.runs_ended
    rerun(app, page.get_by_role("tab", name="Đoạn đường chưa có sóng").click, fragment=True)
    assert app.runs_ended == whole  # the tables ran again, not the whole page
    page.get_by_text("Các đoạn đường chưa có sóng", exact=False).first.wait_for()
    road = download(app, "Tải xuống road_gaps.csv", tmp_path / "vi")
    assert road.read_text(encoding="utf-8-sig").startswith("Tuyến đường")
    assert tables.count() == 1 and button(app, "Tải xuống commune_summary.csv").count() == 0
    english = page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True)
    rerun(app, english.click)
    page.get_by_role("heading", name="covplan — coverage against the Resolution 57 targets"
                     ).wait_for()
    page.get_by_role("tab", name="Road gaps", selected=True).wait_for()
    page.get_by_text("Uncovered road stretches", exact=False).first.wait_for()
    english = download(app, "Download road_gaps.csv", tmp_path / "en")
    assert english.read_text(encoding="utf-8-sig").startswith("Road")
