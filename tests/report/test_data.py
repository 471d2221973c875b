"""``prepare_report``: prediction, metrics and targets kept together, with a scenario."""

from __future__ import annotations

import pytest

from covplan.export.static_map import MapOptions, coverage_map
from covplan.io import Dataset
from covplan.planning import Scenario
from covplan.report import prepare_report
from covplan.targets import load_targets

from ..export.conftest import RESOLUTION_M

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


def test_a_scenario_replaces_the_sites_and_marks_the_new_ones(tiny_dataset: Dataset) -> None:
    sites = tiny_dataset.sites
    assert sites is not None
    first = sites.geometry.iloc[0]
    scenario = Scenario(sites, name="fill-in").add_site(
        "NEW-1", first.x + 2_000.0, first.y - 1_000.0, technology="4G", height_m=30.0)
    data = prepare_report(tiny_dataset, load_targets("thai_nguyen_2025"), scenario=scenario,
                          resolution_m=RESOLUTION_M)
    assert data.scenario_label == "fill-in (1 edit)"
    assert data.new_sites is not None and set(data.new_sites["site_id"]) == {"NEW-1"}
    assert data.dataset.sites is not None and "NEW-1" in set(data.dataset.sites["site_id"])
    assert set(data.coverage) == {"4G", "5G"}
    assert len(data.analysis.targets) == 5 and data.timings_s["prediction"] >= 0
    assert data.fibre_reached is not None and data.village_share is not None
    assert data.village_share.between(0, 1).all()
    fig = coverage_map(data.dataset, data.coverage["4G"], new_sites=data.new_sites,
                       options=MapOptions(dpi=50))
    legend_texts = [t.get_text() for t in fig.axes[1].texts]
    assert "new site (scenario)" in legend_texts and "4G site" in legend_texts
