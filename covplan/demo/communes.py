"""Communes and village catchments that tile the province.

Commune seats split the villages into groups of equal weight (population to a small power,
plus a sparse lattice of empty-land points so mountain communes stay a plausible size);
the communes are the Voronoi cells of the seats clipped to the outline. Village catchments
are Voronoi cells of the villages inside each commune, cut to a radius around the village.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

_LATTICE_M = 2_500.0
_LATTICE_WEIGHT = 0.6
_POPULATION_EXPONENT = 0.4


def _bisect(points: np.ndarray, weights: np.ndarray, k: int) -> list[np.ndarray]:
    """Split points into ``k`` groups of equal weight by recursive median cuts.

    Each cut runs across the longer side of the group's extent, at the weighted quantile
    that leaves each side a share of weight proportional to the groups it must hold.
    """
    if k == 1 or len(points) <= 1:
        return [np.arange(len(points))]
    extent = points.max(axis=0) - points.min(axis=0)
    axis = int(np.argmax(extent))
    order = np.argsort(points[:, axis], kind="stable")
    cumulative = np.cumsum(weights[order])
    left_k = k // 2
    cut = int(np.searchsorted(cumulative, cumulative[-1] * left_k / k))
    cut = min(max(cut, 1), len(points) - 1)
    groups = []
    for part, part_k in ((order[:cut], left_k), (order[cut:], k - left_k)):
        for sub in _bisect(points[part], weights[part], part_k):
            groups.append(part[sub])
    return groups


def commune_seats(
    xy: np.ndarray,
    population: np.ndarray,
    outline: Polygon,
    count: int,
    fixed: np.ndarray,
    keep_out_m: np.ndarray,
) -> np.ndarray:
    """Centres of ``count`` communes balancing population and land area.

    Parameters
    ----------
    xy
        Village positions, UTM metres, shape (n, 2).
    population
        Village populations.
    outline
        Province outline.
    count
        Number of communes.
    fixed
        Seats that must exist (town centres), shape (m, 2); the others come from recursive
        equal-weight cuts of the villages and the land.
    keep_out_m
        Radius around each fixed seat whose villages and land are left to that seat
        (0 lets the split place more seats there, as in a city with several wards).

    Returns
    -------
    numpy.ndarray
        Seat positions, shape (count, 2).
    """
    weights = population.astype(np.float64) ** _POPULATION_EXPONENT
    minx, miny, maxx, maxy = outline.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, _LATTICE_M), np.arange(miny, maxy, _LATTICE_M))
    on_land = shapely.contains_xy(outline, gx.ravel(), gy.ravel())
    lattice = np.column_stack([gx.ravel()[on_land], gy.ravel()[on_land]])
    points = np.vstack([xy, lattice])
    all_weights = np.concatenate([weights, np.full(len(lattice), weights.mean() * _LATTICE_WEIGHT)])
    fixed = fixed.reshape(-1, 2)
    gap = np.hypot(points[:, None, 0] - fixed[None, :, 0], points[:, None, 1] - fixed[None, :, 1])
    free = np.all(gap > keep_out_m[None, :], axis=1)
    points, all_weights = points[free], all_weights[free]
    groups = _bisect(points, all_weights, count - len(fixed))
    seats = [np.average(points[g], axis=0, weights=all_weights[g]) for g in groups]
    return np.vstack([fixed, np.asarray(seats)])


def tile_communes(seats: np.ndarray, outline: Polygon) -> list[Polygon]:
    """Voronoi cells of ``seats`` clipped to ``outline``, one polygon per seat.

    Cells that the outline splits into pieces keep their largest piece; the others join
    the neighbour they share most border with, so every commune is one polygon and the
    communes still tile the outline.
    """
    if len(seats) == 1:
        return [outline]
    cells = shapely.voronoi_polygons(
        MultiPoint(seats), extend_to=outline.buffer(50_000.0), ordered=True
    )
    parts = [shapely.make_valid(cell.intersection(outline)) for cell in cells.geoms]
    polygons = [_largest(p) for p in parts]
    for piece_set in parts:
        for piece in _pieces(piece_set)[1:]:
            shared = [piece.intersection(poly.boundary).length for poly in polygons]
            owner = int(np.argmax(shared))
            polygons[owner] = _largest(shapely.make_valid(polygons[owner].union(piece)))
    return polygons


def _pieces(geometry: BaseGeometry) -> list[Polygon]:
    """Polygon parts of ``geometry``, largest first."""
    polys = [g for g in getattr(geometry, "geoms", [geometry]) if isinstance(g, Polygon)]
    return sorted(polys, key=lambda g: -g.area)


def _largest(geometry: BaseGeometry) -> Polygon:
    """The largest polygon part of ``geometry``."""
    return _pieces(geometry)[0]


def commune_of(polygons: list[Polygon], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the commune holding each point (-1 when none does)."""
    tree = shapely.STRtree(polygons)
    point_idx, poly_idx = tree.query(shapely.points(x, y), predicate="intersects")
    owner = np.full(len(x), -1, dtype=np.int64)
    order = np.lexsort((poly_idx, point_idx))
    first = np.unique(point_idx[order], return_index=True)[1]
    owner[point_idx[order][first]] = poly_idx[order][first]
    return owner


def catchments(commune: Polygon, xy: np.ndarray, radius_m: np.ndarray) -> list[Polygon]:
    """Catchment polygon of each village inside ``commune``.

    Parameters
    ----------
    commune
        The commune polygon.
    xy
        Positions of its villages, shape (n, 2).
    radius_m
        Largest distance a catchment reaches from its village.

    Returns
    -------
    list of shapely.geometry.Polygon
        The Voronoi cell of each village within the commune, cut to its radius; the part
        holding the village when the cut splits it.
    """
    discs = shapely.buffer(shapely.points(xy), radius_m, quad_segs=12)
    if len(xy) == 1:
        cells = [commune]
    else:
        cells = list(
            shapely.voronoi_polygons(
                MultiPoint(xy), extend_to=commune.buffer(10_000.0), ordered=True
            ).geoms
        )
    clipped = shapely.intersection(shapely.intersection(cells, commune), discs)
    result = []
    for geom, (x, y) in zip(shapely.make_valid(clipped), xy, strict=True):
        pieces = _pieces(geom)
        home = [p for p in pieces if p.intersects(Point(x, y))]
        result.append(home[0] if home else pieces[0])
    return result
