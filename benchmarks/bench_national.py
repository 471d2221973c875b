"""National run on a 6-province synthetic country, with 1 and then 2 local Dask workers.

Run: .venv/bin/python benchmarks/bench_national.py [--country DIR] [--resolution 30]
     [--repeat 1] [--tiling-only]

Writes the synthetic country once (``covplan demo --country 6``: two full-size provinces of
about 8,400 km² and four small ones, each with its own seed; kept in data/cache/country-6/,
which git ignores), then runs every province (``covplan.scale.run_national``, no result cache)
on a local cluster of one worker process and on one of two, in the same run (``--repeat``
alternates them). Every worker is single-threaded (its numba kernels too), so the speed-up
is Dask's alone and every task time is a single-core time. Prints, per configuration, the
wall time of the run (after the cluster is up and the workers have imported covplan), the
speed-up, the peak memory of each worker process and the sectors per second per worker;
then one full-size province run whole and in two tiles on the two workers (the cost of
the overlap); then the costs measured per site and per grid cell, and the projection for
the whole country (34 provinces, about 100,000 sites at 30 m) built on them: core-hours
and the cluster that does it in under 10 minutes. The load average is printed with each
run: this machine is shared, and a busy machine slows every figure.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from covplan._pages import prefer_small_pages
from covplan.scale import (
    MAX_TILE_CELLS,
    NationalRun,
    Plan,
    RunSettings,
    generate_country,
    open_client,
    plan_jobs,
    read_country,
    run_national,
)

ROOT = Path(__file__).resolve().parents[1]
#: The country of the projection: 34 provinces (since 1 July 2025), about 331,000 km², on
#: the order of 100,000 sites (three sectors each, as the demo's).
NATIONAL_PROVINCES = 34
NATIONAL_AREA_KM2 = 331_000.0
NATIONAL_SITES = 100_000
#: The largest province after the merger (Lâm Đồng, about 24,200 km²).
LARGEST_KM2 = 24_200.0
TARGET_S = 600.0


def _warm() -> None:
    """Import covplan's task module in a worker (as the first task would)."""
    import covplan.scale.province  # noqa: F401


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _timed_run(workers: int, plan: Plan) -> NationalRun:
    started = time.perf_counter()
    with open_client(workers=workers, numba_threads=1) as client:
        client.run(_warm)
        up = time.perf_counter() - started
        run = run_national(plan, client)
    print(f"  {workers} worker(s): cluster up and warm in {up:.1f} s, run {run.wall_s:.1f} s "
          f"({_load()})")
    return run


def _tiling(plan: Plan, repeat: int) -> float:
    """Run the first full-size province whole and in two tiles on two workers, ``repeat``
    times; returns the median of the tiles' prediction time over the whole province's."""
    job = plan.jobs[0]
    ratios = []
    print("\none full province, whole vs in two tiles on 2 workers:")
    with open_client(workers=2, numba_threads=1) as client:
        client.run(_warm)
        for _ in range(repeat):
            whole = run_national(Plan((job,), (), (job.key,)), client)
            stats = whole.results[0].stats
            assert stats is not None
            halves = replace(job, settings=replace(job.settings,
                                                   max_tile_cells=math.ceil(stats.cells / 2)))
            tiled = run_national(Plan((halves,), (), (job.key,)), client)
            split = tiled.results[0].stats
            assert split is not None
            ratios.append(split.prediction_s / stats.prediction_s)
            print(f"  wall {whole.wall_s:.1f} s vs {tiled.wall_s:.1f} s; prediction "
                  f"{stats.prediction_s:.1f} s vs {split.prediction_s:.1f} s summed over the "
                  f"{split.tiles} tiles ({ratios[-1]:.2f}×; sectors {stats.sectors:,} vs "
                  f"{split.tile_sectors:,}); reading {stats.load_s:.1f} s vs {split.load_s:.1f} "
                  f"s; peak {stats.peak_rss_mb:,.0f} vs {split.peak_rss_mb:,.0f} MiB ({_load()})")
    return statistics.median(ratios)


def _per_worker(run: NationalRun) -> dict[str, float]:
    """Peak RSS (MiB) of each worker process that ran a province."""
    peaks: dict[str, float] = defaultdict(float)
    for result in run.results:
        if result.stats is not None:
            for worker in result.stats.workers:
                peaks[worker] = max(peaks[worker], result.stats.peak_rss_mb)
    return dict(peaks)


def _province_table(run: NationalRun) -> None:
    print(f"  {'province':44} {'sites':>6} {'sectors':>8} {'cells':>11} {'load s':>7} "
          f"{'predict s':>9} {'metrics s':>9} {'peak MiB':>9}")
    for r in run.results:
        s = r.stats
        if s is None:
            print(f"  {r.name:44} failed: {r.problems[:1]}")
            continue
        print(f"  {r.name[:44]:44} {s.sites:6d} {s.sectors:8d} {s.cells:11,d} {s.load_s:7.1f} "
              f"{s.prediction_s:9.1f} {s.metrics_s:9.1f} {s.peak_rss_mb:9.0f}")


def _costs(run: NationalRun) -> dict[str, float]:
    """Single-core costs from the per-task times of a run."""
    stats = [r.stats for r in run.results if r.stats is not None]
    sites = sum(s.sites for s in stats)
    cells = sum(s.cells for s in stats)
    return {
        "predict_s_per_site": sum(s.prediction_s for s in stats) / sites,
        "metrics_s_per_cell": sum(s.metrics_s for s in stats) / cells,
        "load_s_per_cell": sum(s.load_s for s in stats) / cells,
        "peak_mib_per_mcell": max(s.peak_rss_mb / (s.cells / 1e6) for s in stats
                                  if s.cells > 1_000_000),
    }


def _projection(costs: dict[str, float], resolution_m: float, efficiency: float,
                tile_overhead: float) -> None:
    cells = NATIONAL_AREA_KM2 * 1e6 / resolution_m**2
    predict = NATIONAL_SITES * costs["predict_s_per_site"]
    metrics = cells * costs["metrics_s_per_cell"]
    load = cells * costs["load_s_per_cell"]
    core_s = predict + metrics + load
    print(f"\nProjection (extrapolated) for {NATIONAL_PROVINCES} provinces, "
          f"{NATIONAL_SITES:,} sites, {NATIONAL_AREA_KM2:,.0f} km² at {resolution_m:g} m "
          f"({cells / 1e6:,.0f} M cells):")
    print(f"  prediction {predict / 3600:.2f} core-h + metrics {metrics / 3600:.2f} core-h + "
          f"reading {load / 3600:.2f} core-h = {core_s / 3600:.2f} core-hours")
    workers = math.ceil(core_s / (TARGET_S * efficiency))
    print(f"  at the measured parallel efficiency ({efficiency:.0%}): {workers} single-core "
          f"workers for {TARGET_S / 60:.0f} min of work (more for stragglers)")
    big_cells = LARGEST_KM2 * 1e6 / resolution_m**2
    big_sites = NATIONAL_SITES * LARGEST_KM2 / NATIONAL_AREA_KM2
    tiles = math.ceil(big_cells / MAX_TILE_CELLS)
    tile_s = (big_sites / tiles * tile_overhead * costs["predict_s_per_site"]
              + big_cells * costs["load_s_per_cell"])
    combine_s = big_cells * (costs["metrics_s_per_cell"] + costs["load_s_per_cell"])
    print(f"  critical path, the largest province ({LARGEST_KM2:,.0f} km², {big_cells / 1e6:.0f} "
          f"M cells, ~{big_sites:,.0f} sites): {tiles} tiles of ~{tile_s:.0f} s, then "
          f"~{combine_s:.0f} s to assemble and measure = ~{tile_s + combine_s:.0f} s; peak "
          f"memory ~{costs['peak_mib_per_mcell'] * big_cells / 1e6 / 1024:.1f} GiB for that "
          "task")


def main() -> int:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--country", type=Path, default=ROOT / "data" / "cache" / "country-6")
    parser.add_argument("--resolution", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tiling-only", action="store_true",
                        help="Only the whole-versus-tiles comparison.")
    args = parser.parse_args()
    if not (args.country / "country.toml").exists():
        started = time.perf_counter()
        generate_country(args.country, 6, size="mixed", seed=57)
        print(f"generated the synthetic country in {time.perf_counter() - started:.1f} s")
    plan = plan_jobs(read_country(args.country), RunSettings(args.resolution))
    print(f"{len(plan.jobs)} provinces at {args.resolution:g} m")
    if args.tiling_only:
        _tiling(plan, args.repeat)
        return 0
    runs: dict[int, list[NationalRun]] = {1: [], 2: []}
    for _ in range(args.repeat):
        for workers in (1, 2):
            runs[workers].append(_timed_run(workers, plan))
    walls = {w: statistics.median(r.wall_s for r in rs) for w, rs in runs.items()}
    last = {w: rs[-1] for w, rs in runs.items()}
    sectors = sum(r.stats.sectors for r in last[2].results if r.stats is not None)
    print(f"\nwall time: 1 worker {walls[1]:.1f} s, 2 workers {walls[2]:.1f} s "
          f"(median of {args.repeat}); speed-up {walls[1] / walls[2]:.2f}×")
    for workers, run in last.items():
        peaks = ", ".join(f"{p:,.0f} MiB" for p in sorted(_per_worker(run).values()))
        print(f"{workers} worker(s): peak memory per worker {peaks}; "
              f"{sectors / walls[workers] / workers:.1f} sectors/s per worker")
    print("\nper province (2 workers; task times single-core):")
    _province_table(last[2])
    overhead = _tiling(plan, args.repeat)
    costs = _costs(last[2])
    print("\nmeasured costs (2-worker run): " + ", ".join(
        f"{k} {v:.3g}" for k, v in costs.items()))
    _projection(costs, args.resolution, walls[1] / walls[2] / 2, overhead)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
