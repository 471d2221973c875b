"""The app page: targets at a glance, the map, the planner and the gap tables."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from covplan.app.compute import (
    Result,
    bar_progress,
    cached_dataset,
    cached_evaluator,
    evaluate,
    scenario_result,
)
from covplan.app.dashboard import render_tables, render_targets
from covplan.app.planner import apply_click, render_planner
from covplan.app.sidebar import render_sidebar
from covplan.app.state import clicked_point, edits_key, gaps_to_highlight, sites_for_map
from covplan.errors import CovplanError
from covplan.io import Dataset
from covplan.mapview import build_map
from covplan.planning import Scenario
from covplan.targets import TargetSet

logger = logging.getLogger(__name__)


def _scenario(path: str, dataset: Dataset) -> Scenario:
    """The session's scenario for this dataset (a fresh baseline when the dataset changed)."""
    state = st.session_state
    if state.get("scenario_path") != path or "scenario" not in state:
        if dataset.sites is None:
            raise CovplanError(f"{dataset.name} has no sites layer: add sites to plan coverage.")
        state["scenario"] = Scenario(dataset.sites, dataset=dataset.name, name="scenario")
        state["scenario_path"] = path
        state["last_click"] = None
    scenario: Scenario = state["scenario"]
    return scenario


def _result(path: str, preset: str, scenario: Scenario) -> Result:
    evaluator = cached_evaluator(path, preset)
    key = f"{path}|{preset}|{edits_key(scenario)}"
    bar = st.empty()

    def make() -> Result:
        start = time.perf_counter()
        progress = bar.progress(0.0, text="Predicting coverage…")
        result = evaluate(evaluator, scenario, bar_progress(progress))
        st.session_state["last_update_s"] = time.perf_counter() - start
        return result

    result = scenario_result(st.session_state, key, make)
    bar.empty()
    return result


def _map(dataset: Dataset, scenario: Scenario, result: Result, targets: TargetSet) -> None:
    kept, added = sites_for_map(scenario)
    shown = replace(dataset, vectors={**dataset.vectors, "sites": kept})
    fmap = build_map(
        shown,
        coverage=result.coverage,
        road_gaps=gaps_to_highlight(result.analysis.road_gaps, targets),
        village_status=result.village_signal_percent,
        village_title="% of people with 4G/5G signal",
        candidate_sites=added if len(added) else None,
    )
    event = st_folium(
        fmap, key="map", height=620, use_container_width=True, returned_objects=["last_clicked"]
    )
    point = clicked_point(event)
    if point is not None and point != st.session_state.get("last_click"):
        st.session_state["last_click"] = point
        st.session_state["pending_click"] = point
        st.rerun()


def render() -> None:
    """Draw the page."""
    st.title("covplan — coverage against the Resolution 57 targets")
    path, preset = render_sidebar()
    try:
        dataset = cached_dataset(path)
        scenario = _scenario(path, dataset)
    except CovplanError as exc:
        st.error(str(exc))
        return
    if dataset.synthetic:
        st.info(f"**{dataset.name}** — SYNTHETIC demo data, not a real place.")
    else:
        st.caption(f"{dataset.name} — {dataset.attribution}")
    kpis = st.container()
    map_column, plan_column = st.columns([3, 1])
    with plan_column:
        edited, mode, form = render_planner(scenario)
        pending = st.session_state.pop("pending_click", None)
        try:
            if pending is not None:
                edited = apply_click(edited, mode, pending, form)
        except CovplanError as exc:
            st.error(str(exc))
    if edited is not scenario:
        st.session_state["scenario"] = scenario = edited
    baseline = scenario_result(
        st.session_state,
        f"{path}|{preset}|[]",
        lambda: evaluate(
            cached_evaluator(path, preset), replace(scenario, edits=()), lambda f, m: None
        ),
    )
    result = _result(path, preset, scenario)
    with kpis:
        render_targets(result.analysis, baseline.analysis if scenario.edits else None)
        if scenario.edits and "last_update_s" in st.session_state:
            st.caption(f"Scenario updated in {st.session_state['last_update_s']:.1f} s.")
    with map_column:
        _map(dataset, scenario, result, cached_evaluator(path, preset).targets)
    render_tables(result.analysis)
