"""Rivers: least-cost channels over low ground, then valleys carved around them.

The main stem runs from the southern outlet up through a few waypoints to its source;
every tributary then takes the least-cost path from its source to the nearest channel
already traced, so the channels join into a dendritic network. Each channel gets a bed
that only falls downstream, and the terrain around it is lowered towards that bed, leaving
a flat valley floor and smooth valley sides.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import scipy.ndimage as ndi
import shapely
from shapely.geometry import LineString
from skimage.graph import MCP_Geometric

from covplan.demo.noise import spectral_noise
from covplan.demo.routing import chaikin
from covplan.grid import GridSpec

logger = logging.getLogger(__name__)

#: Largest sideways wander of a channel per stream order, metres.
_MEANDER_M = {0: 350.0, 1: 250.0, 2: 150.0}

#: Valley shape per stream order: (flat floor half-width, side width) in metres.
_VALLEY_M = {0: (650.0, 3_500.0), 1: (300.0, 2_000.0), 2: (120.0, 1_100.0)}

Cell = tuple[int, int]


@dataclass(frozen=True)
class River:
    """One channel, source first.

    Parameters
    ----------
    line
        Channel centre line in UTM metres, source first.
    order
        0 for the main stem, 1 for a tributary, 2 for a minor stream.
    """

    line: LineString
    order: int


@dataclass(frozen=True)
class RiverPlan:
    """Where the rivers go, in normalised outline coordinates (0..1 west-east, south-north).

    Parameters
    ----------
    main
        Waypoints of the main stem from the outlet up to its source.
    tributaries
        Sources of the large tributaries.
    minor
        Number of minor streams with random sources in the uplands.
    """

    main: tuple[tuple[float, float], ...]
    tributaries: tuple[tuple[float, float], ...]
    minor: int


def _cell_of(
    grid: GridSpec, norm_xy: tuple[float, float], bounds: tuple[float, float, float, float]
) -> Cell:
    """Cell of ``grid`` at normalised outline coordinates, clamped into the grid."""
    minx, miny, maxx, maxy = bounds
    row, col = grid.index(minx + norm_xy[0] * (maxx - minx), miny + norm_xy[1] * (maxy - miny))
    return (int(np.clip(row, 0, grid.height - 1)), int(np.clip(col, 0, grid.width - 1)))


def _join(cost: np.ndarray, network: list[Cell], source: Cell) -> list[Cell]:
    """Least-cost path from ``source`` to the nearest cell of ``network`` (source first)."""
    mcp = MCP_Geometric(cost, fully_connected=True)
    mcp.find_costs(network, ends=[source])
    return [tuple(c) for c in mcp.traceback(source)][::-1]


def _minor_sources(
    dem: np.ndarray,
    inside: np.ndarray,
    taken: list[Cell],
    count: int,
    rng: np.random.Generator,
    spacing_cells: float,
) -> list[Cell]:
    """Random upland cells, at least ``spacing_cells`` from each other and from ``taken``."""
    upland = inside & (dem > np.percentile(dem[inside], 55))
    candidates = np.argwhere(upland)
    chosen: list[Cell] = []
    anchors = [np.asarray(c, dtype=float) for c in taken]
    for idx in rng.permutation(len(candidates))[: 40 * count + 100]:
        cell = candidates[idx].astype(float)
        if all(np.hypot(*(cell - a)) >= spacing_cells for a in anchors):
            chosen.append((int(cell[0]), int(cell[1])))
            anchors.append(cell)
            if len(chosen) == count:
                break
    return chosen


def trace_rivers(
    dem: np.ndarray,
    grid: GridSpec,
    inside: np.ndarray,
    outline_bounds: tuple[float, float, float, float],
    plan: RiverPlan,
    rng: np.random.Generator,
) -> list[River]:
    """Least-cost channels over low ground for the main stem and every tributary.

    Parameters
    ----------
    dem
        Elevation on ``grid``, metres (a coarse grid keeps this fast).
    grid
        The routing grid of ``dem``.
    inside
        Cells of ``grid`` inside the province.
    outline_bounds
        Bounds of the province outline, to place the plan's points.
    plan
        Where the main stem and tributaries go.
    rng
        Random source (jitters the plan and places minor sources).

    Returns
    -------
    list of River
        Main stem first, then tributaries and minor streams, each source first.
    """
    roughness = spectral_noise(
        dem.shape,
        grid.resolution_m,
        rng,
        beta=2.0,
        min_wavelength_m=1_500.0,
        max_wavelength_m=9_000.0,
    )
    cost = (1.0 + np.clip(dem, 0.0, None) / 45.0) ** 2 * np.exp(0.6 * roughness)
    cost = np.where(inside, cost, cost * 4.0)

    def jittered(point: tuple[float, float]) -> Cell:
        dx, dy = rng.uniform(-0.03, 0.03, size=2)
        return _cell_of(grid, (point[0] + dx, point[1] + dy), outline_bounds)

    stops = [jittered(p) for p in plan.main]
    main: list[Cell] = [stops[0]]
    for start, end in itertools.pairwise(stops):
        main.extend(_join(cost, [start], end)[::-1][1:])
    paths = [(main[::-1], 0)]
    sources = [(jittered(p), 1) for p in plan.tributaries]
    spacing = 8_000.0 / grid.resolution_m
    minor = _minor_sources(dem, inside, [s for s, _ in sources] + stops, plan.minor, rng, spacing)
    # One search from the whole main stem: the paths of all sources form a shortest-path
    # tree, so tributaries merge with each other before they reach the main stem.
    mcp = MCP_Geometric(cost, fully_connected=True)
    mcp.find_costs(list(dict.fromkeys(main)))
    traced = set(main)
    for source, order in sources + [(m, 2) for m in minor]:
        path: list[Cell] = []
        for cell in (tuple(c) for c in mcp.traceback(source)[::-1]):
            path.append((int(cell[0]), int(cell[1])))
            if path[-1] in traced:
                break
        if len(path) >= 4:
            paths.append((path, order))
            traced.update(path)
    xs, ys = grid.cell_centres()
    rivers = []
    for cells, order in paths:
        rc = np.asarray(cells)
        line = LineString(np.column_stack([xs[rc[:, 1]], ys[rc[:, 0]]]))
        rivers.append(River(line=meander(line, _MEANDER_M[order], rng), order=order))
    logger.debug("Traced %d river channels", len(rivers))
    return rivers


def meander(line: LineString, amplitude_m: float, rng: np.random.Generator) -> LineString:
    """Turn a grid path into a natural channel: straighten, smooth, then let it wander.

    The path is simplified to drop the grid's stair steps, rounded by Chaikin corner
    cutting, and displaced sideways by a smooth random wave (a sum of three sines of 2-6 km
    wavelength) that fades to zero at both ends, so junctions stay where they were.

    Parameters
    ----------
    line
        Channel path through cell centres, UTM metres.
    amplitude_m
        Largest sideways displacement.
    rng
        Random source (wavelengths and phases).

    Returns
    -------
    shapely.geometry.LineString
        The channel, densified to 90 m vertices.
    """
    coords = chaikin(shapely.get_coordinates(shapely.simplify(line, 250.0)), 3)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    if along[-1] < 500.0:
        return LineString(coords)
    s = np.linspace(0.0, along[-1], max(3, int(along[-1] / 90.0)))
    x, y = np.interp(s, along, coords[:, 0]), np.interp(s, along, coords[:, 1])
    tx, ty = np.gradient(x), np.gradient(y)
    norm = np.hypot(tx, ty) + 1e-9
    wave = np.zeros_like(s)
    for wavelength in rng.uniform(2_000.0, 6_000.0, size=3):
        wave += np.sin(2.0 * np.pi * s / wavelength + rng.uniform(0.0, 2.0 * np.pi)) / 3.0
    taper = np.clip(np.minimum(s, s[-1] - s) / 1_000.0, 0.0, 1.0)
    offset = amplitude_m * wave * taper
    return LineString(np.column_stack([x - ty / norm * offset, y + tx / norm * offset]))


def _bed_profile(dem: np.ndarray, grid: GridSpec, line: LineString) -> tuple[np.ndarray, ...]:
    """Rows, columns and a downstream-falling bed of dense samples along ``line``."""
    vertices = shapely.get_coordinates(line)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(vertices, axis=0).T))])
    distances = np.arange(0.0, along[-1], grid.resolution_m / 2.0)
    x = np.interp(distances, along, vertices[:, 0])
    y = np.interp(distances, along, vertices[:, 1])
    rows, cols = grid.index(x, y)
    rows = np.clip(rows, 0, grid.height - 1)
    cols = np.clip(cols, 0, grid.width - 1)
    profile = ndi.uniform_filter1d(dem[rows, cols].astype(np.float64), size=15, mode="nearest")
    bed = np.minimum.accumulate(profile) - (3.0 + 0.012 * profile)
    return rows, cols, bed


def carve_valleys(
    dem: np.ndarray, grid: GridSpec, rivers: list[River]
) -> tuple[np.ndarray, np.ndarray]:
    """Lower the terrain around each channel to its bed.

    Parameters
    ----------
    dem
        Elevation on the base grid, metres.
    grid
        The base grid.
    rivers
        Channels from :func:`trace_rivers`, main stem first.

    Returns
    -------
    tuple of numpy.ndarray
        ``(carved, valley)``: the carved elevation and a factor that is 0 on valley
        floors and rises to 1 beyond the valley sides.
    """
    carved = dem.astype(np.float32)
    valley = np.ones(dem.shape, dtype=np.float32)
    for river in rivers:
        rows, cols, profile = _bed_profile(dem, grid, river.line)
        floor, side = _VALLEY_M[river.order]
        reach = int((floor + side) / grid.resolution_m) + 2
        r0, c0 = max(int(rows.min()) - reach, 0), max(int(cols.min()) - reach, 0)
        window = (
            slice(r0, min(int(rows.max()) + reach + 1, grid.height)),
            slice(c0, min(int(cols.max()) + reach + 1, grid.width)),
        )
        new, factor = _carve_one(
            dem[window], (rows - r0, cols - c0), profile, floor, side, grid.resolution_m
        )
        np.minimum(carved[window], new, out=carved[window])
        np.minimum(valley[window], factor, out=valley[window])
    return carved, valley


def _carve_one(
    dem: np.ndarray,
    cells: tuple[np.ndarray, np.ndarray],
    bed: np.ndarray,
    floor_m: float,
    side_m: float,
    res_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """One channel's valley in a window: carved elevation and valley factor.

    Each channel is carved on its own and the results are combined with a minimum, so the
    surface stays continuous where valleys meet.
    """
    channel_bed = np.full(dem.shape, np.inf)
    np.minimum.at(channel_bed, cells, bed)
    distance, (near_r, near_c) = ndi.distance_transform_edt(
        ~np.isfinite(channel_bed), sampling=res_m, return_indices=True
    )
    near_bed = channel_bed[near_r, near_c]
    t = np.clip((distance - floor_m) / side_m, 0.0, 1.0)
    factor = t * t * (3.0 - 2.0 * t)
    new = np.where(dem > near_bed, near_bed + (dem - near_bed) * factor, dem)
    return new.astype(np.float32), factor.astype(np.float32)
