"""Tiles of a big province: its coverage predicted window by window, then put together.

A province whose grid has more cells than one task may hold (``max_tile_cells``) is split
into rectangular windows of **its own grid** (:func:`plan_tiles`). Each tile is predicted
as a grid of its own (:func:`tile_grid`: the province grid's transform moved by a whole
number of cells, so every cell keeps its centre) from the sites within the overlap, the
largest radius a site is ever predicted to (:data:`covplan.predict.engine.MAX_RADIUS_M`)
plus one cell (:func:`sites_near`): every site that reaches a tile is predicted there.
:func:`assemble_coverage` lays the tiles back into the province grid, serving indices
renumbered to the province's sectors; the metrics and targets then run once on it.

Why the assembled grids equal a single-process prediction, bit for bit:

- a site's prediction in a cell depends only on the site, the terrain, the land cover
  under the cell and the cell's centre: the engine sweeps rays from the site over the
  terrain (neither depends on the grid's extent; the terrain is loaded in the working
  CRS, so it is not resampled per grid) and fills each cell from the rays at the cell's
  centre. Cell centres are computed from the grid's origin; with a resolution and an
  origin in whole half-metres (:func:`exact_tiling`, true of every grid covplan builds at
  whole-metre resolutions) they are multiples of 0.25 m, exact in floating point, so a
  cell's centre is the same number in its tile and in the province grid. The land cover
  is resampled (nearest) onto the province grid once and the tiles take it from there
  (:func:`aligned_dataset`): a tile's cell centre is then the centre of a land-cover
  cell, never on an edge between two, so every cell keeps its class;
- a site's window (the cells it is computed on) is clipped to the tile; the window's
  edges are rounded from the site's position and radius, but a cell's value is computed
  from its centre alone and cells beyond the radius get no signal, so clipping decides
  which cells are computed, not what they hold;
- a site beyond the overlap reaches no cell of the tile (its window, clipped to the tile,
  is empty); leaving it out changes nothing there;
- the best server of a cell is the strongest site, ties going to the site merged first;
  the sites of a tile are a subsequence of the province's, in the same order (the engine
  orders sectors by ``site_id`` and ``sector``), so every tie goes the same way;
- the metrics and targets run on the assembled grid, as in the single-process run:
  per-zone sums are not added up tile by tile (floating-point sums depend on their
  order, and people per cell depend on zones beyond a tile).

:class:`TileEvaluator` is the pipeline's own evaluator on a tile's grid, so a tile is
predicted exactly as :meth:`covplan.planning.ScenarioEvaluator.coverage` predicts (the same
floors, model, statuses and radio environment).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
from affine import Affine

from covplan import settings
from covplan.grid import GridSpec, Raster
from covplan.io import Dataset
from covplan.metrics.zones import Window
from covplan.planning import ScenarioEvaluator
from covplan.predict import CoverageGrid, on_air
from covplan.predict._groups import sector_table
from covplan.predict.engine import MAX_RADIUS_M, SectorLink
from covplan.predict.environment import codes_on_grid
from covplan.schema import TECHNOLOGIES

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class TileGrids:
    """One technology predicted on one tile.

    Parameters
    ----------
    rsrp_dbm
        float32 best-server RSRP of the tile's cells, NaN where no site reaches.
    server
        int32 serving sector, an index into ``site_keys`` (-1 none).
    site_keys
        ``"site_id/sector"`` of the tile's sectors.
    notes
        The prediction's notes (model, receiver, largest radius).
    sinr_db, link
        The SINR of the tile's cells and each of its sectors' bandwidth, MIMO layers and
        load (when the network was predicted with SINR).
    """

    rsrp_dbm: np.ndarray
    server: np.ndarray
    site_keys: tuple[str, ...]
    notes: tuple[str, ...]
    sinr_db: np.ndarray | None = None
    link: SectorLink | None = None


@dataclass(frozen=True, eq=False)
class TileCoverage:
    """A tile's prediction: its window of the province grid and a grid per technology.

    Parameters
    ----------
    window
        ``(r0, r1, c0, c1)`` of the province grid.
    grids
        ``{technology: TileGrids}`` for each technology with a site near the tile.
    sectors
        Sectors predicted for the tile (those within the overlap).
    load_s, prediction_s
        Time the tile's task spent reading the dataset and predicting.
    peak_rss_mb, worker
        Peak memory of the process that ran it, and which process that was.
    networks
        ``{operator: {technology: TileGrids}}``: each operator's own network on the tile,
        when a target needs it.
    """

    window: Window
    grids: dict[str, TileGrids]
    sectors: int
    load_s: float
    prediction_s: float
    peak_rss_mb: float
    worker: str
    networks: dict[str, dict[str, TileGrids]] | None = None


def exact_tiling(grid: GridSpec) -> bool:
    """Whether tiles of ``grid`` keep every cell centre exactly.

    True when its resolution and origin are whole half-metres (coordinates below 2**50 m):
    every cell centre is then a multiple of 0.25 m, exact in floating point.
    """
    t = grid.transform
    values = (2.0 * t.a, 2.0 * t.e, 2.0 * t.c, 2.0 * t.f)
    return (t.b == 0.0 and t.d == 0.0 and all(float(v).is_integer() for v in values)
            and max(abs(t.c), abs(t.f)) + abs(t.a) * (grid.width + grid.height) < 2.0**50)


def plan_tiles(shape: tuple[int, int], max_cells: int) -> tuple[Window, ...]:
    """Windows ``(r0, r1, c0, c1)`` splitting a grid into tiles of at most ``max_cells``.

    The fewest tiles that fit, as square as the grid allows; one window (the whole grid)
    when it fits.

    Examples
    --------
    >>> plan_tiles((96, 100), 2_400)
    ((0, 48, 0, 50), (0, 48, 50, 100), (48, 96, 0, 50), (48, 96, 50, 100))
    """
    rows, cols = shape
    if max_cells < 1:
        raise ValueError(f"max_cells must be at least 1, got {max_cells}")
    count = max(1, math.ceil(rows * cols / max_cells))
    while True:
        fits = [(ny, count // ny) for ny in range(1, count + 1) if count % ny == 0
                and ny <= rows and count // ny <= cols
                and math.ceil(rows / ny) * math.ceil(cols / (count // ny)) <= max_cells]
        if fits:
            ny, nx = min(fits, key=lambda f: abs(math.log((rows / f[0]) / (cols / f[1]))))
            break
        count += 1
    row_edges = [rows * i // ny for i in range(ny + 1)]
    col_edges = [cols * j // nx for j in range(nx + 1)]
    return tuple((row_edges[i], row_edges[i + 1], col_edges[j], col_edges[j + 1])
                 for i in range(ny) for j in range(nx))


def tile_grid(grid: GridSpec, window: Window) -> GridSpec:
    """The grid of one window of ``grid``: the same cells, its origin moved to the window."""
    r0, r1, c0, c1 = window
    t = grid.transform
    moved = Affine(t.a, 0.0, t.c + c0 * t.a, 0.0, t.e, t.f + r0 * t.e)
    return GridSpec(grid.crs_wkt, moved, c1 - c0, r1 - r0)


def sites_near(sites: gpd.GeoDataFrame, grid: GridSpec, reach_m: float = MAX_RADIUS_M
               ) -> gpd.GeoDataFrame:
    """The rows of ``sites`` within ``reach_m`` plus one cell of ``grid``'s edges (a box)."""
    minx, miny, maxx, maxy = grid.bounds
    pad = reach_m + grid.resolution_m
    x, y = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    keep = (x >= minx - pad) & (x <= maxx + pad) & (y >= miny - pad) & (y <= maxy + pad)
    return sites[keep]


@dataclass(eq=False)
class TileEvaluator(ScenarioEvaluator):
    """The pipeline's evaluator whose grid is one window of the province grid.

    Parameters
    ----------
    window
        ``(r0, r1, c0, c1)`` of the province grid (:meth:`Dataset.grid` at the
        resolution); the other parameters are :class:`~covplan.planning.ScenarioEvaluator`'s.
    """

    window: Window = (0, 0, 0, 0)

    @cached_property
    def grid(self) -> GridSpec:
        """The tile's grid: the province grid's cells of :attr:`window`."""
        province = self.dataset.grid(self.resolution_m or settings.resolution_m)
        return tile_grid(province, self.window)


def aligned_dataset(dataset: Dataset, grid: GridSpec) -> Dataset:
    """``dataset`` with its land cover resampled onto ``grid`` (the province grid).

    Resampled once, nearest neighbour, as the engine resamples it for any grid; a tile of
    ``grid`` then takes each cell's class from the cell itself, so tiles and the province
    grid see the same classes.
    """
    if dataset.landcover is None or dataset.landcover.grid == grid:
        return dataset
    codes = codes_on_grid(dataset.landcover, grid)
    return dataclasses.replace(dataset, landcover=Raster(codes, grid, dataset.landcover.units))


def tile_grids(coverage: dict[str, Any]) -> dict[str, TileGrids]:
    """The plain arrays of a tile's prediction (what a tile task sends back).

    Entries without serving sectors (the pipeline's empty grid when no site is near the
    tile) are left out: the assembled grid has no signal there anyway.
    """
    return {tech: TileGrids(np.asarray(g.rsrp_dbm.data, dtype=np.float32),
                            np.asarray(g.server.data, dtype=np.int32), g.site_keys,
                            g.rsrp_dbm.notes,
                            None if g.sinr_db is None else np.asarray(g.sinr_db.data),
                            g.link)
            for tech, g in coverage.items() if isinstance(g, CoverageGrid)}


def province_site_keys(sites: gpd.GeoDataFrame | None, statuses: Sequence[str]
                       ) -> dict[str, tuple[str, ...]]:
    """``{technology: site keys}`` of a prediction of the whole province, in its order."""
    if sites is None or not len(sites):
        return {}
    sites = on_air(sites, statuses)
    keys: dict[str, tuple[str, ...]] = {}
    for tech in TECHNOLOGIES:
        if (sites["technology"] == tech).any():
            table = sector_table(sites, tech)
            keys[tech] = tuple(f"{s}/{n}" for s, n in zip(table.site_id.tolist(),
                                                          table.sector.tolist(), strict=True))
    return keys


def assemble_coverage(grid: GridSpec, tiles: Sequence[TileCoverage],
                      site_keys: dict[str, tuple[str, ...]], operator: str | None = None
                      ) -> dict[str, CoverageGrid]:
    """The province's coverage from its tiles: one :class:`CoverageGrid` per technology.

    Parameters
    ----------
    grid
        The province grid.
    tiles
        Tiles whose windows cover ``grid`` without overlapping.
    site_keys
        :func:`province_site_keys`: the technologies predicted and their sectors' order.
    operator
        Assemble this operator's own network (:attr:`TileCoverage.networks`) instead of
        the merged one; its SINR and link values come along.
    """
    coverage: dict[str, CoverageGrid] = {}
    for tech, keys in site_keys.items():
        rsrp = np.full(grid.shape, np.nan, dtype=np.float32)
        server = np.full(grid.shape, -1, dtype=np.int32)
        sinr: np.ndarray | None = None
        link = np.full((3, len(keys)), np.nan)
        position = {key: i for i, key in enumerate(keys)}
        notes: list[str] = []
        for tile in tiles:
            grids = tile.grids if operator is None else (tile.networks or {}).get(operator, {})
            found = grids.get(tech)
            if found is None:
                continue
            r0, r1, c0, c1 = tile.window
            rsrp[r0:r1, c0:c1] = found.rsrp_dbm
            lookup = np.array([position[k] for k in found.site_keys] + [-1], dtype=np.int32)
            server[r0:r1, c0:c1] = lookup[found.server]  # -1 (none) takes the appended -1
            if found.sinr_db is not None and found.link is not None:
                if sinr is None:
                    sinr = np.full(grid.shape, np.nan, dtype=np.float32)
                sinr[r0:r1, c0:c1] = found.sinr_db
                link[:, lookup[:-1]] = (found.link.bandwidth_mhz, found.link.mimo_layers,
                                        found.link.load)
            notes += [n for n in found.notes if n not in notes]
        coverage[tech] = CoverageGrid(
            tech, Raster(rsrp, grid, "dBm", tuple(notes)),
            Raster(server, grid, "index", tuple(notes)), keys, None,
            None if sinr is None else Raster(sinr, grid, "dB", tuple(notes)),
            None if sinr is None else SectorLink(link[0], link[1], link[2]))
    logger.info("Assembled %d tiles into a %d × %d grid", len(tiles), grid.height, grid.width)
    return coverage
