"""Benchmark ``covplan compare`` on four full-demo snapshots against one ``covplan analyze``.

Both commands run in this process, each from an empty prediction cache of its own (so the
comparison predicts every site once and only the sites that differ between quarters
again), writing all their outputs. Budget: comparing the four quarters takes no more than
4 x one analyze + 10 s. With ``--repeat N`` the two alternate N times (analyze first, then
compare first, ...) and the medians are compared.

Usage::

    python benchmarks/bench_compare.py [--data DIR] [--resolution 30] [--repeat 1]

``--data`` is a folder of snapshot folders (``2025-Q1`` ...); by default the full demo
province's four quarters of 2025 are generated (once) under ``data/demo-full-snapshots``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from covplan._pages import prefer_small_pages
from covplan.cli.main import main as covplan
from covplan.demo.snapshots import ensure_demo_snapshots
from covplan.radio import ModelRangeWarning


def _timed(args: list[str]) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the tables they print
        code = covplan(["-q", *args])
    if code != 0:
        raise SystemExit(f"covplan {' '.join(args)} exited {code}")
    return time.perf_counter() - started


def _run(folders: list[Path], work: Path, resolution: float, k: int) -> tuple[float, float]:
    common = ["--resolution", f"{resolution:g}", "--lang", "en", "--overwrite"]
    analyze = ["analyze", str(folders[-1]), "--out", str(work / f"analyze-{k}"),
               "--cache-dir", str(work / f"cache-analyze-{k}"), *common]
    compare = ["compare", *(str(f) for f in folders), "--out", str(work / f"compare-{k}"),
               "--cache-dir", str(work / f"cache-compare-{k}"), *common]
    if k % 2 == 0:
        first = _timed(analyze)
        return first, _timed(compare)
    second = _timed(compare)
    return _timed(analyze), second


def main() -> None:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="folder of snapshot folders [default: the full demo's quarters]")
    parser.add_argument("--resolution", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ModelRangeWarning)
    if args.data is not None:
        folders = sorted(p for p in args.data.iterdir() if (p / "dataset.toml").is_file())
    else:
        started = time.perf_counter()
        folders = ensure_demo_snapshots("full", count=4)
        print(f"Snapshots ready in {time.perf_counter() - started:.1f} s: "
              f"{', '.join(f.name for f in folders)}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = [_run(folders, Path(tmp), args.resolution, k) for k in range(args.repeat)]
    for k, (analyze_s, compare_s) in enumerate(runs, start=1):
        print(f"run {k}: analyze {analyze_s:6.1f} s   compare ({len(folders)} snapshots) "
              f"{compare_s:6.1f} s")
    analyze_s = statistics.median(r[0] for r in runs)
    compare_s = statistics.median(r[1] for r in runs)
    budget = 4 * analyze_s + 10.0
    verdict = "within" if compare_s <= budget else "OVER"
    print(f"\none covplan analyze:              {analyze_s:6.1f} s")
    print(f"covplan compare, {len(folders)} snapshots:    {compare_s:6.1f} s "
          f"({compare_s / analyze_s:.2f} x analyze)")
    print(f"budget 4 x analyze + 10 s:       {budget:6.1f} s -> {verdict} budget")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
