"""Streamlit's own floor: a page of four tiles beside covplan's page, alternated in one run.

The warm-load budget of issue 20 (<= 2 s to the target tiles) is measured in Chromium on the
same 2 cores as the server. Part of that time is Streamlit's alone: its front end (about
2 MB of JavaScript) starts, opens the session's websocket and draws what the script sends,
whatever the app. This benchmark measures how soon Streamlit can show anything at all
here: a page holding only a title and four ``st.metric`` tiles, served by the same
Streamlit, opened in the same browser, and covplan on the full demo (``bash scripts/app.sh``),
the two alternated load by load.

Each figure is from opening the page to the first tile (``[data-testid="stMetricValue"]``)
drawn, stamped inside the page as :mod:`bench_app_browser` stamps it: a first visit (a new
browser context, empty cache) and a returning visitor (a context that opened the page
before, Streamlit's code from its cache). Prints every figure, the medians and covplan's
time over the floor.

Usage::

    python benchmarks/bench_streamlit_floor.py [--loads 8]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import _browser
from _browser import CHROMIUM, FLAGS, KPI, AppPage, app_sh_server, streamlit_server
from playwright.sync_api import sync_playwright

from covplan.datasets import ensure_demo

#: The smallest page with covplan's first elements: a title and four target tiles.
FLOOR_APP = '''\
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("covplan")
for number, column in enumerate(st.columns(4)):
    column.metric(f"target {number}", f"{90 + number} %", "+1 %")
'''
VIEWPORT = {"width": 1600, "height": 1100}
TIMEOUT_S = 600.0


def tiles_after(browser: Any, url: str, context: Any = None) -> float:
    """Seconds from opening ``url`` to its first tile: in ``context``, else a new one."""
    own = context is None
    context = context or browser.new_context(viewport=VIEWPORT)
    app = AppPage(context.new_page(), route=False)
    app.watch_first({"tiles": KPI})
    opened = time.time()
    app.page.goto(url)
    app.page.wait_for_selector(KPI, timeout=TIMEOUT_S * 1000)
    app.page.wait_for_function("() => window.__covplanSeen && window.__covplanSeen.tiles",
                               timeout=TIMEOUT_S * 1000)
    seen = app.first_seen()["tiles"] - opened
    app.page.close()
    if own:
        context.close()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=8, help="loads of each page and kind")
    args = parser.parse_args()
    demo = ensure_demo("full")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        script = Path(tmp) / "floor.py"
        script.write_text(FLOOR_APP, encoding="utf-8")
        with (
            app_sh_server(demo.parent, "full", Path(tmp) / "covplan.log") as covplan,
            streamlit_server(script, Path(tmp) / "floor.log") as floor,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM,
                                         args=[*FLAGS, _browser.LOCAL_ONLY])
            urls = {"floor": floor, "covplan": covplan}
            contexts = {name: browser.new_context(viewport=VIEWPORT) for name in urls}
            for name, url in urls.items():  # the first page of each; the returning visitor
                tiles_after(browser, url)
                tiles_after(browser, url, contexts[name])
            _browser.wait_server_idle(_browser.last_pid)
            seconds: dict[tuple[str, str], list[float]] = {}
            for number in range(args.loads):
                order = list(urls) if number % 2 == 0 else list(reversed(urls))
                for name in order:
                    for kind in ("first visit", "returning"):
                        context = contexts[name] if kind == "returning" else None
                        took = tiles_after(browser, urls[name], context)
                        seconds.setdefault((name, kind), []).append(took)
                        print(f"load {number + 1}: {name:7s} {kind:11s} tiles {took:5.2f} s")
            browser.close()
    print()
    for kind in ("first visit", "returning"):
        floor_s = statistics.median(seconds[("floor", kind)])
        covplan_s = statistics.median(seconds[("covplan", kind)])
        print(f"{kind:11s}: Streamlit's floor (title and 4 tiles) {floor_s:4.2f} s, "
              f"covplan (full demo) {covplan_s:4.2f} s, {covplan_s - floor_s:+4.2f} s over it "
              f"(medians of {args.loads}; budget <= 2 s)")


if __name__ == "__main__":
    main()
