"""Roads that follow the land.

Highways run along valleys and over passes, provincial roads link the commune seats, and
local roads reach every village.

All roads are least-cost paths over slope on the routing grid (see
:mod:`covplan.demo.routing`). The expressway and national highways link border exits and
towns in a fixed plan; provincial roads follow a minimum spanning tree of the commune
seats plus a few loops; each village is linked to the nearest road by one search from the
whole network.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import scipy.ndimage as ndi
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay
from skimage.graph import MCP_Geometric

from covplan.demo.landscape import Landscape
from covplan.demo.noise import spectral_noise
from covplan.demo.routing import (
    CLASS_RANK,
    Cell,
    RoadAttrs,
    RoadGraph,
    line_cells,
    route,
    slope_cost,
)
from covplan.demo.settlements import Town
from covplan.demo.terrain import inside_mask

logger = logging.getLogger(__name__)

LOCAL = RoadAttrs("local")

#: Strength of the meander field in each class's cost.
_WIGGLE = {"expressway": 0.0, "national": 0.15, "provincial": 0.35, "local": 0.5}


@dataclass(frozen=True)
class HighwayPlan:
    """One highway: its attributes and the stops it links in order.

    Parameters
    ----------
    attrs
        Class, ref and name.
    stops
        Town indices, or border exits as normalised outline coordinates.
    """

    attrs: RoadAttrs
    stops: tuple[int | tuple[float, float], ...]


HIGHWAYS: dict[str, tuple[HighwayPlan, ...]] = {
    "full": (
        HighwayPlan(RoadAttrs("expressway", "CT.99", "Cao tốc CT.99"), ((0.20, -0.05), 1, 0, 4)),
        HighwayPlan(
            RoadAttrs("national", "QL.91", "Quốc lộ 91"), ((0.56, -0.05), 0, 4, 5, (0.52, 1.05))
        ),
        HighwayPlan(
            RoadAttrs("national", "QL.97", "Quốc lộ 97"), ((-0.05, 0.44), 2, 0, 3, (1.05, 0.30))
        ),
        HighwayPlan(RoadAttrs("national", "QL.93", "Quốc lộ 93"), (3, (0.96, 0.93))),
        HighwayPlan(RoadAttrs("national", "QL.95", "Quốc lộ 95"), (5, (0.06, 0.98))),
    ),
    "small": (
        HighwayPlan(RoadAttrs("national", "QL.91", "Quốc lộ 91"), ((0.55, -0.05), 0, (0.45, 1.05))),
    ),
}


@dataclass(frozen=True, eq=False)
class RoadContext:
    """Routing inputs shared by every road stage.

    Parameters
    ----------
    landscape
        The land.
    dem
        Elevation on the routing grid.
    inside
        Routing cells inside the province.
    water
        Routing cells on a river or large tributary.
    """

    landscape: Landscape
    dem: np.ndarray
    inside: np.ndarray
    water: np.ndarray
    wiggle: np.ndarray

    @classmethod
    def from_landscape(cls, landscape: Landscape, rng: np.random.Generator) -> RoadContext:
        """Derive the routing inputs from ``landscape``.

        ``rng`` draws a smooth cost field that makes minor roads meander instead of
        following the grid's eight directions.
        """
        grid = landscape.grids.route
        water = np.zeros(grid.shape, dtype=bool)
        for river in landscape.rivers:
            if river.order <= 1:
                cells = line_cells(grid, river.line)
                water[cells[:, 0], cells[:, 1]] = True
        wiggle = spectral_noise(
            grid.shape,
            grid.resolution_m,
            rng,
            beta=2.0,
            min_wavelength_m=700.0,
            max_wavelength_m=4_000.0,
        )
        inside = inside_mask(grid, landscape.outline)
        return cls(landscape, landscape.route_dem(), inside, water, wiggle)

    def cost(self, road_class: str) -> np.ndarray:
        """Cost grid for building ``road_class``."""
        cost = slope_cost(self.dem, self.landscape.grids.route, road_class, self.inside, self.water)
        return np.asarray(cost * np.exp(_WIGGLE[road_class] * self.wiggle))

    def cell(self, x: float, y: float) -> Cell:
        """Routing cell of a point, clamped into the grid."""
        grid = self.landscape.grids.route
        row, col = grid.index(x, y)
        return (int(np.clip(row, 0, grid.height - 1)), int(np.clip(col, 0, grid.width - 1)))


def _stop_cell(ctx: RoadContext, stop: int | tuple[float, float], towns: list[Town]) -> Cell:
    if isinstance(stop, int):
        return ctx.cell(towns[stop].x, towns[stop].y)
    minx, miny, maxx, maxy = ctx.landscape.outline.bounds
    return ctx.cell(minx + stop[0] * (maxx - minx), miny + stop[1] * (maxy - miny))


def build_highways(ctx: RoadContext, towns: list[Town], size: str) -> RoadGraph:
    """Route the expressway and national highways of the ``size`` plan.

    National highways avoid running on the expressway (they may cross it).

    Returns
    -------
    RoadGraph
        A graph holding the highways.
    """
    graph = RoadGraph(ctx.landscape.grids.route)
    for plan in HIGHWAYS[size]:
        cost = ctx.cost(plan.attrs.road_class)
        cost = np.where(graph.rank == CLASS_RANK["expressway"], cost * 4.0, cost)
        stops = [_stop_cell(ctx, s, towns) for s in plan.stops]
        path: list[Cell] = [stops[0]]
        for start, end in itertools.pairwise(stops):
            path.extend(route(cost, start, end)[1:])
        graph.add_path(path, plan.attrs)
    logger.debug("Routed %d highways", len(HIGHWAYS[size]))
    return graph


def highway_attraction(graph: RoadGraph, landscape: Landscape) -> np.ndarray:
    """Settlement multiplier on the base grid: 2.5 on a highway, fading to 1 by ~5 km."""
    distance = ndi.distance_transform_edt(~graph.occupied, sampling=graph.grid.resolution_m)
    factor = round(graph.grid.resolution_m / landscape.base.resolution_m)
    fine = np.repeat(np.repeat(distance, factor, axis=0), factor, axis=1)
    return np.asarray(1.0 + 1.5 * np.exp(-fine / 1_500.0), dtype=np.float32)


def _spanning_links(nodes: np.ndarray, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Minimum spanning tree of ``nodes`` plus some short Delaunay loops."""
    n = len(nodes)
    if n < 2:
        return []
    if n < 4:
        pairs = {(i, j) for i in range(n) for j in range(i + 1, n)}
    else:
        pairs = set()
        for simplex in Delaunay(nodes).simplices:
            for a, b in ((0, 1), (1, 2), (0, 2)):
                i, j = sorted((int(simplex[a]), int(simplex[b])))
                pairs.add((i, j))
    candidates = sorted(pairs)
    length = np.asarray([np.hypot(*(nodes[i] - nodes[j])) for i, j in candidates])
    rows, cols = zip(*candidates, strict=True)
    tree = minimum_spanning_tree(coo_matrix((length + 1e-6, (rows, cols)), shape=(n, n)))
    tree_pairs = {(min(i, j), max(i, j)) for i, j in zip(*tree.nonzero(), strict=True)}
    short = np.median(length) * 1.2
    extra = [
        p
        for p, d in zip(candidates, length, strict=True)
        if p not in tree_pairs and d < short and rng.random() < 0.3
    ]
    return sorted(tree_pairs) + extra


def _group_links(links: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split links into roads: walks that continue through nodes while they can."""
    remaining = list(links)
    roads = []
    while remaining:
        walk = [remaining.pop(0)]
        tail = walk[-1][1]
        while True:
            nxt = next((k for k, (a, b) in enumerate(remaining) if tail in (a, b)), None)
            if nxt is None or len(walk) >= 6:
                break
            a, b = remaining.pop(nxt)
            walk.append((a, b) if a == tail else (b, a))
            tail = walk[-1][1]
        roads.append(walk)
    return roads


def add_provincial(
    graph: RoadGraph, ctx: RoadContext, seats: np.ndarray, rng: np.random.Generator
) -> int:
    """Link commune seats (and towns) with provincial roads.

    Parameters
    ----------
    graph
        The road graph, extended in place.
    ctx
        Routing inputs.
    seats
        Positions to link, shape (n, 2).
    rng
        Random source (which loops to add).

    Returns
    -------
    int
        Number of provincial roads.
    """
    links = _spanning_links(seats, rng)
    roads = _group_links(links)
    base_cost = ctx.cost("provincial")
    for number, walk in enumerate(roads, start=901):
        attrs = RoadAttrs("provincial", f"ĐT.{number}", f"Đường tỉnh {number}")
        cost = np.where(graph.accessible(), base_cost * 0.4, base_cost)
        cost = np.where(graph.rank == CLASS_RANK["expressway"], cost * 4.0, cost)
        for i, j in walk:
            cells = route(cost, ctx.cell(*seats[i]), ctx.cell(*seats[j]))
            graph.add_path(cells, attrs)
    logger.debug("Routed %d provincial roads over %d links", len(roads), len(links))
    return len(roads)


def add_local_links(graph: RoadGraph, ctx: RoadContext, xy: np.ndarray) -> None:
    """Link every village to the nearest road over the cheapest ground.

    Parameters
    ----------
    graph
        The road graph, extended in place.
    ctx
        Routing inputs.
    xy
        Village positions, shape (n, 2).
    """
    joinable = graph.accessible()
    cost = ctx.cost("local")
    cost = np.where(joinable, cost * 0.4, cost)
    cost = np.where(graph.rank == CLASS_RANK["expressway"], cost * 4.0, cost)
    mcp = MCP_Geometric(cost, fully_connected=True)
    mcp.find_costs([tuple(c) for c in np.argwhere(joinable)])
    for x, y in xy:
        cell = ctx.cell(float(x), float(y))
        if not joinable[cell]:
            path = [(int(r), int(c)) for r, c in mcp.traceback(cell)]
            graph.add_path(path, LOCAL)
        graph.add_link((float(x), float(y)), cell, LOCAL)


def road_frame(graph: RoadGraph, ctx: RoadContext, crs: int) -> gpd.GeoDataFrame:
    """The road graph as smoothed lines clipped to the province.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``road_class``, ``ref``, ``name`` (both missing for local roads); one
        LineString per row, in ``crs``.
    """
    records = graph.lines()
    clipped = shapely.intersection([line for line, _ in records], ctx.landscape.outline)
    frame = gpd.GeoDataFrame(
        {
            "road_class": [a.road_class for _, a in records],
            "ref": [a.ref or None for _, a in records],
            "name": [a.name or None for _, a in records],
        },
        geometry=clipped,
        crs=crs,
    )
    frame = frame.explode(index_parts=False)
    keep = (frame.geometry.geom_type == "LineString") & (frame.geometry.length > 1.0)
    return frame[keep].reset_index(drop=True)
