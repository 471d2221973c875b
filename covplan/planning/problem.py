"""The covering problem every planning solver works on, and its reduction.

A :class:`CoverProblem` holds which candidate sites cover which demand points (a sparse
boolean matrix), what each demand point weighs (km of road, people, points of interest)
and what each candidate costs. It knows nothing of geometry: the matrix is built by
:mod:`covplan.planning.matrix` from the engine's per-site predictions.

:func:`reduce_problem` shrinks a problem before it reaches the integer program: demand
points that no candidate covers are set aside (they can never count), and demand points
covered by exactly the same candidates are merged into one with their weights added. The
optimum is unchanged: in every formulation of :mod:`covplan.planning.milp` the points of a
merged group are covered together or not at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class CoverProblem:
    """Which candidates cover which demand points.

    Parameters
    ----------
    cover
        Boolean CSC array of shape ``(n_candidates, n_demand)``: ``cover[i, j]`` is True
        when candidate ``i`` serves demand point ``j`` at or above the threshold.
    weight
        Weight of each demand point (non-negative), in the unit of the target's measure.
    cost
        Cost of each candidate (positive); all ones to count sites.
    """

    cover: sp.csc_array
    weight: np.ndarray
    cost: np.ndarray

    def __post_init__(self) -> None:
        n, m = self.cover.shape
        if self.weight.shape != (m,):
            raise ValueError(f"weight has shape {self.weight.shape}, expected ({m},)")
        if self.cost.shape != (n,):
            raise ValueError(f"cost has shape {self.cost.shape}, expected ({n},)")
        if np.any(self.weight < 0) or not np.all(np.isfinite(self.weight)):
            raise ValueError("demand weights must be finite and not negative")
        if np.any(self.cost <= 0) or not np.all(np.isfinite(self.cost)):
            raise ValueError("candidate costs must be finite and positive")

    @classmethod
    def from_dense(cls, cover: np.ndarray, weight: np.ndarray | None = None,
                   cost: np.ndarray | None = None) -> CoverProblem:
        """Build from a dense ``(n_candidates, n_demand)`` boolean array (for small cases)."""
        dense = np.asarray(cover, dtype=bool)
        n, m = dense.shape
        return cls(sp.csc_array(dense),
                   np.ones(m) if weight is None else np.asarray(weight, dtype=np.float64),
                   np.ones(n) if cost is None else np.asarray(cost, dtype=np.float64))

    @property
    def n_candidates(self) -> int:
        """Number of candidate sites (rows)."""
        return int(self.cover.shape[0])

    @property
    def n_demand(self) -> int:
        """Number of demand points (columns)."""
        return int(self.cover.shape[1])

    @property
    def total_weight(self) -> float:
        """Weight of every demand point."""
        return float(self.weight.sum())

    def coverable(self) -> np.ndarray:
        """True for demand points that at least one candidate covers."""
        found: np.ndarray = np.diff(self.cover.indptr) > 0
        return found

    @cached_property
    def rows(self) -> sp.csr_array:
        """The cover matrix row-wise (each candidate's demand points), built once."""
        rows = sp.csr_array(self.cover)
        rows.sort_indices()
        return rows

    def hits(self, chosen: np.ndarray) -> np.ndarray:
        """How many of the ``chosen`` candidates cover each demand point."""
        picked = np.asarray(chosen, dtype=np.int64)
        ptr, idx = self.rows.indptr, self.rows.indices
        cols = [idx[ptr[i]:ptr[i + 1]] for i in picked]
        flat = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
        return np.bincount(flat, minlength=self.n_demand)

    def covered_by(self, chosen: np.ndarray) -> np.ndarray:
        """True for demand points covered by at least one of the ``chosen`` candidates."""
        return self.hits(chosen) > 0

    def covered_weight(self, chosen: np.ndarray) -> float:
        """Weight covered by the ``chosen`` candidates."""
        return float(self.weight[self.covered_by(chosen)].sum())


@dataclass(frozen=True, eq=False)
class ReducedProblem:
    """A problem with uncoverable demand set aside and identical demand columns merged.

    Parameters
    ----------
    problem
        The reduced problem: one column per distinct non-empty set of covering candidates.
    group
        For each original demand point, its column in ``problem``, or -1 when no candidate
        covers it.
    uncoverable_weight
        Weight of the demand points no candidate covers.
    """

    problem: CoverProblem
    group: np.ndarray
    uncoverable_weight: float


def _column_keys(cover: sp.csc_array) -> np.ndarray:
    """Per column: two 64-bit hashes of its row set and its size, as an (m, 3) array.

    Each row gets two random 64-bit labels; a column's hash is the wrapping sum of its
    rows' labels. Two different row sets share both hashes with probability about
    :math:`2^{-128}`.
    """
    rng = np.random.default_rng(20240501)
    labels = rng.integers(0, np.iinfo(np.int64).max, size=(cover.shape[0], 2),
                          dtype=np.int64).astype(np.uint64)
    ptr, idx = cover.indptr, cover.indices
    size = np.diff(ptr)
    keys = np.zeros((cover.shape[1], 3), dtype=np.uint64)
    keys[:, 2] = size
    full = np.flatnonzero(size > 0)
    if len(full) and len(idx):
        with np.errstate(over="ignore"):
            for k in range(2):
                keys[full, k] = np.add.reduceat(labels[idx, k], ptr[full])
    return keys


def reduce_problem(problem: CoverProblem) -> ReducedProblem:
    """Set aside uncoverable demand and merge demand points with the same covering set.

    Parameters
    ----------
    problem
        The full problem.

    Returns
    -------
    ReducedProblem
    """
    cover = sp.csc_array(problem.cover)
    keep = np.diff(cover.indptr) > 0
    group = np.full(problem.n_demand, -1, dtype=np.int64)
    keys = _column_keys(cover)[keep]
    order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
    ordered = keys[order]
    starts = np.r_[True, np.any(ordered[1:] != ordered[:-1], axis=1)][:len(order)]
    label = np.cumsum(starts) - 1  # group of each column, in sorted order
    first_pos = order[starts]  # lexsort is stable: a group's first column comes first
    rank = np.empty_like(first_pos)
    rank[np.argsort(first_pos, kind="stable")] = np.arange(len(first_pos))
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = rank[label]  # groups numbered in order of appearance
    group[keep] = inverse
    first_pos = np.sort(first_pos)
    first = np.flatnonzero(keep)[first_pos]
    count = len(first)
    weight = np.bincount(group[keep], weights=problem.weight[keep], minlength=count)
    reduced = CoverProblem(sp.csc_array(cover[:, first]) if count else
                           sp.csc_array((problem.n_candidates, 0), dtype=bool),
                           weight.astype(np.float64), problem.cost)
    lost = float(problem.weight[~keep].sum())
    logger.debug("Reduced %d demand points to %d distinct covering sets (%d uncoverable)",
                 problem.n_demand, count, int((~keep).sum()))
    return ReducedProblem(reduced, group, lost)
