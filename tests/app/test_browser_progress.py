"""End to end in headless Chromium: the Progress page, its report, a reload, and back.

One Streamlit server on the small demo (its quarters made by the page on first use). Every
wait is on a condition in the page: a heading, the chart, a download arriving, the map.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from _browser import CHROMIUM, FLAGS, AppPage

pytestmark = pytest.mark.browser

#: Longest wait for anything the page does (the first visit makes and compares the quarters).
TIMEOUT_MS = 180_000
QUARTERS = ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")


@pytest.fixture
def app(server: str) -> Iterator[AppPage]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1200},
                                          accept_downloads=True)
            page = AppPage(context.new_page())
            page.page.set_default_timeout(TIMEOUT_MS)
            page.open(server)
            yield page
        finally:
            browser.close()


def nav_link(app: AppPage, title: str) -> Any:
    """The sidebar's link to the page titled ``title`` (st.navigation)."""
    return app.page.locator('[data-testid="stSidebarNav"] a', has_text=title)


#: True once the Progress page shows ``heading`` with its chart and tables, or an error.
_DRAWN = """(heading) => {
    const errors = '[data-testid="stAlertContentError"], [data-testid="stException"]';
    if (document.querySelector(errors)) return true;
    const headed = Array.from(document.querySelectorAll('h2, h3'))
        .some(e => e.textContent.trim() === heading);
    return headed && document.querySelector('[data-testid="stImage"] img') !== null
        && document.querySelectorAll('[data-testid="stDataFrame"]').length >= 3;
}"""


def wait_progress(app: AppPage, title: str, targets_heading: str) -> None:
    """Wait until the Progress page has drawn its chart and tables; it shows no error."""
    page = app.page
    page.get_by_role("heading", name=title, exact=True).wait_for()
    page.wait_for_function(_DRAWN, arg=targets_heading)
    errors = page.locator('[data-testid="stAlertContentError"], [data-testid="stException"]')
    assert not errors.count(), errors.all_inner_texts()
    page.locator('[data-testid="stImage"] img').first.wait_for(state="visible")


def download(app: AppPage, name: str, folder: Path) -> Path:
    with app.page.expect_download() as arrived:
        app.page.get_by_role("button", name=name, exact=True).click()
    target = folder / str(arrived.value.suggested_filename)
    arrived.value.save_as(target)
    return target


def test_progress_page_report_language_reload_and_back_to_the_map(
    app: AppPage, tmp_path: Path
) -> None:
    page = app.page
    nav_link(app, "Tiến độ theo thời gian").click()
    wait_progress(app, "Tiến độ theo thời gian", "Các mục tiêu theo thời gian")
    assert urlparse(page.url).path.endswith("/progress")
    report = download(app, "Báo cáo tiến độ (PDF)", tmp_path)
    data = report.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert report.name.endswith(".pdf") and "_tien-do_2025-q1_2025-q4_" in report.name
    text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert all(q in text for q in QUARTERS) and "Mục tiêu" in text

    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    wait_progress(app, "Progress over time", "Targets over time")
    assert parse_qs(urlparse(page.url).query).get("lang") == ["en"]
    page.reload()  # a new session: the address keeps the page and the language
    wait_progress(app, "Progress over time", "Targets over time")
    assert urlparse(page.url).path.endswith("/progress")
    table = download(app, "Targets over time (CSV)", tmp_path / "csv")
    header = table.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Target,2025-Q1,2025-Q2,2025-Q3,2025-Q4,Goal")

    nav_link(app, "Coverage planner").click()
    page.get_by_role("heading", name="covplan — coverage against the Resolution 57 targets",
                     exact=True).wait_for()
    app.frame.locator(".leaflet-container").wait_for(state="visible")
    app.wait_map_ready()
    assert "4G coverage (RSRP)" in app.map_state()["layers"]
    assert app.kpis() and all("." in value for value in app.kpis())  # 72.1 %, in English
    assert not app.blocked, sorted(set(app.blocked))  # nothing fetched from off this machine
