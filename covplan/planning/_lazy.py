"""The lazy-greedy loop shared by the solvers and by the ordering of chosen sites."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

import numpy as np

from covplan._progress import ProgressFn, no_progress
from covplan.planning.problem import CoverProblem

#: ``score(candidate, marginal_gain) -> priority``; must not grow as sites are added.
Score = Callable[[int, float], float]
#: ``done(covered_weight, count) -> stop?``, checked before each pick.
Done = Callable[[float, int], bool]


class Gains:
    """Marginal gains of candidates over a row-wise cover matrix and a covered mask."""

    def __init__(self, problem: CoverProblem) -> None:
        self.rows = problem.rows
        self.weight = problem.weight
        self.covered = np.zeros(problem.n_demand, dtype=bool)
        self.value = 0.0

    def cols(self, i: int) -> np.ndarray:
        """Demand points of candidate ``i``."""
        cols: np.ndarray = self.rows.indices[self.rows.indptr[i]:self.rows.indptr[i + 1]]
        return cols

    def gain(self, i: int) -> float:
        """Weight candidate ``i`` would add now."""
        cols = self.cols(i)
        return float(self.weight[cols[~self.covered[cols]]].sum())

    def take(self, i: int) -> float:
        """Add candidate ``i`` and return the weight it added."""
        cols = self.cols(i)
        fresh = cols[~self.covered[cols]]
        self.covered[fresh] = True
        gained = float(self.weight[fresh].sum())
        self.value += gained
        return gained


def lazy_greedy(problem: CoverProblem, score: Score, done: Done, *,
                among: Sequence[int] | None = None, start: Sequence[int] = (),
                progress: ProgressFn | None = None, expected: int = 1
                ) -> tuple[list[int], list[float]]:
    """Pick candidates by largest ``score`` until ``done`` or nothing scores above zero.

    Parameters
    ----------
    problem
        The covering problem.
    score, done
        See :data:`Score` and :data:`Done`.
    among
        Candidates to pick from (all when ``None``).
    start
        Candidates taken before the first pick (not returned).
    progress
        Called after each pick with ``count / expected``.
    expected
        Rough number of picks, for progress only.

    Returns
    -------
    tuple of list
        The picked candidates in order and the weight each added.
    """
    report = progress or no_progress
    gains = Gains(problem)
    for i in start:
        gains.take(int(i))
    pool = range(problem.n_candidates) if among is None else among
    heap = [(-score(int(i), gains.gain(int(i))), int(i)) for i in pool]
    heapq.heapify(heap)
    chosen: list[int] = []
    added: list[float] = []
    while heap and not done(gains.value, len(chosen)):
        _, i = heapq.heappop(heap)
        fresh = score(i, gains.gain(i))
        if fresh <= 0.0:
            continue  # adds nothing now, so never will (gains only shrink)
        if heap and fresh < -heap[0][0]:
            heapq.heappush(heap, (-fresh, i))
            continue
        added.append(gains.take(i))
        chosen.append(i)
        report(min(1.0, len(chosen) / max(expected, 1)), f"greedy: {len(chosen)} sites")
    return chosen, added
