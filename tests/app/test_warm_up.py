"""The app compiles the scenario-update kernels ahead: a first update compiles nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from numba.core.registry import CPUDispatcher

from covplan.app.compute import warm_up_updates
from covplan.datasets import ensure_demo
from covplan.io import load_dataset
from covplan.metrics import _kernels
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.predict import _merge
from covplan.radio import linklevel
from covplan.targets import load_targets


def _signatures() -> dict[str, set[object]]:
    kernels = {f"{m.__name__}.{n}": k for m in (_kernels, _merge, linklevel)
               for n, k in vars(m).items() if isinstance(k, CPUDispatcher)}
    assert len(kernels) >= 10
    return {name: set(k.signatures) for name, k in kernels.items()}


@pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")
def test_an_update_after_the_warm_up_compiles_no_kernel(tmp_path: Path) -> None:
    dataset = load_dataset(ensure_demo("small", data_dir=tmp_path))
    evaluator = ScenarioEvaluator(dataset, load_targets("thai_nguyen_2025"), resolution_m=150.0)
    base = Scenario(dataset.sites, dataset=dataset.name)
    evaluator.evaluate(base)  # the full pass, whose kernels the engine has always compiled
    warm_up_updates()
    before = _signatures()
    first = str(base.sites["site_id"].iloc[0])
    point = base.sites.geometry.iloc[0]
    edited = base.add_site("NEW", point.x + 2_000.0, point.y, technology="4G")
    for scenario in (edited, edited.remove_site(first), edited.move_site("NEW", point.x, point.y)):
        evaluator.evaluate(scenario)
    assert evaluator._last is not None and evaluator._last._window is not None  # updates ran
    after = _signatures()
    assert {k: after[k] - before[k] for k in after if after[k] - before[k]} == {}
