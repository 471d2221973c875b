"""Benchmark ``covplan analyze`` on the full demo province: wall time per stage.

Runs the whole pipeline twice: once cold (empty prediction cache) and once with the
per-site predictions cached on disk (a second ``covplan analyze`` run), and prints the
time of each stage. Target: metrics and targets in <= 5 s once the grids exist.

Usage::

    python benchmarks/bench_analyze.py [--data DIR] [--resolution 30] [--targets PRESET]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

from covplan._pages import prefer_small_pages
from covplan.datasets import ensure_demo
from covplan.export.tables import to_csv, to_gpkg
from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.predict import SiteCache
from covplan.radio import ModelRangeWarning
from covplan.targets import Analysis, load_targets

METRIC_STAGES = ("layers on grid", "targets", "population", "roads", "villages and POIs",
                 "commune summary")


def _export(result: Analysis, out: Path) -> float:
    started = time.perf_counter()
    to_gpkg(result.layers(), out / "gaps.gpkg", overwrite=True)
    for name, table in result.tables().items():
        to_csv(table, out / f"{name}.csv", overwrite=True)
    return time.perf_counter() - started


def _report(label: str, result: Analysis, export_s: float) -> None:
    print(f"\n{label}")
    for stage, seconds in result.timings_s.items():
        print(f"  {stage:<20} {seconds:8.2f} s")
    metrics = sum(result.timings_s.get(s, 0.0) for s in METRIC_STAGES)
    print(f"  {'export':<20} {export_s:8.2f} s")
    print(f"  {'metrics + targets':<20} {metrics:8.2f} s  (target <= 5 s)")
    print(f"  {'total':<20} {sum(result.timings_s.values()) + export_s:8.2f} s")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main() -> None:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="dataset folder [default: the full demo province]")
    parser.add_argument("--resolution", type=float, default=30.0)
    parser.add_argument("--targets", default="thai_nguyen_2025")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ModelRangeWarning)

    started = time.perf_counter()
    folder = args.data or ensure_demo("full")
    dataset = load_dataset(folder)
    targets = load_targets(args.targets)
    grid = dataset.grid(args.resolution)
    counts = ", ".join(f"{len(f):,} {n}" for n, f in dataset.vectors.items())
    print(f"Dataset {dataset.name}: {counts}")
    print(f"Grid {grid.width:,} x {grid.height:,} cells at {grid.resolution_m:g} m; "
          f"loaded in {time.perf_counter() - started:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir, out = Path(tmp) / "cache", Path(tmp) / "out"
        cold = run_analysis(dataset, targets, resolution_m=args.resolution,
                            cache=SiteCache(directory=cache_dir))
        _report("Cold (empty prediction cache)", cold, _export(cold, out))
        warm = run_analysis(dataset, targets, resolution_m=args.resolution,
                            cache=SiteCache(directory=cache_dir))
        _report("Cached (per-site predictions read from disk)", warm, _export(warm, out))
    print("\nTargets:")
    print(warm.targets[["id", "measured_percent", "goal_percent", "status", "shortfall",
                        "unit"]].to_string(index=False))


if __name__ == "__main__":
    main()
