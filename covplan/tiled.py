"""Grids kept as copy-on-write tiles, so that updating a window copies that window only.

A scenario edit changes a prediction only where the edited site reaches: a few hundred cells
a side on the full demo's grid of 3,556 x 3,336. Copying whole grids so that the previous
result stays as it was cost more than the update itself (fresh memory is slow to fault in).
A :class:`TiledArray` holds a grid as square tiles of :data:`TILE_CELLS` cells a side;
:meth:`TiledArray.patched` makes the next version, which shares every tile the window misses
with the previous one and copies only the tiles it touches. Neither version ever changes:
undo hands back the earlier one as it was.

Readers take a window (:meth:`TiledArray.window`), cells (:meth:`TiledArray.at`), every
k-th cell (:meth:`TiledArray.every`) or, when they need it whole, :meth:`TiledArray.array`
(assembled once and kept). :class:`TiledRaster` is a :class:`~covplan.grid.Raster` kept that
way; :class:`KeyGrid` a grid of keys (each cell's serving sector) numbered so that a new key
renumbers no cell of the others.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeAlias

import numpy as np

from covplan.grid import GridSpec, Raster

logger = logging.getLogger(__name__)

#: Side of a tile, in cells (a tile of float32 is 256 kB).
TILE_CELLS = 256

#: Rows ``[r0, r1)`` and columns ``[c0, c1)`` of a grid, as ``(r0, r1, c0, c1)``.
Window: TypeAlias = tuple[int, int, int, int]

#: Writes into fresh copies of the tiles a window touches: ``write(blocks, row0, col0)``,
#: where ``blocks`` hold grid rows ``row0...`` and columns ``col0...``.
Writer: TypeAlias = Callable[[list[np.ndarray], int, int], None]


def is_empty(window: Window) -> bool:
    """Whether ``window`` holds no cell."""
    return window[1] <= window[0] or window[3] <= window[2]


def _read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written through."""
    view = array.view()
    view.flags.writeable = False
    return view


class TiledArray:
    """A 2-D array stored as square tiles that versions of it share (module docstring).

    Make one with :meth:`of`; a version made by :meth:`patched` shares the tiles the patched
    window misses. Tiles are read-only views; nothing is ever written into a tile.

    Parameters
    ----------
    shape
        (rows, cols) of the whole array.
    tile
        Side of a tile, in cells.
    dtype
        The values' type.
    tiles
        Row-major over the tiles (the last row and column of tiles may be smaller); None
        to cut them from ``full`` when first read.
    full
        The whole array, when there is one (:meth:`array`).
    """

    def __init__(self, shape: tuple[int, int], tile: int, dtype: np.dtype,
                 tiles: Sequence[np.ndarray] | None = None, full: np.ndarray | None = None
                 ) -> None:
        if tiles is None and full is None:
            raise ValueError("a tiled array needs its tiles or its whole array")
        if tile <= 0:
            raise ValueError(f"tile must be positive, got {tile}")
        self.shape = (int(shape[0]), int(shape[1]))
        self.tile = int(tile)
        self.dtype = np.dtype(dtype)
        self._tiles = tuple(tiles) if tiles is not None else None
        self._full = full

    @classmethod
    def of(cls, array: np.ndarray, tile: int | None = None) -> TiledArray:
        """``array`` as tiles of ``tile`` cells (default :data:`TILE_CELLS`), without a copy.

        ``array`` is also what :meth:`array` gives back; it must not be written to after.
        """
        if array.ndim != 2:
            raise ValueError(f"a tiled array is 2-D, got shape {array.shape}")
        return cls(array.shape, TILE_CELLS if tile is None else int(tile), array.dtype,
                   full=array)

    @classmethod
    def filled(cls, shape: tuple[int, int], value: float, dtype: np.dtype | type,
               tile: int | None = None) -> TiledArray:
        """``value`` everywhere: every tile is a view of one block of a tile's size.

        It costs one tile of memory whatever the shape, so a network of a few sites makes
        its grids by patching the windows they reach into it (:meth:`patched`) instead of
        filling whole grids first.
        """
        out = cls(shape, TILE_CELLS if tile is None else int(tile), np.dtype(dtype), tiles=())
        windows = out.tile_windows()
        height = max(r1 - r0 for r0, r1, _, _ in windows)
        width = max(c1 - c0 for _, _, c0, c1 in windows)
        block = np.full((height, width), value, dtype=out.dtype)
        out._tiles = tuple(_read_only(block[:r1 - r0, :c1 - c0]) for r0, r1, c0, c1 in windows)
        return out

    @property
    def tile_shape(self) -> tuple[int, int]:
        """Tiles per column and per row of the grid."""
        return (max(1, math.ceil(self.shape[0] / self.tile)),
                max(1, math.ceil(self.shape[1] / self.tile)))

    @property
    def tiles(self) -> tuple[np.ndarray, ...]:
        """The tiles, row-major (read-only)."""
        if self._tiles is None:
            full = self._full
            assert full is not None
            self._tiles = tuple(_read_only(full[r0:r1, c0:c1])
                                for r0, r1, c0, c1 in self.tile_windows())
        return self._tiles

    def tile_windows(self) -> list[Window]:
        """Each tile's window on the grid, row-major."""
        rows, cols = self.shape
        t = self.tile
        n_rows, n_cols = self.tile_shape
        return [(i * t, min(rows, (i + 1) * t), j * t, min(cols, (j + 1) * t))
                for i in range(n_rows) for j in range(n_cols)]

    def same_layout(self, other: TiledArray) -> bool:
        """Whether ``other`` has this shape and tile size (its tiles then line up)."""
        return self.shape == other.shape and self.tile == other.tile

    def cover(self, window: Window) -> Window:
        """The smallest window of whole tiles holding ``window`` (clipped to the grid)."""
        r0, r1, c0, c1 = self._clip(window)
        if is_empty((r0, r1, c0, c1)):
            return (0, 0, 0, 0)
        t = self.tile
        return ((r0 // t) * t, min(self.shape[0], -(-r1 // t) * t),
                (c0 // t) * t, min(self.shape[1], -(-c1 // t) * t))

    def _clip(self, window: Window) -> Window:
        r0, r1, c0, c1 = (int(v) for v in window)
        rows, cols = self.shape
        return (max(0, r0), min(rows, r1), max(0, c0), min(cols, c1))

    def _touched(self, window: Window) -> list[int]:
        """Indices of the tiles ``window`` touches."""
        r0, r1, c0, c1 = window
        if is_empty(window):
            return []
        t = self.tile
        n_cols = self.tile_shape[1]
        return [i * n_cols + j for i in range(r0 // t, (r1 - 1) // t + 1)
                for j in range(c0 // t, (c1 - 1) // t + 1)]

    def _read(self, window: Window, out: np.ndarray) -> np.ndarray:
        """Copy the cells of ``window`` (inside the grid) into ``out`` of its shape."""
        r0, r1, c0, c1 = window
        if self._full is not None:
            out[...] = self._full[r0:r1, c0:c1]
            return out
        t = self.tile
        n_cols = self.tile_shape[1]
        tiles = self.tiles
        for i in self._touched(window):
            tr0, tc0 = (i // n_cols) * t, (i % n_cols) * t
            a0, a1 = max(r0, tr0), min(r1, tr0 + t)
            b0, b1 = max(c0, tc0), min(c1, tc0 + t)
            out[a0 - r0:a1 - r0, b0 - c0:b1 - c0] = tiles[i][a0 - tr0:a1 - tr0,
                                                             b0 - tc0:b1 - tc0]
        return out

    def window(self, window: Window) -> np.ndarray:
        """The cells of ``window`` (clipped to the grid): a read-only view, else a fresh copy.

        Never write to it: a view may be of tiles other versions share.
        """
        r0, r1, c0, c1 = self._clip(window)
        if is_empty((r0, r1, c0, c1)):
            return np.empty((max(0, r1 - r0), max(0, c1 - c0)), dtype=self.dtype)
        if self._full is not None:
            return _read_only(self._full[r0:r1, c0:c1])
        touched = self._touched((r0, r1, c0, c1))
        if len(touched) == 1:
            i = touched[0]
            n_cols = self.tile_shape[1]
            tr0, tc0 = (i // n_cols) * self.tile, (i % n_cols) * self.tile
            return self.tiles[i][r0 - tr0:r1 - tr0, c0 - tc0:c1 - tc0]
        return self._read((r0, r1, c0, c1), np.empty((r1 - r0, c1 - c0), dtype=self.dtype))

    def array(self) -> np.ndarray:
        """The whole array, assembled from the tiles on the first call and kept.

        It must not be written to (earlier and later versions may share its tiles).
        """
        if self._full is None:
            rows, cols = self.shape
            full = self._read((0, rows, 0, cols), np.empty(self.shape, dtype=self.dtype))
            logger.debug("Assembled a %d x %d array from its tiles", rows, cols)
            self._full = full
        return self._full

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The values at cells ``(rows, cols)`` (each inside the grid)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        if self._full is not None:
            out: np.ndarray = self._full[rows, cols]
            return out
        result = np.empty(rows.shape, dtype=self.dtype)
        if not rows.size:
            return result
        t = self.tile
        flat_rows, flat_cols = rows.ravel(), cols.ravel()
        which = (flat_rows // t) * self.tile_shape[1] + flat_cols // t
        if len(self.tiles) <= np.iinfo(np.int16).max:
            which = which.astype(np.int16)  # a stable sort of int16 is a radix sort
        order = np.argsort(which, kind="stable")
        ordered = which[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], ordered.size]
        flat = result.reshape(-1)
        n_cols = self.tile_shape[1]
        tiles = self.tiles
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            i = int(ordered[start])
            pick = order[start:end]
            tr0, tc0 = (i // n_cols) * t, (i % n_cols) * t
            flat[pick] = tiles[i][flat_rows[pick] - tr0, flat_cols[pick] - tc0]
        return result

    def every(self, step: int, start: int = 0) -> np.ndarray:
        """Rows and columns ``start, start + step, ...`` of the array (a new array)."""
        if self._full is not None:
            return np.ascontiguousarray(self._full[start::step, start::step])
        rows, cols = self.shape
        picked_rows = np.arange(start, rows, step)
        picked_cols = np.arange(start, cols, step)
        out = np.empty((picked_rows.size, picked_cols.size), dtype=self.dtype)
        for i, (r0, r1, c0, c1) in enumerate(self.tile_windows()):
            a0, a1 = np.searchsorted(picked_rows, (r0, r1))
            b0, b1 = np.searchsorted(picked_cols, (c0, c1))
            if a1 > a0 and b1 > b0:
                out[a0:a1, b0:b1] = self.tiles[i][picked_rows[a0] - r0::step,
                                                  picked_cols[b0] - c0::step]
        return out

    def patched(self, window: Window, write: Callable[[np.ndarray, int, int], None]
                ) -> TiledArray:
        """A new version: this one with ``write(block, row0, col0)`` applied in ``window``.

        ``block`` is a fresh copy of the tiles ``window`` touches, from grid row ``row0``
        and column ``col0``; only its cells in ``window`` may differ afterwards (cells
        outside the window's tiles stay shared). No window: this very array.
        """
        return patched([self], window, lambda blocks, r0, c0: write(blocks[0], r0, c0))[0]

    def updated(self, window: Window, values: np.ndarray) -> TiledArray:
        """A new version holding ``values`` (of ``window``'s shape) in ``window``."""
        r0, r1, c0, c1 = window

        def write(block: np.ndarray, row0: int, col0: int) -> None:
            block[r0 - row0:r1 - row0, c0 - col0:c1 - col0] = values

        return self.patched(window, write)

    def _replaced(self, cover: Window, block: np.ndarray) -> TiledArray:
        """A version with the tiles of ``cover`` (whole tiles) taken from ``block``."""
        block.flags.writeable = False
        tiles = list(self.tiles)
        windows = self.tile_windows()
        r0, _, c0, _ = cover
        for i in self._touched(cover):
            a0, a1, b0, b1 = windows[i]
            tiles[i] = block[a0 - r0:a1 - r0, b0 - c0:b1 - c0]
        return TiledArray(self.shape, self.tile, self.dtype, tiles=tiles)


def patched(arrays: Sequence[TiledArray], window: Window, write: Writer) -> list[TiledArray]:
    """New versions of ``arrays`` (one layout), written together in ``window``.

    ``write(blocks, row0, col0)`` gets a fresh copy of the tiles ``window`` touches of each
    array (:meth:`TiledArray.patched`); the new versions share every other tile with
    ``arrays``. No window: ``arrays`` themselves.

    Raises
    ------
    ValueError
        When the arrays' shapes or tiles differ.
    """
    first = arrays[0]
    if any(not first.same_layout(a) for a in arrays[1:]):
        raise ValueError("arrays patched together must have one shape and tile size")
    cover = first.cover(window)
    if is_empty(cover):
        return list(arrays)
    r0, r1, c0, c1 = cover
    blocks = [a._read(cover, np.empty((r1 - r0, c1 - c0), dtype=a.dtype)) for a in arrays]
    write(blocks, r0, c0)
    return [a._replaced(cover, b) for a, b in zip(arrays, blocks, strict=True)]


@dataclass(frozen=True, eq=False)
class TiledRaster:
    """A :class:`~covplan.grid.Raster` whose values are a :class:`TiledArray`.

    Parameters
    ----------
    values
        The values (``grid.shape``).
    grid, units, notes
        As for a :class:`~covplan.grid.Raster`.
    """

    values: TiledArray
    grid: GridSpec
    units: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.values.shape != self.grid.shape:
            raise ValueError(f"TiledRaster values have shape {self.values.shape} but its "
                             f"grid is {self.grid.shape}")

    @classmethod
    def of(cls, raster: Raster) -> TiledRaster:
        """``raster`` as tiles (no copy; :attr:`raster` is ``raster`` itself)."""
        out = cls(TiledArray.of(raster.data), raster.grid, raster.units, raster.notes)
        out.__dict__["raster"] = raster
        return out

    @cached_property
    def raster(self) -> Raster:
        """The values as a :class:`~covplan.grid.Raster` (the whole array, made once)."""
        return Raster(self.values.array(), self.grid, self.units, self.notes)

    def window(self, window: Window) -> np.ndarray:
        """:meth:`TiledArray.window` of the values."""
        return self.values.window(window)

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Values at points (nearest cell, float64); NaN outside the grid.

        As :meth:`covplan.grid.Raster.sample`, without the whole array.
        """
        row, col = self.grid.index(x, y)
        inside = (row >= 0) & (row < self.grid.height) & (col >= 0) & (col < self.grid.width)
        out = np.full(np.shape(row), np.nan, dtype=np.float64)
        out[inside] = self.values.at(row[inside], col[inside])
        return out


@dataclass(frozen=True, eq=False)
class KeyGrid:
    """Per cell one key or none, read as the key's position in ``order`` (-1: none).

    The cells hold codes into ``keys``: a list that later versions extend, so that a key
    added (a new site's sector sorting between others) renumbers no cell, and a version
    made by patching a window shares the other tiles (:class:`TiledArray`).

    Parameters
    ----------
    codes
        int32 codes into ``keys`` (-1: no key).
    keys
        The key of each code (unique).
    order
        The keys as the grid's readers number them (each in ``keys``, unique).
    """

    codes: TiledRaster
    keys: tuple[str, ...]
    order: tuple[str, ...]

    @classmethod
    def of(cls, raster: Raster, order: tuple[str, ...]) -> KeyGrid:
        """A grid of positions in ``order`` (codes = positions; no copy)."""
        return cls(TiledRaster.of(raster), order, order)

    @cached_property
    def numbered_as_keys(self) -> bool:
        """Whether codes are positions in ``order`` already."""
        return self.keys is self.order or self.keys == self.order

    @cached_property
    def _position(self) -> np.ndarray:
        """int32 per code, then -1 (for code -1): its key's position in ``order``."""
        position = {key: i for i, key in enumerate(self.order)}
        return np.array([position.get(k, -1) for k in self.keys] + [-1], dtype=np.int32)

    def positions(self, codes: np.ndarray) -> np.ndarray:
        """``codes`` (of this grid) as positions in ``order`` (a new int32 array)."""
        if self.numbered_as_keys:
            return np.array(codes, dtype=np.int32, copy=True)
        out: np.ndarray = self._position[codes]
        return out

    def window(self, window: Window) -> np.ndarray:
        """Positions in ``order`` of the cells of ``window`` (-1: none)."""
        return self.positions(self.codes.window(window))

    def every(self, step: int, start: int = 0) -> np.ndarray:
        """Positions of every ``step``-th cell from ``start`` (:meth:`TiledArray.every`)."""
        return self.positions(self.codes.values.every(step, start))

    @cached_property
    def raster(self) -> Raster:
        """Positions in ``order`` as a :class:`~covplan.grid.Raster` (made once)."""
        if self.numbered_as_keys:
            return self.codes.raster
        codes = self.codes
        return Raster(self._position[codes.values.array()], codes.grid, codes.units,
                      codes.notes)

    def coded(self, order: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
        """``keys`` extended by the keys of ``order`` it lacks, and each of those's code."""
        code = {key: i for i, key in enumerate(self.keys)}
        keys = list(self.keys)
        out = np.empty(len(order), dtype=np.int32)
        for i, key in enumerate(order):
            found = code.get(key)
            if found is None:
                found = code[key] = len(keys)
                keys.append(key)
            out[i] = found
        return tuple(keys), out

    def code_lookup(self, earlier: KeyGrid) -> np.ndarray:
        """int64 per code of this grid: the code of the same key in ``earlier`` (-1: none)."""
        if self.keys[:len(earlier.keys)] == earlier.keys:
            out = np.arange(len(self.keys), dtype=np.int64)
            out[len(earlier.keys):] = -1
            return out
        code = {key: i for i, key in enumerate(earlier.keys)}
        return np.array([code.get(k, -1) for k in self.keys], dtype=np.int64)

    def shares_codes(self, other: KeyGrid) -> bool:
        """Whether a code means one key in both (one list of keys extends the other)."""
        short, long = sorted((self.keys, other.keys), key=len)
        return long[:len(short)] == short
