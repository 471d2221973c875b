"""The mobile network: three-sector 4G and 5G sites placed the way operators build them.

4G sites go first along the expressway and national highways, then near demand (villages
in a population-weighted random order, spaced by how built-up the area is), each nudged
to the highest ground nearby. 5G sites go to universities and hospitals in the city and
towns, then to the densest urban groups. A few deliberate gaps stay empty: a pass on a
national highway and a handful of remote mountain villages.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.demo._config import SizeConfig
from covplan.demo.landscape import Landscape
from covplan.demo.villages import Settlement

OPERATORS = ("Viettel", "VinaPhone", "MobiFone")
_OPERATOR_CODES = {"Viettel": "VTL", "VinaPhone": "VNP", "MobiFone": "MBF"}
_SHARES = {"4G": (0.46, 0.30, 0.24), "5G": (0.55, 0.25, 0.20)}

#: Radio defaults per technology: frequency, bandwidth, height range, tilt range,
#: beamwidth, transmit power and antenna gain.
_RADIO = {
    "4G": (1800.0, 20.0, (25.0, 40.0), (2.0, 6.0), 65.0, 46.0, 17.0),
    "5G": (3500.0, 100.0, (20.0, 30.0), (4.0, 8.0), 65.0, 53.0, 21.0),
}
_PASS_GAP_RADIUS_M = 5_500.0
_SHADOW_RADIUS_M = 4_200.0
_HIGHWAY_STEP_M = 4_000.0


@dataclass(frozen=True)
class Gaps:
    """Discs where no site may stand.

    Parameters
    ----------
    centres
        (n, 2) disc centres, UTM metres.
    radii_m
        Disc radii.
    pass_point
        The highway pass left without sites, when there is one.
    """

    centres: np.ndarray
    radii_m: np.ndarray
    pass_point: tuple[float, float] | None

    def blocks(self, x: float, y: float) -> bool:
        """Whether a site at (x, y) would fall in a gap."""
        if len(self.centres) == 0:
            return False
        d = np.hypot(self.centres[:, 0] - x, self.centres[:, 1] - y)
        return bool(np.any(d < self.radii_m))


def _pass_point(roads: gpd.GeoDataFrame, landscape: Landscape) -> tuple[float, float]:
    """Highest point on any national highway."""
    national = roads[roads["road_class"] == "national"].geometry
    best, best_z = (0.0, 0.0), -np.inf
    for line in national:
        distances = np.arange(0.0, line.length, 100.0)
        pts = shapely.get_coordinates(shapely.line_interpolate_point(line, distances))
        if len(pts) == 0:
            continue
        z = landscape.sample(landscape.dem, pts[:, 0], pts[:, 1])
        k = int(np.argmax(z))
        if z[k] > best_z:
            best, best_z = (float(pts[k, 0]), float(pts[k, 1])), float(z[k])
    return best


def find_gaps(
    settlement: Settlement,
    roads: gpd.GeoDataFrame,
    landscape: Landscape,
    config: SizeConfig,
    rng: np.random.Generator,
) -> Gaps:
    """The pass and the remote mountain villages that are left without sites.

    Returns
    -------
    Gaps
        One disc around the highest national-highway point (when the preset asks for a
        pass gap) and one around each chosen shadow village.
    """
    centres, radii = [], []
    pass_point = None
    if config.pass_gap:
        pass_point = _pass_point(roads, landscape)
        centres.append(pass_point)
        radii.append(_PASS_GAP_RADIUS_M)
    villages = settlement.villages
    trunk = shapely.union_all(
        roads[roads["road_class"].isin(["expressway", "national"])].geometry.to_numpy()
    )
    points = shapely.points(villages["x"].to_numpy(), villages["y"].to_numpy())
    remote = (villages["town"].to_numpy() < 0) & (villages["mountain"].to_numpy() > 0.7)
    remote &= shapely.distance(points, trunk) > 4_000.0
    score = villages["mountain"].to_numpy() + rng.uniform(0.0, 0.3, len(villages))
    for k in np.argsort(-np.where(remote, score, -np.inf), kind="stable"):
        if len(radii) - int(config.pass_gap) >= config.shadow_villages or not remote[k]:
            break
        x, y = float(villages["x"].iloc[k]), float(villages["y"].iloc[k])
        if all(np.hypot(x - cx, y - cy) > 12_000.0 for cx, cy in centres):
            centres.append((x, y))
            radii.append(_SHADOW_RADIUS_M)
    return Gaps(
        np.asarray(centres, dtype=float).reshape(-1, 2), np.asarray(radii, float), pass_point
    )


class _Sites:
    """Accepted site positions, with the spacing and gap checks every placement uses."""

    def __init__(self, gaps: Gaps) -> None:
        self.gaps = gaps
        self.xy: list[tuple[float, float]] = []

    def clear(self, x: float, y: float, spacing_m: float) -> bool:
        """Whether (x, y) is outside every gap and ``spacing_m`` from every site."""
        if self.gaps.blocks(x, y):
            return False
        if not self.xy:
            return True
        arr = np.asarray(self.xy)
        return bool(np.min(np.hypot(arr[:, 0] - x, arr[:, 1] - y)) >= spacing_m)

    def add(self, x: float, y: float, spacing_m: float) -> bool:
        """Add (x, y) when :meth:`clear`; returns whether it was added."""
        if self.clear(x, y, spacing_m):
            self.xy.append((float(x), float(y)))
            return True
        return False


def _high_ground(landscape: Landscape, x: float, y: float, radius_m: float) -> tuple[float, float]:
    """Centre of the highest base cell within ``radius_m`` of (x, y)."""
    grid = landscape.base
    reach = int(radius_m / grid.resolution_m)
    row, col = grid.index(x, y)
    r0, c0 = max(0, int(row) - reach), max(0, int(col) - reach)
    window = landscape.dem[r0 : int(row) + reach + 1, c0 : int(col) + reach + 1]
    r, c = np.unravel_index(int(np.argmax(window)), window.shape)
    cx, cy = grid.transform @ (c0 + c + 0.5, r0 + r + 0.5)
    return float(cx), float(cy)


def _highway_points(roads: gpd.GeoDataFrame, rng: np.random.Generator) -> np.ndarray:
    """Candidate points every few kilometres along the expressway and national highways."""
    points = []
    for road_class in ("expressway", "national"):
        lines = roads.loc[roads["road_class"] == road_class].geometry.to_numpy()
        merged = shapely.line_merge(shapely.union_all(lines))
        for part in getattr(merged, "geoms", [merged]):
            distances = np.arange(_HIGHWAY_STEP_M / 2.0, part.length, _HIGHWAY_STEP_M)
            points.append(shapely.get_coordinates(shapely.line_interpolate_point(part, distances)))
    xy = np.vstack(points) if points else np.empty((0, 2))
    return xy + rng.uniform(-150.0, 150.0, xy.shape)


def _weighted_order(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random order in which heavier items tend to come first (Efraimidis-Spirakis)."""
    keys = np.log(rng.random(len(weights))) / np.maximum(weights, 1e-9)
    return np.argsort(-keys, kind="stable")


def place_4g(
    settlement: Settlement,
    roads: gpd.GeoDataFrame,
    landscape: Landscape,
    gaps: Gaps,
    count: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Positions of ``count`` 4G sites (fewer only if the land runs out).

    Returns
    -------
    numpy.ndarray
        (n, 2) site positions, UTM metres, in placement order.
    """
    sites = _Sites(gaps)
    for x, y in _highway_points(roads, rng):
        if len(sites.xy) < count // 5:
            sites.add(*_high_ground(landscape, x, y, 300.0), spacing_m=2_500.0)
    villages = settlement.villages
    town = villages["town"].to_numpy()
    is_city = np.asarray([t >= 0 and settlement.towns[t].is_city for t in town])
    spacing = np.where(
        town >= 0,
        np.where(is_city, 600.0, 800.0),
        1_700.0 + 2_500.0 * villages["mountain"].to_numpy(),
    )
    order = _weighted_order(villages["population"].to_numpy(np.float64), rng)
    xy = villages[["x", "y"]].to_numpy()
    for factor in (1.0, 0.8, 0.65, 0.5):
        for k in order:
            if len(sites.xy) >= count:
                break
            x, y = xy[k]
            if town[k] < 0:
                x, y = _high_ground(landscape, x, y, 400.0)
            sites.add(x, y, spacing[k] * factor)
    return np.asarray(sites.xy)


def place_5g(
    settlement: Settlement,
    pois: gpd.GeoDataFrame,
    gaps: Gaps,
    count: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Positions of ``count`` 5G sites: campuses and hospitals first, then dense urban areas.

    Returns
    -------
    numpy.ndarray
        (n, 2) site positions, UTM metres.
    """
    sites = _Sites(gaps)
    centres = np.asarray([[t.x, t.y] for t in settlement.towns])
    reach = np.asarray([t.radius_m * 1.3 for t in settlement.towns])
    anchors = pois[pois["kind"].isin(["university", "hospital"])]
    for point in anchors.geometry:
        if np.any(np.hypot(*(centres - (point.x, point.y)).T) < reach) and len(sites.xy) < count:
            sites.add(point.x + rng.uniform(-60, 60), point.y + rng.uniform(-60, 60), 300.0)
    villages = settlement.villages
    urban = villages["town"].to_numpy() >= 0
    weight = villages["population"].to_numpy(np.float64) * np.where(urban, 1.0, 1e-6)
    order = _weighted_order(weight, rng)
    xy = villages[["x", "y"]].to_numpy()
    for spacing in (450.0, 350.0, 250.0, 1_500.0):
        for k in order:
            if len(sites.xy) >= count:
                break
            if urban[k] or spacing > 1_000.0:
                sites.add(xy[k, 0], xy[k, 1], spacing)
    return np.asarray(sites.xy)


def sector_table(xy: np.ndarray, technology: str, rng: np.random.Generator) -> pd.DataFrame:
    """One row per sector of three-sector sites at ``xy``.

    Parameters
    ----------
    xy
        Site positions, UTM metres.
    technology
        One of {"4G", "5G"}.
    rng
        Random source (operator, rotation, height, tilt).

    Returns
    -------
    pandas.DataFrame
        The sites-layer columns with ``x``, ``y`` in UTM metres instead of lon/lat.
    """
    freq, bandwidth, heights, tilts, beam, power, gain = _RADIO[technology]
    operators = rng.choice(len(OPERATORS), size=len(xy), p=_SHARES[technology])
    rotation = rng.integers(0, 120, size=len(xy))
    height = np.round(rng.uniform(*heights, size=len(xy)) * 2.0) / 2.0
    rows = []
    for i, (x, y) in enumerate(xy):
        operator = OPERATORS[operators[i]]
        site_id = f"{_OPERATOR_CODES[operator]}-{technology}-{i + 1:04d}"
        for sector in range(3):
            rows.append(
                {
                    "site_id": site_id,
                    "sector": sector + 1,
                    "x": x,
                    "y": y,
                    "technology": technology,
                    "operator": operator,
                    "frequency_mhz": freq,
                    "bandwidth_mhz": bandwidth,
                    "height_m": float(height[i]),
                    "azimuth_deg": float((rotation[i] + 120 * sector) % 360),
                    "tilt_deg": float(np.round(rng.uniform(*tilts) * 2.0) / 2.0),
                    "beamwidth_deg": beam,
                    "tx_power_dbm": power,
                    "antenna_gain_dbi": gain,
                    "status": "existing",
                }
            )
    return pd.DataFrame(rows)
