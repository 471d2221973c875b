"""Benchmark the app's planner loop on the full demo province: add one site, see the targets.

Measures the server's share of what happens between a click and the updated page, the way
``covplan.app.page`` does it: the scenario edit, the prediction (only the new site is
computed; every other site comes from the per-site cache), the metrics and target table,
and the script that swaps the scenario's layers on the live map (coverage overlays, gaps,
village colours, edited sites). The province's base map is built once per session and is
timed apart. Prints the median of several adds, each at a different road-gap location.
The per-operator table is drawn below the map, so the page makes it after the map layers:
it is timed apart. The first add opens the network of an operator no site had (the form's
empty operator). ``bench_app_browser.py`` times the same clicks end to end in Chromium.
Issue target: the page updates in <= 2 s.

Usage::

    python benchmarks/bench_app_update.py [--adds 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import warnings

from covplan._pages import prefer_small_pages
from covplan.app.compute import evaluate
from covplan.app.livemap import serialise
from covplan.app.state import (
    SiteForm,
    add_site_at,
    gaps_to_highlight,
    site_changes,
)
from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.mapview.live import ScenarioView, base_map, scenario_script
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.radio import ModelRangeWarning
from covplan.targets import load_targets


def _timed(func):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def _script(dataset, evaluator, scenario, result):  # type: ignore[no-untyped-def]
    hidden, edited = site_changes(scenario)
    view = ScenarioView(
        coverage=result.coverage,
        road_gaps=gaps_to_highlight(result.analysis.road_gaps, evaluator.targets),
        village_status=result.village_signal_percent,
        edited_sites=edited,
        hidden_site_ids=hidden,
    )
    return scenario_script(dataset, view)


def main() -> None:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=5, help="sites to add one after another")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ModelRangeWarning)
    dataset = load_dataset(ensure_demo("full"))
    evaluator = ScenarioEvaluator(dataset, load_targets("thai_nguyen_2025"))
    scenario = Scenario(dataset.sites, dataset=dataset.name)
    baseline, cold = _timed(lambda: evaluate(evaluator, scenario, lambda f, m: None))
    baseline.analysis.per_operator.get()  # as the app's page (or its warming) does
    print(f"baseline (cold: every site predicted, layers laid on the grid): {cold:6.1f} s")
    base, t_base = _timed(lambda: serialise(base_map(dataset)))
    print(f"base map (once per session): {t_base:6.1f} s, {len(base.code) / 1e6:.1f} MB")
    script, t_first = _timed(lambda: _script(dataset, evaluator, scenario, baseline))
    print(f"first scenario layers: {t_first:6.2f} s, {len(script) / 1e3:.0f} kB")
    gc.collect()  # as app.py does after the page's first full run
    gc.freeze()
    gaps = baseline.analysis.road_gaps.to_crs(4326)
    points = [g.interpolate(0.5, normalized=True) for g in gaps.geometry.iloc[: args.adds]]
    rows = []
    for point in points:
        scenario, t_edit = _timed(
            lambda p=point, s=scenario: add_site_at(s, p.y, p.x, SiteForm.defaults("4G"))
        )
        result, t_eval = _timed(lambda s=scenario: evaluate(evaluator, s, lambda f, m: None))
        script, t_map = _timed(lambda s=scenario, r=result: _script(dataset, evaluator, s, r))
        _, t_ops = _timed(result.analysis.per_operator.get)
        rows.append((t_edit, t_eval, t_map))
        print(
            f"add site: edit {t_edit:5.2f} s, predict+metrics+targets {t_eval:5.2f} s, "
            f"map layers {t_map:5.2f} s ({len(script) / 1e3:.0f} kB), "
            f"total {t_edit + t_eval + t_map:5.2f} s; then the per-operator table (below "
            f"the map) {t_ops:5.2f} s"
        )
    edit, ev, fmap = (statistics.median(c) for c in zip(*rows, strict=True))
    print(
        f"median over {len(rows)} adds: edit {edit:.2f} s, predict+metrics+targets {ev:.2f} s,"
        f" map layers {fmap:.2f} s, total {edit + ev + fmap:.2f} s (target <= 2 s)"
    )


if __name__ == "__main__":
    main()
