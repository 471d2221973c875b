"""Benchmark the app as a planner sees it: clicks on the full demo map in headless Chromium.

Starts the app on the full demo province, opens it in Debian's Chromium (network blocked),
then clicks the map in "Add a site" mode at the midpoints of the longest expressway and
national-road gaps, one after another. For each click it prints the seconds until the
target KPIs have changed *and* the map has applied the new scenario layers, and whether
the map kept its zoom (it is not rebuilt). Issue target: the page updates in <= 2 s.

The times come from the browser's clock: the click, the first KPI change and the map
update are stamped inside the page. The test process also polls the page (every
``--poll`` seconds) to know when to stop waiting, and prints what that polling saw,
counted from before Playwright's click call: ``--poll 0.05`` is how this benchmark measured
before, when its own polling shared the 2 cores with the server and the browser.

Usage::

    python benchmarks/bench_app_browser.py [--clicks 5] [--poll 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _browser import CHROMIUM, FLAGS, AppPage, app_server
from playwright.sync_api import sync_playwright

from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.targets import load_targets


def highway_gap_points(demo: Path, count: int) -> list[tuple[float, float]]:
    """Midpoints (lat, lon) of the ``count`` longest expressway/national-road gaps."""
    gaps = run_analysis(load_dataset(demo), load_targets("thai_nguyen_2025")).road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    gaps = gaps.sort_values("length_km", ascending=False).to_crs(4326)
    return [
        (p.y, p.x) for p in (g.interpolate(0.5, normalized=True) for g in gaps.geometry[:count])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=5, help="sites to add by clicking")
    parser.add_argument(
        "--poll",
        type=float,
        default=0.2,
        help="seconds between the test's own checks of the page (0.05 was the old harness)",
    )
    args = parser.parse_args()
    demo = ensure_demo("full")
    points = highway_gap_points(demo, args.clicks)
    with (
        tempfile.TemporaryDirectory() as tmp,
        sync_playwright() as pw,
        app_server(demo.parent, "full", Path(tmp) / "streamlit.log") as url,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        app = AppPage(browser.new_page(viewport={"width": 1600, "height": 1100}))
        start = time.monotonic()
        app.open(url, timeout_s=600)
        print(f"page load to map ready (cold server): {time.monotonic() - start:6.1f} s")
        zoom = app.map_state()["zoom"] + 1
        app.evaluate("(z) => { window.__map.setZoom(z, {animate: false}); }", zoom)
        seconds: list[float] = []
        targets_first: list[float] = []
        polled: list[float] = []
        for number, (lat, lon) in enumerate(points, 1):
            before, applied = app.kpis(), app.applied()
            clicked = app.click(lat, lon)
            kpis, drawn = app.update_times(
                before, applied, timeout_s=120, since=clicked, poll_s=args.poll
            )
            state = app.map_state()
            if kpis is None or drawn is None:
                shown = f"no full update within 120 s (targets {kpis}, map {drawn})"
            else:
                seconds.append(max(kpis, drawn))
                targets_first.append(kpis)
                seen = max(t or 0.0 for t in app.polled)
                polled.append(seen)
                shown = (
                    f"targets {kpis:5.2f} s, map {drawn:5.2f} s "
                    f"(seen by polling every {args.poll:g} s: {seen:5.2f} s)"
                )
            print(
                f"click {number} at ({lat:.5f}, {lon:.5f}): {shown}; "
                f"zoom kept: {state['zoom'] == zoom}"
            )
        browser.close()
    if seconds:
        print(
            f"median click-to-updated-page over {len(seconds)} of {len(points)} clicks: "
            f"{statistics.median(seconds):.2f} s (target <= 2 s); the targets alone: "
            f"{statistics.median(targets_first):.2f} s; seen by the polling: "
            f"{statistics.median(polled):.2f} s"
        )
    else:
        print("no click updated the page")


if __name__ == "__main__":
    main()
