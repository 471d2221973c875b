"""The coverage matrix predicts what the engine measures, for any choice of candidates."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.io import Dataset
from covplan.planning import (
    CandidateOptions,
    ScenarioEvaluator,
    build_matrix,
    generate_candidates,
    target_demand,
)
from covplan.planning.report import chosen_sites, site_edits
from covplan.planning.selection import Selection
from covplan.predict import SiteCache
from covplan.targets import TargetSet

from .conftest import RESOLUTION_M

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


@pytest.fixture(scope="module")
def setup(demo_small: Dataset, targets: TargetSet, shared_cache: SiteCache):  # type: ignore[no-untyped-def]
    ev = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M, cache=shared_cache)
    base = ev.baseline()
    ctx = ev.context(ev.coverage(base.sites), base.sites)
    demand = target_demand(next(t for t in targets.targets if t.id == "roads_4g5g"), ctx)
    candidates = generate_candidates(ctx, demand, terrain=demo_small.terrain,
                                     options=CandidateOptions(road_spacing_m=1000.0))
    keep = candidates["site_id"].drop_duplicates().iloc[:12]
    candidates = candidates[candidates["site_id"].isin(keep)].reset_index(drop=True)
    floors = {t: targets.floor_dbm(t) for t in ("4G", "5G")}
    matrix = build_matrix(demand, candidates, demo_small.terrain, ev.grid, cache=ev.cache,
                          engine_threshold_dbm=floors)
    return ev, demand, candidates, matrix, floors


def test_demand_matches_the_target_figures(setup) -> None:  # type: ignore[no-untyped-def]
    ev, demand, *_ = setup
    row = ev.evaluate(ev.baseline()).analysis.targets.set_index("id").loc["roads_4g5g"]
    assert demand.total == pytest.approx(row["total"], rel=1e-12)
    assert demand.weight.sum() == pytest.approx(row["total"], rel=1e-9)
    assert demand.weight[demand.covered].sum() == pytest.approx(row["covered"], rel=1e-9)
    assert demand.required == pytest.approx(row["shortfall"], rel=1e-9)


def test_engine_windows_give_the_same_matrix_batched_or_one_by_one(  # type: ignore[no-untyped-def]
        setup, demo_small: Dataset) -> None:
    """The demand-cell matrix equals the one read from the engine's whole windows."""
    ev, demand, candidates, matrix, floors = setup
    batched = build_matrix(demand, candidates, demo_small.terrain, ev.grid, cache=ev.cache,
                           engine_threshold_dbm=floors, method="windows")
    misses = ev.cache.misses
    public = build_matrix(demand, candidates, demo_small.terrain, ev.grid, cache=ev.cache,
                          engine_threshold_dbm=floors, batch=False, method="windows")
    assert ev.cache.misses == misses  # same cache keys as predict_coverage
    for other in (batched, public):
        assert other.candidate_ids == matrix.candidate_ids
        assert (other.problem.cover != matrix.problem.cover).nnz == 0
    assert matrix.problem.cover.nnz > 0


@pytest.mark.parametrize(("target_id", "model", "environment"), [
    ("roads_4g5g", "auto", True),       # Hata and UMa, clutter at the receiver
    ("residential_5g", "auto", True),   # dense demand: every ray is walked
    ("residential_5g", "terrain", False),  # free space + diffraction, no environment
    ("roads_4g5g", "rma", False),       # 3GPP rural macro
    ("residential_5g", "itm", True),    # Longley-Rice: its rays are walked to their end
])
def test_cells_matrix_equals_the_engine_windows(  # type: ignore[no-untyped-def]
        demo_small: Dataset, targets: TargetSet, target_id: str, model: str,
        environment: bool) -> None:
    """Same coverage sets, model by model, with and without clutter (ITM on a coarse grid)."""
    ev = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M, model=model)
    base = ev.baseline()
    ctx = ev.context(ev.coverage(base.sites), base.sites)
    demand = target_demand(next(t for t in targets.targets if t.id == target_id), ctx)
    candidates = generate_candidates(ctx, demand, terrain=demo_small.terrain,
                                     options=CandidateOptions(road_spacing_m=2000.0))
    keep = candidates["site_id"].drop_duplicates().iloc[:10]
    candidates = candidates[candidates["site_id"].isin(keep)].reset_index(drop=True)
    floors = {t: targets.floor_dbm(t) for t in ("4G", "5G")}
    env = ev.radio_environment if environment else None
    assert env is None or env.has_clutter
    fast, slow = (build_matrix(demand, candidates, demo_small.terrain, ev.grid,
                               cache=SiteCache(), engine_threshold_dbm=floors, model=model,
                               environment=env, method=m) for m in ("cells", "windows"))
    assert fast.candidate_ids == slow.candidate_ids
    assert slow.problem.cover.nnz > 0
    assert (fast.problem.cover != slow.problem.cover).nnz == 0


@pytest.mark.parametrize("subset", [[0], [1, 4], [0, 2, 5, 7, 9]])
def test_matrix_predicts_the_engine_for_any_subset(setup, subset: list[int]) -> None:  # type: ignore[no-untyped-def]
    ev, demand, candidates, matrix, _ = setup
    chosen = np.asarray(subset)
    order = np.arange(len(chosen))
    selection = Selection(chosen, np.zeros(len(chosen)), 0.0, 0.0, "greedy", "heuristic")
    table = chosen_sites(selection, matrix, candidates, demand)
    assert (table["rank"].to_numpy() == order + 1).all()
    scenario = ev.baseline().with_edits(*site_edits(table, candidates))
    ctx = ev.context(ev.coverage(scenario.sites), scenario.sites)
    after = target_demand(demand.target, ctx)
    predicted = demand.covered | matrix.items_covered(chosen)
    np.testing.assert_array_equal(after.covered, predicted)
