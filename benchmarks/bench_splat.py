"""covplan beside SPLAT! 1.4.2 (Longley-Rice ITM, -olditm) on the real Thai Nguyen SRTM tile.

Run: .venv/bin/python benchmarks/bench_splat.py [--runs 3] [--models itm terrain]

Same terrain (voids filled once, int16, both tools), same sites (30 m masts), 1800 MHz,
receivers at 1.5 m, an isotropic/omni antenna with ERP 1 W (EIRP 32.14 dBm, SPLAT!'s own
ERP→EIRP step) so both tools report received power in dBm; radius 10 and 20 km on a 3″
(SPLAT!) / 90 m UTM (covplan) grid. covplan runs model="itm" (its own Longley-Rice ITM
1.2.2, the like-for-like comparison) and model="terrain" (free space + Bullington
diffraction, its fastest terrain model); neither has clutter loss, like ITM.

Throughput = predicted pixels within the radius / wall time of one single-site run, median of
``--runs`` runs; also per CPU-second (SPLAT! is single-threaded, covplan uses both cores), a
figure that a busy machine disturbs less than wall time. SPLAT!'s time includes reading its
SDF and writing its map (it cannot skip those); covplan's excludes loading the terrain (done
once per dataset, timed and printed separately) and is measured with the JIT warm and an
empty site cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from shapely.geometry import Point

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _splat import (
    Site,
    missing_requirements,
    prepare_terrain,
    read_ano,
    run_splat,
    to_utm,
    write_site,
)

from covplan.grid import GridSpec, Raster
from covplan.predict import SiteCache, predict_coverage

SITES = (Site("daitu", 21.63, 105.64, 30.0),      # hills north-west of the city
         Site("phoyen", 21.42, 105.78, 30.0),     # Song Cau plain in the south
         Site("tamdao", 21.55, 105.55, 30.0))     # foot of the Tam Dao range
FREQ_MHZ, RX_M, ERP_W, RES_M = 1800.0, 1.5, 1.0, 90.0
EIRP_DBM = 10 * np.log10(ERP_W * 1000.0) + 2.14
TO_UTM = Transformer.from_crs(4326, 32648, always_xy=True)


def site_frame(site: Site) -> gpd.GeoDataFrame:
    x, y = TO_UTM.transform(site.lon, site.lat)
    row = {"site_id": site.name, "sector": 1, "technology": "4G", "operator": "bench",
           "status": "existing", "frequency_mhz": FREQ_MHZ, "bandwidth_mhz": 20.0,
           "height_m": site.height_m, "azimuth_deg": np.nan, "tilt_deg": 0.0,
           "beamwidth_deg": np.nan, "vertical_beamwidth_deg": 0.0,
           "tx_power_dbm": EIRP_DBM + 10 * np.log10(12 * 100), "antenna_gain_dbi": 0.0,
           "cable_loss_db": 0.0, "geometry": Point(x, y)}
    return gpd.GeoDataFrame([row], crs=32648)


def run_covplan(site: Site, dem: Raster, radius_m: float, runs: int, model: str
                ) -> tuple[float, float, Raster]:
    sites = site_frame(site)
    x, y = sites.geometry.iloc[0].x, sites.geometry.iloc[0].y
    grid = GridSpec.from_bounds((x - radius_m, y - radius_m, x + radius_m, y + radius_m),
                                RES_M, 32648)

    def once() -> Raster:
        return predict_coverage(sites, dem, grid, technology="4G", model=model,
                                threshold_dbm=-1e6, margin_db=0.0, max_radius_m=radius_m,
                                rx_height_m=RX_M, cache=SiteCache()).rsrp_dbm

    once()  # JIT and terrain preparation warm
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        out = once()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(cpus), out


def agreement(ano: Path, rsrp: Raster) -> tuple[dict[str, float], np.ndarray]:
    lat, lon, splat_dbm, obstructed = read_ano(ano)
    x, y = TO_UTM.transform(lon, lat)
    ours = rsrp.sample(np.asarray(x), np.asarray(y))
    ok = np.isfinite(ours)
    delta = ours[ok] - splat_dbm[ok]
    los = ~obstructed[ok]
    return {"points": float(ok.sum()), "splat_points": float(lat.size),
            "median_abs": float(np.median(np.abs(delta))),
            "p90_abs": float(np.percentile(np.abs(delta), 90)),
            "bias": float(np.mean(delta)), "median_delta": float(np.median(delta)),
            "los_share": float(los.mean()),
            "median_abs_los": float(np.median(np.abs(delta[los]))) if los.any() else np.nan,
            "median_abs_nlos": float(np.median(np.abs(delta[~los]))) if (~los).any() else np.nan
            }, delta


def compare_model(model: str,
                  splat_runs: dict[tuple[str, float], tuple[float, float, Path]],
                  dem: Raster, runs: int) -> None:
    print(f"\ncovplan model={model!r} vs SPLAT! ITM")
    print(f"{'site':8} {'R km':>5} | {'SPLAT s':>8} {'px':>7} {'px/s':>9} | "
          f"{'covplan s':>9} {'px':>7} {'px/s':>10} | {'ratio':>6} | "
          f"{'med|Δ|':>6} {'P90|Δ|':>6} {'bias':>6} {'LOS%':>5} {'med LOS':>7} {'med NLOS':>8}"
          f" | {'CPU ratio':>9}")
    pooled: list[np.ndarray] = []
    ratios, cpu_ratios = [], []
    for site in SITES:
        for (name, radius), (splat_s, splat_cpu, ano) in splat_runs.items():
            if name != site.name:
                continue
            cov_s, cov_cpu, rsrp = run_covplan(site, dem, radius * 1000.0, runs, model)
            cov_px = int(np.isfinite(rsrp.data).sum())
            stats, delta = agreement(ano, rsrp)
            splat_px = int(stats["splat_points"])
            ratio = (cov_px / cov_s) / (splat_px / splat_s)
            cpu_ratio = (cov_px / cov_cpu) / (splat_px / splat_cpu)
            ratios.append(ratio)
            cpu_ratios.append(cpu_ratio)
            pooled.append(delta)
            print(f"{site.name:8} {radius:5g} | {splat_s:8.3f} {splat_px:7d} "
                  f"{splat_px / splat_s:9.0f} | {cov_s:9.4f} {cov_px:7d} "
                  f"{cov_px / cov_s:10.0f} | {ratio:6.1f} | {stats['median_abs']:6.2f} "
                  f"{stats['p90_abs']:6.2f} {stats['bias']:+6.2f} "
                  f"{100 * stats['los_share']:5.1f} {stats['median_abs_los']:7.2f} "
                  f"{stats['median_abs_nlos']:8.2f} | {cpu_ratio:9.1f}")
    delta = np.concatenate(pooled)
    print(f"pooled ({model}): {delta.size} common points; median |Δ| "
          f"{np.median(np.abs(delta)):.2f} dB, P90 |Δ| {np.percentile(np.abs(delta), 90):.2f} dB, "
          f"bias (mean Δ = covplan − SPLAT!) {delta.mean():+.2f} dB, median Δ "
          f"{np.median(delta):+.2f} dB")
    print(f"throughput ratio covplan/SPLAT! ({model}): median {statistics.median(ratios):.1f}x "
          f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x); per CPU-second (covplan's two "
          f"threads counted): median {statistics.median(cpu_ratios):.1f}x")
    print(f"machine load average during the run: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--radii", type=float, nargs="+", default=[10.0, 20.0])
    parser.add_argument("--models", nargs="+", default=["itm", "terrain"],
                        help="covplan models to compare (default: itm terrain)")
    args = parser.parse_args()
    reason = missing_requirements()
    if reason:
        print(f"SKIP: {reason}")
        return 0
    with tempfile.TemporaryDirectory(prefix="covplan-splat-") as tmp:
        work = Path(tmp)
        dem_geo, sdf_dir = prepare_terrain(work)
        start = time.perf_counter()
        dem = to_utm(dem_geo, RES_M)
        load_s = time.perf_counter() - start
        print(f"terrain: {dem_geo.grid.width}x{dem_geo.grid.height} SRTM3, voids filled; "
              f"covplan reprojection to UTM {RES_M:g} m: {load_s:.2f} s (once per dataset)")
        splat_runs: dict[tuple[str, float], tuple[float, float, Path]] = {}
        for site in SITES:
            run_dir = work / site.name
            run_dir.mkdir()
            write_site(run_dir, site, FREQ_MHZ, ERP_W)
            for radius in args.radii:
                ano = run_dir / f"{site.name}_{radius:g}.ano"
                runs = [run_splat(run_dir, site, radius, RX_M, sdf_dir, ano)
                        for _ in range(args.runs)]
                splat_runs[(site.name, radius)] = (statistics.median(r[0] for r in runs),
                                                   statistics.median(r[1] for r in runs), ano)
        for model in args.models:
            compare_model(model, splat_runs, dem, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
