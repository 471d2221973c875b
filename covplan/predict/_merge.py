"""Best-server merge of per-site windows into the output grid (numba)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def merge_window(out_rsrp, out_server, row0, col0, rsrp, sector, index_map):  # type: ignore[no-untyped-def]
    """Keep, per cell, the strongest RSRP and its global sector index.

    ``out_rsrp`` starts at -inf; a strictly greater value replaces it, so on a tie the site
    merged first (lowest sector index) serves and the result does not depend on timing.
    """
    nr, nc = rsrp.shape
    for r in range(nr):
        orow = out_rsrp[row0 + r]
        srow = out_server[row0 + r]
        for c in range(nc):
            v = rsrp[r, c]
            if v > orow[col0 + c]:
                orow[col0 + c] = v
                srow[col0 + c] = index_map[sector[r, c]]


def empty_grids(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """RSRP at -inf and server at -1, ready for :func:`merge_window`."""
    return np.full(shape, -np.inf, np.float32), np.full(shape, -1, np.int32)


@njit(cache=True, nogil=True)
def merge_ranked(out_rsrp, out_server, row0, col0, rsrp, sector, index_map, rank,  # type: ignore[no-untyped-def]
                 sector_rank, r_lo, r_hi, c_lo, c_hi):
    """Merge one group's window into grids that already hold others, in any order.

    ``out_rsrp`` holds NaN where nothing serves. A value replaces the cell's when it is
    stronger, or equal and from a group earlier in the merge order (``rank`` against
    ``sector_rank`` of the serving sector): the answer of :func:`merge_window` run over
    every group in order, whatever order the groups come here. Only cells in rows
    ``[r_lo, r_hi)`` and columns ``[c_lo, c_hi)`` of the output are touched.
    """
    nr, nc = rsrp.shape
    for r in range(max(0, r_lo - row0), min(nr, r_hi - row0)):
        orow = out_rsrp[row0 + r]
        srow = out_server[row0 + r]
        for c in range(max(0, c_lo - col0), min(nc, c_hi - col0)):
            v = rsrp[r, c]
            if v != v:  # NaN: this group does not reach the cell
                continue
            cur = orow[col0 + c]
            if cur == cur and v < cur:
                continue
            if cur == cur and v == cur and sector_rank[srow[col0 + c]] <= rank:
                continue
            orow[col0 + c] = v
            srow[col0 + c] = index_map[sector[r, c]]


@njit(cache=True, nogil=True)
def renumber(server, lookup):  # type: ignore[no-untyped-def]
    """``lookup[server]`` where served (-1 stays -1), as a new grid."""
    out = np.empty_like(server)
    rows, cols = server.shape
    for r in range(rows):
        for c in range(cols):
            s = server[r, c]
            out[r, c] = lookup[s] if s >= 0 else -1
    return out


def warm_up() -> None:
    """Compile (or load from numba's cache) the merge kernels for the engine's types."""
    rsrp, server = empty_grids((4, 4))
    window = np.zeros((2, 2), dtype=np.float32)
    sector = np.zeros((2, 2), dtype=np.int8)
    index_map = np.zeros(1, dtype=np.int32)
    merge_window(rsrp, server, 0, 0, window, sector, index_map)
    merge_ranked(rsrp, server, 0, 0, window, sector, index_map, 0,
                 np.zeros(1, dtype=np.int64), 0, 4, 0, 4)
    renumber(server, np.zeros(1, dtype=np.int32))
