"""Demand items add up to exactly what each radio target measures (kept in step with metrics)."""

from __future__ import annotations

import pytest

from covplan.errors import CovplanError
from covplan.io import Dataset
from covplan.planning import ScenarioEvaluator, target_demand
from covplan.predict import SiteCache
from covplan.targets import TargetSet, measure_target

from .conftest import RESOLUTION_M

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


@pytest.fixture(scope="module")
def ctx(demo_small: Dataset, targets: TargetSet, shared_cache: SiteCache):  # type: ignore[no-untyped-def]
    ev = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M, cache=shared_cache)
    base = ev.baseline()
    return ev.context(ev.coverage(base.sites), base.sites)


@pytest.mark.parametrize("target_id", ["roads_4g5g", "people_broadband", "poi_5g",
                                       "residential_5g"])
def test_demand_adds_up_to_the_measure(ctx, targets: TargetSet, target_id: str) -> None:  # type: ignore[no-untyped-def]
    target = next(t for t in targets.targets if t.id == target_id)
    demand = target_demand(target, ctx)
    official = measure_target(target, ctx)
    assert demand.unit == official.unit
    assert demand.weight.sum() == pytest.approx(official.total, rel=1e-9)
    assert demand.weight[demand.covered].sum() == pytest.approx(official.covered, rel=1e-9)
    assert demand.required == pytest.approx(
        max(0.0, target.goal_percent / 100 * official.total - official.covered), rel=1e-9)
    assert len(demand.x) == len(demand.weight) == len(demand.cell)


def test_fibre_targets_cannot_be_planned_with_sites(ctx, targets: TargetSet) -> None:  # type: ignore[no-untyped-def]
    fibre = next(t for t in targets.targets if t.id == "fibre_villages")
    with pytest.raises(CovplanError, match="cannot close it"):
        target_demand(fibre, ctx)
