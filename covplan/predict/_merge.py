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
