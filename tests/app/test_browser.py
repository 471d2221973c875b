"""End to end in headless Chromium: the app's map draws offline and clicks add sites."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _browser import CHROMIUM, FLAGS, KPI, TABLE, AppPage

from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.targets import load_targets

pytestmark = pytest.mark.browser



#: Records, for each element on show that a run marks as not yet drawn again (Streamlit's
#: ``data-stale``), when its fade starts and its opacity at that moment.
_WATCH_STALE = """() => {
  window.__staleSeen = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      const element = change.target;
      // an element not drawn (st.empty's) starts no transition: it takes its end at once
      if (element.getAttribute("data-stale") === "true" && element.getClientRects().length) {
        const style = getComputedStyle(element);
        // on a busy machine this observer may run after the delay: the fade has then
        // begun, which its transition's own time says (it fills backwards: no progress)
        const begun = element.getAnimations().some((a) => {
          const timing = a.effect.getComputedTiming();
          return a.transitionProperty === "opacity" && timing.localTime >= timing.delay;
        });
        window.__staleSeen.push([style.transitionDelay, style.opacity, begun]);
      }
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["data-stale"]});
}"""


#: Records the animation of each placeholder Streamlit draws while an element's code loads.
_WATCH_PLACEHOLDERS = """
window.__placeholders = [];
new MutationObserver(() => {
  for (const element of document.querySelectorAll('[data-testid="stSkeleton"]')) {
    if (!element.__seen) {
      element.__seen = true;
      window.__placeholders.push(getComputedStyle(element).animationName);
    }
  }
}).observe(document, {subtree: true, childList: true});
"""


def _highway_gaps(small_demo: Path, count: int) -> list[tuple[float, float]]:
    gaps = run_analysis(load_dataset(small_demo), load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    gaps = gaps.sort_values("length_km", ascending=False).to_crs(4326)
    points = [g.interpolate(0.5, normalized=True) for g in gaps.geometry.iloc[:count]]
    return [(p.y, p.x) for p in points]


def _busiest_site(small_demo: Path) -> tuple[float, float]:
    """(lat, lon) of the 4G site nearest a main road: removing it changes a KPI."""
    dataset = load_dataset(small_demo)
    sites = dataset.sites
    assert sites is not None
    sites = sites[sites["technology"] == "4G"]
    roads = dataset.roads
    assert roads is not None
    main = roads[roads["road_class"].isin(["expressway", "national"])].geometry.union_all()
    nearest = sites.geometry.distance(main).idxmin()  # metres: the dataset CRS is metric
    point = sites.to_crs(4326).geometry.loc[nearest]
    return point.y, point.x


def test_map_draws_offline_and_clicks_add_sites(server: str, small_demo: Path,
                                                tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    points = _highway_gaps(small_demo, 2)
    site = _busiest_site(small_demo)
    assert len(points) == 2, "the small small_demo should have two highway gaps to close"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        app = AppPage(browser.new_page(viewport={"width": 1600, "height": 1100}))
        app.open(f"{server}/?lang=en")  # the layer names below are the English ones
        box = app.frame.locator(".leaflet-container").bounding_box()
        assert box is not None and box["height"] > 300
        state = app.map_state()
        assert state["markers"] > 10  # site markers (and POIs) are drawn
        assert "4G coverage (RSRP)" in state["layers"] and "Village areas" in state["layers"]
        zoom = state["zoom"] + 1  # the planner zooms in; the view must survive the updates
        app.mark_frame()
        app.evaluate("(z) => { window.__map.setZoom(z, {animate: false}); }", zoom)
        app.page.evaluate(_WATCH_STALE)
        seconds = []
        for lat, lon in points:
            before, applied = app.kpis(), app.applied()
            clicked = app.click(lat, lon)
            seconds.append(app.wait_update(before, applied, timeout_s=120, since=clicked))
        stale = app.page.evaluate("() => window.__staleSeen")
        after = app.map_state()
        same_frame = app.frame_is_marked()
        app.page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
        # remove a baseline site by clicking on it: its marker and wedges are hidden
        app.run(app.page.get_by_text("Remove a site", exact=True).click)  # a rerun
        before, applied = app.kpis(), app.applied()
        clicked = app.click(*site)
        removed = app.wait_update(before, applied, timeout_s=120, since=clicked)
        hidden = app.evaluate("() => window.covplan.hidden.length")
        # the click opened the site's popup ("Site status: existing"); it went with the site
        popup = app.evaluate("() => { const p = document.querySelector('.leaflet-popup');"
                             " return p ? p.textContent : null; }")
        final = app.map_state()
        # another legend (signal counted indoors) is a new map frame: it runs the
        # province's code kept in the page
        app.page.locator('[data-testid="stSidebar"]').get_by_text("Indoor", exact=True).click()
        app.wait_new_frame()
        other = app.map_state()
        browser.close()
    shot = tmp_path / "app.png"
    assert None not in seconds, f"a click did not update the KPIs and the map ({seconds}, {shot})"
    # what a click's run had not drawn again yet waited 2.5 s before fading (Streamlit: 0.5 s)
    assert stale, "no element was waiting to be drawn again during the clicks"
    assert {delay for delay, _, _ in stale} == {"2.5s"}, stale
    # none had faded before its delay was over (a fade seen is one past its delay)
    assert all(opacity == "1" or begun for _, opacity, begun in stale), stale
    assert same_frame, "the map's frame was rebuilt during the edits"
    assert after["zoom"] == zoom, "the planner's zoom was lost"
    assert "Edited and new sites" in after["layers"]
    assert after["markers"] >= state["markers"] + 2  # the two new sites are drawn
    assert not [u for u in app.blocked if u.endswith((".js", ".css"))], app.blocked
    assert removed is not None, "removing a site did not update the KPIs and the map"
    assert hidden >= 2  # the site's marker and its wedges
    assert popup is None, popup
    assert final["markers"] == after["markers"] - 1
    assert other["markers"] > 10 and "Village areas" in other["layers"]


def _same_view(a: dict[str, float], b: dict[str, float]) -> bool:
    """The same zoom and centre (to well below a pixel)."""
    return (a["zoom"] == b["zoom"] and abs(a["lat"] - b["lat"]) < 1e-4
            and abs(a["lng"] - b["lng"]) < 1e-4)


def _wait_new_scenario(app: AppPage, applied_before: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not app.shows_new_scenario(applied_before):
        assert time.monotonic() < deadline, "the map never showed the new targets' layers"
        app.page.wait_for_timeout(100)


def test_the_map_keeps_where_the_user_looks_across_presets_and_reloads(server: str) -> None:
    """Zoom in and pan, then switch presets back and forth, count indoors (another legend:
    a new map) and reload: the map stays where the user left it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        app = AppPage(browser.new_page(viewport={"width": 1600, "height": 1100}))
        app.open(f"{server}/?lang=en")
        first = app.view()
        app.evaluate("(v) => { window.__map.setView([v.lat + 0.02, v.lng + 0.02], v.zoom + 1,"
                     " {animate: false}); }", first)
        left = app.view()
        app.mark_frame()
        views, kpis = [], [app.kpis()]
        for preset in ("bac_ninh_2030", "thai_nguyen_2025", "bac_ninh_2030"):
            applied = app.applied()
            app.choose_preset(preset)
            _wait_new_scenario(app, applied)
            views.append(app.view())
            kpis.append(app.kpis())
        same_frame = app.frame_is_marked()  # equal thresholds: the same map, layers swapped
        app.page.locator('[data-testid="stSidebar"]').get_by_text("Indoor", exact=True).click()
        app.wait_new_frame()  # the legend counts indoors: a new map
        indoor = app.view()
        app.page.reload()
        app.open(f"{server}/?lang=en")
        reloaded = app.view()
        browser.close()
    assert not _same_view(first, left)
    assert all(_same_view(view, left) for view in views), (left, views)
    assert same_frame
    assert kpis[1] != kpis[0] and kpis[2] == kpis[0] and kpis[3] == kpis[1]
    assert _same_view(indoor, left), (left, indoor)
    assert _same_view(reloaded, left), (left, reloaded)


def test_the_first_page_shows_a_loading_indicator_until_the_app_replaces_it(
    server: str,
) -> None:
    """Before Streamlit's script has run, the page is not blank: the server's HTML holds
    covplan's loading indicator (vi and en); once the app draws, it has gone. Meanwhile the
    grey placeholders of elements whose code is still loading (a first visit) stay still."""
    from playwright.sync_api import sync_playwright

    from covplan.app.boot import BOOT_CLASS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        html = page.request.get(server).text()
        assert f'class="{BOOT_CLASS}"' in html and "Đang mở ứng dụng…" in html
        page.add_init_script(_WATCH_PLACEHOLDERS)
        app = AppPage(page)
        app.watch_first({"boot": f".{BOOT_CLASS}", "kpi": KPI})
        app.open(server)
        seen = app.first_seen()
        placeholders = page.evaluate("() => window.__placeholders")
        assert "boot" in seen and seen["boot"] <= seen["kpi"]
        assert page.locator(f".{BOOT_CLASS}").count() == 0
        assert page.title() != "Streamlit"
        browser.close()
    assert placeholders, "a first visit drew no placeholder while the elements' code loaded"
    assert set(placeholders) == {"none"}, placeholders  # Streamlit's pulse every 0.75 s


def test_a_new_page_draws_its_tables_once_its_map_is_drawn(server: str) -> None:
    """The tables under the map come after the map has applied its first scenario, in a run
    of their own part of the page (a fragment), not a second run of the whole page; a
    reload (a new session) does the same."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        app = AppPage(page)
        app.watch_first({"table": TABLE})
        for _ in range(2):  # the first load, then a reload
            app.runs_ended = app.fragment_runs_ended = 0
            page.reload() if app.first_seen() else app.open(server)
            app.wait_map_ready()
            app.wait_tables()
            drawn = app.first_drawn()
            table = app.first_seen()["table"]
            assert drawn is not None, "the map never said it was drawn"
            assert table >= drawn, f"the table showed {drawn - table:.3f} s before the map"
            assert app.runs_ended == 1 and app.fragment_runs_ended == 1
            assert page.locator(TABLE).count() == 1
        browser.close()
