"""Site planning: what-if scenarios and recommending the fewest new sites that close the gaps.

Modules:

- :mod:`~covplan.planning.scenario`, :mod:`~covplan.planning.edits`: a scenario is the
  baseline sites plus edits (add, move, remove, modify), with its diff;
- :mod:`~covplan.planning.scenario_io`: scenario files (JSON, versioned, validated);
- :mod:`~covplan.planning.evaluate`: the one evaluation pipeline (sites → coverage →
  metrics → targets) for scenarios, ``covplan analyze``, the report and the app;
- :mod:`~covplan.planning.demand`: a target as weighted demand on the grid;
- :mod:`~covplan.planning.candidates`: candidate sites (planner's file, roads, villages,
  high ground, 5G co-location), exclusion zones;
- :mod:`~covplan.planning.matrix`, :mod:`~covplan.planning.footprints`: the sparse
  candidate x demand coverage matrix from the engine;
- :mod:`~covplan.planning.problem`, :mod:`~covplan.planning.greedy`,
  :mod:`~covplan.planning.milp`: the covering problem, lazy greedy and integer programs;
- :mod:`~covplan.planning.recommend`: the whole chain for one target (or several in turn).
"""

from covplan.planning.candidates import CandidateOptions, generate_candidates, load_candidates
from covplan.planning.demand import Demand, plannable, target_demand
from covplan.planning.edits import Edit
from covplan.planning.evaluate import Evaluation, ScenarioEvaluator, run_analysis
from covplan.planning.greedy import greedy_max_coverage, greedy_reach
from covplan.planning.matrix import CoverageMatrix, build_matrix
from covplan.planning.milp import milp_max_coverage, milp_reach
from covplan.planning.problem import CoverProblem, reduce_problem
from covplan.planning.recommend import (
    PlanOptions,
    Recommendation,
    recommend_for_targets,
    recommend_sites,
)
from covplan.planning.scenario import Scenario, sites_diff, sites_hash
from covplan.planning.scenario_io import load_scenario, save_scenario
from covplan.planning.selection import Selection

__all__ = [
    "CandidateOptions",
    "CoverProblem",
    "CoverageMatrix",
    "Demand",
    "Edit",
    "Evaluation",
    "PlanOptions",
    "Recommendation",
    "Scenario",
    "ScenarioEvaluator",
    "Selection",
    "build_matrix",
    "generate_candidates",
    "greedy_max_coverage",
    "greedy_reach",
    "load_candidates",
    "load_scenario",
    "milp_max_coverage",
    "milp_reach",
    "plannable",
    "recommend_for_targets",
    "recommend_sites",
    "reduce_problem",
    "run_analysis",
    "save_scenario",
    "sites_diff",
    "sites_hash",
    "target_demand",
]
