r"""Integer programs for site recommendation, solved by HiGHS through :func:`scipy.optimize.milp`.

Notation: candidates :math:`i \in I` with cost :math:`c_i` and binary choice :math:`x_i`;
demand points :math:`j \in J` with weight :math:`w_j` (km of road, people, points of
interest), covered-indicator :math:`y_j`, and :math:`a_{ij} = 1` when candidate :math:`i`
serves :math:`j`. Demand points with the same covering set are merged first
(:func:`covplan.planning.problem.reduce_problem`).

Reach a requirement :math:`R` at least cost (:func:`milp_reach`):

.. math::

    \min \sum_i c_i x_i \quad\text{s.t.}\quad
    \sum_j w_j y_j \ge R,\qquad y_j \le \sum_i a_{ij} x_i,\qquad
    0 \le y_j \le 1,\qquad x_i \in \{0, 1\}.

When :math:`R` is all the coverable weight (a 100 % target) this is the set-cover program
:math:`\min c^\top x` s.t. :math:`\sum_i a_{ij} x_i \ge 1\ \forall j`, which has a tighter
relaxation and is solved in that form.

Most weight with at most :math:`K` sites (:func:`milp_max_coverage`):

.. math::

    \max \sum_j w_j y_j \quad\text{s.t.}\quad
    \sum_i x_i \le K,\qquad y_j \le \sum_i a_{ij} x_i,\qquad
    0 \le y_j \le 1,\qquad x_i \in \{0, 1\}.

The :math:`y_j` may stay continuous: for integer :math:`x` the optimum sets
:math:`y_j = \min(1, \sum_i a_{ij} x_i) \in \{0, 1\}`. Weights are scaled to a mean of 1
before solving. HiGHS stops at ``mip_rel_gap`` or ``time_limit``; the answer reported is the
better of its incumbent and the greedy one passed in, and its gap is measured against
HiGHS's proven dual bound.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from covplan._progress import ProgressFn, no_progress
from covplan.errors import CovplanError
from covplan.i18n import N_
from covplan.planning._lazy import lazy_greedy
from covplan.planning.greedy import REACH_RTOL, prune
from covplan.planning.problem import CoverProblem, reduce_problem
from covplan.planning.selection import Selection, Status, order_by_gain, relative_gap

if TYPE_CHECKING:
    from scipy.optimize import OptimizeResult

#: A linear constraint ``lower <= A @ x <= upper`` as (A, lower, upper).
Rows = tuple[sp.csr_array, float, float]

logger = logging.getLogger(__name__)

#: Default HiGHS time limit (s) and relative gap at which it stops.
TIME_LIMIT_S = 60.0
MIP_REL_GAP = 0.01
#: A requirement within this relative distance of all coverable weight is solved as set
#: cover; the partial form's requirement row is loosened by as much, and any shortfall this
#: leaves is made up by :func:`_complete`, so solver tolerances never make it infeasible.
FULL_COVER_RTOL = 1e-6


@dataclass(frozen=True)
class _Outcome:
    """HiGHS's answer in the original problem's candidates and units."""

    chosen: np.ndarray | None
    bound: float | None
    status: Status


def _solve(c: np.ndarray, integrality: np.ndarray, constraints: list[Rows],
           time_limit_s: float, mip_rel_gap: float) -> OptimizeResult:
    """HiGHS on ``min c @ x`` with 0 <= x <= 1, ``integrality`` and ``constraints``."""
    # imported here: scipy.optimize takes 0.17 s to import, on every start of the app
    from scipy.optimize import Bounds, LinearConstraint, milp

    options = {"time_limit": float(time_limit_s), "mip_rel_gap": float(mip_rel_gap),
               "presolve": True, "disp": False}
    result = milp(c, integrality=integrality, bounds=Bounds(0.0, 1.0),
                  constraints=[LinearConstraint(a, lo, hi) for a, lo, hi in constraints],
                  options=options)
    if result.status not in (0, 1, 2):
        raise CovplanError(N_("the integer program failed: {error}"), error=result.message)
    return result


def _chosen(result: OptimizeResult, n: int) -> np.ndarray | None:
    if result.x is None:
        return None
    return np.flatnonzero(np.asarray(result.x[:n]) > 0.5)


def _status(result: OptimizeResult) -> Status:
    return "optimal" if result.status == 0 else (
        "infeasible" if result.status == 2 else "time_limit")


def _bound(result: OptimizeResult, scale: float) -> float | None:
    bound = getattr(result, "mip_dual_bound", None)
    return None if bound is None or not np.isfinite(bound) else float(bound) * scale


def _coverage_rows(cover: sp.csc_array, n: int) -> sp.csr_array:
    r"""Rows :math:`y_j - \sum_i a_{ij} x_i \le 0` over variables ``[x, y]``."""
    m = cover.shape[1]
    link = sp.hstack([-sp.csr_array(cover.T, dtype=np.float64),
                      sp.eye_array(m, format="csr")], format="csr")
    assert link.shape == (m, n + m)
    return sp.csr_array(link)


def _reach_outcome(problem: CoverProblem, need: float, time_limit_s: float,
                   gap: float) -> _Outcome:
    reduced = reduce_problem(problem).problem
    keep = reduced.weight > 0
    cover, w = reduced.cover[:, keep], reduced.weight[keep]
    n, m = reduced.n_candidates, int(keep.sum())
    if need <= 0 or m == 0:
        return _Outcome(np.empty(0, dtype=np.int64), 0.0, "optimal")
    scale = float(w.mean())
    if need >= w.sum() * (1.0 - FULL_COVER_RTOL):
        rows = (sp.csr_array(cover.T, dtype=np.float64), 1.0, np.inf)
        result = _solve(problem.cost, np.ones(n), [rows], time_limit_s, gap)
    else:
        target = sp.csr_array(np.r_[np.zeros(n), w / scale][None, :])
        cons = [(_coverage_rows(cover, n), -np.inf, 0.0),
                (target, need / scale * (1.0 - FULL_COVER_RTOL), np.inf)]
        c = np.r_[problem.cost, np.zeros(m)]
        result = _solve(c, np.r_[np.ones(n), np.zeros(m)], cons, time_limit_s, gap)
    return _Outcome(_chosen(result, n), _bound(result, 1.0), _status(result))


def _complete(problem: CoverProblem, chosen: np.ndarray, need: float) -> list[int]:
    """Add greedy picks when solver tolerances left ``chosen`` just short of ``need``."""
    picked = [int(i) for i in chosen]
    if problem.covered_weight(chosen) >= need:
        return picked
    extra, _ = lazy_greedy(problem, lambda i, g: g / float(problem.cost[i]),
                           lambda value, count: value >= need, start=picked)
    logger.debug("Completed the integer program's answer with %d greedy sites", len(extra))
    return picked + extra


def _pack(problem: CoverProblem, chosen: np.ndarray, status: Status, bound: float | None,
          value_is_cost: bool, started: float, method: str) -> Selection:
    order, gains = order_by_gain(problem, chosen)
    cost = float(problem.cost[order].sum())
    covered = float(gains.sum())
    gap = relative_gap(cost if value_is_cost else covered, bound)
    return Selection(order, gains, covered, cost, method, status, bound, gap,  # type: ignore[arg-type]
                     time.perf_counter() - started)


def milp_reach(problem: CoverProblem, required: float, *, incumbent: Selection | None = None,
               time_limit_s: float = TIME_LIMIT_S, mip_rel_gap: float = MIP_REL_GAP,
               progress: ProgressFn | None = None) -> Selection:
    """The least-cost set of candidates covering at least ``required`` weight.

    Parameters
    ----------
    problem
        The covering problem.
    required
        :math:`R`, in the unit of the demand weights.
    incumbent
        A known feasible answer (the greedy one); returned when HiGHS finds none better.
    time_limit_s, mip_rel_gap
        Where HiGHS stops.
    progress
        Called as ``progress(fraction, message)`` before and after the solve.

    Returns
    -------
    Selection
        ``status`` ``"optimal"``, ``"time_limit"`` or ``"infeasible"`` (no choice covers
        ``required``; nothing is chosen then). ``bound`` is a lower bound on the cost.
    """
    started = time.perf_counter()
    report = progress or no_progress
    need = required - REACH_RTOL * abs(required)
    if float(problem.weight[problem.coverable()].sum()) < need:
        empty = np.empty(0, dtype=np.int64)
        return Selection(empty, np.empty(0), 0.0, 0.0, "milp", "infeasible")
    report(0.0, "integer program: solving")
    out = _reach_outcome(problem, need, time_limit_s, mip_rel_gap)
    report(1.0, f"integer program: {out.status}")
    usable = incumbent is not None and problem.covered_weight(incumbent.chosen) >= need
    chosen, method = out.chosen, "milp"
    if chosen is not None:
        chosen = np.asarray(prune(problem, _complete(problem, chosen, need), need),
                            dtype=np.int64)
    if incumbent is not None and usable and (
            chosen is None or incumbent.cost < problem.cost[chosen].sum() - 1e-9):
        chosen, method = incumbent.chosen, "greedy"
    if chosen is None:
        raise CovplanError(N_("the integer program found no answer within its time limit; "
                              "raise the time limit or pass a greedy answer"))
    return _pack(problem, chosen, out.status, out.bound, True, started, method)


def milp_max_coverage(problem: CoverProblem, max_sites: int, *,
                      incumbent: Selection | None = None, time_limit_s: float = TIME_LIMIT_S,
                      mip_rel_gap: float = MIP_REL_GAP,
                      progress: ProgressFn | None = None) -> Selection:
    """The most weight covered by at most ``max_sites`` candidates.

    Parameters are as for :func:`milp_reach`; ``bound`` is an upper bound on the weight.
    """
    started = time.perf_counter()
    reduced = reduce_problem(problem).problem
    keep = reduced.weight > 0
    cover, w = reduced.cover[:, keep], reduced.weight[keep]
    n, m = problem.n_candidates, int(keep.sum())
    if m == 0 or max_sites == 0:
        return _pack(problem, np.empty(0, dtype=np.int64), "optimal", 0.0, False, started,
                     "milp")
    scale = float(w.mean())
    report = progress or no_progress
    report(0.0, "integer program: solving")
    budget = sp.csr_array(np.r_[np.ones(n), np.zeros(m)][None, :])
    cons = [(_coverage_rows(cover, n), -np.inf, 0.0),
            (budget, -np.inf, float(max_sites))]
    result = _solve(np.r_[np.zeros(n), -w / scale], np.r_[np.ones(n), np.zeros(m)], cons,
                    time_limit_s, mip_rel_gap)
    report(1.0, f"integer program: {_status(result)}")
    dual = _bound(result, -scale)
    chosen, method = _chosen(result, n), "milp"
    if chosen is None or (incumbent is not None and incumbent.covered_weight
                          > problem.covered_weight(chosen) + 1e-9):
        if incumbent is None:
            raise CovplanError(N_("the integer program found no answer within its time "
                                  "limit; raise the time limit or pass a greedy answer"))
        chosen, method = incumbent.chosen, "greedy"
    if dual is None and incumbent is not None:
        dual = incumbent.bound
    return _pack(problem, chosen, _status(result), dual, False, started, method)
