"""Helpers for running SPLAT! 1.4.2 beside covplan on the same SRTM tile.

Both tools get the same terrain: the real tile's voids are filled once with
``covplan.io.terrain.fill_voids`` and rounded to int16; SPLAT! reads that array as a new .hgt
converted with ``srtm2sdf -d /dev/null`` (no USGS fill), covplan reads the same array.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from affine import Affine

from covplan.grid import GridSpec, Raster
from covplan.io.terrain import fill_voids, read_hgt

ROOT = Path(__file__).resolve().parents[1]
TILE = ROOT.parent / "shared" / "realdata" / "thai_nguyen" / "N21E105.hgt"


@dataclass(frozen=True)
class Site:
    name: str
    lat: float
    lon: float
    height_m: float


def missing_requirements() -> str | None:
    """Why the benchmark cannot run here, or None."""
    if not TILE.exists():
        return f"real SRTM tile not found at {TILE} (../shared/realdata is absent)"
    for tool in ("splat", "srtm2sdf"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (apt-get install splat)"
    return None


def prepare_terrain(workdir: Path) -> tuple[Raster, Path]:
    """Fill the tile's voids; write the filled .hgt and its SDF; return (DEM raster, sdf dir)."""
    dem, transform, crs = read_hgt([TILE])
    filled, _ = fill_voids(dem, -32768)
    heights = np.round(filled).astype(np.int16)
    sdf_dir = workdir / "sdf"
    sdf_dir.mkdir(parents=True, exist_ok=True)
    heights.astype(">i2").tofile(sdf_dir / TILE.name)
    subprocess.run(["srtm2sdf", "-d", "/dev/null", TILE.name], cwd=sdf_dir, check=True,
                   capture_output=True)
    grid = GridSpec(crs.to_wkt(), Affine(*transform[:6]), dem.shape[1], dem.shape[0])
    notes = ("voids filled (GDAL FillNodata)",)
    return Raster(heights.astype(np.float32), grid, "m", notes), sdf_dir


def write_site(run_dir: Path, site: Site, frequency_mhz: float, erp_w: float) -> None:
    """The .qth and .lrp of one transmitter (ITM parameters: median time and location)."""
    (run_dir / f"{site.name}.qth").write_text(
        f"{site.name}\n{site.lat:.6f}\n{-site.lon:.6f}\n{site.height_m:g} meters\n")
    (run_dir / f"{site.name}.lrp").write_text(
        "15.000\n0.005\n301.000\n"
        f"{frequency_mhz:.3f}\n1\n1\n0.50\n0.50\n{erp_w:.3f}\n")


def run_splat(run_dir: Path, site: Site, radius_km: float, rx_height_m: float, sdf_dir: Path,
              ano: Path) -> tuple[float, float]:
    """Run SPLAT! (ITM, -olditm) for one site; return (wall, CPU) seconds."""
    cmd = ["splat", "-t", site.name, "-L", f"{rx_height_m:g}", "-metric", "-R",
           f"{radius_km:g}", "-d", str(sdf_dir), "-olditm", "-dbm", "-N", "-ano", str(ano),
           "-o", f"{site.name}_{radius_km:g}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=run_dir, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def read_ano(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon east, dBm, obstructed) of every point in a SPLAT! .ano file."""
    lat, lon, dbm, obst = [], [], [], []
    with path.open(encoding="latin-1") as fh:
        for line in fh:
            if ";" in line:
                continue
            parts = line.replace("*", "").split(",")
            if len(parts) < 5:
                continue
            lat.append(float(parts[0]))
            west = float(parts[1])
            lon.append(360.0 - west if west > 180.0 else -west)
            dbm.append(float(parts[4]))
            obst.append("*" in line)
    return np.array(lat), np.array(lon), np.array(dbm), np.array(obst)


def to_utm(dem: Raster, resolution_m: float, epsg: int = 32648) -> Raster:
    """The DEM reprojected (bilinear) onto a UTM grid, as covplan's loader prepares terrain."""
    from rasterio.warp import Resampling, reproject, transform_bounds

    bounds = transform_bounds(dem.grid.crs, f"EPSG:{epsg}", *dem.grid.bounds)
    grid = GridSpec.from_bounds(bounds, resolution_m, epsg)
    out = np.full(grid.shape, np.nan, np.float32)
    reproject(dem.data, out, src_transform=dem.grid.transform, src_crs=dem.grid.crs,
              dst_transform=grid.transform, dst_crs=grid.crs, resampling=Resampling.bilinear,
              dst_nodata=np.nan)
    return Raster(out, grid, "m", dem.notes)
