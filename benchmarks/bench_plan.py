"""Benchmark: site recommendation on the full demo province with >= 2,000 candidates.

Times the coverage matrix, the lazy greedy and the integer program (HiGHS through
scipy.optimize.milp) to a 1 % gap or its time limit, for the "reach the goal" and "at most K
sites" problems. Targets: greedy <= 10 s, integer program <= 60 s; matrix <= 15 s for
roads_4g5g and <= 30 s for residential_5g.

The matrix is built both ways in the same run: ``cells`` (each candidate's RSRP at the open
demand cells only, candidates on parallel threads: the default) ``--runs`` times (median),
and ``windows`` (each candidate's whole window from the engine: the way before issue 20)
``--window-runs`` times, each with an empty site cache; the two matrices are checked to be
identical.

    .venv/bin/python benchmarks/bench_plan.py                       # roads_4g5g, full demo
    .venv/bin/python benchmarks/bench_plan.py --target residential_5g --max-sites 100
    .venv/bin/python benchmarks/bench_plan.py --window-runs 0           # skip the old way

Candidate generation is loosened step by step (closer road points, wider reach, lower
summits) until at least ``--min-candidates`` are found.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
import warnings
from dataclasses import replace
from pathlib import Path

from covplan._pages import prefer_small_pages
from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.planning import (
    CandidateOptions,
    ScenarioEvaluator,
    build_matrix,
    generate_candidates,
    greedy_max_coverage,
    greedy_reach,
    milp_max_coverage,
    milp_reach,
    reduce_problem,
    target_demand,
)
from covplan.predict import SiteCache
from covplan.radio import ModelRangeWarning
from covplan.targets import load_targets

#: Ever looser candidate settings, tried in turn until enough candidates are found.
SCHEDULE = (
    CandidateOptions(),
    CandidateOptions(road_spacing_m=500.0, reach_m=12_000.0, high_ground_radius_m=1_000.0,
                     min_relief_m=25.0, min_separation_m=200.0),
    CandidateOptions(road_spacing_m=250.0, reach_m=20_000.0, high_ground_radius_m=600.0,
                     min_relief_m=15.0, min_separation_m=150.0),
    CandidateOptions(road_spacing_m=150.0, reach_m=40_000.0, high_ground_radius_m=400.0,
                     min_relief_m=10.0, min_separation_m=100.0),
)


def _candidates(ctx, demand, terrain, minimum: int, technology: str | None):  # type: ignore[no-untyped-def]
    for options in SCHEDULE:
        cands = generate_candidates(ctx, demand, terrain=terrain,
                                    options=replace(options, technology=technology))
        count = cands["site_id"].nunique()
        print(f"  candidates with {options.road_spacing_m:g} m spacing, "
              f"{options.reach_m / 1000:g} km reach: {count:,}")
        if count >= minimum:
            break
    return cands


def _solve(problem, required: float, max_sites: int | None, time_limit: float, gap: float
           ) -> dict[str, object]:
    if max_sites is None:
        greedy = greedy_reach(problem, required)
        need = required if greedy.status != "infeasible" else float(
            problem.weight[problem.coverable()].sum()) * (1 - 1e-9)
        exact = milp_reach(problem, need, incumbent=greedy, time_limit_s=time_limit,
                           mip_rel_gap=gap)
        value = "cost"
    else:
        greedy = greedy_max_coverage(problem, max_sites)
        exact = milp_max_coverage(problem, max_sites, incumbent=greedy,
                                  time_limit_s=time_limit, mip_rel_gap=gap)
        value = "covered_weight"
    return {
        "problem": "reach" if max_sites is None else f"max coverage, K = {max_sites}",
        "greedy_s": round(greedy.seconds, 3), "greedy_sites": greedy.count,
        f"greedy_{value}": round(float(getattr(greedy, value)), 4),
        "greedy_status": greedy.status,
        "milp_s": round(exact.seconds, 3), "milp_sites": exact.count,
        f"milp_{value}": round(float(getattr(exact, value)), 4),
        "milp_status": exact.status, "milp_method": exact.method,
        "milp_gap": None if exact.gap is None else round(exact.gap, 5),
        "milp_bound": None if exact.bound is None else round(exact.bound, 4),
    }


def main() -> None:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="full", choices=["small", "full"])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--target", default="roads_4g5g")
    parser.add_argument("--technology", default=None, choices=["4G", "5G"])
    parser.add_argument("--min-candidates", type=int, default=2000)
    parser.add_argument("--max-sites", type=int, default=50)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--resolution", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3, help="Builds the fast way (median).")
    parser.add_argument("--window-runs", type=int, default=1,
                        help="Builds the engine-window way (before issue 20) for comparison.")
    parser.add_argument("--json", type=Path, default=None, help="Write the figures here.")
    parser.add_argument("--app", action="store_true",
                        help="Also time the app's 'Recommend sites' with its default choices, "
                             "from the evaluated baseline as the app holds it.")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    warnings.simplefilter("ignore", ModelRangeWarning)

    started = time.perf_counter()
    dataset = load_dataset(ensure_demo(args.size, data_dir=args.data_dir))
    targets = load_targets("thai_nguyen_2025")
    target = next(t for t in targets.targets if t.id == args.target)
    ev = ScenarioEvaluator(dataset, targets, resolution_m=args.resolution)
    base = ev.baseline()
    ctx = ev.context(ev.coverage(base.sites), base.sites)
    demand = target_demand(target, ctx)
    print(f"{dataset.name}: grid {ev.grid.width} x {ev.grid.height} at {args.resolution:g} m, "
          f"{base.sites['site_id'].nunique():,} sites; baseline in "
          f"{time.perf_counter() - started:.1f} s")
    print(f"Target {target.id}: {demand.baseline_covered:,.2f} of {demand.total:,.2f} "
          f"{demand.unit} covered, {demand.required:,.2f} missing")
    cands = _candidates(ctx, demand, dataset.terrain, args.min_candidates, args.technology)
    floors = {t: targets.floor_dbm(t) for t in target.technologies}

    def build(method: str):  # type: ignore[no-untyped-def]
        return build_matrix(demand, cands, dataset.terrain, ev.grid, cache=SiteCache(),
                            model=ev.model, engine_threshold_dbm=floors, method=method,
                            environment=ev.radio_environment)

    fast = [build("cells") for _ in range(max(1, args.runs))]
    slow = [build("windows") for _ in range(args.window_runs)]
    matrix = fast[0]
    fast_s = statistics.median(m.seconds for m in fast)
    slow_s = statistics.median(m.seconds for m in slow) if slow else None
    same = all((m.problem.cover != matrix.problem.cover).nnz == 0
               and m.candidate_ids == matrix.candidate_ids for m in fast[1:] + slow)
    print(f"Matrix: cells {fast_s:.2f} s (median of {len(fast)}: "
          f"{', '.join(f'{m.seconds:.2f}' for m in fast)})"
          + (f", windows {slow_s:.1f} s ({slow_s / fast_s:.1f}x)" if slow_s else "")
          + f"; identical: {same}")
    problem = matrix.problem
    reduced = reduce_problem(problem).problem
    figures: dict[str, object] = {
        "dataset": dataset.name, "target": target.id, "unit": demand.unit,
        "candidates": problem.n_candidates, "demand_cells": problem.n_demand,
        "distinct_covering_sets": reduced.n_demand, "matrix_entries": int(problem.cover.nnz),
        "matrix_s": round(fast_s, 2),
        "matrix_windows_s": None if slow_s is None else round(slow_s, 1),
        "matrix_speedup": None if slow_s is None else round(slow_s / fast_s, 1),
        "matrices_identical": same, "required": round(demand.required, 4),
        "runs": [_solve(problem, demand.required, None, args.time_limit, args.gap),
                 _solve(problem, demand.required, args.max_sites, args.time_limit, args.gap)],
    }
    if args.app:
        from covplan.app.recommend import Request
        from covplan.planning import recommend_for_targets
        from covplan.radio.defaults import sector_defaults

        tech = args.technology or target.technologies[0]
        request = Request((target.id,), height_m=sector_defaults(tech).height_m)
        clock = time.perf_counter()
        recs = recommend_for_targets(dataset, targets, request.target_ids,
                                     options=request.options(), evaluator=ev)
        seconds = time.perf_counter() - clock
        rec = recs[-1]
        figures["app_recommendation"] = {
            "seconds": round(seconds, 1), "candidates": len(rec.matrix.candidate_ids),
            "sites": rec.selection.count, "status": rec.selection.status,
            "stages_s": {k: round(v, 2) for k, v in rec.timings_s.items()}}
        print(f"App 'Recommend sites' for {target.id}: {seconds:.1f} s, "
              f"{rec.selection.count} sites from {len(rec.matrix.candidate_ids):,} candidates")
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
