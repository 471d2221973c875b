"""One-pass grid reductions compiled with numba.

A 30 m grid of a province holds about 12 million cells. Masked sums written with numpy
allocate a full-size temporary per mask (``np.where``, boolean indexing), and at that size
allocation costs more than the arithmetic. These kernels walk the grid once and write only
the small per-zone results.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def zone_totals(ids: np.ndarray, weights: np.ndarray, weighted: bool, flags: np.ndarray,
                nbits: int, count: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Per-zone weight sums and cell counts: column 0 all cells, column k+1 bit k set.

    Parameters
    ----------
    ids
        int32 zone of each cell, -1 for none.
    weights
        float64 weight of each cell (ignored when not ``weighted``: every cell weighs 1).
    flags
        uint8 bit flags of each cell (``nbits`` of them used; not read when 0).
    """
    sums = np.zeros((count, nbits + 1))
    cells = np.zeros((count, nbits + 1))
    rows, cols = ids.shape
    for r in range(rows):
        for c in range(cols):
            z = ids[r, c]
            if z < 0:
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


@njit(cache=True)
def covered_total(weights: np.ndarray, zone_ids: np.ndarray, zone_keep: np.ndarray,
                  mask: np.ndarray, extra_ids: np.ndarray, extra_flag: np.ndarray
                  ) -> tuple[float, float]:  # pragma: no cover
    """Total weight of kept zones' cells, and of those covered by ``mask`` or an extra zone.

    A cell counts when ``zone_keep[zone_ids]``; it is covered when ``mask`` is set or its
    extra zone (``extra_ids``, -1 none) has ``extra_flag`` set.
    """
    total = 0.0
    hit = 0.0
    rows, cols = weights.shape
    for r in range(rows):
        for c in range(cols):
            z = zone_ids[r, c]
            if z < 0 or not zone_keep[z]:
                continue
            w = weights[r, c]
            total += w
            if mask[r, c]:
                hit += w
            else:
                e = extra_ids[r, c]
                if e >= 0 and extra_flag[e]:
                    hit += w
    return total, hit


@njit(cache=True)
def server_totals(server: np.ndarray, mask: np.ndarray, weights: np.ndarray,
                  zone_ids: np.ndarray, nkeys: int) -> np.ndarray:  # pragma: no cover
    """Weight of the masked cells inside a zone, by serving index (``server``, -1 none)."""
    out = np.zeros(nkeys)
    rows, cols = server.shape
    for r in range(rows):
        for c in range(cols):
            s = server[r, c]
            if s < 0 or zone_ids[r, c] < 0 or not mask[r, c]:
                continue
            out[s] += weights[r, c]
    return out


@njit(cache=True)
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
