"""The map in headless chromium with the network blocked: the file export and st_folium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import pytest
from _browser import CHROMIUM, FLAGS, streamlit_server

from covplan.io import Dataset
from covplan.mapview import build_map, to_html

from .conftest import FakeCoverage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM} (apt-get install chromium)"
    ),
]

#: What the page shows, read through Leaflet itself (the vectors draw on a canvas).
PROBE = """(name) => {
    const map = window[name];
    const box = document.querySelector('.leaflet-container').getBoundingClientRect();
    const legend = document.querySelector('.covplan-legend').getBoundingClientRect();
    let circles = 0, polygons = 0, images = 0;
    map.eachLayer(layer => {
        if (layer instanceof L.CircleMarker) circles++;
        else if (layer instanceof L.Polygon) polygons++;
        else if (layer instanceof L.ImageOverlay) images++;
    });
    const imgs = [...document.querySelectorAll('img.leaflet-image-layer')];
    return {height: box.height, width: box.width, circles, polygons, images,
            loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
            legend: legend.height > 0 && legend.width > 0, leaflet: L.version};
}"""

#: True once ``n`` overlay images of the page have decoded.
LOADED = """(n) => [...document.querySelectorAll('img.leaflet-image-layer')]
    .filter(i => i.complete && i.naturalWidth > 0).length >= n"""


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


def _offline_page(browser: Any, allowed: str) -> tuple[Any, list[str], list[str]]:
    """A page whose every request outside ``allowed`` is aborted (and recorded)."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    blocked: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(allowed) or url.startswith("data:"):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, blocked, errors


def test_standalone_html_renders_with_the_network_blocked(
    browser: Any,
    tmp_path: Path,
    tiny_dataset: Dataset,
    tiny_coverage: dict[str, FakeCoverage],
    tiny_status: pd.Series,
) -> None:
    fmap: folium.Map = build_map(tiny_dataset, coverage=tiny_coverage, village_status=tiny_status)
    path = to_html(fmap, tmp_path / "map.html")
    page, blocked, errors = _offline_page(browser, "file://")
    page.goto(path.as_uri())
    page.wait_for_function("(name) => window[name] !== undefined", arg=fmap.get_name())
    # until both overlay images (hillshade and 4G) have decoded: a condition, not a sleep
    page.wait_for_function(LOADED, arg=2)
    page.screenshot(path=str(tmp_path / "map.png"))
    seen = page.evaluate(PROBE, fmap.get_name())
    assert errors == [] and blocked == []
    assert seen["height"] > 500 and seen["width"] > 500
    sites = tiny_dataset.sites
    assert sites is not None
    assert seen["circles"] >= sites["site_id"].nunique()
    assert seen["polygons"] >= len(sites)
    assert seen["images"] == 2 and seen["loaded"] == 2  # hillshade + 4G shown (5G off)
    assert seen["legend"] and seen["leaflet"] == "1.9.4"
    assert page.is_visible("text=Signal (RSRP, dBm)")
    assert page.is_visible("text=SYNTHETIC — not a real place")


APP = """
import sys
import streamlit as st
from streamlit_folium import st_folium
from covplan.io import load_dataset
from covplan.mapview import build_map

st.set_page_config(page_title="covplan map test", layout="wide")
fmap = build_map(load_dataset(sys.argv[1]), collapse_layers=True)
st_folium(fmap, key="map", height=560, use_container_width=True, returned_objects=[])
st.write("map sent")
"""


@pytest.fixture
def streamlit_app(tmp_path: Path, tiny_dir: Path) -> Iterator[str]:
    """A Streamlit app showing build_map() through st_folium; yields its URL."""
    script = tmp_path / "map_app.py"
    script.write_text(APP, encoding="utf-8")
    with streamlit_server(script, tmp_path / "streamlit.log", args=(str(tiny_dir),)) as url:
        yield url


def test_st_folium_renders_the_map_with_the_network_blocked(
    browser: Any, streamlit_app: str, tmp_path: Path
) -> None:
    page, blocked, errors = _offline_page(browser, streamlit_app)
    page.goto(streamlit_app)
    page.wait_for_selector("text=map sent", timeout=60_000)
    frame = None
    deadline = time.monotonic() + 120  # a busy 2-core machine
    while frame is None and time.monotonic() < deadline:
        frames = [f for f in page.frames if "streamlit_folium" in f.url]
        if frames and frames[0].evaluate("() => window.map !== undefined"):
            frame = frames[0]
        else:
            page.wait_for_timeout(250)
    assert frame is not None, "the st_folium iframe never created its Leaflet map"
    frame.wait_for_function(LOADED, arg=1)  # the hillshade image has decoded
    page.screenshot(path=str(tmp_path / "st_folium.png"))
    seen = frame.evaluate(PROBE, "map")
    assert errors == [] and blocked == []
    assert seen["height"] >= 500 and seen["circles"] >= 3 and seen["legend"]
    assert seen["leaflet"] == "1.9.4" and seen["loaded"] == 1  # the hillshade


#: The attribution's box, folded and unfolded, and the map's note (covplan's words).
FOLDED = """() => {
    const box = document.querySelector('.leaflet-control-attribution').getBoundingClientRect();
    const note = document.querySelector('.covplan-note');
    return {width: box.width, height: box.height, note: note ? note.textContent : null,
            noteShown: !!note && note.getBoundingClientRect().height > 0};
}"""


def test_vietnamese_map_folds_its_credits_and_says_where_terrain_ends(
    browser: Any, tmp_path: Path, partial: Dataset, tiny_coverage: dict[str, FakeCoverage]
) -> None:
    from covplan.i18n import language

    fmap = build_map(partial, coverage=tiny_coverage, lang=language("vi"))
    path = to_html(fmap, tmp_path / "ban_do.html")
    page, blocked, errors = _offline_page(browser, "file://")
    page.goto(path.as_uri())
    page.wait_for_function("(name) => window[name] !== undefined", arg=fmap.get_name())
    page.wait_for_function(LOADED, arg=2)
    folded = page.evaluate(FOLDED)
    page.hover(".leaflet-control-attribution")
    page.wait_for_function("() => document.querySelector('.leaflet-control-attribution')"
                           ".getBoundingClientRect().width > 100")
    page.screenshot(path=str(tmp_path / "ban_do.png"))
    assert errors == [] and blocked == []  # the canvas symbols drew without an error
    assert folded["width"] <= 30 and folded["height"] <= 20  # a small folded (i)
    assert folded["noteShown"] and "đường viền nét đứt" in folded["note"]
    assert page.is_visible("text=Cường độ sóng (RSRP, dBm)")
    assert page.get_by_text("bên trong: dự báo có tính địa hình").count() == 1


#: The map's GeoJSON layers that are not on the map (their feature counts; the first is
#: kept as ``window.__hidden``) and the village labels as the browser decoded them.
HIDDEN_LAYERS = """(map) => {
    const m = window[map];
    const hidden = Object.values(window).filter(v => v instanceof L.GeoJSON && !m.hasLayer(v));
    window.__hidden = hidden[0];
    const labels = [];
    m.eachLayer(layer => {
        if (layer.feature && layer.feature.properties.label !== undefined)
            labels.push(layer.feature.properties.label);
    });
    return {counts: hidden.map(layer => layer.getLayers().length), labels};
}"""


def test_features_arrive_as_json_and_a_hidden_layer_loads_when_shown(
    browser: Any, tmp_path: Path, tiny_dataset: Dataset
) -> None:
    # every character a label can hold that JSON, JavaScript or HTML treat specially
    villages = tiny_dataset.villages
    assert villages is not None
    tricky = "Tổ 1 'Đồng' \"Hòa\" \\ {{x}} </script> & <b>"
    villages = villages.assign(name=[tricky, *villages["name"].iloc[1:]])
    dataset = replace(tiny_dataset, vectors={**tiny_dataset.vectors, "villages": villages})
    fmap: folium.Map = build_map(dataset, collapse_layers=False)
    path = to_html(fmap, tmp_path / "map.html")
    assert "</script> &" not in path.read_text(encoding="utf-8")  # cannot end the script
    page, blocked, errors = _offline_page(browser, "file://")
    page.goto(path.as_uri())
    page.wait_for_function("(name) => window[name] !== undefined", arg=fmap.get_name())
    seen = page.evaluate(HIDDEN_LAYERS, fmap.get_name())
    assert tricky in seen["labels"]  # the villages' text, decoded intact
    assert seen["counts"] == [0]  # the fibre network starts hidden: its features not made
    page.get_by_text("Fibre network", exact=True).click()  # in the layer control
    page.wait_for_function("() => window.__hidden.getLayers().length > 0")
    assert page.evaluate("window.__hidden.getLayers().length") == len(
        tiny_dataset.vectors["fibre"])
    assert page.evaluate(f"window['{fmap.get_name()}'].hasLayer(window.__hidden)")
    assert errors == [] and blocked == []
