"""covplan beside SPLAT! 1.4.2 (Longley-Rice ITM, -olditm) on the real Thai Nguyen SRTM tile.

Run: .venv/bin/python benchmarks/bench_splat.py [--runs 3] [--models itm terrain]
     [--sites daitu tncity ...]

Same terrain (voids filled once, int16, both tools), eight sites spread over the tile
(:data:`SITES`: plains, the city, hills, the Tam Dao range, the north-west highlands; 30 m
masts at the original three, 35 m at the others), 1800 MHz, receivers at 1.5 m, an omni
antenna. Each site runs at 10 and 20 km with ERP 1 W and at 15 km with ERP 200 W (the
configuration of the independent checks in issue 20); both tools report received power in
dBm (EIRP = ERP + 2.14 dB, SPLAT!'s own step), so the ERP does not change Δ. covplan runs on a
3″ (SPLAT!) / 90 m UTM (covplan) grid, model="itm" (its own Longley-Rice ITM 1.2.2, the
like-for-like comparison) and model="terrain" (free space + Bullington diffraction, no
ground reflection: not like-for-like, shown for its speed); neither has clutter loss.

Terrain for covplan, two ways (``--terrain``): ``engine`` gives the engine the geographic tile
and lets it reproject (nearest SRTM post, :mod:`covplan.predict._terrain`); ``loader``
first warps the tile to UTM 90 m to the nearest post, as ``covplan.io.terrain.
load_terrain`` prepares a dataset's terrain (it warped bilinearly before: a blend lowers
every peak and ridge between the SRTM posts, and ITM reads its horizons and Δh from them).

Where Δ is read: SPLAT! writes at step y of a ray the loss of the profile to step y − 1
(``PlotLRPath``), so each .ano value belongs one SPLAT! step (86–93 m) nearer the site than
the point it is written at (:func:`_splat.evaluated_points`). Agreement is given at the
point SPLAT! evaluated ("evaluated") and, as before, at the point it wrote ("written").

Throughput = predicted pixels within the radius / wall time of one single-site run, median of
``--runs`` runs; also per CPU-second (SPLAT! is single-threaded, covplan uses both cores), a
figure that a busy machine disturbs less than wall time. SPLAT!'s time includes reading its
SDF and writing its map (it cannot skip those); covplan's excludes loading the terrain (done
once per dataset, timed and printed separately) and is measured with the JIT warm and an
empty site cache. SPLAT! and covplan runs of one site alternate, so both see the same load.
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
    evaluated_points,
    missing_requirements,
    prepare_terrain,
    read_ano,
    run_splat,
    to_utm,
    write_site,
)

from covplan._pages import prefer_small_pages
from covplan.grid import GridSpec, Raster
from covplan.predict import SiteCache, predict_coverage

SITES = (Site("daitu", 21.63, 105.64, 30.0),       # hills north-west of the city
         Site("phoyen", 21.42, 105.78, 30.0),      # Song Cau plain in the south
         Site("tamdao", 21.55, 105.55, 30.0),      # foot of the Tam Dao range
         Site("tncity", 21.59, 105.80, 35.0),      # Thai Nguyen city
         Site("tamdaoridge", 21.47, 105.64, 35.0),  # on the Tam Dao ridge, 870 m
         Site("nwhigh", 21.80, 105.55, 35.0),      # north-west highlands
         Site("phuluong", 21.75, 105.75, 35.0),    # hills north of the city
         Site("vinhplain", 21.30, 105.50, 35.0))   # Vinh Phuc plain, south-west
#: (radius km, ERP W) of each run of a site
CONFIGS = ((10.0, 1.0), (20.0, 1.0), (15.0, 200.0))
FREQ_MHZ, RX_M, RES_M = 1800.0, 1.5, 90.0
TO_UTM = Transformer.from_crs(4326, 32648, always_xy=True)
EIRP_DBM = 10 * np.log10(1.0 * 1000.0) + 2.14  #: ERP 1 W (tests read this)


def eirp_dbm(erp_w: float) -> float:
    """SPLAT!'s EIRP of an ERP (dBm): ERP + 2.14 dB."""
    return float(10 * np.log10(erp_w * 1000.0) + 2.14)


def site_frame(site: Site, erp_w: float = 1.0) -> gpd.GeoDataFrame:
    x, y = TO_UTM.transform(site.lon, site.lat)
    row = {"site_id": site.name, "sector": 1, "technology": "4G", "operator": "bench",
           "status": "existing", "frequency_mhz": FREQ_MHZ, "bandwidth_mhz": 20.0,
           "height_m": site.height_m, "azimuth_deg": np.nan, "tilt_deg": 0.0,
           "beamwidth_deg": np.nan, "vertical_beamwidth_deg": 0.0,
           "tx_power_dbm": eirp_dbm(erp_w) + 10 * np.log10(12 * 100), "antenna_gain_dbi": 0.0,
           "cable_loss_db": 0.0, "geometry": Point(x, y)}
    return gpd.GeoDataFrame([row], crs=32648)


def run_covplan(site: Site, dem: Raster, radius_m: float, runs: int, model: str,
                erp_w: float = 1.0) -> tuple[float, float, Raster]:
    """(median wall s, median CPU s, RSRP) of ``runs`` single-site predictions."""
    sites = site_frame(site, erp_w)
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


def agreement(ano: Path, rsrp: Raster, site: Site) -> dict[str, np.ndarray]:
    """Δ = covplan − SPLAT! (dBm) at every .ano point, read where SPLAT! evaluated it and
    where it wrote it, and SPLAT!'s obstruction flag."""
    lat, lon, splat_dbm, obstructed = read_ano(ano)
    out = {"obstructed": obstructed}
    for label, (la, lo) in (("evaluated", evaluated_points(site, lat, lon)),
                            ("written", (lat, lon))):
        x, y = TO_UTM.transform(lo, la)
        out[label] = rsrp.sample(np.asarray(x), np.asarray(y)) - splat_dbm
    return out


def figures(delta: np.ndarray) -> tuple[float, float, float]:
    """Median |Δ|, P90 |Δ| and bias (mean Δ) over the finite values."""
    d = delta[np.isfinite(delta)]
    return (float(np.median(np.abs(d))), float(np.percentile(np.abs(d), 90)),
            float(np.mean(d)))


class Table:
    """One covplan variant (model, terrain) against SPLAT!: rows, pooled Δ, ratios."""

    def __init__(self, model: str, terrain: str) -> None:
        self.model, self.terrain = model, terrain
        self.rows: list[str] = []
        self.pooled: dict[str, list[np.ndarray]] = {"evaluated": [], "written": []}
        self.ratios: list[float] = []
        self.cpu_ratios: list[float] = []
        self.sites: dict[str, dict[str, list[np.ndarray]]] = {}

    def add(self, site: Site, radius: float, erp_w: float, splat: tuple[float, float, Path],
            cov: tuple[float, float, Raster]) -> None:
        splat_s, splat_cpu, ano = splat
        cov_s, cov_cpu, rsrp = cov
        cov_px = int(np.isfinite(rsrp.data).sum())
        result = agreement(ano, rsrp, site)
        splat_px = result["obstructed"].size
        ratio = (cov_px / cov_s) / (splat_px / splat_s)
        cpu_ratio = (cov_px / cov_cpu) / (splat_px / splat_cpu)
        self.ratios.append(ratio)
        self.cpu_ratios.append(cpu_ratio)
        for key in self.pooled:
            self.pooled[key].append(result[key])
            self.sites.setdefault(site.name, {"evaluated": [], "written": []})[key].append(
                result[key])
        ev, wr = result["evaluated"], result["written"]
        obst = result["obstructed"]
        med, p90, bias = figures(ev)
        self.rows.append(
            f"{site.name:11} {radius:4g} {erp_w:5g} | {splat_s:7.3f} {splat_px:7d} "
            f"{splat_px / splat_s:8.0f} | {cov_s:8.4f} {cov_px:7d} {cov_px / cov_s:9.0f} | "
            f"{ratio:6.1f} {cpu_ratio:6.1f} | {med:6.2f} {p90:6.2f} {bias:+6.2f} | "
            f"{figures(wr)[0]:6.2f} {figures(wr)[2]:+6.2f} | {100 * (~obst).mean():5.1f} "
            f"{figures(ev[~obst])[0]:7.2f} {figures(ev[obst])[0]:8.2f}")

    def print(self) -> None:
        print(f"\ncovplan model={self.model!r}, terrain={self.terrain!r} vs SPLAT! ITM "
              "(Δ = covplan − SPLAT!, dB; + = covplan optimistic)")
        print(f"{'site':11} {'R km':>4} {'ERP W':>5} | {'SPLAT s':>7} {'px':>7} {'px/s':>8} | "
              f"{'covplan s':>8} {'px':>7} {'px/s':>9} | {'ratio':>6} {'CPU':>6} | "
              f"{'med|Δ|':>6} {'P90':>6} {'bias':>6} | {'written':>6} {'bias':>6} | "
              f"{'LOS%':>5} {'med LOS':>7} {'med NLOS':>8}")
        print("\n".join(self.rows))
        print("per site (evaluated point, all radii): " + "; ".join(
            f"{name} {figures(np.concatenate(d['evaluated']))[0]:.2f} / "
            f"{figures(np.concatenate(d['evaluated']))[2]:+.2f}"
            for name, d in self.sites.items()) + "  (median |Δ| / bias, dB)")
        for key, arrays in self.pooled.items():
            delta = np.concatenate(arrays)
            med, p90, bias = figures(delta)
            print(f"pooled at the {key} point ({self.model}, {self.terrain}): "
                  f"{int(np.isfinite(delta).sum())} common points; median |Δ| {med:.2f} dB, "
                  f"P90 |Δ| {p90:.2f} dB, bias (mean Δ) {bias:+.2f} dB, median Δ "
                  f"{np.nanmedian(delta):+.2f} dB")
        print(f"throughput ratio covplan/SPLAT! ({self.model}): median "
              f"{statistics.median(self.ratios):.1f}x (min {min(self.ratios):.1f}x, max "
              f"{max(self.ratios):.1f}x over {len(self.ratios)} runs); per CPU-second "
              f"(covplan's two threads counted): median {statistics.median(self.cpu_ratios):.1f}x")


def main() -> int:
    prefer_small_pages()  # numpy's memory pages as the CLI and the app choose them
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=["itm", "terrain"],
                        help="covplan models to compare (default: itm terrain)")
    parser.add_argument("--terrain", nargs="+", default=["engine", "loader"],
                        choices=["engine", "loader"],
                        help="how covplan gets the tile (module doc); the first is used for "
                        "models other than itm")
    parser.add_argument("--sites", nargs="+", default=[s.name for s in SITES],
                        choices=[s.name for s in SITES])
    args = parser.parse_args()
    reason = missing_requirements()
    if reason:
        print(f"SKIP: {reason}")
        return 0
    sites = [s for s in SITES if s.name in args.sites]
    with tempfile.TemporaryDirectory(prefix="covplan-splat-") as tmp:
        work = Path(tmp)
        dem_geo, sdf_dir = prepare_terrain(work)
        start = time.perf_counter()
        dems = {"engine": dem_geo, "loader": to_utm(dem_geo, RES_M)}
        load_s = time.perf_counter() - start
        print(f"terrain: {dem_geo.grid.width}x{dem_geo.grid.height} SRTM3, voids filled; "
              f"nearest-post warp to UTM {RES_M:g} m ('loader'): {load_s:.2f} s (once per dataset)")
        variants = [(m, t) for m in args.models
                    for t in (args.terrain if m == "itm" else args.terrain[:1])]
        tables = {v: Table(*v) for v in variants}
        for site in sites:
            for radius, erp_w in CONFIGS:
                run_dir = work / f"{site.name}_{erp_w:g}"
                if not run_dir.exists():
                    run_dir.mkdir()
                    write_site(run_dir, site, FREQ_MHZ, erp_w)
                ano = run_dir / f"{site.name}_{radius:g}.ano"
                runs = [run_splat(run_dir, site, radius, RX_M, sdf_dir, ano)
                        for _ in range(args.runs)]
                splat = (statistics.median(r[0] for r in runs),
                         statistics.median(r[1] for r in runs), ano)
                for model, terrain in variants:
                    cov = run_covplan(site, dems[terrain], radius * 1000.0, args.runs, model,
                                      erp_w)
                    tables[(model, terrain)].add(site, radius, erp_w, splat, cov)
        for table in tables.values():
            table.print()
    print(f"machine load average at the end of the run: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
