"""Polygons burnt once onto the coverage grid, so per-zone sums are one ``bincount``.

Each cell belongs to at most one zone: the zone containing the cell centre (later zones
win where zones overlap). A zone too small to hold any cell centre takes the cell under
its representative point, so every non-empty zone has at least one cell and nothing it
holds is lost. Per-zone sums therefore count every cell once: a village straddling two
communes is split between them cell by cell, never counted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import shapely
from rasterio.features import rasterize

from covplan.grid import GridSpec
from covplan.metrics._kernels import cell_counts, zone_bounds, zone_code_totals, zone_totals
from covplan.tiled import TiledArray
from covplan.tiled import Window as Window  # the metrics' name for it

logger = logging.getLogger(__name__)

#: A rectangle of a grid as (row slice, column slice).
Region: TypeAlias = tuple[slice, slice]


@dataclass(frozen=True, eq=False)
class ZoneRaster:
    """Which zone (row position in its frame) each grid cell belongs to.

    Parameters
    ----------
    ids
        int32 array of ``grid.shape``: the zone's position in its frame, -1 for none.
    grid
        The grid.
    count
        Number of zones (rows of the frame).
    """

    ids: np.ndarray
    grid: GridSpec
    count: int

    @cached_property
    def cell_counts(self) -> np.ndarray:
        """Number of cells of each zone (float64)."""
        return cell_counts(self.ids, self.count).astype(np.float64)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Row and column span ``[r0, r1, c0, c1)`` of each zone's cells (int64, zeros if none)."""
        return zone_bounds(self.ids, self.count)

    def touched(self, window: Window) -> np.ndarray:
        """Boolean per zone: whether any of its cells lies in ``window`` (r0, r1, c0, c1)."""
        r0, r1, c0, c1 = window
        return cell_counts(self.ids[r0:r1, c0:c1], self.count) > 0

    def span(self, zones: np.ndarray) -> Region:
        """The smallest rectangle of the grid holding every cell of the ``zones`` (mask)."""
        b = self.bounds[zones]
        if not len(b):
            return slice(0, 0), slice(0, 0)
        return slice(int(b[:, 0].min()), int(b[:, 1].max())), \
            slice(int(b[:, 2].min()), int(b[:, 3].max()))

    def at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Zone position at points (cell lookup); -1 outside every zone or the grid."""
        row, col = self.grid.index(np.asarray(x), np.asarray(y))
        inside = (row >= 0) & (row < self.grid.height) & (col >= 0) & (col < self.grid.width)
        out = np.full(np.shape(row), -1, dtype=np.int64)
        out[inside] = self.ids[row[inside], col[inside]]
        return out

    def totals(self, weights: np.ndarray | None, masks: Sequence[np.ndarray] = (), *,
               keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per-zone weight sums and cell counts, over all cells and over each mask's cells.

        Parameters
        ----------
        weights
            Weight per cell (people); None counts cells only (the sums are then counts).
        masks
            Up to 8 boolean grids.
        keep
            Boolean per zone: sum only these zones, scanning only the rectangle that holds
            them (the other rows stay 0). Each zone's sums are exactly those of a full pass.

        Returns
        -------
        sums, cells : numpy.ndarray
            float64 of shape ``(count, 1 + len(masks))``: column 0 over every cell of the
            zone, column k + 1 over the cells where ``masks[k]`` is set. One pass.
        """
        if len(masks) > 8:
            raise ValueError(f"at most 8 masks per pass, got {len(masks)}")
        region, kept = self._region(keep)
        ids = self.ids[region]
        flags = _pack([np.asarray(m)[region] for m in masks], ids.shape)
        weighted = weights is not None
        values = np.asarray(weights, dtype=np.float64)[region] if weighted else _DUMMY_F8
        sums, cells = zone_totals(ids, values, weighted, flags, len(masks), self.count, kept)
        return (sums if weighted else cells), cells

    def code_totals(self, weights: np.ndarray, mask: np.ndarray,
                    server: np.ndarray | TiledArray, codes: np.ndarray, ncodes: int, *,
                    keep: np.ndarray | None = None) -> np.ndarray:
        """Per-zone sums of ``weights`` over ``mask``'s cells, by the code of their server.

        ``server`` holds a serving index per cell (-1 none; an array or tiles, read only
        where the zones lie) and ``codes[index]`` its code (an operator; -1 unknown, not
        counted). ``keep`` as in :meth:`totals`.

        Returns
        -------
        numpy.ndarray
            float64 of shape ``(count, ncodes)``.
        """
        region, kept = self._region(keep)
        if isinstance(server, TiledArray):
            rows, cols = (s.indices(n) for s, n in zip(region, self.grid.shape, strict=True))
            served = server.window((rows[0], rows[1], cols[0], cols[1]))
        else:
            served = np.asarray(server, dtype=np.int32)[region]
        return zone_code_totals(self.ids[region], served,
                                np.asarray(codes, dtype=np.int64), np.asarray(mask)[region],
                                np.asarray(weights, dtype=np.float64)[region], self.count,
                                ncodes, kept)

    def _region(self, keep: np.ndarray | None) -> tuple[Region, np.ndarray]:
        """The rectangle a pass over the ``keep`` zones scans, and the kernels' keep flags."""
        if keep is None:
            return (slice(None), slice(None)), _ALL
        return self.span(keep), np.asarray(keep, dtype=bool)

    def sums(self, weights: np.ndarray | None = None, mask: np.ndarray | None = None
             ) -> np.ndarray:
        """Per-zone sum of ``weights`` (cell count when None) over cells where ``mask``.

        Returns
        -------
        numpy.ndarray
            float64 of length :attr:`count`.
        """
        if weights is None and mask is None:
            return self.cell_counts
        sums, _ = self.totals(weights, [] if mask is None else [mask])
        return sums[:, -1]


_DUMMY_F8 = np.zeros((1, 1))
_ALL = np.zeros(0, dtype=bool)
_DUMMY_U1 = np.zeros((1, 1), dtype=np.uint8)


def _pack(masks: Sequence[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Boolean grids as bits of one uint8 grid (a view when there is one mask)."""
    if not masks:
        return _DUMMY_U1
    if len(masks) == 1:
        return np.ascontiguousarray(masks[0], dtype=bool).view(np.uint8)
    flags = np.zeros(shape, dtype=np.uint8)
    for bit, mask in enumerate(masks):
        flags |= np.asarray(mask, dtype=bool).view(np.uint8) << np.uint8(bit)
    return flags


def rasterize_zones(frame: gpd.GeoDataFrame, grid: GridSpec) -> ZoneRaster:
    """Burn the polygons (or points) of ``frame`` onto ``grid``.

    Parameters
    ----------
    frame
        Zones in the grid's CRS.
    grid
        The coverage grid.

    Returns
    -------
    ZoneRaster
        Cell ownership by row position in ``frame``.
    """
    geoms = np.asarray(frame.geometry.values)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ids = np.full(grid.shape, -1, dtype=np.int32)
    if valid.any():
        shapes = zip(geoms[valid], np.flatnonzero(valid).tolist(), strict=True)
        ids = rasterize(shapes, out_shape=grid.shape, transform=grid.transform, fill=-1,
                        dtype="int32")
    counts = cell_counts(ids, len(frame))
    _claim_points(ids, geoms, np.flatnonzero(valid & (counts == 0)), grid)
    return ZoneRaster(ids=ids, grid=grid, count=len(frame))


def _claim_points(ids: np.ndarray, geoms: np.ndarray, small: np.ndarray, grid: GridSpec
                  ) -> None:
    """Give each zone holding no cell centre the cell under its representative point."""
    if not len(small):
        return
    points = shapely.point_on_surface(geoms[small])
    row, col = grid.index(shapely.get_x(points), shapely.get_y(points))
    inside = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
    ids[row[inside], col[inside]] = small[inside]
    logger.debug("%d zones smaller than a cell took the cell under their centre",
                 int(inside.sum()))
