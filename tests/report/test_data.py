"""``prepare_report``: prediction, metrics and targets kept together, with a scenario."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle

from covplan.export.static_map import MapOptions, coverage_map, gaps_map
from covplan.i18n import language
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
    assert data.scenario_label(language("en")) == "Scenario “fill-in” (1 edit)"
    assert data.scenario_label(language("vi")) == "Kịch bản “fill-in” (1 thay đổi)"
    assert data.new_sites is not None and set(data.new_sites["site_id"]) == {"NEW-1"}
    assert data.dataset.sites is not None and "NEW-1" in set(data.dataset.sites["site_id"])
    assert set(data.coverage) == {"4G", "5G"}
    assert len(data.analysis.targets) == 6 and data.timings_s["prediction"] >= 0
    assert data.fibre_reached is not None and data.village_share is not None
    assert data.village_share.between(0, 1).all()
    fig = coverage_map(data.dataset, data.coverage["4G"], new_sites=data.new_sites,
                       options=MapOptions(dpi=50))
    legend_texts = [t.get_text() for t in fig.axes[1].texts]
    assert "new site (scenario)" in legend_texts and "4G site" in legend_texts
    assert _legend_markers_are_drawn(fig) == {"o", "*"}  # 4G circles, new stars
    both = gaps_map(data.dataset, new_sites=data.new_sites, options=MapOptions(dpi=50),
                    site_technologies=("4G", "5G"))
    assert _legend_markers_are_drawn(both) == {"o", "D", "*"}  # and 5G diamonds


def _legend_markers_are_drawn(fig: Figure) -> set[str]:
    """The legend's markers, each checked to be a marker the map draws."""
    legend_markers = {line.get_marker() for line in fig.axes[1].lines} - {"None"}  # lines
    drawn = [collection.get_paths()[0] for collection in fig.axes[0].collections
             if isinstance(collection, PathCollection)]
    for marker in legend_markers:
        style = MarkerStyle(marker)
        shape = style.get_path().transformed(style.get_transform()).vertices
        assert any(np.allclose(path.vertices, shape) for path in drawn
                   if path.vertices.shape == shape.shape), marker
    return {str(m) for m in legend_markers}


def test_an_unnamed_scenario_is_not_named_twice(tiny_dataset: Dataset) -> None:
    """The map subtitle said "scenario scenario (12 edits)" for a scenario nobody named."""
    from covplan.report.outputs import _subtitle

    sites = tiny_dataset.sites
    assert sites is not None
    first = sites.geometry.iloc[0]
    scenario = Scenario(sites)
    for k in range(12):
        scenario = scenario.add_site(f"NEW-{k}", first.x + 300.0 * k, first.y, technology="4G")
    data = replace(prepare_report(tiny_dataset, load_targets("thai_nguyen_2025"),
                                  resolution_m=RESOLUTION_M), scenario=scenario)
    assert _subtitle(data, language("en")) == "Thái Nguyên 2025 · Scenario (12 edits)"
    assert _subtitle(data, language("vi")) == "Thái Nguyên 2025 · Kịch bản (12 thay đổi)"


def test_a_preset_that_counts_speed_maps_the_fastest_downlink(tiny_dataset: Dataset) -> None:
    """Thai Nguyen counts people by speed: the report has a speed map per technology."""
    from covplan.export.static_map import render_maps
    from covplan.report import planned_outputs

    data = prepare_report(tiny_dataset, load_targets("thai_nguyen_2025"),
                          resolution_m=RESOLUTION_M)
    assert set(data.speed) == {"4G", "5G"}
    assert data.speed["4G"].units == "Mb/s" and np.nanmax(data.speed["4G"].data) > 0
    assert set(data.sinr) == {"4G", "5G"} and data.sinr["4G"].units == "dB"
    maps = render_maps(data.dataset, data.coverage, speed=data.speed, sinr=data.sinr)
    assert list(maps) == ["coverage_4g", "coverage_5g", "speed_4g", "speed_5g", "sinr_4g",
                          "sinr_5g", "gaps"]
    names = {p.name for p in planned_outputs(Path("out"), ("png",), ["4G", "5G"],
                                             speed=data.speed)}
    assert {"map_speed_4g.png", "map_speed_5g.png", "map_sinr_4g.png"} <= names
    without = prepare_report(tiny_dataset, load_targets("bac_ninh_2030"),
                             resolution_m=RESOLUTION_M)
    assert without.speed == {}
