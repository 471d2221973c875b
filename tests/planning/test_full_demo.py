"""The full demo province: the national-highway target (slow: run with ``-m slow``)."""

from __future__ import annotations

import pytest

from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.planning import PlanOptions, recommend_sites
from covplan.targets import load_targets


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")
def test_full_demo_national_highways(tmp_path_factory: pytest.TempPathFactory) -> None:
    dataset = load_dataset(ensure_demo("full", data_dir=tmp_path_factory.mktemp("demo")))
    rec = recommend_sites(dataset, load_targets("thai_nguyen_2025"), "roads_4g5g",
                          options=PlanOptions(time_limit_s=60))
    before = rec.before.set_index("id").loc["roads_4g5g"]
    after = rec.after.set_index("id").loc["roads_4g5g"]
    assert after["total"] - after["covered"] < before["total"] - before["covered"]
    assert after["covered"] == pytest.approx(rec.predicted_covered, rel=1e-9)
    assert rec.selection.count > 0
    if rec.feasible:  # the goal is reached with the chosen sites
        assert after["measured_percent"] >= after["goal_percent"] - 1e-9
    else:  # what is left open is what no candidate reaches
        unreachable_km = float(rec.uncoverable["counted_km"].sum())
        assert unreachable_km > 0
        assert after["total"] - after["covered"] >= unreachable_km - 1e-6
