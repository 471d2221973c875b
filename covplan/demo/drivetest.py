"""The drive-test stage: measured RSRP along the demo's roads, with the truth behind it.

A scanner is driven along every road (a point every 100 m on highways and provincial
roads, every 250 m on local ones) and logs, per technology, the strongest cell's RSRP and
its site and sector. The "measured" values come from a model covplan does not use by
default, with effects the default models do not have, so that calibration has something to
find (the truth is written to ``drive_test_truth.toml``):

- path loss: Longley-Rice ITM 1.2.2 point-to-point over the 30 m terrain
  (:func:`covplan.radio.itm_profile.itm_losses_db`), to a receiver at 1.5 m;
- clutter at the receiver per land-cover class (:data:`CLUTTER_DB`, growing with the
  carrier frequency);
- a bias per technology (:data:`BIAS_DB`: vehicle and body loss, feeder differences);
- log-normal shadow fading, spatially correlated over a few hundred metres
  (:data:`SHADOW_SIGMA_DB`), and 1 dB of measurement noise;
- every sector's 3GPP pattern and link budget as in the sites file.

Readings below :data:`DETECTION_DBM` are not logged (the phone has no cell), and about
:data:`BAD_SHARE` of the rows are damaged the ways real logs are (no RSRP, text in a number,
impossible values, a missing position); their line numbers are in the truth file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from covplan.demo._config import LONLAT_EPSG, UTM_EPSG
from covplan.demo.landcover import BUILT, CROP, FOREST, GRASS, SHRUB, WATER
from covplan.demo.noise import spectral_noise
from covplan.grid import GridSpec
from covplan.radio.antenna import antenna_gain_dbi
from covplan.radio.defaults import SECTOR_DEFAULTS
from covplan.radio.itm_profile import itm_losses_db
from covplan.radio.linkbudget import re_power_dbm, resource_blocks

logger = logging.getLogger(__name__)

#: Spacing of the logged points along each road class (m).
SPACING_M: Final[dict[str, float]] = {
    "expressway": 100.0, "national": 100.0, "provincial": 100.0, "local": 250.0,
}
#: Loss at the receiver per WorldCover class at 1800 MHz (dB), the truth's clutter: ITM
#: predicts over bare ground, so every class loses something, as ITU-R P.2108 §3.1 would
#: have it, less the height loss ITM already gives a 1.5 m receiver. Other carriers lose
#: 20·log10(f / 1800 MHz) more (clutter grows with frequency).
CLUTTER_DB: Final[dict[int, float]] = {
    FOREST: 20.0, SHRUB: 15.0, GRASS: 13.0, CROP: 12.0, BUILT: 18.0, WATER: 8.0,
}
#: Offset of every reading per technology (dB).
BIAS_DB: Final[dict[str, float]] = {"4G": -3.0, "5G": -5.0}
#: Shadow fading: standard deviation (dB) and the shortest and longest wavelengths (m).
SHADOW_SIGMA_DB: Final = 6.0
SHADOW_WAVELENGTH_M: Final = (180.0, 1_500.0)
#: Measurement noise (dB).
NOISE_DB: Final = 1.0
#: Weakest RSRP logged (dBm).
DETECTION_DBM: Final = -125.0
#: Share of damaged rows.
BAD_SHARE: Final = 0.03
#: Receiver height (m) and the candidate sites per point.
RX_HEIGHT_M: Final = 1.5
CANDIDATES: Final = 5
#: Profile sampling step of the ITM links (m).
STEP_M: Final = 60.0
MODEL: Final = ("Longley-Rice ITM 1.2.2 point-to-point over the 30 m terrain, receiver 1.5 m "
                "(covplan.radio.itm_profile.itm_losses_db)")


@dataclass(frozen=True, eq=False)
class DriveTest:
    """The drive test as written, and the truth behind it.

    Parameters
    ----------
    table
        The rows of ``drive_test.csv``, as text (damaged rows included).
    bad_lines
        Line numbers (header = 1) of the damaged rows.
    truth
        The text of ``drive_test_truth.toml``.
    """

    table: pd.DataFrame
    bad_lines: tuple[int, ...]
    truth: str


def _route_points(roads: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Points along every road at its class's spacing, and the route number of each."""
    xy, route = [], []
    for i, (geom, road_class) in enumerate(zip(roads.geometry, roads["road_class"],
                                               strict=True)):
        step = SPACING_M.get(str(road_class), 250.0)
        for line in getattr(geom, "geoms", [geom]):
            at = np.arange(step / 2.0, line.length, step)
            if not at.size:
                continue
            pts = np.array([(p.x, p.y) for p in line.interpolate(at)])
            xy.append(pts)
            route.append(np.full(len(pts), i))
    if not xy:
        return np.empty((0, 2)), np.empty(0, dtype=np.int64)
    return np.vstack(xy), np.concatenate(route)


def _sample(values: np.ndarray, grid: GridSpec, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    row, col = grid.index(x, y)
    row = np.clip(row, 0, grid.height - 1)
    col = np.clip(col, 0, grid.width - 1)
    return np.asarray(values[row, col])


def _eirp_re(sectors: pd.DataFrame, technology: str) -> np.ndarray:
    defaults = SECTOR_DEFAULTS[technology]
    n_rb = [resource_blocks(technology, float(b), float(f)) for b, f in
            zip(sectors["bandwidth_mhz"], sectors["frequency_mhz"], strict=True)]
    return np.asarray(re_power_dbm(sectors["tx_power_dbm"].to_numpy(float), np.asarray(n_rb))
                      - defaults.cable_loss_db)


def clutter_db(codes: np.ndarray, frequency_mhz: np.ndarray) -> np.ndarray:
    """The truth's clutter loss of WorldCover classes at carriers (module docstring)."""
    table = np.zeros(256)
    for code, value in CLUTTER_DB.items():
        table[code] = value
    base = table[np.asarray(codes, dtype=np.int64)]
    return np.asarray(base + np.where(base > 0, 20.0 * np.log10(frequency_mhz / 1800.0), 0.0))


def _readings(technology: str, sectors: pd.DataFrame, sx: np.ndarray, sy: np.ndarray,
              px: np.ndarray, py: np.ndarray, dem: np.ndarray, grid: GridSpec,
              classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best sector and its RSRP (before shadowing) at every point, -inf where none."""
    sites = sectors.groupby("site_id", sort=False).head(1).index.to_numpy()
    tree = cKDTree(np.column_stack([sx[sites], sy[sites]]))
    k = min(CANDIDATES, len(sites))
    _, near = tree.query(np.column_stack([px, py]), k=k)
    near = np.asarray(near).reshape(len(px), k)
    site_rows = sites[near.ravel()]
    point = np.repeat(np.arange(len(px)), k)
    t = grid.transform
    cx0, cy0 = t.c + t.a / 2.0, t.f + t.e / 2.0
    heights = sectors["height_m"].to_numpy(float)
    freq = sectors["frequency_mhz"].to_numpy(float)
    loss = itm_losses_db(dem, cx0, cy0, t.a, -t.e, sx[site_rows], sy[site_rows],
                         heights[site_rows], px[point], py[point], RX_HEIGHT_M,
                         freq[site_rows], STEP_M)
    z_site = _sample(dem, grid, sx[site_rows], sy[site_rows])
    z_rx = _sample(dem, grid, px[point], py[point])
    dist = np.maximum(np.hypot(px[point] - sx[site_rows], py[point] - sy[site_rows]), 1.0)
    depression = np.degrees(np.arctan2(z_site + heights[site_rows] - z_rx - RX_HEIGHT_M, dist))
    bearing = np.degrees(np.arctan2(px[point] - sx[site_rows], py[point] - sy[site_rows]))
    eirp = _eirp_re(sectors, technology)
    site_ids = sectors["site_id"].to_numpy()
    best = np.full(len(px), -np.inf)
    best_row = np.full(len(px), -1, dtype=np.int64)
    for offset in range(3):  # every demo site has three sectors, in rows after its first
        rows = site_rows + offset
        same = (rows < len(sectors)) & (site_ids[np.minimum(rows, len(sectors) - 1)]
                                        == site_ids[site_rows])
        rows = np.where(same, rows, site_rows)
        gain = antenna_gain_dbi(bearing - sectors["azimuth_deg"].to_numpy(float)[rows],
                                depression, gain_dbi=sectors["antenna_gain_dbi"].to_numpy(
                                    float)[rows],
                                beamwidth_deg=sectors["beamwidth_deg"].to_numpy(float)[rows],
                                tilt_deg=sectors["tilt_deg"].to_numpy(float)[rows])
        clutter = clutter_db(classes[point], freq[rows])
        rsrp = (eirp[rows] + gain - loss - clutter).reshape(len(px), k)
        pick = np.argmax(rsrp, axis=1)
        value = rsrp[np.arange(len(px)), pick]
        better = value > best
        best[better] = value[better]
        best_row[better] = rows.reshape(len(px), k)[np.arange(len(px)), pick][better]
    return best_row, best


def _damage(table: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, list[int]]:
    """Damage about :data:`BAD_SHARE` of the rows, the ways logs go wrong."""
    n = len(table)
    count = round(BAD_SHARE * n)
    rows = np.sort(rng.choice(n, size=count, replace=False)) if count else np.empty(0, int)
    kinds = rng.integers(0, 5, size=count)
    table = table.copy()
    for row, kind in zip(rows.tolist(), kinds.tolist(), strict=True):
        if kind == 0:
            table.loc[row, "rsrp_dbm"] = ""
        elif kind == 1:
            table.loc[row, "rsrp_dbm"] = "n/a"
        elif kind == 2:
            table.loc[row, "rsrp_dbm"] = "-999"
        elif kind == 3:
            table.loc[row, "lat"] = ""
        else:
            table.loc[row, "lon"] = "1o5.8"
    return table, [int(r) + 2 for r in rows]


def _truth(points: int, bad: list[int], counts: dict[str, int]) -> str:
    clutter = ", ".join(f"{code} = {value:g}" for code, value in CLUTTER_DB.items())
    bias = ", ".join(f'"{tech}" = {value:g}' for tech, value in BIAS_DB.items())
    per_tech = ", ".join(f'"{tech}" = {n}' for tech, n in counts.items())
    return "\n".join([
        "# The truth behind drive_test.csv (synthetic): what generated the readings.",
        "[drive_test]",
        f'model = "{MODEL}"',
        f"receiver_height_m = {RX_HEIGHT_M:g}",
        f"bias_db = {{ {bias} }}        # added to every reading of the technology",
        f"clutter_db = {{ {clutter} }}  # loss at the receiver by WorldCover class, 1800 MHz",
        "clutter_frequency = \"+20 log10(f / 1800 MHz) for the classes with a loss\"",
        f"shadow_sigma_db = {SHADOW_SIGMA_DB:g}",
        f"shadow_wavelength_m = [{SHADOW_WAVELENGTH_M[0]:g}, {SHADOW_WAVELENGTH_M[1]:g}]",
        f"noise_db = {NOISE_DB:g}",
        f"detection_dbm = {DETECTION_DBM:g}",
        f"rows = {points}",
        f"rows_by_technology = {{ {per_tech} }}",
        f"bad_lines = [{', '.join(str(b) for b in bad)}]",
    ]) + "\n"


def drive_test(roads: gpd.GeoDataFrame, sites: pd.DataFrame, dem: np.ndarray,
               grid: GridSpec, landcover: np.ndarray, rng: np.random.Generator) -> DriveTest:
    """Generate the drive test (module docstring).

    Parameters
    ----------
    roads
        Road lines in UTM metres with ``road_class``.
    sites
        The demo's sectors with ``lon``/``lat`` (three per site, in site order).
    dem
        Terrain heights on ``grid``.
    grid
        The 30 m terrain grid (UTM).
    landcover
        WorldCover classes on ``grid``.
    rng
        Random source.

    Returns
    -------
    DriveTest
    """
    xy, route = _route_points(roads)
    px, py = xy[:, 0], xy[:, 1]
    to_utm = Transformer.from_crs(LONLAT_EPSG, UTM_EPSG, always_xy=True)
    sx, sy = to_utm.transform(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
    sx, sy = np.asarray(sx), np.asarray(sy)
    heights = np.asarray(dem, dtype=np.float32)
    classes = _sample(landcover, grid, px, py).astype(np.int64)
    base = GridSpec.from_bounds(grid.bounds, 90.0, UTM_EPSG)
    frames, counts = [], {}
    for tech in ("4G", "5G"):
        rows = np.flatnonzero(sites["technology"].to_numpy() == tech)
        if not rows.size or not len(px):
            continue
        sectors = sites.iloc[rows].reset_index(drop=True)
        best_row, best = _readings(tech, sectors, sx[rows], sy[rows], px, py, heights, grid,
                                   classes)
        shadow = SHADOW_SIGMA_DB * spectral_noise(
            base.shape, base.resolution_m, rng, beta=2.0,
            min_wavelength_m=SHADOW_WAVELENGTH_M[0], max_wavelength_m=SHADOW_WAVELENGTH_M[1])
        measured = (best + BIAS_DB[tech] + _sample(shadow, base, px, py)
                    + rng.normal(0.0, NOISE_DB, len(px)))
        keep = np.isfinite(measured) & (measured >= DETECTION_DBM) & (best_row >= 0)
        chosen = sectors.iloc[best_row[keep]]
        frames.append(pd.DataFrame({
            "point": np.flatnonzero(keep), "technology": tech,
            "operator": chosen["operator"].to_numpy(), "site_id": chosen["site_id"].to_numpy(),
            "sector": chosen["sector"].to_numpy(), "rsrp_dbm": np.round(measured[keep], 1),
        }))
        counts[tech] = int(keep.sum())
    table = (pd.concat(frames, ignore_index=True).sort_values(["point", "technology"])
             if frames else pd.DataFrame(columns=["point", "technology", "operator", "site_id",
                                                  "sector", "rsrp_dbm"]))
    point = table["point"].to_numpy(np.int64)
    lon, lat = Transformer.from_crs(UTM_EPSG, LONLAT_EPSG, always_xy=True).transform(
        px[point], py[point])
    start = np.datetime64("2026-01-15T08:00:00")
    out = pd.DataFrame({
        "time": (start + point.astype("timedelta64[s]") * 8).astype(str),
        "lon": np.round(np.asarray(lon), 6).astype(str),
        "lat": np.round(np.asarray(lat), 6).astype(str),
        "technology": table["technology"].to_numpy(),
        "operator": table["operator"].to_numpy(),
        "site_id": table["site_id"].to_numpy(),
        "sector": table["sector"].astype(int).astype(str).to_numpy(),
        "rsrp_dbm": table["rsrp_dbm"].map(lambda v: f"{v:.1f}").to_numpy(),
        "route": [f"R{r:04d}" for r in route[point].tolist()],
    })
    damaged, bad = _damage(out, rng)
    logger.debug("Drive test: %d rows (%s), %d damaged", len(out), counts, len(bad))
    return DriveTest(damaged, tuple(bad), _truth(len(out), bad, counts))
