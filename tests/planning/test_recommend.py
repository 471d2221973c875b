"""Recommendation end to end on the small demo province, checked by re-running the engine."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from covplan.io import Dataset
from covplan.planning import (
    CandidateOptions,
    PlanOptions,
    Recommendation,
    ScenarioEvaluator,
    generate_candidates,
    recommend_sites,
    target_demand,
)
from covplan.planning.greedy import GREEDY_FACTOR
from covplan.predict import SiteCache
from covplan.targets import TargetSet

from .conftest import RESOLUTION_M

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")

ROADS = "roads_4g5g"


@pytest.fixture(scope="module")
def evaluator(demo_small: Dataset, targets: TargetSet, shared_cache: SiteCache
              ) -> ScenarioEvaluator:
    return ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M, cache=shared_cache)


@pytest.fixture(scope="module")
def reach(demo_small: Dataset, targets: TargetSet, evaluator: ScenarioEvaluator
          ) -> Recommendation:
    return recommend_sites(demo_small, targets, ROADS, evaluator=evaluator,
                           options=PlanOptions(time_limit_s=20, mip_rel_gap=0.0))


def _row(table: pd.DataFrame) -> pd.Series:
    return table.set_index("id").loc[ROADS]


def test_national_highway_gaps_close_and_the_engine_confirms(reach: Recommendation) -> None:
    before, after = _row(reach.before), _row(reach.after)
    assert not before["met"] and reach.feasible
    assert after["total"] - after["covered"] < before["total"] - before["covered"]
    assert bool(after["met"])
    assert after["covered"] == pytest.approx(reach.predicted_covered, rel=1e-9)
    assert reach.selection.status == "optimal" and reach.selection.gap == pytest.approx(0.0)
    assert reach.selection.count <= reach.greedy.count
    gains = reach.chosen["gain"].to_numpy()
    assert np.all(gains > 0) and np.all(np.diff(gains) <= 1e-12)
    assert gains.sum() == pytest.approx(after["covered"] - before["covered"], rel=1e-9)
    assert reach.chosen["predicted_percent"].iloc[-1] == pytest.approx(
        after["measured_percent"], rel=1e-9)
    planned = reach.scenario.sites.query("status == 'planned'")
    assert sorted(set(planned["site_id"])) == sorted(reach.chosen["site_id"])
    assert reach.uncoverable.empty


def test_at_most_one_site(demo_small: Dataset, targets: TargetSet, evaluator: ScenarioEvaluator,
                         reach: Recommendation) -> None:
    best = recommend_sites(demo_small, targets, ROADS, evaluator=evaluator,
                           options=PlanOptions(mode="max", max_sites=1, mip_rel_gap=0.0))
    assert best.selection.count == 1
    gained = best.after.set_index("id").loc[ROADS, "covered"] - _row(best.before)["covered"]
    assert gained == pytest.approx(best.selection.covered_weight, rel=1e-9)
    assert best.selection.covered_weight >= best.greedy.covered_weight - 1e-9
    assert best.greedy.covered_weight >= GREEDY_FACTOR * best.selection.covered_weight
    problem = best.matrix.problem  # K = 1: the optimum is the heaviest single footprint
    single = problem.rows.astype(np.float64) @ problem.weight
    assert best.selection.covered_weight == pytest.approx(single.max(), rel=1e-12)
    assert best.selection.covered_weight <= reach.selection.covered_weight + 1e-9


def test_unreachable_road_is_reported_not_raised(demo_small: Dataset, targets: TargetSet,
                                                 evaluator: ScenarioEvaluator) -> None:
    xmin, ymin, _, _ = demo_small.bounds()
    only = pd.DataFrame({"x": [xmin + 200.0], "y": [ymin + 200.0], "site_id": ["CORNER"]})
    none = CandidateOptions(roads=False, villages=False, high_ground=False, colocation=False)
    rec = recommend_sites(demo_small, targets, ROADS, evaluator=evaluator,
                          user_candidates=only, options=PlanOptions(candidates=none))
    assert not rec.feasible
    assert rec.summary()["feasible"] is False
    gaps = rec.uncoverable
    assert len(gaps) > 0 and set(gaps["road_class"]) <= {"expressway", "national"}
    open_km = rec.demand.total - rec.demand.baseline_covered
    never = gaps["counted_km"].sum()
    assert never == pytest.approx(open_km - rec.selection.covered_weight, rel=1e-6)
    assert _row(rec.after)["covered"] == pytest.approx(rec.predicted_covered, rel=1e-9)


def test_a_met_target_needs_no_site(demo_small: Dataset, targets: TargetSet,
                                    evaluator: ScenarioEvaluator) -> None:
    rec = recommend_sites(demo_small, targets, "poi_5g", evaluator=evaluator)
    assert bool(_row_of(rec.before, "poi_5g")["met"])
    assert rec.selection.count == 0 and rec.chosen.empty and rec.scenario.edits == ()
    pd.testing.assert_frame_equal(rec.before, rec.after)


def _row_of(table: pd.DataFrame, target_id: str) -> pd.Series:
    return table.set_index("id").loc[target_id]


def test_exclusion_zones_are_respected(demo_small: Dataset, targets: TargetSet,
                                       evaluator: ScenarioEvaluator) -> None:
    base = evaluator.baseline()
    ctx = evaluator.context(evaluator.coverage(base.sites), base.sites)
    target = next(t for t in targets.targets if t.id == ROADS)
    demand = target_demand(target, ctx)
    xmin, ymin, xmax, ymax = demo_small.bounds()
    west = gpd.GeoDataFrame(geometry=[box(xmin - 1e4, ymin - 1e4, (xmin + xmax) / 2, ymax + 1e4)],
                            crs=demo_small.crs)
    everywhere = generate_candidates(ctx, demand, terrain=demo_small.terrain)
    kept = generate_candidates(ctx, demand, terrain=demo_small.terrain, exclusion=west)
    middle = (xmin + xmax) / 2
    assert (everywhere.geometry.x < middle).any()
    assert (kept.geometry.x >= middle).all() and len(kept) > 0
    assert set(kept["source"]) <= {"road", "village", "high ground", "colocation"}
