r"""Lazy greedy: the fast first answer for both planning problems.

Both problems work with the coverage function :math:`f(S) = \sum_{j \in N(S)} w_j`, the
weight of the demand covered by the site set :math:`S`. It is monotone and submodular: a
site's marginal gain never grows as others are added. The *lazy* greedy keeps every
candidate in a max-heap keyed by its last known gain, an upper bound of its current one; it
recomputes only the top entry and takes it when it still beats the next key (Minoux, 1978,
"Accelerated greedy algorithms for maximizing submodular set functions").

Guarantees
----------
* Max coverage with at most :math:`K` sites (:func:`greedy_max_coverage`):
  :math:`f(S_{greedy}) \ge (1 - 1/e)\, f(S^*)` (Nemhauser, Wolsey and Fisher, 1978), so
  :math:`f(S_{greedy}) / (1 - 1/e)` bounds the optimum from above.
* Reaching a required weight :math:`R` at least cost (:func:`greedy_reach`): taking the best
  ratio :math:`\min(\Delta_i, R - f(S)) / c_i` costs at most :math:`H(d)` times the optimum
  for set cover, :math:`d` the most demand points one site covers and :math:`H` the harmonic
  number (Chvátal, 1979; Wolsey, 1982 for the submodular, partial case).
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np

from covplan._progress import ProgressFn
from covplan.planning._lazy import lazy_greedy
from covplan.planning.problem import CoverProblem
from covplan.planning.selection import Selection, Status, order_by_gain

logger = logging.getLogger(__name__)

#: Relative tolerance when comparing covered weight with a requirement.
REACH_RTOL = 1e-9
#: The max-coverage greedy guarantee :math:`1 - 1/e`.
GREEDY_FACTOR = 1.0 - 1.0 / math.e


def _selection(problem: CoverProblem, chosen: list[int], started: float, status: Status,
               bound: float | None = None, gap: float | None = None) -> Selection:
    order, gains = order_by_gain(problem, np.asarray(chosen, dtype=np.int64))
    return Selection(order, gains, float(gains.sum()), float(problem.cost[order].sum()),
                     "greedy", status, bound, gap, time.perf_counter() - started)


def greedy_max_coverage(problem: CoverProblem, max_sites: int, *,
                        progress: ProgressFn | None = None) -> Selection:
    r"""The most weight with at most ``max_sites`` candidates, by lazy greedy.

    Parameters
    ----------
    problem
        The covering problem; costs only break ties (cheaper first).
    max_sites
        :math:`K`, the largest number of sites to choose.
    progress
        Called as ``progress(fraction, message)``.

    Returns
    -------
    Selection
        ``status="heuristic"``, with ``bound`` :math:`\min(f(S)/(1-1/e), W_{coverable})`
        and the matching gap.
    """
    if max_sites < 0:
        raise ValueError(f"max_sites must be zero or more, got {max_sites}")
    started = time.perf_counter()
    tie = 1e-12 * problem.cost / problem.cost.max() if problem.n_candidates else problem.cost
    chosen, added = lazy_greedy(problem, lambda i, g: g * (1.0 - tie[i]),
                                lambda value, count: count >= max_sites,
                                progress=progress, expected=max_sites)
    value = float(sum(added))
    bound = min(float(problem.weight[problem.coverable()].sum()), value / GREEDY_FACTOR)
    gap = (bound - value) / value if value > 0 else 0.0
    logger.info("Greedy max coverage: %d sites cover %.6g of %.6g", len(chosen), value,
                problem.total_weight)
    return _selection(problem, chosen, started, "heuristic", bound, max(gap, 0.0))


def prune(problem: CoverProblem, chosen: list[int], required: float) -> list[int]:
    """Drop chosen sites, costliest first, while the covered weight stays at ``required``.

    Keeps a count of the chosen sites covering each demand point, so each trial costs the
    size of one site's footprint.
    """
    hits = problem.hits(np.asarray(chosen, dtype=np.int64))
    value = float(problem.weight[hits > 0].sum())
    ptr, idx = problem.rows.indptr, problem.rows.indices
    keep = set(chosen)
    for i in sorted(chosen, key=lambda k: (-problem.cost[k], k)):
        cols = idx[ptr[i]:ptr[i + 1]]
        lost = float(problem.weight[cols[hits[cols] == 1]].sum())
        if value - lost >= required:
            hits[cols] -= 1
            value -= lost
            keep.discard(i)
    return [i for i in chosen if i in keep]


def greedy_reach(problem: CoverProblem, required: float, *,
                 progress: ProgressFn | None = None) -> Selection:
    r"""The cheapest set reaching covered weight ``required``, by lazy ratio greedy.

    Takes the best ratio of capped gain :math:`\min(\Delta_i, R - f(S))` to cost until the
    requirement is met, then drops any site the requirement no longer needs (:func:`prune`).

    Parameters
    ----------
    problem
        The covering problem.
    required
        :math:`R`, the weight to reach (within a relative :data:`REACH_RTOL`).
    progress
        Called as ``progress(fraction, message)``.

    Returns
    -------
    Selection
        ``status="infeasible"`` when no choice reaches ``required``; the selection then
        covers every coverable demand point with as few sites as the greedy finds.
    """
    started = time.perf_counter()
    need = required - REACH_RTOL * abs(required)
    reachable = float(problem.weight[problem.coverable()].sum())
    feasible = reachable >= need
    goal = need if feasible else reachable - REACH_RTOL * reachable
    state = [0.0]

    def score(i: int, gain: float) -> float:
        return min(gain, max(goal - state[0], 0.0)) / float(problem.cost[i])

    def done(value: float, count: int) -> bool:
        state[0] = value
        return value >= goal

    chosen, _ = lazy_greedy(problem, score, done, progress=progress,
                            expected=max(problem.n_candidates // 20, 1))
    chosen = prune(problem, chosen, goal)
    if not feasible:
        logger.info("Greedy: requirement %.6g cannot be reached (at most %.6g)", required,
                    reachable)
        return _selection(problem, chosen, started, "infeasible")
    logger.info("Greedy reach: %d sites reach %.6g", len(chosen), required)
    return _selection(problem, chosen, started, "heuristic")
