"""End to end in headless Chromium: the app's map draws offline and a click adds a site."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.targets import load_targets
from covplan.targets.run import run_analysis

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy within {timeout_s} s")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def server(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (scripts/system-deps.sh)")
    port = _free_port()
    env = {**os.environ, "COVPLAN_DEMO_SIZE": "small", "COVPLAN_DATA_DIR": str(demo.parent)}
    log = (tmp_path_factory.mktemp("server") / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _highway_gap(demo: Path) -> tuple[float, float]:
    gaps = run_analysis(load_dataset(demo), load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    point = gaps.to_crs(4326).geometry.iloc[0].interpolate(0.5, normalized=True)
    return point.y, point.x


_FIND_MAP = """(element) => {
    const key = Object.keys(window).find(k => k.startsWith('map_') && window[k]
                                         && window[k].latLngToContainerPoint);
    window.__map = window[key];
    return key;
}"""


def _kpis(page) -> list[str]:  # type: ignore[no-untyped-def]
    return list(page.locator('[data-testid="stMetricValue"]').all_inner_texts())


def test_map_draws_offline_and_a_click_adds_a_site(server: str, demo: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    lat, lon = _highway_gap(demo)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        blocked: list[str] = []

        def route(r):  # type: ignore[no-untyped-def]
            if r.request.url.startswith(LOCAL):
                return r.continue_()
            blocked.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        page.goto(server)
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=180_000)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        container = frame.locator(".leaflet-container")
        container.wait_for(state="visible", timeout=120_000)
        box = container.bounding_box()
        assert box is not None and box["height"] > 300
        body = frame.locator("body")
        body.evaluate(_FIND_MAP)
        markers = body.evaluate(
            "(element) => { let n = 0; window.__map.eachLayer(l => { "
            "if (l instanceof L.CircleMarker || l instanceof L.Marker) n++; }); return n; }"
        )
        assert markers > 10  # site markers (and POIs) are drawn
        before = _kpis(page)
        xy = body.evaluate(
            "(element, [lat, lon]) => { const p = window.__map.latLngToContainerPoint([lat, lon]); "
            "return [p.x, p.y]; }",
            [lat, lon],
        )
        container.click(position={"x": xy[0], "y": xy[1]})
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and _kpis(page) == before:
            page.wait_for_timeout(500)
        after = _kpis(page)
        page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
        browser.close()
    assert after != before, f"no KPI changed after the click (screenshot {tmp_path / 'app.png'})"
    assert not [u for u in blocked if u.endswith((".js", ".css"))], blocked
