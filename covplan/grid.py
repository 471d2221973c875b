"""Raster grids: a georeferenced array description shared by terrain, population and coverage.

A :class:`GridSpec` is the grid (CRS, affine transform, shape); a :class:`Raster` is an
array on a grid. Both are small frozen dataclasses so they pass between layers as plain
data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from affine import Affine
from pyproj import CRS


@dataclass(frozen=True)
class GridSpec:
    """A north-up raster grid in a projected CRS.

    Parameters
    ----------
    crs_wkt
        The grid's CRS as WKT (kept as text so the spec is hashable).
    transform
        Affine transform from (col, row) to (x, y) of the cell's upper-left corner.
    width, height
        Number of columns and rows.
    """

    crs_wkt: str
    transform: Affine
    width: int
    height: int

    @classmethod
    def from_bounds(
        cls, bounds: tuple[float, float, float, float], resolution_m: float, crs: CRS | str | int
    ) -> GridSpec:
        """Build a grid covering ``bounds`` (minx, miny, maxx, maxy) at ``resolution_m``.

        The origin snaps outward to a multiple of the resolution so that grids built for the
        same area at the same resolution always align.
        """
        if resolution_m <= 0:
            raise ValueError(f"resolution_m must be positive, got {resolution_m}")
        minx, miny, maxx, maxy = bounds
        x0 = math.floor(minx / resolution_m) * resolution_m
        y1 = math.ceil(maxy / resolution_m) * resolution_m
        width = max(1, math.ceil((maxx - x0) / resolution_m))
        height = max(1, math.ceil((y1 - miny) / resolution_m))
        transform = Affine(resolution_m, 0.0, x0, 0.0, -resolution_m, y1)
        return cls(CRS.from_user_input(crs).to_wkt(), transform, width, height)

    @property
    def crs(self) -> CRS:
        """The grid's CRS."""
        return CRS.from_wkt(self.crs_wkt)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return (self.height, self.width)

    @property
    def resolution_m(self) -> float:
        """Cell size in metres (square cells)."""
        return float(self.transform.a)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of the outer cell edges."""
        x0, y1 = self.transform.c, self.transform.f
        return (x0, y1 + self.transform.e * self.height, x0 + self.transform.a * self.width, y1)

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """X of every column centre and y of every row centre (1-D arrays)."""
        res = self.transform.a
        xs = self.transform.c + res * (np.arange(self.width) + 0.5)
        ys = self.transform.f + self.transform.e * (np.arange(self.height) + 0.5)
        return xs, ys

    def index(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cells holding points ``(x, y)`` (may fall outside the grid)."""
        col = np.floor((np.asarray(x) - self.transform.c) / self.transform.a).astype(np.int64)
        row = np.floor((np.asarray(y) - self.transform.f) / self.transform.e).astype(np.int64)
        return row, col


@dataclass(frozen=True, eq=False)
class Raster:
    """A 2-D array on a :class:`GridSpec`.

    Parameters
    ----------
    data
        Array of shape ``grid.shape``; missing cells are NaN for float arrays.
    grid
        Where the array lies.
    units
        Unit of the values, such as ``"m"``, ``"people"`` or ``"dBm"``.
    notes
        What was done to the data on load (voids filled, resampling), for reports.
    """

    data: np.ndarray
    grid: GridSpec
    units: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.data.shape != self.grid.shape:
            raise ValueError(
                f"Raster data has shape {self.data.shape} but its grid is {self.grid.shape}"
            )

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Values at points (nearest cell); NaN outside the grid."""
        row, col = self.grid.index(x, y)
        inside = (row >= 0) & (row < self.grid.height) & (col >= 0) & (col < self.grid.width)
        out = np.full(np.shape(row), np.nan, dtype=np.float64)
        out[inside] = self.data[row[inside], col[inside]]
        return out
