"""The app's page style (``covplan.app.boot.PAGE_STYLE``) against Streamlit's own, side by side.

The style stops two of Streamlit's animations: the fade of the elements a run has not
drawn again yet (from 0.5 s into a run; now from 2.5 s) and the pulse of the placeholders
of elements whose code is still loading. Both cost the browser frames of work on the
cores the server computes on. One server (``scripts/app.sh`` on the full demo) serves
pages of both kinds, alternated pair by pair: a page "without" has the style taken out of
its head as the browser reads it. Each page is a first visit (a browser context of its
own), then adds sites by clicking at the longest highway gaps, moved by about 65 m per
page so that no page finds its sites' predictions already made by another.

Usage::

    .venv/bin/python benchmarks/bench_page_style.py [--pairs 6] [--clicks 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import _browser
from _browser import CHROMIUM, FLAGS, app_sh_server
from bench_app_browser import TIMEOUT_S, VIEWPORT, clicks, highway_gap_points, new_page
from playwright.sync_api import sync_playwright

from covplan.app.boot import PAGE_STYLE
from covplan.datasets import ensure_demo

#: Takes the page style out of the head as the parser adds it (an init script).
_WITHOUT = """(() => {
  const text = %s;
  new MutationObserver((changes, observer) => {
    for (const style of document.querySelectorAll("style")) {
      if (style.outerHTML === text) { style.remove(); observer.disconnect(); }
    }
  }).observe(document, {subtree: true, childList: true});
})();"""
#: Latitude step between the pages' click points (degrees, about 65 m).
SHIFT_DEG = 0.0006


def _session(browser: Any, url: str, without: bool, points: list[tuple[float, float]]
             ) -> tuple[float, float, float]:
    """A first visit, then the clicks: (tiles s, map s, median click s)."""
    context = browser.new_context(viewport=VIEWPORT)
    if without:
        context.add_init_script(_WITHOUT % json.dumps(PAGE_STYLE))
    app = new_page(browser, context)
    opened = time.time()
    app.open(url, timeout_s=TIMEOUT_S)
    drawn = app.applied_at()
    seen = app.first_seen()
    held = app.page.evaluate("(t) => document.head.innerHTML.includes(t)", PAGE_STYLE)
    if held == without:
        raise RuntimeError(f"the page {'still holds' if held else 'lacks'} the page style")
    _browser.wait_server_idle(_browser.last_pid)  # the session's work behind the page done
    seconds, _ = clicks(app, points, poll_s=0.2)
    context.close()
    assert drawn is not None
    return seen["tiles"] - opened, drawn - opened, statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=6, help="pages of each kind")
    parser.add_argument("--clicks", type=int, default=4, help="sites added per page")
    args = parser.parse_args()
    demo = ensure_demo("full")
    base = highway_gap_points(demo, args.clicks)
    figures: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    with (
        tempfile.TemporaryDirectory() as tmp,
        sync_playwright() as pw,
        app_sh_server(demo.parent, "full", Path(tmp) / "streamlit.log") as url,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        first = new_page(browser)
        first.open(url, timeout_s=TIMEOUT_S)
        first.page.context.close()
        _browser.wait_server_idle(_browser.last_pid)
        page = 0
        for pair in range(args.pairs):
            for without in (False, True) if pair % 2 == 0 else (True, False):
                page += 1
                points = [(lat + SHIFT_DEG * page, lon) for lat, lon in base]
                tiles, drawn, click = _session(browser, url, without, points)
                figures[without].append((tiles, drawn, click))
                print(f"pair {pair + 1}, {'without' if without else 'with   '} the page "
                      f"style: first visit tiles {tiles:5.2f} s, map {drawn:5.2f} s; "
                      f"click median {click:5.2f} s", flush=True)
        browser.close()
    for without in (False, True):
        tiles, drawn, click = (statistics.median(f[i] for f in figures[without])
                               for i in range(3))
        print(f"medians {'without' if without else 'with   '} the page style: first visit "
              f"tiles {tiles:5.2f} s, map {drawn:5.2f} s; click {click:5.2f} s "
              f"({len(figures[without])} pages)")


if __name__ == "__main__":
    main()
