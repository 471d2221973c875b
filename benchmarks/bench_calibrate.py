"""Benchmark: calibration of the full demo province to 100,000 measurement points.

Writes a measurement CSV of ``--points`` points along the demo's roads (not timed): the
uncalibrated engine's best server at each point, plus a known offset and slope and 6 dB of
noise, with no serving cell named, so every point is attributed to its predicted best
server. Then times what ``covplan calibrate`` does after loading the dataset: reading the
file, predicting every point (the links from its ten nearest sites), the robust fit and the
5-fold blocked cross-validation. Target: <= 30 s for 100,000 points.

    .venv/bin/python benchmarks/bench_calibrate.py                  # full demo, 100k points
    .venv/bin/python benchmarks/bench_calibrate.py --points 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from covplan._pages import prefer_small_pages
from covplan.calibration.calibrate import calibrate
from covplan.calibration.measurements import read_measurements
from covplan.datasets import ensure_demo
from covplan.io import Dataset, load_dataset
from covplan.predict.points import predict_points
from covplan.radio import refresh_kernel_cache

OFFSET_DB, SLOPE_DB = 5.0, -6.0


def _measurements(dataset: Dataset, points: int, path: Path) -> None:
    if dataset.roads is None or dataset.sites is None:
        raise SystemExit(f"{dataset.name} has no roads or sites to measure along")
    lines = list(dataset.roads.geometry)
    total = sum(line.length for line in lines)
    step = total / (1.6 * points)  # more than needed: weak points are dropped below
    xy = np.array([(p.x, p.y) for line in lines
                   for p in line.interpolate(np.arange(step / 2, line.length, step))])
    grid = dataset.grid(30.0)
    rng = np.random.default_rng(0)
    tech = np.where(rng.random(len(xy)) < 0.7, "4G", "5G")
    rsrp = np.full(len(xy), np.nan)
    served = np.zeros(len(xy), dtype=bool)
    for t in ("4G", "5G"):
        use = tech == t
        p = predict_points(dataset.sites, dataset.terrain, grid, xy[use, 0], xy[use, 1],
                           technology=t, environment=dataset.environment(calibrated=False))
        d = np.maximum(p.distance_m, 50.0)
        served[use] = p.best_rsrp_dbm > -120.0  # well above what a phone still reports
        rsrp[use] = (p.best_rsrp_dbm + OFFSET_DB + SLOPE_DB * np.log10(d / 1000.0)
                     + rng.normal(0.0, 6.0, use.sum()))
    lon, lat = Transformer.from_crs(dataset.crs, 4326, always_xy=True).transform(xy[:, 0],
                                                                                xy[:, 1])
    keep = served & (rsrp > -139.0) & (rsrp < -45.0)  # what a phone reports
    frame = pd.DataFrame({"lon": np.round(lon, 6), "lat": np.round(lat, 6),
                          "rsrp_dbm": np.round(rsrp, 1), "technology": tech})[keep]
    frame.head(points).to_csv(path, index=False)


def main() -> None:
    """Run the benchmark and print a JSON summary."""
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "full"], default="full")
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    refresh_kernel_cache()
    dataset = load_dataset(ensure_demo(args.size))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "measurements.csv"
        _measurements(dataset, args.points, path)
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = read_measurements(path)
            read = time.perf_counter() - started
            result = calibrate(dataset, found)
            total = time.perf_counter() - started
            runs.append({"read_s": read, "prediction_s": result.prediction_seconds,
                         "fit_and_cv_s": result.seconds, "total_s": total})
    corrections = {t: {"offset_db": round(c.offset_db, 2),
                       "slope_db_per_decade": round(c.slope_db_per_decade, 2),
                       "rmse_before_db": round(c.before.rmse_db, 2) if c.before else None,
                       "rmse_after_cv_db": round(c.after.rmse_db, 2) if c.after else None}
                   for t, c in result.calibration.corrections.items()}
    print(json.dumps({
        "points": len(found.frame), "size": args.size,
        "median": {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]},
        "runs": [{k: round(v, 2) for k, v in r.items()} for r in runs],
        "injected": {"offset_db": OFFSET_DB, "slope_db_per_decade": SLOPE_DB},
        "corrections": corrections, "target_s": 30.0,
    }, indent=2))


if __name__ == "__main__":
    main()
