"""Helpers for running SPLAT! 1.4.2 beside covplan on the same SRTM tile.

Both tools get the same terrain (:func:`filled_tile`): the real tile's voids are filled once
with ``covplan.io.terrain.fill_voids``, rounded to int16, and its few heights below 0 m are
replaced as srtm2sdf replaces them; SPLAT! reads that array as a new .hgt converted with
``srtm2sdf -d /dev/null`` (no USGS fill), covplan reads the same array.
:func:`splat_profile` rebuilds the terrain profile behind each value SPLAT! writes to its .ano
file, so covplan's ITM can be run on exactly what SPLAT! evaluated.
"""

from __future__ import annotations

import math
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Sequence

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


def srtm2sdf_heights(heights: np.ndarray) -> np.ndarray:
    """``heights`` (an SRTM-3 tile, north row first) as ``srtm2sdf -d /dev/null`` stores them.

    srtm2sdf takes every height below 0 m for a void: in the order it writes the SDF (south to
    north, east to west) it replaces each by the mean, rounded half up, of those of its eight
    neighbours that are higher (``average_terrain``; neighbours in the northern edge row are
    not used, replaced cells count with their new value), or 0 m when that is not positive.
    The northern row and eastern column are not written to the SDF at all.
    """
    out = np.array(heights, dtype=np.int64)
    ippd = out.shape[0] - 1
    mpi = ippd - 1
    cells = [(int(y), int(x)) for y, x in zip(*np.nonzero(out < 0), strict=True)
             if y >= 1 and x <= mpi]
    for y, x in sorted(cells, reverse=True):
        bad, accum, count, temp = out[y, x], 0, 0, 0
        for dy, dx, ok in ((-1, 0, y >= 2), (1, 0, y <= mpi), (-1, 1, y >= 2 and x <= mpi - 1),
                           (0, 1, x <= mpi - 1), (1, 1, x <= mpi - 1 and y <= mpi),
                           (-1, -1, x >= 1 and y >= 2), (0, -1, x >= 1),
                           (1, -1, y <= mpi and x >= 1)):
            if ok:
                temp = int(out[y + dy, x + dx])
                if temp > bad:
                    accum += temp
                    count += 1
        if count:
            temp = int(accum / count + 0.5)
        out[y, x] = max(temp, 0)
    return out.astype(heights.dtype)


def filled_tile(tile: Path = TILE) -> Raster:
    """The tile as both tools see it: voids filled, whole metres, no height below 0 m.

    Voids are filled with ``covplan.io.terrain.fill_voids``; heights below 0 m (SRTM's
    depressions, 75 cells in N21E105) are then replaced as srtm2sdf replaces them
    (:func:`srtm2sdf_heights`), so SPLAT!'s SDF holds exactly these heights.
    """
    dem, transform, crs = read_hgt([tile])
    filled, _ = fill_voids(dem, -32768)
    heights = srtm2sdf_heights(np.round(filled).astype(np.int16))
    grid = GridSpec(crs.to_wkt(), Affine(*transform[:6]), dem.shape[1], dem.shape[0])
    notes = ("voids filled (GDAL FillNodata)",)
    return Raster(heights.astype(np.float32), grid, "m", notes)


def prepare_terrain(workdir: Path) -> tuple[Raster, Path]:
    """Fill the tile's voids; write the filled .hgt and its SDF; return (DEM raster, sdf dir)."""
    dem = filled_tile()
    sdf_dir = workdir / "sdf"
    sdf_dir.mkdir(parents=True, exist_ok=True)
    dem.data.astype(">i2").tofile(sdf_dir / TILE.name)
    subprocess.run(["srtm2sdf", "-d", "/dev/null", TILE.name], cwd=sdf_dir, check=True,
                   capture_output=True)
    return dem, sdf_dir


def write_site(run_dir: Path, site: Site, frequency_mhz: float, erp_w: float) -> None:
    """The .qth and .lrp of one transmitter (ITM parameters: median time and location)."""
    (run_dir / f"{site.name}.qth").write_text(
        f"{site.name}\n{site.lat:.6f}\n{-site.lon:.6f}\n{site.height_m:g} meters\n")
    (run_dir / f"{site.name}.lrp").write_text(
        "15.000\n0.005\n301.000\n"
        f"{frequency_mhz:.3f}\n1\n1\n0.50\n0.50\n{erp_w:.3f}\n")


def splat_command(site: Site, radius_km: float, rx_height_m: float, sdf_dir: Path,
                  ano: Path) -> list[str]:
    """The SPLAT! command line (ITM, -olditm) of one site's area run, to run in its folder."""
    return ["splat", "-t", site.name, "-L", f"{rx_height_m:g}", "-metric", "-R",
            f"{radius_km:g}", "-d", str(sdf_dir), "-olditm", "-dbm", "-N", "-ano", str(ano),
            "-o", f"{site.name}_{radius_km:g}"]


def run_splat(run_dir: Path, site: Site, radius_km: float, rx_height_m: float, sdf_dir: Path,
              ano: Path) -> tuple[float, float]:
    """Run SPLAT! (ITM, -olditm) for one site; return (wall, CPU) seconds."""
    cmd = splat_command(site, radius_km, rx_height_m, sdf_dir, ano)
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


# SPLAT! 1.4.2's own constants (splat.cpp), so its ray geometry is reproduced to the last digit
_DEG2RAD = 1.74532925199e-02
_EARTH_MILES, _METERS_PER_MILE, _SAMPLES_PER_RADIAN = 3959.0, 1609.344, 68755.0  # 3″: 1200/°


class SplatProfile(NamedTuple):
    """The terrain profile behind one SPLAT! .ano value, and where that value belongs."""

    distance_m: np.ndarray
    elevation_m: np.ndarray
    lat: float  #: far end of the profile (one step short of the point SPLAT! wrote)
    lon: float  #: degrees east


def _great_circle(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """SPLAT!'s ``Distance`` (radians of arc) and ``Azimuth`` (radians), longitudes west."""
    lat1, lon1, lat2, lon2 = (v * _DEG2RAD for v in (lat1, lon1, lat2, lon2))
    beta = math.acos(min(max(math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2)
                             * math.cos(lon1 - lon2), -1.0), 1.0))
    den = math.cos(lat1) * math.sin(beta)
    fraction = (math.sin(lat2) - math.sin(lat1) * math.cos(beta)) / den if den else 1.0
    azimuth = math.acos(min(max(fraction, -1.0), 1.0))
    diff = (lon2 - lon1 + math.pi) % (2.0 * math.pi) - math.pi
    return beta, 2.0 * math.pi - azimuth if diff > 0.0 else azimuth


@lru_cache(maxsize=16)
def _rays(site: Site, bounds: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """SPLAT!'s ray targets (``PlotLRMap``: every edge pixel of the map), by azimuth."""
    min_north, max_north, min_west, max_west = bounds
    dpp = 1.0 / 1200.0
    lon_edge = dpp + min_west + dpp * np.arange(1200 * (max_west - min_west))
    lat_down = (max_north - dpp) - dpp * np.arange(1200 * (max_north - min_north))
    lat_up = min_north + dpp * np.arange(1200 * (max_north - min_north))
    n, m = lon_edge.size, lat_up.size
    lat = np.concatenate([np.full(n, float(max_north)), lat_down, np.full(n, float(min_north)),
                          lat_up])
    lon = np.concatenate([lon_edge, np.full(m, float(min_west)), lon_edge,
                          np.full(m, float(max_west))])
    site_west = -site.lon + 360.0
    azimuth = np.array([_great_circle(site.lat, site_west, la, lo)[1]
                        for la, lo in zip(lat, lon, strict=True)])
    order = np.argsort(azimuth)
    return lat[order], lon[order], azimuth[order]


def _read_path(site: Site, lat: float, lon_west: float, count: int
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """SPLAT!'s ``ReadPath`` to (lat, lon_west): its first ``count`` steps and step (miles)."""
    site_west = -site.lon + 360.0
    total, azimuth = _great_circle(site.lat, site_west, lat, lon_west)
    lat1, lon1 = site.lat * _DEG2RAD, site_west * _DEG2RAD
    dx = _SAMPLES_PER_RADIAN * math.acos(math.cos(lon1 - lon_west * _DEG2RAD))
    dy = _SAMPLES_PER_RADIAN * math.acos(math.cos(lat1 - lat * _DEG2RAD))
    miles_per_sample = _EARTH_MILES * total / math.sqrt(dx * dx + dy * dy)
    beta = miles_per_sample * np.arange(count) / _EARTH_MILES
    lat2 = np.arcsin(math.sin(lat1) * np.cos(beta)
                     + math.cos(azimuth) * np.sin(beta) * math.cos(lat1))
    ratio = (np.cos(beta) - math.sin(lat1) * np.sin(lat2)) / (math.cos(lat1) * np.cos(lat2))
    turn = np.arccos(np.clip(ratio, -1.0, 1.0))
    lon2 = np.where(np.abs(ratio) > 1.0, lon1,
                    lon1 - turn if math.pi - azimuth >= 0.0 else lon1 + turn)
    return lat2 / _DEG2RAD, lon2 / _DEG2RAD, miles_per_sample


def splat_profile(dem: Raster, site: Site, lat: float, lon: float) -> SplatProfile:
    """The profile SPLAT! 1.4.2 (3″, ``splat``) evaluated for a point of its .ano output.

    ``dem`` is :func:`filled_tile`; ``lat``/``lon`` (east) a point as SPLAT! wrote it. SPLAT!
    casts a ray from the site to every edge pixel of its map and walks it in steps of about
    one pixel (``ReadPath``: a great circle on a sphere of 3959 miles, 68755 steps per
    radian of latitude plus longitude difference), taking the nearest DEM sample at each
    step; a pixel is evaluated by the first ray that reaches it. For step y it writes the
    loss of the profile z[0..y−1] (``PlotLRPath`` sets ``elev[0] = y − 1``): the value it
    reports at a point is the loss one step (about 90 m) closer to the site. This finds the
    ray that wrote the point, and returns that profile, at SPLAT!'s own spacing, and the
    position of its far end.

    Raises ValueError when no ray of SPLAT! passes through the point (to 1e-7°, the .ano's
    precision).
    """
    transform = dem.grid.transform
    if round(1.0 / transform.a) != 1200:
        raise ValueError("SPLAT! 3-arc-second terrain (1200 pixels per degree) expected")
    max_north = round(transform.f + 0.5 * transform.a)
    min_north = max_north - round((dem.grid.height - 1) * transform.a)
    max_west = 360 - round(transform.c + 0.5 * transform.a)
    min_west = max_west - round((dem.grid.width - 1) * transform.a)
    ray_lat, ray_lon, ray_azimuth = _rays(site, (min_north, max_north, min_west, max_west))
    lon_west = 360.0 - lon
    site_west = -site.lon + 360.0
    total, azimuth = _great_circle(site.lat, site_west, lat, lon_west)
    near = (np.searchsorted(ray_azimuth, azimuth) + np.arange(-4, 4)) % ray_azimuth.size
    gap = np.abs((ray_azimuth[near] - azimuth + math.pi) % (2.0 * math.pi) - math.pi)
    for ray in near[np.argsort(gap)]:
        _, _, step = _read_path(site, ray_lat[ray], ray_lon[ray], 0)
        y = round(_EARTH_MILES * total / step)
        lats, lons, _ = _read_path(site, ray_lat[ray], ray_lon[ray], y + 1)
        if abs(lats[y] - lat) <= 1.5e-7 and abs(lons[y] - lon_west) <= 1.5e-7:
            break
    else:
        raise ValueError(f"({lat}, {lon}) is on no ray of SPLAT! from {site.name}")
    lats, lons = lats[:y], lons[:y]
    rows = (dem.grid.height - 1) - np.rint(1200.0 * (lats - min_north)).astype(np.int64)
    cols = np.rint(1200.0 * (max_west - lons)).astype(np.int64)
    z = dem.data[rows, cols].astype(np.float64)
    # elev[1] = METERS_PER_MILE * (distance[y] - distance[y-1]): its last bits matter, as ITM
    # truncates ratios such as 0.9 * dl0 / step to whole samples
    spacing = _METERS_PER_MILE * (step * float(y) - step * float(y - 1))
    return SplatProfile(np.arange(y) * spacing, z, float(lats[-1]), float(360.0 - lons[-1]))


def evaluated_points(site: Site, lat: np.ndarray, lon: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Where SPLAT! evaluated the values it wrote at ``lat``/``lon`` (east): one step nearer.

    At step y of a ray SPLAT! writes the loss of the profile to step y − 1. Its step count to
    a point is the great-circle arc in samples (68755 per radian of latitude plus longitude
    difference, as ``ReadPath``), so the evaluated point is (y − 1)/y of the way from the
    site. Within 3 cm of :func:`splat_profile`'s far end on the recorded points (which
    searches SPLAT!'s rays, 1 ms a point), at no cost for whole .ano files.
    """
    arc = np.hypot(np.radians(lat - site.lat), np.radians(lon - site.lon))
    y = np.maximum(np.rint(_SAMPLES_PER_RADIAN * arc), 1.0)
    f = (y - 1.0) / y
    return site.lat + (lat - site.lat) * f, site.lon + (lon - site.lon) * f


def profile_losses(profiles: Sequence[SplatProfile], tx_height_m: float, rx_height_m: float,
                   frequency_mhz: float) -> np.ndarray:
    """covplan's point-to-point ITM loss (``itm_loss_db``) over each of SPLAT!'s profiles.

    NaN for a profile of fewer than three samples (the point of SPLAT!'s second step), which
    covplan's profile function does not take.
    """
    from covplan.radio.itm_profile import itm_loss_db

    out = np.full(len(profiles), np.nan)
    for k, prof in enumerate(profiles):
        if prof.distance_m.size >= 3:
            out[k] = itm_loss_db(prof.distance_m, prof.elevation_m, tx_height_m, rx_height_m,
                                 frequency_mhz)
    return out


def to_utm(dem: Raster, resolution_m: float, epsg: int = 32648) -> Raster:
    """The DEM reprojected (nearest post) onto a UTM grid, as covplan's loader prepares terrain."""
    from rasterio.warp import Resampling, reproject, transform_bounds

    bounds = transform_bounds(dem.grid.crs, f"EPSG:{epsg}", *dem.grid.bounds)
    grid = GridSpec.from_bounds(bounds, resolution_m, epsg)
    out = np.full(grid.shape, np.nan, np.float32)
    reproject(dem.data, out, src_transform=dem.grid.transform, src_crs=dem.grid.crs,
              dst_transform=grid.transform, dst_crs=grid.crs, resampling=Resampling.nearest,
              dst_nodata=np.nan)
    return Raster(out, grid, "m", dem.notes)
