"""Settlements: the provincial city, towns, and villages placed where people live.

Towns sit on flat valley floors near their planned position. Urban residential groups
(tổ dân phố) fill a disc around each town, densest in the centre. Rural villages are drawn
from a suitability surface (flat land, low ground, valley floors, near highways) and
thinned to a spacing that grows from the plain to the mountains; their populations follow
the same pattern.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.ndimage as ndi
import shapely

from covplan.demo._config import SizeConfig
from covplan.demo.landscape import Landscape
from covplan.grid import GridSpec

#: Residential spacing: urban groups, rural villages on the plain and in the mountains.
_URBAN_SPACING_M = 380.0
_PLAIN_SPACING_M = 650.0
_MOUNTAIN_SPACING_M = 1_150.0

#: Built-up radius of the city and of a town, and how far a town may move from its plan.
_CITY_RADIUS_M = 4_500.0
_TOWN_RADIUS_M = 1_900.0
_TOWN_SEARCH_M = 8_000.0

#: Share of rural villages by zone: (lower edge of the mountain factor, share).
_ZONE_SHARES = ((0.0, 0.40), (0.15, 0.28), (0.5, 0.12), (0.8, 0.20))


@dataclass(frozen=True)
class Town:
    """An urban centre.

    Parameters
    ----------
    x, y
        Centre, UTM metres.
    radius_m
        Radius of the built-up area.
    share
        Share of the province population living in it.
    is_city
        Whether this is the provincial city.
    """

    x: float
    y: float
    radius_m: float
    share: float
    is_city: bool


def place_towns(landscape: Landscape, config: SizeConfig, rng: np.random.Generator) -> list[Town]:
    """Put each planned urban centre on the flattest, lowest ground near its plan position.

    Parameters
    ----------
    landscape
        The land.
    config
        Size preset with the planned positions and population shares.
    rng
        Random source.

    Returns
    -------
    list of Town
        City first when the preset has one.
    """
    minx, miny, maxx, maxy = landscape.outline.bounds
    grid = landscape.base
    depth = ndi.distance_transform_edt(landscape.inside, sampling=grid.resolution_m)
    terrain_score = landscape.dem / 60.0 + landscape.slope() * 40.0
    xs, ys = grid.cell_centres()
    towns = []
    for i, (ux, uy, share) in enumerate(config.towns):
        is_city = config.city and i == 0
        scale = 1.0 if config.name == "full" else 0.7
        radius = (_CITY_RADIUS_M if is_city else _TOWN_RADIUS_M) * scale
        px = minx + (ux + rng.uniform(-0.03, 0.03)) * (maxx - minx)
        py = miny + (uy + rng.uniform(-0.03, 0.03)) * (maxy - miny)
        window = _window(grid, px, py, _TOWN_SEARCH_M)
        dist = np.hypot(xs[None, window[1]] - px, ys[window[0], None] - py)
        score = terrain_score[window] + (dist / 3_000.0) ** 2
        score = np.where((depth[window] > radius * 0.8) & (dist < _TOWN_SEARCH_M), score, np.inf)
        r, c = np.unravel_index(int(np.argmin(score)), score.shape)
        x, y = float(xs[window[1]][c]), float(ys[window[0]][r])
        towns.append(Town(x, y, radius, share, is_city))
    return towns


def _window(grid: GridSpec, x: float, y: float, reach_m: float) -> tuple[slice, slice]:
    """Row and column slices of ``grid`` within ``reach_m`` of (x, y), clipped to the grid."""
    row, col = grid.index(x, y)
    reach = int(reach_m / grid.resolution_m) + 1
    rows = slice(
        int(np.clip(row - reach, 0, grid.height)), int(np.clip(row + reach + 1, 0, grid.height))
    )
    cols = slice(
        int(np.clip(col - reach, 0, grid.width)), int(np.clip(col + reach + 1, 0, grid.width))
    )
    return rows, cols


def urban_groups(landscape: Landscape, towns: list[Town], rng: np.random.Generator) -> pd.DataFrame:
    """Residential groups on a jittered hexagonal lattice around each town centre.

    Returns
    -------
    pandas.DataFrame
        Columns ``x``, ``y``, ``town`` (index into ``towns``) and ``weight`` (relative
        population, highest in the centre).
    """
    frames = []
    for i, town in enumerate(towns):
        spacing = _URBAN_SPACING_M * (1.0 if town.is_city else 1.1)
        steps = int(town.radius_m / spacing) + 1
        qs, rs = np.meshgrid(np.arange(-steps, steps + 1), np.arange(-steps, steps + 1))
        x = (qs + 0.5 * (rs % 2)).ravel() * spacing
        y = rs.ravel() * spacing * math.sqrt(3.0) / 2.0
        x = x + rng.uniform(-0.25, 0.25, x.size) * spacing
        y = y + rng.uniform(-0.25, 0.25, y.size) * spacing
        d = np.hypot(x, y) / town.radius_m
        keep = (d <= 1.0) & (rng.random(d.size) < np.exp(-((d / 0.8) ** 2)))
        keep[np.argmin(d)] = True
        gx, gy = x[keep] + town.x, y[keep] + town.y
        weight = (0.35 + np.exp(-((d[keep] / 0.55) ** 2))) * rng.lognormal(0.0, 0.25, keep.sum())
        frames.append(pd.DataFrame({"x": gx, "y": gy, "town": i, "weight": weight}))
    groups = pd.concat(frames, ignore_index=True)
    inside = shapely.contains_xy(landscape.outline, groups["x"], groups["y"])
    kept: pd.DataFrame = groups[inside].reset_index(drop=True)
    return kept


def suitability(landscape: Landscape, towns: list[Town], attraction: np.ndarray) -> np.ndarray:
    """Relative chance that a base cell holds a rural village.

    Parameters
    ----------
    landscape
        The land.
    towns
        Urban centres (their built-up discs are excluded).
    attraction
        Multiplier on the base grid, such as closeness to highways.

    Returns
    -------
    numpy.ndarray
        Non-negative weights on the base grid, zero outside the province.
    """
    m = landscape.mountain
    flat = np.exp(-landscape.slope() / (0.07 + 0.10 * m))
    lowland = (1.0 - m) + m * (0.25 + 1.0 * (1.0 - landscape.valley))
    weight = flat * lowland * attraction * landscape.inside
    xs, ys = landscape.base.cell_centres()
    for town in towns:
        rows, cols = _window(landscape.base, town.x, town.y, town.radius_m * 1.05)
        dist = np.hypot(xs[None, cols] - town.x, ys[rows, None] - town.y)
        weight[rows, cols] = np.where(dist < town.radius_m * 1.05, 0.0, weight[rows, cols])
    zone = np.digitize(m, [edge for edge, _ in _ZONE_SHARES[1:]])
    total = weight.sum()
    for k, (_, share) in enumerate(_ZONE_SHARES):
        in_zone = zone == k
        zone_total = weight[in_zone].sum()
        if zone_total > 0:
            weight[in_zone] *= share * total / zone_total
    return np.asarray(weight, dtype=np.float64)


def rural_villages(
    landscape: Landscape, weight: np.ndarray, count: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw village sites from ``weight`` and thin them to a spacing set by the terrain.

    Parameters
    ----------
    landscape
        The land (the mountain factor sets the spacing).
    weight
        Suitability on the base grid, from :func:`suitability`.
    count
        Number of villages wanted.
    rng
        Random source.

    Returns
    -------
    pandas.DataFrame
        Columns ``x``, ``y`` of at most ``count`` villages, in draw order.
    """
    flat = weight.ravel()
    cells = rng.choice(flat.size, size=count * 15, p=flat / flat.sum())
    rows, cols = np.unravel_index(cells, weight.shape)
    xs, ys = landscape.base.cell_centres()
    half = landscape.base.resolution_m / 2.0
    x = xs[cols] + rng.uniform(-half, half, cells.size)
    y = ys[rows] + rng.uniform(-half, half, cells.size)
    m = landscape.mountain[rows, cols]
    spacing = _PLAIN_SPACING_M + (_MOUNTAIN_SPACING_M - _PLAIN_SPACING_M) * m**1.5
    chosen = _thin(x, y, spacing, count)
    return pd.DataFrame({"x": x[chosen], "y": y[chosen]})


def _thin(x: np.ndarray, y: np.ndarray, spacing: np.ndarray, count: int) -> list[int]:
    """Greedy Poisson-disc thinning in input order (indices of the kept points)."""
    bucket_m = float(spacing.max())
    buckets: dict[tuple[int, int], list[int]] = {}
    kept: list[int] = []
    for i in range(x.size):
        bx, by = int(x[i] // bucket_m), int(y[i] // bucket_m)
        near = [
            j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in buckets.get((bx + dx, by + dy), ())
        ]
        if near:
            gap = np.hypot(x[near] - x[i], y[near] - y[i])
            if np.any(gap < np.maximum(spacing[near], spacing[i])):
                continue
        buckets.setdefault((bx, by), []).append(i)
        kept.append(i)
        if len(kept) == count:
            break
    return kept


def assign_population(
    villages: pd.DataFrame, towns: list[Town], total: int, rng: np.random.Generator
) -> np.ndarray:
    """Integer populations summing to ``total``: towns get their shares, the rest is rural.

    Parameters
    ----------
    villages
        Columns ``town`` (-1 for rural), ``weight`` (urban) and ``mountain``.
    towns
        Urban centres with their population shares.
    total
        Province population.
    rng
        Random source.

    Returns
    -------
    numpy.ndarray
        int64 population per village.
    """
    town = villages["town"].to_numpy()
    weight = villages["weight"].to_numpy().copy()
    rural = town < 0
    m = villages["mountain"].to_numpy()
    weight[rural] = rng.lognormal(0.0, 0.45, rural.sum()) * (1.25 - 0.85 * m[rural])
    target = np.zeros(len(villages))
    for i, t in enumerate(towns):
        members = town == i
        target[members] = total * t.share * weight[members] / weight[members].sum()
    rural_total = total - target.sum()
    target[rural] = rural_total * weight[rural] / weight[rural].sum()
    people = np.floor(target).astype(np.int64)
    remainder = int(total - people.sum())
    order = np.argsort(-(target - people), kind="stable")
    people[order[:remainder]] += 1
    return people
