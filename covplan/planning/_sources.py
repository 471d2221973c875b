"""Where candidate sites come from: roads, villages, high ground, existing 4G sites.

Each source returns a plain frame of candidate points (``x``, ``y``, ``source`` and optional
``height_m``, ``technology``, ``azimuths``) in the working CRS; :mod:`covplan.planning.candidates`
joins, filters and turns them into sectors.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from scipy import ndimage

from covplan.grid import Raster
from covplan.metrics.roads import RoadSamples

POINT_COLUMNS = ("x", "y", "source", "technology", "height_m", "azimuths", "site_id")


def _frame(x: ArrayLike, y: ArrayLike, source: str, **columns: Any) -> pd.DataFrame:
    frame = pd.DataFrame({"x": np.asarray(x, float), "y": np.asarray(y, float),
                          "source": source})
    for name, value in columns.items():
        frame[name] = value
    return frame


def _runs(line: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First piece, last piece and line of each run of consecutive gap pieces."""
    new_line = np.r_[True, line[1:] != line[:-1]]
    starts = gap & (new_line | np.r_[True, ~gap[:-1]])
    ends = gap & (np.r_[line[1:] != line[:-1], True] | np.r_[~gap[1:], True])
    first, last = np.flatnonzero(starts), np.flatnonzero(ends)
    return first, last, line[first]


def road_points(samples: RoadSamples, gap: np.ndarray, *, spacing_m: float,
                offset_m: float) -> pd.DataFrame:
    r"""Points along each uncovered stretch, ``spacing_m`` apart, ``offset_m`` off the road.

    A stretch of length :math:`L` gets :math:`n = \lceil L / s \rceil` points at
    chainages :math:`a + (k + 1/2) L / n`, set off the carriageway perpendicular to it,
    alternately left and right.
    """
    pieces = samples.pieces
    if not gap.any():
        return _frame([], [], "road")
    first, last, line = _runs(pieces.line, gap)
    start, end = pieces.start_m[first], pieces.end_m[last]
    count = np.maximum(1, np.ceil((end - start) / spacing_m - 1e-9)).astype(np.int64)
    owner = np.repeat(np.arange(len(first)), count)
    rank = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    chain = start[owner] + (rank + 0.5) * (end - start)[owner] / count[owner]
    lines = line[owner]
    x, y = samples.vertices.points(lines, chain)
    xa, ya = samples.vertices.points(lines, chain - 5.0)
    xb, yb = samples.vertices.points(lines, chain + 5.0)
    tx, ty = xb - xa, yb - ya
    norm = np.maximum(np.hypot(tx, ty), 1e-9)
    side = np.where(rank % 2 == 0, 1.0, -1.0) * offset_m
    return _frame(x - ty / norm * side, y + tx / norm * side, "road")


def village_points(villages: gpd.GeoDataFrame, uncovered: np.ndarray) -> pd.DataFrame:
    """A point inside each uncovered village."""
    points = shapely.point_on_surface(np.asarray(villages.geometry.values)[uncovered])
    return _frame(shapely.get_x(points), shapely.get_y(points), "village")


def high_ground_points(terrain: Raster, *, radius_m: float, min_relief_m: float
                       ) -> pd.DataFrame:
    """Summits: cells highest within ``radius_m`` and ``min_relief_m`` above the lowest.

    Local maxima of a square window :math:`2r` wide (``scipy.ndimage.maximum_filter``);
    flat tops give one point per plateau (its first cell).
    """
    z = np.asarray(terrain.data, dtype=np.float64)
    z = np.where(np.isfinite(z), z, -np.inf)
    size = max(3, int(2 * radius_m / terrain.grid.resolution_m) | 1)
    top = ndimage.maximum_filter(z, size=size, mode="nearest")
    low = ndimage.minimum_filter(np.where(np.isfinite(z), z, np.inf), size=size,
                                 mode="nearest")
    peak = (z == top) & np.isfinite(z) & (z - low >= min_relief_m)
    labels, count = ndimage.label(peak)
    if not count:
        return _frame([], [], "high ground")
    found = ndimage.find_objects(labels)
    rows = np.array([s[0].start for s in found if s is not None])
    cols = np.array([s[1].start for s in found if s is not None])
    xs, ys = terrain.grid.cell_centres()
    return _frame(xs[cols], ys[rows], "high ground")


def colocation_points(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Existing or planned 4G sites without 5G, as 5G candidates with the same azimuths."""
    on_air = sites["status"].astype(str).isin(["existing", "planned"]) if (
        "status" in sites.columns) else pd.Series(True, index=sites.index)
    tech = sites["technology"].astype(str)
    with_5g = set(sites.loc[tech == "5G", "site_id"].astype(str))
    lte = sites[(tech == "4G") & on_air.to_numpy(bool)]
    ids = lte["site_id"].astype(str)
    # a site whose co-location is already built (an earlier recommendation's COLO-...)
    lte = lte[~ids.isin(with_5g) & ~("COLO-" + ids).isin(with_5g)]
    if lte.empty:
        return _frame([], [], "colocation")
    grouped = lte.groupby(lte["site_id"].astype(str), sort=False)
    first = grouped.head(1)
    azimuths = grouped["azimuth_deg"].agg(lambda a: tuple(float(v) for v in a))
    ids = first["site_id"].astype(str).to_numpy()
    operators = (first["operator"].astype("string").fillna("").to_numpy(object)
                 if "operator" in first.columns else [""] * len(first))
    # the tower's operator adds 5G to it: the new site counts for that operator's network
    return _frame(first.geometry.x.to_numpy(), first.geometry.y.to_numpy(), "colocation",
                  technology="5G", height_m=first["height_m"].to_numpy(float),
                  azimuths=list(azimuths.reindex(ids)), site_id=[f"COLO-{s}" for s in ids],
                  operator=operators)


def thin(points: pd.DataFrame, min_separation_m: float, keep: np.ndarray) -> np.ndarray:
    """Mask of the points kept after thinning.

    ``keep`` points are always kept; the others only when no kept point is closer than
    ``min_separation_m`` (in frame order, so earlier points win).
    """
    if min_separation_m <= 0 or points.empty:
        return np.ones(len(points), dtype=bool)
    cell = min_separation_m
    ix = np.floor(points["x"].to_numpy() / cell).astype(np.int64)
    iy = np.floor(points["y"].to_numpy() / cell).astype(np.int64)
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    buckets: dict[tuple[int, int], list[int]] = {}
    out = np.zeros(len(points), dtype=bool)
    order = np.r_[np.flatnonzero(keep), np.flatnonzero(~keep)]
    for i in order:
        near = (j for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                for j in buckets.get((ix[i] + dx, iy[i] + dy), ()))
        if keep[i] or all(np.hypot(x[i] - x[j], y[i] - y[j]) >= min_separation_m
                          for j in near):
            out[i] = True
            buckets.setdefault((ix[i], iy[i]), []).append(i)
    return out
