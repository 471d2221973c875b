"""numpy on transparent huge pages against normal pages: the app's baseline evaluation.

Each measurement runs in a new process with ``NUMPY_MADVISE_HUGEPAGE`` set to ``1`` (numpy's
default on a recent Linux kernel: ``madvise(MADV_HUGEPAGE)`` on every array of 4 MB and
more) or ``0`` (what covplan's entry points choose, :mod:`covplan._pages`); the two
alternate, run after run, so both see the same machine. A process loads the full demo and
evaluates its baseline as the app does behind a page read from disk (every site's
prediction read from the per-site cache on disk, primed once before the runs; the layers
on the grid, the targets and the per-operator table), timing on the way each fill of the
two province grids a prediction starts from (:func:`covplan.predict._merge.empty_grids`:
47 MB each on the full demo). Prints every run, the medians and their ratio, and the
kernel's transparent huge page policy.

Usage::

    python benchmarks/bench_pages.py [--runs 3] [--targets thai_nguyen_2025]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

SETTINGS = {"huge pages": "1", "normal pages": "0"}


def _child(cache_dir: Path, preset: str) -> None:
    """One measurement, printed as JSON (numpy's setting comes from the environment)."""
    from covplan.datasets import ensure_demo
    from covplan.io import load_dataset
    from covplan.planning import ScenarioEvaluator
    from covplan.predict import SiteCache, engine
    from covplan.predict.engine import GridMemo
    from covplan.radio import ModelRangeWarning
    from covplan.targets import load_targets

    warnings.simplefilter("ignore", ModelRangeWarning)
    fills: list[float] = []
    fill = engine.empty_grids

    def timed_fill(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        started = time.perf_counter()
        grids = fill(shape)
        fills.append(time.perf_counter() - started)
        return grids

    engine.empty_grids = timed_fill  # type: ignore[assignment]  # timed where the engine calls it
    dataset = load_dataset(ensure_demo("full"))
    evaluator = ScenarioEvaluator(dataset, load_targets(preset),
                                  cache=SiteCache(directory=cache_dir), memo=GridMemo(size=16))
    started = time.perf_counter()
    evaluator.evaluate().analysis.per_operator.get()
    print(json.dumps({"evaluation_s": time.perf_counter() - started,
                      "fill_ms": 1000 * statistics.median(fills), "fills": len(fills)}))


def _measure(cache_dir: Path, preset: str, setting: str) -> dict[str, float]:
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": setting}
    done = subprocess.run([sys.executable, __file__, "--child", str(cache_dir), "--targets",
                           preset], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="measurements of each setting")
    parser.add_argument("--targets", default="thai_nguyen_2025")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.targets)
        return
    policy = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    print(f"transparent huge pages: {policy.read_text().strip() if policy.exists() else 'n/a'}")
    with tempfile.TemporaryDirectory(prefix="covplan-pages-") as tmp:
        cache_dir = Path(tmp)
        _measure(cache_dir, args.targets, "0")  # predicts every site once, into the cache
        results: dict[str, list[dict[str, float]]] = {name: [] for name in SETTINGS}
        for run in range(1, args.runs + 1):
            for name, setting in SETTINGS.items():
                figures = _measure(cache_dir, args.targets, setting)
                results[name].append(figures)
                print(f"run {run} {name:12}: evaluation {figures['evaluation_s']:6.2f} s, "
                      f"two grids filled in {figures['fill_ms']:6.1f} ms (median of "
                      f"{figures['fills']:.0f} fills)")
    medians = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
               for name, runs in results.items()}
    for name, m in medians.items():
        print(f"median {name:12}: evaluation {m['evaluation_s']:6.2f} s, two grids filled "
              f"in {m['fill_ms']:6.1f} ms")
    huge, normal = medians["huge pages"], medians["normal pages"]
    ratio = huge["evaluation_s"] / normal["evaluation_s"]
    fill = huge["fill_ms"] / normal["fill_ms"]
    print(f"normal pages against huge pages: evaluation {ratio:.2f}x faster, grid fill "
          f"{fill:.1f}x faster "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
