"""Scenario evaluation through the engine on the small demo province."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from covplan.io import Dataset
from covplan.planning import Scenario, ScenarioEvaluator, load_scenario, save_scenario
from covplan.predict import SiteCache
from covplan.targets import Analysis, TargetSet

from .conftest import RESOLUTION_M

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")

THREE = [{"azimuth_deg": a} for a in (0.0, 120.0, 240.0)]


@pytest.fixture(scope="module")
def evaluator(demo_small: Dataset, targets: TargetSet, shared_cache: SiteCache
              ) -> ScenarioEvaluator:
    return ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M, cache=shared_cache)


def _in_a_gap(evaluator: ScenarioEvaluator) -> tuple[float, float]:
    """A point in the middle of the longest uncovered national-road stretch."""
    gaps = evaluator.evaluate(evaluator.baseline()).analysis.road_gaps
    gaps = gaps[gaps["road_class"].isin(["expressway", "national"])]
    point = gaps.geometry.iloc[0].interpolate(0.5, normalized=True)
    return float(point.x), float(point.y)


def _road_target(table: pd.DataFrame) -> float:
    return float(table.set_index("id").loc["roads_4g5g", "covered"])


def test_round_trip_gives_identical_evaluation(evaluator: ScenarioEvaluator,
                                               tmp_path: Path) -> None:
    base = evaluator.baseline()
    x, y = _in_a_gap(evaluator)
    first = str(base.sites["site_id"].iloc[0])
    scenario = (base.add_site("NEW", x, y, technology="4G", sectors=THREE)
                .modify_site(first, height_m=40.0))
    loaded = load_scenario(save_scenario(scenario, tmp_path / "s.json"), base.baseline)
    a, b = evaluator.evaluate(scenario).analysis, evaluator.evaluate(loaded).analysis
    pd.testing.assert_frame_equal(a.targets, b.targets)
    pd.testing.assert_frame_equal(pd.DataFrame(a.road_gaps), pd.DataFrame(b.road_gaps))
    assert _road_target(a.targets) > _road_target(evaluator.evaluate(base).analysis.targets)


def test_removing_an_added_site_returns_the_baseline_figures(
        evaluator: ScenarioEvaluator) -> None:
    base = evaluator.baseline()
    before = evaluator.evaluate(base).analysis
    x, y = _in_a_gap(evaluator)
    added = base.add_site("NEW", x, y, technology="4G", sectors=THREE)
    during = evaluator.evaluate(added).analysis
    assert _road_target(during.targets) > _road_target(before.targets)
    back = evaluator.evaluate(added.remove_site("NEW")).analysis
    pd.testing.assert_frame_equal(back.targets, before.targets)
    pd.testing.assert_frame_equal(pd.DataFrame(back.road_gaps), pd.DataFrame(before.road_gaps))


def test_a_new_site_is_the_only_one_computed(evaluator: ScenarioEvaluator) -> None:
    base = evaluator.baseline()
    evaluator.evaluate(base)
    x, y = _in_a_gap(evaluator)
    misses = evaluator.cache.misses
    evaluator.evaluate(base.add_site("ONE-MORE", x + 300.0, y, technology="4G",
                                     sectors=THREE))
    assert evaluator.cache.misses - misses == 1


def test_compare_scenarios(evaluator: ScenarioEvaluator) -> None:
    base = evaluator.baseline()
    x, y = _in_a_gap(evaluator)
    table = evaluator.compare({"baseline": base,
                               "plus one": base.add_site("P1", x, y, technology="4G")})
    assert list(table.columns) == ["id", "baseline: measured_percent", "baseline: status",
                                   "plus one: measured_percent", "plus one: status"]
    roads = table.set_index("id").loc["roads_4g5g"]
    assert roads["plus one: measured_percent"] > roads["baseline: measured_percent"]


def test_scenarios_keep_the_dataset_untouched(evaluator: ScenarioEvaluator,
                                              demo_small: Dataset) -> None:
    sites = demo_small.sites
    assert sites is not None
    count = len(sites)
    Scenario(sites).remove_site(str(sites["site_id"].iloc[0]))
    assert len(sites) == count


def test_a_technology_with_unchanged_sectors_reuses_its_grid(
        evaluator: ScenarioEvaluator) -> None:
    base = evaluator.baseline()
    first = evaluator.coverage(base.sites)
    assert evaluator.coverage(base.sites)["4G"] is first["4G"]
    x, y = _in_a_gap(evaluator)
    added = base.add_site("NEW", x, y, technology="4G", sectors=THREE)
    second = evaluator.coverage(added.sites)
    assert second["4G"] is not first["4G"]  # the new 4G site is predicted and merged
    if "5G" in first:
        assert second["5G"] is first["5G"]  # 5G sectors unchanged: the same grid
    # the new 4G grid equals a fresh prediction with no reuse
    fresh = ScenarioEvaluator(evaluator.dataset, evaluator.targets, resolution_m=RESOLUTION_M,
                              cache=evaluator.cache).coverage(added.sites)
    np.testing.assert_array_equal(fresh["4G"].rsrp_dbm.data, second["4G"].rsrp_dbm.data)


def _tables_equal(a: Analysis, b: Analysis) -> None:
    for name, table in a.tables().items():
        pd.testing.assert_frame_equal(pd.DataFrame(table), pd.DataFrame(b.tables()[name]),
                                      check_exact=True, obj=name)


def test_each_edit_updates_the_figures_exactly_as_a_fresh_evaluation(
        demo_small: Dataset, targets: TargetSet, shared_cache: SiteCache) -> None:
    """The evaluator updates grid-wide measures only where the coverage changed; every
    table must still equal, bit for bit, what a fresh evaluator computes from scratch."""
    evaluator = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M,
                                  cache=shared_cache)
    base = evaluator.baseline()
    evaluator.evaluate(base)
    x, y = _in_a_gap(evaluator)
    first = str(base.sites["site_id"].iloc[0])
    operators = base.sites["operator"].dropna().astype(str).unique()
    assert len(operators) > 1
    other = next(o for o in operators
                 if o != str(base.sites.loc[base.sites["site_id"] == first, "operator"].iloc[0]))
    steps = [
        base.add_site("NEW", x, y, technology="4G", sectors=THREE),
        base.add_site("NEW", x, y, technology="4G", sectors=THREE).move_site("NEW", x + 900, y),
        base.add_site("NEW", x, y, technology="4G", sectors=THREE).modify_site(
            first, operator=other),  # same signal, another operator
        base.remove_site(first),
    ]
    for scenario in steps:
        updated = evaluator.evaluate(scenario).analysis
        window = evaluator._last._window if evaluator._last is not None else None
        assert window is not None  # the update path was taken
        rows, cols = window[1] - window[0], window[3] - window[2]
        assert rows * cols < evaluator.grid.shape[0] * evaluator.grid.shape[1]
        fresh = ScenarioEvaluator(demo_small, targets, resolution_m=RESOLUTION_M,
                                  cache=shared_cache).evaluate(scenario).analysis
        _tables_equal(updated, fresh)
