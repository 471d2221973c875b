"""Province-scale prediction: the full demo province at 30 m on this machine.

Run: .venv/bin/python benchmarks/bench_province.py [--resolution 30] [--demo DIR]

Generates the synthetic demo province once (``covplan.demo.generate_demo``, size "full",
kept in data/demo-full/, which git ignores), loads it with ``covplan.io.load_dataset`` and
predicts 4G and 5G best-server grids with the default model (``auto``: COST-231 Hata
suburban for 4G, TR 38.901 UMa NLOS for 5G, both with terrain diffraction). Prints the wall
time per technology (JIT warm, empty site cache), peak memory (process max RSS), and the
time to update the 4G grid after adding, moving and removing one site with the cache warm,
by merging every site's window again and by updating the previous grids.

Then the downlink SINR and speed (issue 16): each operator's network predicted with its
SINR (``predict_operators``) from an empty site cache, against the RSRP-only prediction of
every sector together from an empty cache, in the same run (ratio of the medians of
``--repeat`` alternated runs); the same from the site cache the merged prediction filled
(as the evaluator does it); a one-site update of every operator's SINR from the previous
grids; and the peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from covplan._pages import prefer_small_pages
from covplan.grid import GridSpec
from covplan.predict import SiteCache, predict_coverage
from covplan.radio import ModelRangeWarning

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def load(demo: Path):  # type: ignore[no-untyped-def]
    from covplan.demo import generate_demo
    from covplan.io import load_dataset

    if not (demo / "dataset.toml").exists():
        start = time.perf_counter()
        generate_demo(demo, size="full", seed=57)
        print(f"generated the demo province in {time.perf_counter() - start:.1f} s")
    return load_dataset(demo)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelRangeWarning)
        out = fn()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:34} {elapsed:8.2f} s wall {cpu:8.2f} s CPU   peak RSS "
          f"{peak_rss_gib():.2f} GiB   load {os.getloadavg()[0]:.1f}")
    for w in {str(w.message) for w in caught}:
        print(f"    warning: {w[:160]}")
    return out, elapsed


def main() -> int:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resolution", type=float, default=30.0)
    parser.add_argument("--demo", type=Path, default=ROOT / "data" / "demo-full")
    parser.add_argument("--only-sinr", action="store_true",
                        help="only the SINR part (its peak memory in a process of its own)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternated runs of RSRP-only and SINR for the medians")
    args = parser.parse_args()
    ds = load(args.demo)
    sites: gpd.GeoDataFrame = ds.vectors["sites"].copy()
    sites.attrs = {}  # the loader's notes: pandas cannot compare them when concatenating
    grid = GridSpec.from_bounds(tuple(ds.terrain.grid.bounds), args.resolution, ds.crs)
    counts = sites.groupby("technology").agg(sectors=("site_id", "size"),
                                             sites=("site_id", "nunique"))
    print(f"grid {grid.width}x{grid.height} = {grid.width * grid.height / 1e6:.1f} M cells at "
          f"{args.resolution:g} m; terrain {ds.terrain.grid.width}x{ds.terrain.grid.height}")
    print(counts.to_string())
    print(f"after loading: peak RSS {peak_rss_gib():.2f} GiB")
    if args.only_sinr:
        sinr_benchmarks(sites, ds, grid, args.repeat)
        print(f"peak RSS overall {peak_rss_gib():.2f} GiB")
        return 0
    warm = sites[sites.site_id.isin(sites.site_id.unique()[:1])]
    timed("JIT warm-up (one site)", lambda: predict_coverage(
        warm, ds.terrain, grid, technology=str(warm.technology.iloc[0])))
    caches = {t: SiteCache() for t in ("4G", "5G")}
    total = 0.0
    covs = {}
    for tech in ("4G", "5G"):
        covs[tech], elapsed = timed(f"{tech} full prediction", lambda t=tech: predict_coverage(
            sites, ds.terrain, grid, technology=t, cache=caches[t]))
        total += elapsed
        served = np.isfinite(covs[tech].rsrp_dbm.data)
        print(f"    {served.mean():.1%} of cells predicted, median RSRP "
              f"{np.nanmedian(covs[tech].rsrp_dbm.data):.1f} dBm, cache "
              f"{caches[tech].nbytes / 1024**2:.0f} MiB in {len(caches[tech])} sites")
    print(f"{'both technologies':34} {total:8.2f} s")
    update_benchmarks(sites, ds, grid, caches["4G"], covs["4G"])
    sinr_benchmarks(sites, ds, grid, args.repeat)
    print(f"peak RSS overall {peak_rss_gib():.2f} GiB")
    return 0


def update_benchmarks(sites, ds, grid, cache, before) -> None:  # type: ignore[no-untyped-def]
    four = sites[sites.technology == "4G"]
    first = four[four.site_id == four.site_id.iloc[0]]
    centre = Point(np.mean(grid.bounds[0::2]), np.mean(grid.bounds[1::2]))
    new = first.copy()
    new["site_id"] = "NEW-0001"
    new["geometry"] = [centre] * len(new)
    added = pd.concat([sites, new], ignore_index=True)
    cov, _ = timed("update: add one 4G site", lambda: predict_coverage(
        added, ds.terrain, grid, technology="4G", cache=cache))
    lowered = np.nansum(cov.rsrp_dbm.data < before.rsrp_dbm.data)
    print(f"    cells lowered by the new site: {lowered} (must be 0)")
    moved = added.copy()
    moved.loc[moved.site_id == "NEW-0001", "geometry"] = Point(centre.x + 500, centre.y)
    timed("update: move that site 500 m", lambda: predict_coverage(
        moved, ds.terrain, grid, technology="4G", cache=cache))
    timed("update: remove it again", lambda: predict_coverage(
        sites, ds.terrain, grid, technology="4G", cache=cache))
    # the same three edits again, each updating the previous grids (predict(previous=...)),
    # as the app and scenario evaluation do; the grids must equal the full merges above
    grid_now = before
    for label, frame in (("add one 4G site", added), ("move that site 500 m", moved),
                         ("remove it again", sites)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelRangeWarning)  # printed once above
            full = predict_coverage(frame, ds.terrain, grid, technology="4G", cache=cache)
        grid_now, _ = timed(f"  ...from the previous: {label}",
                            lambda f=frame, p=grid_now: predict_coverage(
                                f, ds.terrain, grid, technology="4G", cache=cache, previous=p))
        same = (np.array_equal(full.rsrp_dbm.data, grid_now.rsrp_dbm.data, equal_nan=True)
                and np.array_equal(full.server.data, grid_now.server.data))
        print(f"    identical to the full merge: {same}")


def sinr_benchmarks(sites, ds, grid, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from covplan.predict import predict_network
    from covplan.predict.engine import dl_mbps
    from covplan.predict.operators import predict_operators

    def with_speeds(networks):  # type: ignore[no-untyped-def]
        return {op: {t: dl_mbps(g) for t, g in grids.items()} for op, grids in networks.items()}

    print("\nSINR and speed per operator (issue 16)")
    rsrp_s, sinr_s = [], []
    for k in range(repeat):  # alternated, each from an empty cache
        _, t_rsrp = timed(f"  RSRP only, all sectors (run {k + 1})", lambda: predict_network(
            sites, ds.terrain, grid, cache=SiteCache()))
        _, t_sinr = timed(f"  SINR and speed per operator (run {k + 1})",
                          lambda: with_speeds(predict_operators(sites, ds.terrain, grid,
                                                                cache=SiteCache())))
        rsrp_s.append(t_rsrp)
        sinr_s.append(t_sinr)
    ratio = float(np.median(sinr_s)) / float(np.median(rsrp_s))
    print(f"  median RSRP-only {np.median(rsrp_s):.2f} s, SINR per operator "
          f"{np.median(sinr_s):.2f} s: ratio {ratio:.2f} (budget <= 2)")
    cache = SiteCache()
    predict_network(sites, ds.terrain, grid, cache=cache)
    timed("  SINR per operator, cache warm", lambda: predict_operators(
        sites, ds.terrain, grid, cache=cache))
    from covplan.predict import GridMemo

    memo = GridMemo(size=32)
    predict_operators(sites, ds.terrain, grid, cache=cache, memo=memo)
    four = sites[sites.technology == "4G"]
    first = four[four.site_id == four.site_id.iloc[0]]
    new = first.copy()
    new["site_id"] = "NEW-0001"
    new["geometry"] = [Point(np.mean(grid.bounds[0::2]), np.mean(grid.bounds[1::2]))] * len(new)
    added = pd.concat([sites, new], ignore_index=True)
    updated, t_update = timed("  one-site update, every operator's SINR", lambda: predict_operators(
        added, ds.terrain, grid, cache=cache, memo=memo))
    full = predict_operators(added, ds.terrain, grid, cache=cache)
    same = all(np.array_equal(updated[op][t].sinr_db.data, full[op][t].sinr_db.data,
                              equal_nan=True) for op in full for t in full[op])
    print(f"    identical to a full pass: {same}; update {t_update:.2f} s (budget <= 1 s)")
    for op, grids in full.items():
        for tech, g in grids.items():
            speed = dl_mbps(g).data
            print(f"    {op:10} {tech}: median SINR {np.nanmedian(g.sinr_db.data):5.1f} dB, "
                  f"median speed {np.nanmedian(speed):6.1f} Mb/s over "
                  f"{np.isfinite(speed).mean():.1%} of cells")


if __name__ == "__main__":
    raise SystemExit(main())
