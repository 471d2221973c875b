"""Record SPLAT! 1.4.2's Longley-Rice ITM path loss on the real tile for the default test suite.

Run once where SPLAT! is installed (``apt-get install splat``), then commit the CSV:

    .venv/bin/python benchmarks/record_splat.py [--out tests/data/splat_itm_n21e105.csv]

SPLAT! (``-olditm``, ERP 0 so that its .ano file holds path loss in dB) runs for the eight
sites of ``bench_splat.py`` (plains, city, hills, mountains; each with its own mast height) at
1800 MHz, receivers at 1.5 m, out to ``--radius-km``, on the tile as both
tools see it (``_splat.filled_tile``; the SDF srtm2sdf writes is checked to hold exactly those
heights). A deterministic random subsample of each site's .ano points is written with a header
that records how (commands, parameters, version, date, sample). ``tests/radio/
test_splat_recorded.py`` compares covplan with it; the tile itself is never copied.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from covplan.grid import Raster

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _splat import (
    ROOT,
    TILE,
    Site,
    missing_requirements,
    prepare_terrain,
    profile_losses,
    read_ano,
    splat_command,
    splat_profile,
    write_site,
)
from bench_splat import SITES

FREQ_MHZ, RX_M = 1800.0, 1.5
OUT = ROOT / "tests" / "data" / "splat_itm_n21e105.csv"


def read_sdf(path: Path) -> np.ndarray:
    """Heights of a 3″ SDF as a 1201 × 1201 tile (north row first); the north row and east
    column, which an SDF omits, are -32768."""
    values = np.array(path.read_text().split()[4:], dtype=np.int64)
    tile = np.full((1201, 1201), -32768, np.int64)
    tile[1:, :1200] = values.reshape(1200, 1200)[::-1, ::-1]
    return tile


def draw(site: Site, dem: Raster, lat: np.ndarray, lon: np.ndarray, count: int,
         rng: np.random.Generator) -> np.ndarray:
    """``count`` .ano indices in random order whose profile has at least three samples."""
    picked: list[int] = []
    for k in rng.permutation(lat.size):
        if splat_profile(dem, site, lat[k], lon[k]).distance_m.size >= 3:
            picked.append(int(k))
            if len(picked) == count:
                break
    return np.sort(np.array(picked))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--radius-km", type=float, default=9.0)
    parser.add_argument("--points", type=int, default=500, help="points per site")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    reason = missing_requirements()
    if reason:
        print(f"cannot record: {reason}", file=sys.stderr)
        return 1
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "splat"],
                             capture_output=True, text=True).stdout.strip() or "unknown"
    tile_sha = hashlib.sha256(TILE.read_bytes()).hexdigest()
    rows: list[str] = []
    commands: list[str] = []
    banner = ""
    summary: list[str] = []
    qth: list[str] = []
    lrp: list[str] = []
    with tempfile.TemporaryDirectory(prefix="covplan-splat-record-") as tmp:
        work = Path(tmp)
        dem, sdf_dir = prepare_terrain(work)
        sdf = read_sdf(next(sdf_dir.glob("*.sdf")))
        inside = sdf != -32768
        if not np.array_equal(sdf[inside], dem.data.astype(np.int64)[inside]):
            print("SPLAT!'s SDF differs from _splat.filled_tile: the recording would not "
                  "compare like with like", file=sys.stderr)
            return 1
        rng = np.random.default_rng(args.seed)
        for site in SITES:
            run_dir = work / site.name
            run_dir.mkdir()
            write_site(run_dir, site, FREQ_MHZ, 0.0)  # ERP 0: the .ano holds path loss (dB)
            qth = qth or (run_dir / f"{site.name}.qth").read_text().splitlines()
            lrp = lrp or (run_dir / f"{site.name}.lrp").read_text().split()
            ano = Path(f"{site.name}_{args.radius_km:g}.ano")
            cmd = splat_command(site, args.radius_km, RX_M, Path("..") / sdf_dir.name, ano)
            done = subprocess.run(cmd, cwd=run_dir, check=True, capture_output=True,
                                  text=True)
            banner = banner or next((line.strip() for line in done.stdout.splitlines()
                                     if "SPLAT!" in line), "")
            commands.append(" ".join(cmd))
            lat, lon, loss, obstructed = read_ano(run_dir / ano)
            pick = draw(site, dem, lat, lon, args.points, rng)
            profiles = [splat_profile(dem, site, lat[k], lon[k]) for k in pick]
            delta = loss[pick] - profile_losses(profiles, site.height_m, RX_M, FREQ_MHZ)
            summary.append(f"{site.name}: {lat.size} .ano points, {pick.size} kept, median "
                           f"|Δ| {np.median(np.abs(delta)):.4f} dB, max |Δ| "
                           f"{np.max(np.abs(delta)):.2f} dB")
            rows += [f"{site.name},{lat[k]:.7f},{lon[k]:.7f},{loss[k]:.2f},{int(obstructed[k])}"
                     for k in pick]
    header = [
        f"SPLAT! {version} (Debian package splat; banner: {banner}),",
        "Longley-Rice ITM 1.2.2 (-olditm); the .lrp's ERP is 0, so the .ano holds path loss",
        "in dB, not dBm.",
        f"Recorded {datetime.date.today().isoformat()} by .venv/bin/python "
        "benchmarks/record_splat.py",
        f"  --radius-km {args.radius_km:g} --points {args.points} --seed {args.seed}",
        "(re-record with the same command where SPLAT! is installed).",
        f"Terrain: ../shared/realdata/thai_nguyen/{TILE.name} (SRTM-3,",
        f"  sha256 {tile_sha}),",
        "as benchmarks/_splat.py::filled_tile gives it: voids filled with",
        "covplan.io.terrain.fill_voids, rounded to whole metres, heights below 0 m replaced",
        "as srtm2sdf replaces them; written as a new .hgt and converted in <work>/sdf with",
        f"  srtm2sdf -d /dev/null {TILE.name}",
        "The resulting SDF was checked to hold exactly those heights.",
        "Each site runs in <work>/<site> with <site>.qth (name, lat, lon: west, or east as",
        "negative, height), e.g. " + " | ".join(qth[:4]) + ", and <site>.lrp:",
        "  " + " ".join(lrp),
        "(permittivity, conductivity S/m, refractivity N-units, MHz, climate 1 equatorial,",
        "polarisation 1 vertical, location and time fractions, ERP W):",
        *(f"  {c}" for c in commands),
        f"Sample: one numpy.random.default_rng({args.seed}) permutes each site's .ano lines "
        "in turn",
        f"(sites in the order above); the first {args.points} whose SPLAT! profile has at "
        "least 3",
        "samples are kept (covplan's profile function needs 3), written in .ano order.",
        "Columns: site; lat (°N) and lon (°E = 360 − SPLAT!'s °W) as SPLAT! wrote them (7",
        "decimals); loss_db as SPLAT! wrote it; obstructed = SPLAT!'s '*' (first obstruction",
        "found on the path). SPLAT! writes at step y of a ray the loss over the profile to",
        "step y − 1: benchmarks/_splat.py::splat_profile rebuilds that profile.",
        "At recording, covplan's profile function on those profiles − SPLAT!:",
        *(f"  {line}" for line in summary),
        "Machine-readable (tests/radio/test_splat_recorded.py reads these):",
        f"frequency_mhz={FREQ_MHZ:g} rx_height_m={RX_M:g} radius_km={args.radius_km:g}",
        f"tile={TILE.name} sha256={tile_sha}",
        *(f"site {s.name} lat={s.lat:.6f} lon={s.lon:.6f} height_m={s.height_m:g}"
          for s in SITES),
    ]
    text = "".join(f"# {line}\n" for line in header)
    text += "site,lat,lon,loss_db,obstructed\n" + "\n".join(rows) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print("\n".join(summary))
    print(f"wrote {args.out} ({len(rows)} points, {args.out.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
