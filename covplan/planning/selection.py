"""What a solver returns: the chosen candidates, their marginal gains and the proof of quality."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from covplan.planning._lazy import lazy_greedy
from covplan.planning.problem import CoverProblem

#: How a selection ended: ``optimal`` (proven within the requested gap), ``time_limit``
#: (stopped by the time limit with a feasible answer), ``heuristic`` (greedy, bounded only
#: by its guarantee), ``infeasible`` (the requirement cannot be met by any choice).
Status = Literal["optimal", "time_limit", "heuristic", "infeasible"]
Method = Literal["greedy", "milp"]


@dataclass(frozen=True, eq=False)
class Selection:
    """Candidates chosen by a solver.

    Parameters
    ----------
    chosen
        Candidate positions, in the order of :func:`order_by_gain` (largest gain first).
    gains
        Weight each chosen candidate adds to those before it (same order).
    covered_weight
        Weight covered by all chosen candidates together.
    cost
        Sum of the chosen candidates' costs.
    method
        ``{"greedy", "milp"}``.
    status
        See :data:`Status`.
    bound
        Proven bound on the optimum: a lower bound on the cost for the "reach" problem, an
        upper bound on the covered weight for the "max coverage" problem; ``None`` when no
        bound is known.
    gap
        Relative optimality gap :math:`|z - b| / |z|` of the answer :math:`z` against
        ``bound`` :math:`b`; ``None`` when no bound is known.
    seconds
        Wall time of the solve.
    """

    chosen: np.ndarray
    gains: np.ndarray
    covered_weight: float
    cost: float
    method: Method
    status: Status
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0

    @property
    def count(self) -> int:
        """Number of chosen candidates."""
        return len(self.chosen)


def relative_gap(value: float, bound: float | None) -> float | None:
    r""":math:`|z - b| / \max(|z|, 10^{-9})`, 0 when both are 0, ``None`` without a bound."""
    if bound is None or not np.isfinite(bound):
        return None
    if abs(value) < 1e-12 and abs(bound) < 1e-12:
        return 0.0
    return max(0.0, abs(value - bound) / max(abs(value), 1e-9))


def order_by_gain(problem: CoverProblem, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order ``chosen`` greedily by marginal gain and return (order, gains).

    Each step takes the chosen candidate adding the most still-uncovered weight (ties to
    the lower position), so the first site is the single most useful one and the gains do
    not increase. The gains add up to the weight the whole set covers. Chosen candidates
    that add nothing come last with a gain of 0.
    """
    picked = [int(i) for i in np.unique(np.asarray(chosen, dtype=np.int64))]
    order, gains = lazy_greedy(problem, lambda i, g: g + 1e-300 * (g > 0),
                               lambda value, count: False, among=picked)
    rest = [i for i in picked if i not in set(order)]
    return (np.asarray(order + rest, dtype=np.int64),
            np.asarray(gains + [0.0] * len(rest), dtype=np.float64))
