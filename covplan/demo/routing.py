"""Least-cost routing on the coarse grid and the road graph it builds.

Roads are paths of routing-grid cells. :class:`RoadGraph` keeps every edge between two
cells once, under the class of the first (highest-ranked) road that used it, and turns the
edges into smooth polylines split at junctions, so that the network stays topologically
connected and never holds the same stretch twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString
from skimage.graph import MCP_Geometric

from covplan.grid import GridSpec

Cell = tuple[int, int]

#: Slope (rise over run) at which the cost of a road class doubles.
SLOPE_SCALE = {"expressway": 0.025, "national": 0.05, "provincial": 0.07, "local": 0.10}

#: Rank of each road class, highest first; :attr:`RoadGraph.rank` holds this per cell.
CLASS_RANK = {"expressway": 0, "national": 1, "provincial": 2, "local": 3}
NO_ROAD = 9


@dataclass(frozen=True)
class RoadAttrs:
    """Attributes shared by the edges of one road.

    Parameters
    ----------
    road_class
        One of {"expressway", "national", "provincial", "local"}.
    ref
        Route number such as ``"QL.91"``; empty for local roads.
    name
        Road name; empty for local roads.
    """

    road_class: str
    ref: str = ""
    name: str = ""


def slope_cost(
    dem: np.ndarray, grid: GridSpec, road_class: str, inside: np.ndarray, water: np.ndarray
) -> np.ndarray:
    """Cost per unit length of building ``road_class`` through each routing cell.

    Parameters
    ----------
    dem
        Elevation on the routing grid, metres.
    grid
        The routing grid.
    road_class
        Road class, sets how strongly slopes are avoided.
    inside
        Cells inside the province; outside costs six times more.
    water
        River cells; crossing one costs as much as three extra cells (a bridge).

    Returns
    -------
    numpy.ndarray
        Positive float64 costs.
    """
    gy, gx = np.gradient(dem.astype(np.float64), grid.resolution_m)
    slope = np.hypot(gx, gy)
    cost = 1.0 + (slope / SLOPE_SCALE[road_class]) ** 2
    cost = np.where(inside, cost, cost * 6.0)
    return np.asarray(cost + 3.0 * water)


def route(cost: np.ndarray, start: Cell, end: Cell, *, margin: int = 30) -> list[Cell]:
    """Least-cost path of cells from ``start`` to ``end``.

    The search runs in a window around both ends (widened by ``margin`` cells and by half
    their distance) so short links stay cheap.

    Parameters
    ----------
    cost
        Cost per cell.
    start, end
        (row, col) cells.
    margin
        Extra cells around the two ends.

    Returns
    -------
    list of tuple
        The path, ``start`` first.
    """
    pad = margin + int(0.5 * np.hypot(start[0] - end[0], start[1] - end[1]))
    r0 = max(0, min(start[0], end[0]) - pad)
    c0 = max(0, min(start[1], end[1]) - pad)
    r1 = min(cost.shape[0], max(start[0], end[0]) + pad + 1)
    c1 = min(cost.shape[1], max(start[1], end[1]) + pad + 1)
    mcp = MCP_Geometric(cost[r0:r1, c0:c1], fully_connected=True)
    mcp.find_costs([(start[0] - r0, start[1] - c0)], ends=[(end[0] - r0, end[1] - c0)])
    path = mcp.traceback((end[0] - r0, end[1] - c0))
    return [(int(r) + r0, int(c) + c0) for r, c in path]


class RoadGraph:
    """Road edges between routing cells and village points.

    Parameters
    ----------
    grid
        The routing grid.
    """

    def __init__(self, grid: GridSpec) -> None:
        self.grid = grid
        self.rank = np.full(grid.shape, NO_ROAD, dtype=np.int8)
        self._edges: dict[tuple[int, int], int] = {}
        self._attrs: dict[RoadAttrs, int] = {}
        self._points: dict[int, tuple[float, float]] = {}

    @property
    def occupied(self) -> np.ndarray:
        """Cells any road passes through."""
        return np.asarray(self.rank < NO_ROAD)

    def accessible(self) -> np.ndarray:
        """Cells of roads that other roads may join (all but the access-controlled expressway)."""
        return np.asarray((self.rank > CLASS_RANK["expressway"]) & (self.rank < NO_ROAD))

    def _node(self, cell: Cell) -> int:
        return cell[0] * self.grid.width + cell[1]

    def _attr_index(self, attrs: RoadAttrs) -> int:
        return self._attrs.setdefault(attrs, len(self._attrs))

    def _add_edge(self, a: int, b: int, index: int) -> None:
        if a != b:
            self._edges.setdefault((min(a, b), max(a, b)), index)

    def add_path(self, cells: Sequence[Cell], attrs: RoadAttrs) -> None:
        """Add a path of cells; stretches already built keep their first class."""
        index = self._attr_index(attrs)
        nodes = [self._node(c) for c in cells]
        for a, b in itertools.pairwise(nodes):
            self._add_edge(a, b, index)
        rows, cols = (list(axis) for axis in zip(*cells, strict=True))
        self.rank[rows, cols] = np.minimum(self.rank[rows, cols], CLASS_RANK[attrs.road_class])

    def add_link(self, xy: tuple[float, float], cell: Cell, attrs: RoadAttrs) -> None:
        """Add a straight link from point ``xy`` (such as a village) to ``cell``."""
        node = -(len(self._points) + 1)
        self._points[node] = xy
        self._add_edge(node, self._node(cell), self._attr_index(attrs))

    def _xy(self, node: int) -> tuple[float, float]:
        if node < 0:
            return self._points[node]
        row, col = divmod(node, self.grid.width)
        x, y = self.grid.transform @ (col + 0.5, row + 0.5)
        return (float(x), float(y))

    def chains(self) -> list[tuple[list[int], RoadAttrs]]:
        """Maximal runs of edges of one road between junctions, in a stable order."""
        adjacency: dict[int, list[tuple[int, int]]] = {}
        for (a, b), index in self._edges.items():
            adjacency.setdefault(a, []).append((b, index))
            adjacency.setdefault(b, []).append((a, index))

        def is_break(node: int) -> bool:
            links = adjacency[node]
            return len(links) != 2 or links[0][1] != links[1][1]

        by_index = {index: attrs for attrs, index in self._attrs.items()}
        seen: set[tuple[int, int]] = set()
        result = []
        starts = sorted(n for n in adjacency if is_break(n)) + sorted(adjacency)
        for start in starts:
            for nxt, index in adjacency[start]:
                if (min(start, nxt), max(start, nxt)) in seen:
                    continue
                chain = [start]
                prev, node = start, nxt
                seen.add((min(prev, node), max(prev, node)))
                while True:
                    chain.append(node)
                    if node == start or is_break(node):
                        break
                    step = next(n for n, _ in adjacency[node] if n != prev)
                    key = (min(node, step), max(node, step))
                    if key in seen:
                        break
                    seen.add(key)
                    prev, node = node, step
                result.append((chain, by_index[index]))
        return result

    def lines(
        self, *, tolerance_m: float = 100.0, smoothing: int = 2
    ) -> list[tuple[LineString, RoadAttrs]]:
        """Every chain as a smooth polyline; junction end points are kept exactly.

        Parameters
        ----------
        tolerance_m
            Douglas-Peucker tolerance that removes the grid's stair steps.
        smoothing
            Chaikin iterations after simplifying.

        Returns
        -------
        list of tuple
            ``(line, attrs)`` per chain.
        """
        chains = self.chains()
        raw = [LineString([self._xy(n) for n in chain]) for chain, _ in chains]
        simple = shapely.simplify(raw, tolerance_m, preserve_topology=False)
        return [
            (LineString(chaikin(shapely.get_coordinates(line), smoothing)), attrs)
            for line, (_, attrs) in zip(simple, chains, strict=True)
        ]


def chaikin(coords: np.ndarray, iterations: int) -> np.ndarray:
    """Chaikin corner cutting of a polyline, keeping both end points.

    Parameters
    ----------
    coords
        (n, 2) vertices.
    iterations
        Number of refinements.

    Returns
    -------
    numpy.ndarray
        The smoothed vertices.
    """
    for _ in range(iterations):
        if len(coords) < 3:
            break
        q = 0.75 * coords[:-1] + 0.25 * coords[1:]
        r = 0.25 * coords[:-1] + 0.75 * coords[1:]
        inner = np.empty((2 * len(q), 2))
        inner[0::2], inner[1::2] = q, r
        coords = np.vstack([coords[:1], inner[1:-1], coords[-1:]])
    return coords


def line_cells(grid: GridSpec, line: LineString) -> np.ndarray:
    """Cells of ``grid`` a line passes through (sampled every half cell), shape (n, 2)."""
    vertices = shapely.get_coordinates(line)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(vertices, axis=0).T))])
    distances = np.arange(0.0, along[-1] + 1e-9, grid.resolution_m / 2.0)
    rows, cols = grid.index(
        np.interp(distances, along, vertices[:, 0]), np.interp(distances, along, vertices[:, 1])
    )
    keep = (rows >= 0) & (rows < grid.height) & (cols >= 0) & (cols < grid.width)
    return np.column_stack([rows[keep], cols[keep]])
