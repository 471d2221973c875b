"""Recommending the fewest (or cheapest) new sites that close a target's gaps.

:func:`recommend_sites` runs the whole chain on a loaded dataset:

1. predict the baseline and measure the target
   (:class:`~covplan.planning.evaluate.ScenarioEvaluator`);
2. turn the target into weighted demand (:func:`~covplan.planning.demand.target_demand`);
3. generate candidates (:func:`~covplan.planning.candidates.generate_candidates`);
4. predict each candidate once and build the coverage matrix
   (:func:`~covplan.planning.matrix.build_matrix`);
5. solve: the lazy greedy first (:mod:`~covplan.planning.greedy`), then the integer program
   (:mod:`~covplan.planning.milp`) with the greedy answer as fallback, for either

   * ``mode="reach"``: least cost (fewest sites when costs are equal) reaching the goal, or
   * ``mode="max"``: most coverage with at most ``max_sites`` sites;
6. build the chosen sites into a scenario and evaluate it with the engine (the cached
   candidate windows are reused), giving the before and after target tables.

A goal that no choice of candidates reaches is reported, not raised: ``feasible`` is
False, ``uncoverable`` lists the demand no candidate reaches (road stretches for a road
target) and the selection covers all that the candidates can.

Planning can start from a scenario instead of the baseline (``start``: a planner's own edits,
or the sites recommended for another target): its sites are then the network the candidates
add to, and the recommended scenario is ``start`` plus the new sites.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan._progress import ProgressFn, no_progress, scaled
from covplan.errors import CovplanError
from covplan.i18n import N_
from covplan.io.dataset import Dataset
from covplan.planning.candidates import CandidateOptions, generate_candidates, to_sectors
from covplan.planning.demand import Demand, target_demand
from covplan.planning.evaluate import ScenarioEvaluator
from covplan.planning.greedy import REACH_RTOL, greedy_max_coverage, greedy_reach
from covplan.planning.matrix import CoverageMatrix, build_matrix
from covplan.planning.milp import milp_max_coverage, milp_reach
from covplan.planning.report import chosen_sites, site_edits, uncoverable
from covplan.planning.scenario import Scenario
from covplan.planning.selection import Selection
from covplan.targets.evaluate import evaluate_targets
from covplan.targets.schema import Target, TargetSet

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanOptions:
    """What to solve and how.

    Parameters
    ----------
    mode
        ``{"reach", "max"}``: reach the target's goal at least cost, or cover the most with
        at most ``max_sites``.
    max_sites
        :math:`K` for ``mode="max"``.
    solver
        ``{"milp", "greedy"}``; the greedy always runs first.
    time_limit_s, mip_rel_gap
        Where the integer program stops.
    candidates
        Candidate generation settings.
    """

    mode: Literal["reach", "max"] = "reach"
    max_sites: int | None = None
    solver: Literal["milp", "greedy"] = "milp"
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.01
    candidates: CandidateOptions = field(default_factory=CandidateOptions)


@dataclass(frozen=True, eq=False)
class Recommendation:
    """The sites recommended for one target, and the evidence.

    Parameters
    ----------
    target, demand
        The target and its demand items.
    candidates
        Every candidate sector considered.
    matrix
        Candidates against open demand cells.
    greedy, selection
        The greedy answer and the final one (the integer program's, or the greedy one).
    feasible
        False when no choice of candidates reaches the goal.
    chosen
        The chosen sites, most useful first, with marginal gains.
    scenario
        The baseline plus the chosen sites (``status`` planned).
    before, after
        Target tables of the baseline and of ``scenario`` (re-evaluated by the engine).
    predicted_covered
        What the matrix predicts the target covers with the chosen sites, in its unit.
    uncoverable
        Open demand no candidate reaches.
    timings_s
        Wall time of each stage.
    """

    target: Target
    demand: Demand
    candidates: gpd.GeoDataFrame
    matrix: CoverageMatrix
    greedy: Selection
    selection: Selection
    feasible: bool
    chosen: gpd.GeoDataFrame
    scenario: Scenario
    before: pd.DataFrame
    after: pd.DataFrame
    predicted_covered: float
    uncoverable: gpd.GeoDataFrame
    timings_s: dict[str, float]

    @property
    def unreachable(self) -> float:
        """Open demand (in the target's unit) that no candidate reaches."""
        never = self.demand.open & ~self.matrix.coverable_items()
        return float(self.demand.weight[never].sum())

    def summary(self) -> dict[str, object]:
        """Key figures for reports and the command line."""
        after = self.after.set_index("id").loc[self.target.id]
        sel = self.selection
        return {
            "target": self.target.id, "unit": self.demand.unit, "feasible": self.feasible,
            "candidates": len(self.matrix.candidate_ids), "sites": sel.count,
            "cost": sel.cost, "method": sel.method, "status": sel.status,
            "gap": sel.gap, "bound": sel.bound, "greedy_sites": self.greedy.count,
            "greedy_cost": self.greedy.cost,
            "before_covered": self.demand.baseline_covered,
            "predicted_covered": self.predicted_covered,
            "after_covered": covered_in(self.after, self.target.id),
            "total": self.demand.total, "unreachable": self.unreachable,
            "after_met": None if pd.isna(after["met"]) else bool(after["met"]),
        }


def _solve(matrix: CoverageMatrix, demand: Demand, options: PlanOptions,
           progress: ProgressFn) -> tuple[Selection, Selection, bool]:
    problem = matrix.problem
    limits = {"time_limit_s": options.time_limit_s, "mip_rel_gap": options.mip_rel_gap}
    if options.mode == "max":
        if options.max_sites is None:
            raise CovplanError(N_("mode 'max' needs max_sites (--max-sites K)"))
        greedy = greedy_max_coverage(problem, options.max_sites,
                                     progress=scaled(progress, 0.0, 0.2))
        if options.solver == "greedy":
            return greedy, greedy, True
        return greedy, milp_max_coverage(problem, options.max_sites, incumbent=greedy,
                                         progress=scaled(progress, 0.2, 1.0), **limits), True
    need = demand.required
    greedy = greedy_reach(problem, need, progress=scaled(progress, 0.0, 0.2))
    feasible = greedy.status != "infeasible"
    if not feasible:  # the best the candidates can do: cover all that is coverable
        need = float(problem.weight[problem.coverable()].sum()) * (1.0 - REACH_RTOL)
    if options.solver == "greedy":
        return greedy, greedy, feasible
    final = milp_reach(problem, need, incumbent=greedy,
                       progress=scaled(progress, 0.2, 1.0), **limits)
    return greedy, final, feasible


def recommend_sites(dataset: Dataset, targets: TargetSet, target_id: str, *,
                    options: PlanOptions | None = None,
                    user_candidates: pd.DataFrame | None = None,
                    exclusion: gpd.GeoDataFrame | None = None,
                    evaluator: ScenarioEvaluator | None = None,
                    progress: ProgressFn | None = None, start: Scenario | None = None
                    ) -> Recommendation:
    """Recommend sites for ``target_id`` of ``targets`` (see the module docstring).

    Parameters
    ----------
    dataset
        The loaded dataset; its sites are the baseline.
    targets
        The target set holding the target.
    target_id
        The target's ``id``.
    options
        What to solve and how.
    user_candidates
        Planner's candidate points (:func:`covplan.planning.load_candidates`).
    exclusion
        Polygons where no candidate may stand.
    evaluator
        Reuse an evaluator (and its cache) across recommendations.
    progress
        Called as ``progress(fraction, message)``.
    start
        Plan from this scenario of the dataset (default: the baseline).
    """
    options = options or PlanOptions()
    report = progress or no_progress
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name], clock[0] = now - clock[0], now

    target = find_target(targets, target_id)
    ev = evaluator or ScenarioEvaluator(dataset, targets)
    baseline = start if start is not None else ev.baseline()
    coverage = ev.coverage(baseline.sites, scaled(report, 0.0, 0.15))
    ctx = ev.context(coverage, baseline.sites)
    before = evaluate_targets(targets, ctx)
    demand = target_demand(target, ctx)
    lap("baseline")
    report(0.2, "candidates")
    if options.mode == "reach" and demand.required <= 0:
        logger.info("Target %s is already met: no site is needed", target.id)
        candidates = to_sectors(pd.DataFrame(), ctx.grid.crs, options.candidates, "4G")
    else:
        candidates = generate_candidates(ctx, demand, terrain=dataset.terrain,
                                         user=user_candidates, exclusion=exclusion,
                                         options=options.candidates)
    lap("candidates")
    floors = {t: targets.floor_dbm(t) for t in target.technologies}
    matrix = build_matrix(demand, candidates, dataset.terrain, ev.grid,
                          engine_threshold_dbm=floors, model=ev.model, cache=ev.cache,
                          progress=scaled(report, 0.2, 0.7),
                          environment=ev.radio_environment)
    lap("coverage matrix")
    greedy, selection, feasible = _solve(matrix, demand, options, scaled(report, 0.7, 0.9))
    timings["greedy"], timings["integer program"] = greedy.seconds, (
        selection.seconds if selection is not greedy else 0.0)
    lap("solve")
    chosen = chosen_sites(selection, matrix, candidates, demand)
    scenario = baseline.with_edits(*site_edits(chosen, candidates)).renamed(
        f"plan {target.id}", f"{len(chosen)} sites recommended for {target.label}")
    after = ev.evaluate(scenario, progress=scaled(report, 0.9, 1.0)).analysis.targets
    lap("evaluation")
    predicted = demand.baseline_covered + selection.covered_weight
    _check(target, predicted, after, demand)
    return Recommendation(target, demand, candidates, matrix, greedy, selection, feasible,
                          chosen, scenario, before, after, predicted,
                          uncoverable(demand, matrix, ctx), timings)


def recommend_for_targets(dataset: Dataset, targets: TargetSet, target_ids: Sequence[str], *,
                          options: PlanOptions | None = None,
                          evaluator: ScenarioEvaluator | None = None,
                          progress: ProgressFn | None = None, start: Scenario | None = None
                          ) -> list[Recommendation]:
    """Recommend sites for several targets, one after another.

    Each target is planned from the scenario the previous one recommended (the first from
    ``start``, default the baseline), so later targets count the sites already proposed
    and the last recommendation's ``scenario`` holds every proposed site. ``options``
    (``max_sites`` included) apply to each target in turn.
    """
    if not target_ids:
        raise CovplanError(N_("choose at least one target to plan for"))
    for target_id in target_ids:
        find_target(targets, target_id)  # every name checked before any work
    report = progress or no_progress
    ev = evaluator or ScenarioEvaluator(dataset, targets)
    out: list[Recommendation] = []
    scenario = start
    for n, target_id in enumerate(target_ids):
        rec = recommend_sites(dataset, targets, target_id, options=options, evaluator=ev,
                              start=scenario, progress=scaled(report, n / len(target_ids),
                                                              (n + 1) / len(target_ids)))
        out.append(rec)
        scenario = rec.scenario
    return out


def covered_in(table: pd.DataFrame, target_id: str) -> float:
    """The ``covered`` amount of ``target_id`` in a target table."""
    values = table.loc[table["id"] == target_id, "covered"].to_numpy(dtype=np.float64)
    return float(values[0])


def find_target(targets: TargetSet, target_id: str) -> Target:
    """The target ``target_id`` of ``targets``.

    Raises
    ------
    covplan.errors.CovplanError
        Naming the targets there are, when there is no such target.
    """
    for target in targets.targets:
        if target.id == target_id:
            return target
    names = ", ".join(t.id for t in targets.targets)
    raise CovplanError(N_("no target {target} in {targets}; choose one of: {names}"),
                       target=repr(target_id), targets=targets.name, names=names)


def _check(target: Target, predicted: float, after: pd.DataFrame, demand: Demand) -> None:
    measured = covered_in(after, target.id)
    if abs(measured - predicted) > 1e-6 * max(demand.total, 1.0):
        logger.warning("Target %s: the engine measures %.6g %s with the chosen sites, the "
                       "coverage matrix predicted %.6g", target.id, measured, demand.unit,
                       predicted)
