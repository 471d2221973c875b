"""Solvers against brute force over every subset of ≤ 12 candidates."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from covplan.planning.greedy import GREEDY_FACTOR, greedy_max_coverage, greedy_reach
from covplan.planning.milp import milp_max_coverage, milp_reach
from covplan.planning.problem import CoverProblem, reduce_problem
from covplan.planning.selection import order_by_gain


def _instance(seed: int, n: int = 10, m: int = 40, density: float = 0.2,
              unit: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cover = rng.random((n, m)) < density
    cover[rng.integers(0, n, m), np.arange(m)] = True  # every point coverable
    weight = np.ones(m) if unit else rng.uniform(0.1, 5.0, m).round(2)
    cost = np.ones(n) if unit else rng.uniform(1.0, 4.0, n).round(1)
    return cover, weight, cost


def _subsets(n: int) -> list[tuple[int, ...]]:
    return [s for k in range(n + 1) for s in itertools.combinations(range(n), k)]


def _covered(cover: np.ndarray, weight: np.ndarray, subset: tuple[int, ...]) -> float:
    if not subset:
        return 0.0
    return float(weight[cover[list(subset)].any(axis=0)].sum())


def _best_k(cover: np.ndarray, weight: np.ndarray, k: int) -> float:
    return max(_covered(cover, weight, s) for s in _subsets(len(cover)) if len(s) <= k)


def _cheapest(cover: np.ndarray, weight: np.ndarray, cost: np.ndarray, need: float) -> float:
    costs = [cost[list(s)].sum() for s in _subsets(len(cover))
             if _covered(cover, weight, s) >= need - 1e-9]
    return float(min(costs)) if costs else math.inf


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 4])
def test_max_coverage_matches_brute_force(seed: int, k: int) -> None:
    cover, weight, cost = _instance(seed, n=11)
    problem = CoverProblem.from_dense(cover, weight, cost)
    best = _best_k(cover, weight, k)
    exact = milp_max_coverage(problem, k, mip_rel_gap=0.0)
    assert exact.status == "optimal"
    assert exact.count <= k
    assert exact.covered_weight == pytest.approx(best, abs=1e-9)
    assert _covered(cover, weight, tuple(exact.chosen)) == pytest.approx(best, abs=1e-9)
    assert exact.bound is not None and exact.bound >= best - 1e-6
    greedy = greedy_max_coverage(problem, k)
    assert greedy.count <= k
    assert greedy.covered_weight >= GREEDY_FACTOR * best - 1e-9
    assert greedy.covered_weight <= best + 1e-9
    assert greedy.bound is not None and greedy.bound >= best - 1e-9


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("share", [0.5, 0.8, 1.0])
def test_reach_matches_brute_force(seed: int, share: float) -> None:
    cover, weight, cost = _instance(seed + 100, n=12)
    problem = CoverProblem.from_dense(cover, weight, cost)
    need = share * weight.sum()
    best = _cheapest(cover, weight, cost, need)
    exact = milp_reach(problem, need, mip_rel_gap=0.0)
    assert exact.status == "optimal"
    assert exact.cost == pytest.approx(best, abs=1e-9)
    assert _covered(cover, weight, tuple(exact.chosen)) >= need - 1e-6
    assert exact.bound is not None and exact.bound <= best + 1e-6
    greedy = greedy_reach(problem, need)
    assert greedy.status == "heuristic"
    assert _covered(cover, weight, tuple(greedy.chosen)) >= need - 1e-6
    assert greedy.cost >= best - 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_greedy_set_cover_within_harmonic_bound(seed: int) -> None:
    cover, weight, cost = _instance(seed + 200, n=12, m=30, density=0.25, unit=True)
    problem = CoverProblem.from_dense(cover, weight, cost)
    best = _cheapest(cover, weight, cost, weight.sum())
    greedy = greedy_reach(problem, weight.sum())
    largest = int(cover.sum(axis=1).max())
    harmonic = sum(1.0 / d for d in range(1, largest + 1))
    assert best <= greedy.count <= harmonic * best + 1e-9
    assert milp_reach(problem, weight.sum(), mip_rel_gap=0.0).count == best


def test_marginal_gains_add_up_and_decrease() -> None:
    cover, weight, cost = _instance(7, n=12)
    problem = CoverProblem.from_dense(cover, weight, cost)
    chosen = np.array([0, 3, 5, 9])
    order, gains = order_by_gain(problem, chosen)
    assert sorted(order.tolist()) == chosen.tolist()
    assert np.all(np.diff(gains) <= 1e-12)
    assert gains.sum() == pytest.approx(_covered(cover, weight, tuple(chosen)))
    for step in range(len(order)):  # each gain is the marginal weight over the earlier ones
        before = _covered(cover, weight, tuple(order[:step]))
        after = _covered(cover, weight, tuple(order[: step + 1]))
        assert gains[step] == pytest.approx(after - before)


def test_unreachable_requirement_is_infeasible_not_an_error() -> None:
    cover = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0]], dtype=bool)  # point 3: nobody
    problem = CoverProblem.from_dense(cover, np.array([1.0, 1.0, 1.0, 2.0]))
    greedy = greedy_reach(problem, 5.0)
    assert greedy.status == "infeasible"
    assert greedy.covered_weight == pytest.approx(3.0)  # the most the candidates can do
    assert greedy.count == 2
    assert milp_reach(problem, 5.0).status == "infeasible"
    assert milp_reach(problem, 3.0, mip_rel_gap=0.0).count == 2


def test_reduction_merges_identical_columns_and_sets_aside_uncoverable() -> None:
    cover = np.array([[1, 1, 0, 0, 1], [0, 0, 1, 0, 1]], dtype=bool)
    problem = CoverProblem.from_dense(cover, np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    reduced = reduce_problem(problem)
    assert reduced.uncoverable_weight == 4.0
    assert reduced.group.tolist() == [0, 0, 1, -1, 2]
    assert reduced.problem.weight.tolist() == [3.0, 3.0, 5.0]


def test_no_candidates_or_no_demand() -> None:
    nobody = CoverProblem.from_dense(np.zeros((0, 5), dtype=bool))
    assert reduce_problem(nobody).uncoverable_weight == 5.0
    assert greedy_reach(nobody, 1.0).status == "infeasible"
    assert milp_reach(nobody, 0.0).count == 0
    assert milp_max_coverage(nobody, 3).count == 0
    nothing = CoverProblem.from_dense(np.zeros((3, 0), dtype=bool))
    assert reduce_problem(nothing).problem.n_demand == 0
    assert greedy_max_coverage(nothing, 2).count == 0


def test_zero_sites_and_empty_requirement() -> None:
    cover, weight, cost = _instance(3)
    problem = CoverProblem.from_dense(cover, weight, cost)
    assert greedy_max_coverage(problem, 0).count == 0
    assert milp_max_coverage(problem, 0).count == 0
    assert milp_reach(problem, 0.0).count == 0
    with pytest.raises(ValueError, match="max_sites must be zero or more"):
        greedy_max_coverage(problem, -1)
