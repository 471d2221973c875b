"""End to end in headless Chromium: "Recommend sites" (cancelled once), then remove a site.

The sites the panel should propose are those ``covplan plan`` chooses (the AppTest of the
panel checks that equality); here the person's path is checked: open the panel, press
"Recommend" and "Cancel" (nothing changes), "Recommend" again, see the sites appear on the
map and the road target rise, remove one of them with a click on the map and see the target
fall again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _browser import CHROMIUM, FLAGS, AppPage

pytestmark = [pytest.mark.browser,
              pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")]

ROAD_TARGET = "4G/5G on 100 % of expressways and national highways"



def _expected_sites(small_demo: Path) -> list[tuple[str, float, float]]:
    """(site, lat, lon) of the sites the panel's default request recommends."""
    from covplan.app.recommend import Request
    from covplan.io import load_dataset
    from covplan.planning import ScenarioEvaluator, recommend_sites
    from covplan.radio.defaults import sector_defaults
    from covplan.targets import load_targets

    dataset, targets = load_dataset(small_demo), load_targets("thai_nguyen_2025")
    request = Request(("roads_4g5g",), height_m=sector_defaults("4G").height_m)
    rec = recommend_sites(dataset, targets, "roads_4g5g", options=request.options(),
                          evaluator=ScenarioEvaluator(dataset, targets))
    chosen = rec.chosen.to_crs(4326)
    return [(str(s), p.y, p.x) for s, p in zip(chosen["site_id"], chosen.geometry,
                                               strict=True)]


def _road_percent(app: AppPage) -> float:
    """The road target's tile value ("73.1 %") as a number."""
    tile = app.page.locator('[data-testid="stMetric"]').filter(has_text=ROAD_TARGET)
    text = tile.locator('[data-testid="stMetricValue"]').inner_text()
    return float(text.rstrip(" %").replace(",", ""))


def test_recommend_then_remove_a_proposed_site(server: str, small_demo: Path,
                                               tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    expected = _expected_sites(small_demo)
    assert expected, "the small demo's road target should need new sites"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        app = AppPage(browser.new_page(viewport={"width": 1600, "height": 1100}))
        app.open(f"{server}/?lang=en")
        start, markers = _road_percent(app), app.map_state()["markers"]
        app.page.get_by_text("Recommend sites", exact=True).click()  # open the panel
        button = app.page.get_by_role("button", name="Recommend", exact=True)
        button.wait_for()
        # a first run, cancelled while it works: the scenario stays as it was
        kpis = app.kpis()
        button.click()
        app.page.get_by_role("button", name="Cancel", exact=True).click()
        app.page.get_by_text("Recommendation cancelled", exact=False).wait_for()
        app.wait_settled()
        cancelled = (app.kpis(), app.page.get_by_role("button", name="Undo last edit").
                     is_disabled())
        before, applied = app.kpis(), app.applied()
        button.click()
        shown = app.wait_update(before, applied, timeout_s=300)
        app.wait_settled(timeout_s=300)
        after = app.map_state()
        recommended = _road_percent(app)
        # the summary (a data grid drawn on a canvas: its caption is what the DOM holds)
        table = app.page.get_by_text("Last recommendation:", exact=False).count()
        app.page.screenshot(path=str(tmp_path / "recommended.png"), full_page=True)
        # remove the first proposed site by clicking on it in "Remove a site" mode
        app.run(app.page.get_by_text("Remove a site", exact=True).click)
        site, lat, lon = expected[0]
        before, applied = app.kpis(), app.applied()
        clicked = app.click(lat, lon)
        removed = app.wait_update(before, applied, timeout_s=120, since=clicked)
        app.wait_settled()
        final = _road_percent(app)
        final_markers = app.map_state()["markers"]
        browser.close()
    shot = tmp_path / "recommended.png"
    assert cancelled == (kpis, True), "a cancelled recommendation changed the scenario"
    assert shown is not None, f"the recommendation never reached the KPIs and the map ({shot})"
    assert recommended > start
    assert "Edited and new sites" in after["layers"]
    assert after["markers"] >= markers + len(expected)  # every proposed site is drawn
    assert table == 1, "the recommendation's summary table is not shown"
    assert removed is not None, f"removing {site} did not update the KPIs and the map"
    assert final < recommended
    assert final_markers < after["markers"]
