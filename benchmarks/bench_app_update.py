"""Benchmark the app's planner loop on the full demo province: add one site, see the targets.

Measures what happens between a click and the updated page: the scenario edit, the
prediction (only the new site is computed; every other site comes from the per-site cache),
the metrics and target table, and the folium map. Prints the median of several adds, each
at a different road-gap location. Issue target: the page updates in <= 2 s.

Usage::

    python benchmarks/bench_app_update.py [--adds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from dataclasses import replace

from covplan.app.compute import evaluate
from covplan.app.state import SiteForm, add_site_at, sites_for_map
from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.mapview import build_map
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.radio import ModelRangeWarning
from covplan.targets import load_targets


def _timed(func):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=5, help="sites to add one after another")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ModelRangeWarning)
    dataset = load_dataset(ensure_demo("full"))
    evaluator = ScenarioEvaluator(dataset, load_targets("thai_nguyen_2025"))
    scenario = Scenario(dataset.sites, dataset=dataset.name)
    baseline, cold = _timed(lambda: evaluate(evaluator, scenario, lambda f, m: None))
    print(f"baseline (cold: every site predicted, layers laid on the grid): {cold:6.1f} s")
    kept, added = sites_for_map(scenario)
    _, t_first = _timed(lambda: build_map(
        replace(dataset, vectors={**dataset.vectors, "sites": kept}),
        coverage=baseline.coverage, road_gaps=baseline.analysis.road_gaps,
        village_status=baseline.village_signal_percent).get_root().render())
    print(f"first map (page load: static layers converted once): {t_first:6.1f} s")
    gaps = baseline.analysis.road_gaps.to_crs(4326)
    points = [g.interpolate(0.5, normalized=True) for g in gaps.geometry.iloc[: args.adds]]
    rows = []
    for point in points:
        scenario, t_edit = _timed(lambda p=point, s=scenario: add_site_at(
            s, p.y, p.x, SiteForm.defaults("4G")))
        result, t_eval = _timed(lambda s=scenario: evaluate(evaluator, s, lambda f, m: None))
        kept, added = sites_for_map(scenario)  # as the app draws them
        shown = replace(dataset, vectors={**dataset.vectors, "sites": kept})
        _, t_map = _timed(lambda r=result, d=shown, a=added: build_map(
            d, coverage=r.coverage, road_gaps=r.analysis.road_gaps,
            village_status=r.village_signal_percent, candidate_sites=a).get_root().render())
        rows.append((t_edit, t_eval, t_map))
        print(f"add site: edit {t_edit:5.2f} s, predict+metrics+targets {t_eval:5.2f} s, "
              f"map build+render {t_map:5.2f} s, total {t_edit + t_eval + t_map:5.2f} s")
    edit, ev, fmap = (statistics.median(c) for c in zip(*rows, strict=True))
    print(f"median over {len(rows)} adds: edit {edit:.2f} s, predict+metrics+targets {ev:.2f} s,"
          f" map {fmap:.2f} s, total {edit + ev + fmap:.2f} s (target <= 2 s)")


if __name__ == "__main__":
    main()
