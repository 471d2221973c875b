"""One-pass grid reductions compiled with numba.

A 30 m grid of a province holds about 12 million cells. Masked sums written with numpy
allocate a full-size temporary per mask (``np.where``, boolean indexing), and at that size
allocation costs more than the arithmetic. These kernels walk the grid once and write only
the small per-zone results.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def zone_totals(ids: np.ndarray, weights: np.ndarray, weighted: bool, flags: np.ndarray,
                nbits: int, count: int, keep: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Per-zone weight sums and cell counts: column 0 all cells, column k+1 bit k set.

    Parameters
    ----------
    ids
        int32 zone of each cell, -1 for none.
    weights
        float64 weight of each cell (ignored when not ``weighted``: every cell weighs 1).
    flags
        uint8 bit flags of each cell (``nbits`` of them used; not read when 0).
    keep
        Boolean per zone: only these zones are summed (the others stay 0); empty for all.

    Cells are visited in row-major order, so a zone's sums do not depend on which other
    zones are kept or on how far the scanned rectangle extends beyond the zone.
    """
    sums = np.zeros((count, nbits + 1))
    cells = np.zeros((count, nbits + 1))
    filtered = keep.size > 0
    rows, cols = ids.shape
    for r in range(rows):
        for c in range(cols):
            z = ids[r, c]
            if z < 0 or (filtered and not keep[z]):
                continue
            w = weights[r, c] if weighted else 1.0
            sums[z, 0] += w
            cells[z, 0] += 1.0
            if nbits == 0:
                continue
            f = flags[r, c]
            for b in range(nbits):
                if (f >> b) & 1:
                    sums[z, b + 1] += w
                    cells[z, b + 1] += 1.0
    return sums, cells


@njit(cache=True, nogil=True)
def zone_code_totals(ids: np.ndarray, server: np.ndarray, codes: np.ndarray, mask: np.ndarray,
                     weights: np.ndarray, count: int, ncodes: int, keep: np.ndarray
                     ) -> np.ndarray:  # pragma: no cover
    """Weight of the masked cells of each zone by the code of their server.

    ``server`` holds a serving index per cell (-1 none) and ``codes[index]`` its code
    (an operator, -1 unknown); ``keep`` as in :func:`zone_totals`. Returns float64 of
    shape ``(count, ncodes)``.
    """
    out = np.zeros((count, ncodes))
    filtered = keep.size > 0
    rows, cols = ids.shape
    for r in range(rows):
        for c in range(cols):
            z = ids[r, c]
            if z < 0 or (filtered and not keep[z]) or not mask[r, c]:
                continue
            s = server[r, c]
            if s < 0:
                continue
            k = codes[s]
            if k >= 0:
                out[z, k] += weights[r, c]
    return out


@njit(cache=True, nogil=True)
def zone_bounds(ids: np.ndarray, count: int) -> np.ndarray:  # pragma: no cover
    """Row and column span ``[r0, r1, c0, c1)`` of each zone's cells (zeros when none)."""
    out = np.zeros((count, 4), dtype=np.int64)
    seen = np.zeros(count, dtype=np.bool_)
    rows, cols = ids.shape
    for r in range(rows):
        for c in range(cols):
            z = ids[r, c]
            if z < 0:
                continue
            if not seen[z]:
                seen[z] = True
                out[z, 0] = r
                out[z, 2] = c
                out[z, 3] = c + 1
            out[z, 1] = r + 1
            if c < out[z, 2]:
                out[z, 2] = c
            if c + 1 > out[z, 3]:
                out[z, 3] = c + 1
    return out


@njit(cache=True, nogil=True)
def changed_bounds(old: np.ndarray, new: np.ndarray, old_server: np.ndarray,
                   new_server: np.ndarray, new_to_old: np.ndarray, servers: bool
                   ) -> tuple[int, int, int, int]:  # pragma: no cover
    """Smallest ``[r0, r1) x [c0, c1)`` holding every cell whose value or server changed.

    Values are equal when both are NaN. With ``servers``, a cell also changed when its new
    serving index, mapped to the old numbering by ``new_to_old`` (-1: not served before),
    is not its old one. Returns ``(0, 0, 0, 0)`` when nothing changed.
    """
    rows, cols = old.shape
    r0, r1, c0, c1 = rows, 0, cols, 0
    for r in range(rows):
        for c in range(cols):
            a = old[r, c]
            b = new[r, c]
            same = a == b or (a != a and b != b)
            if same and servers:
                s = new_server[r, c]
                mapped = new_to_old[s] if s >= 0 else -1
                same = mapped == old_server[r, c]
            if same:
                continue
            if r < r0:
                r0 = r
            r1 = r + 1
            if c < c0:
                c0 = c
            if c + 1 > c1:
                c1 = c + 1
    if r1 == 0:
        return 0, 0, 0, 0
    return r0, r1, c0, c1


@njit(cache=True, nogil=True)
def cell_counts(ids: np.ndarray, count: int) -> np.ndarray:  # pragma: no cover
    """Number of cells of each zone."""
    out = np.zeros(count, dtype=np.int64)
    rows, cols = ids.shape
    for r in range(rows):
        for c in range(cols):
            z = ids[r, c]
            if z >= 0:
                out[z] += 1
    return out


@njit(cache=True, nogil=True)
def raise_margin(best: np.ndarray, values: np.ndarray,
                 offset: np.float32) -> None:  # pragma: no cover
    """``best = fmax(best, values - offset)`` in place, a NaN value counting as no service.

    The one pass that ``np.fmax(best, np.where(np.isnan(v), -inf, v))`` with ``v = values -
    offset`` makes in four, with three grid-sized temporaries; the same float32 results
    (the difference is taken in float32, as numpy takes it).
    """
    rows, cols = best.shape
    for r in range(rows):
        for c in range(cols):
            v = values[r, c] - offset
            if v > best[r, c]:  # False for NaN
                best[r, c] = v


def warm_up() -> None:
    """Compile (or load from numba's cache) every kernel for the metrics' argument types.

    Tiny arrays stand in for full grids, for the windows of a grid that an update scans
    (non-contiguous views) and for the read-only tiles and windows of a prediction kept as
    tiles (:mod:`covplan.tiled`), so the first update after an install does not wait
    seconds for the compiler.
    """
    ids = np.zeros((4, 4), dtype=np.int32)
    weights = np.ones((4, 4))
    flags = np.zeros((2, 2), dtype=np.uint8)
    mask = np.ones((4, 4), dtype=np.bool_)
    server = np.zeros((4, 4), dtype=np.int32)
    keep, every = np.ones(1, dtype=np.bool_), np.zeros(0, dtype=np.bool_)
    codes = np.zeros(1, dtype=np.int64)
    window = (slice(1, 3), slice(1, 3))
    for zone, weight, kept in ((ids, weights, every), (ids[window], weights[window], keep)):
        zone_totals(zone, weight, True, flags if kept.size else np.zeros((4, 4), np.uint8),
                    1, 1, kept)
        zone_totals(zone, np.zeros((1, 1)), False, np.zeros((1, 1), np.uint8), 0, 1, kept)
        zone_code_totals(zone, server if not kept.size else server[window], codes,
                         mask if not kept.size else mask[window], weight, 1, 1, kept)
        cell_counts(zone, 1)
    served = server.copy()
    served.flags.writeable = False
    for zone, cells, kept in ((ids, served, every), (ids[window], served[window], keep),
                              (ids[window], server[window].copy(), keep)):
        zone_code_totals(zone, cells, codes, mask if not kept.size else mask[window],
                         weights if not kept.size else weights[window], 1, 1, kept)
    rsrp = np.zeros((4, 4), dtype=np.float32)
    best = np.full((4, 4), -np.inf, np.float32)
    raise_margin(best, rsrp, np.float32(0.0))  # a speed grid, made for the margin
    shared = rsrp.copy()
    shared.flags.writeable = False
    raise_margin(best, shared, np.float32(0.0))  # a prediction's read-only tiles
    changed_bounds(rsrp, rsrp, server, server, codes, True)
    tile = rsrp[window]
    tile.flags.writeable = False
    none = np.zeros((1, 1), dtype=np.int32)
    changed_bounds(tile, tile, served[window], served[window], codes, True)
    changed_bounds(tile, tile, none, none, codes, False)
    whole = rsrp.copy()  # a whole tile, read-only, beside server codes of either kind
    whole.flags.writeable = False
    for cells in (server, served):
        changed_bounds(whole, whole, cells, cells, codes, True)
    changed_bounds(whole, whole, none, none, codes, False)
    zone_bounds(ids, 1)
