"""The planner page: targets at a glance, the map, the planner, the gap tables and downloads.

Every word is in the language chosen in the sidebar (:mod:`covplan.app.language`). The
targets count signal outdoors or indoors (the sidebar's switch), and the page says which;
measurements chosen in the sidebar are drawn on the map, coloured by the prediction's
error, with their error table below it (:mod:`covplan.app.measurements`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from typing import Any

import geopandas as gpd
import streamlit as st

from covplan.app.compute import (
    DatasetRef,
    Result,
    TargetChoice,
    bar_progress,
    base_map_for,
    baseline_script,
    dataset_for,
    draw_link_images_ahead,
    draw_overlays_ahead,
    evaluate,
    evaluator_for,
    forget_coverage,
    legend_key,
    open_dataset,
    result_key,
    scenario_result,
    wait_for_warming,
)
from covplan.app.dashboard import render_tables, render_targets
from covplan.app.downloads import render_downloads
from covplan.app.exports import Stamp
from covplan.app.livemap import after_map, map_key
from covplan.app.livemap import show as show_map
from covplan.app.measurements import Measured, choose_measurements, measure, render_measurements
from covplan.app.notices import guarded, show_dataset_notes, show_refusal
from covplan.app.planner import render_edits, render_planner
from covplan.app.recommend import render_recommend
from covplan.app.sidebar import preset_title, relabel, render_sidebar, show_counted_where
from covplan.app.state import (
    clicked_point,
    edits_key,
    gaps_to_highlight,
    scenario_json,
    site_changes,
)
from covplan.errors import CovplanError
from covplan.grid import Raster
from covplan.i18n import N_, Language
from covplan.io import Dataset
from covplan.mapview.live import LINK_MAX_PX, ScenarioView, scenario_script
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.predict.operators import best_dl_mbps, best_sinr_db
from covplan.schema import TECHNOLOGIES
from covplan.targets import Analysis

logger = logging.getLogger(__name__)

#: Height of the map frame in pixels.
MAP_HEIGHT = 620


@st.cache_resource(show_spinner=False, max_entries=4)
def _baseline(key: str, _dataset: Dataset) -> Scenario:
    """The unedited scenario of the dataset version ``key`` names, one per process.

    A scenario never changes (an edit makes a new one), so sessions share it and the
    digest of its sites, which every page states, is taken once (0.2 s on the full demo).
    """
    if _dataset.sites is None:  # open_dataset refused it already; a safeguard
        raise CovplanError(N_("{name} has no sites layer: add sites to plan coverage."),
                           name=_dataset.name)
    return Scenario(_dataset.sites, dataset=_dataset.name, name="scenario")


def _scenario(ref: DatasetRef, dataset: Dataset) -> Scenario:
    """The session's scenario for this dataset (a fresh baseline when the dataset changed)."""
    state = st.session_state
    if state.get("scenario_dataset") != ref.key or "scenario" not in state:
        state["scenario"] = _baseline(ref.key, dataset)
        state["scenario_dataset"] = ref.key
        state["last_click"] = None
    scenario: Scenario = state["scenario"]
    return scenario


def _result(ref: DatasetRef, targets: TargetChoice, scenario: Scenario, lang: Language
            ) -> Result:
    evaluator = evaluator_for(ref, targets)
    bar = st.empty()

    def ahead(coverage: dict[str, Any]) -> None:
        st.session_state["overlays_ahead"] = draw_overlays_ahead(coverage)

    def make() -> Result:
        progress = bar.progress(0.0, text=lang._("Predicting coverage…"))
        return evaluate(evaluator, scenario, bar_progress(progress, lang._("Predicting coverage…")),
                        on_coverage=ahead)

    key = result_key(ref, targets, edits_key(scenario))
    result = scenario_result(st.session_state, key, make)
    bar.empty()
    return result


def _map_script(
    dataset: Dataset, ref: DatasetRef, targets: TargetChoice, scenario: Scenario,
    result: Result, measured: Measured | None, lang: Language,
) -> str:
    """The script that puts this scenario's layers on the base map (memoised per edits).

    Once it is made, the memoised result lets its coverage grids go (about 100 MB a
    scenario on the full demo); should the script be needed again after that, the grids
    come back from the evaluator (its latest grids, or an update of them). The measurements
    shown, if any, are part of the key.
    """
    evaluator = evaluator_for(ref, targets)

    def make() -> str:
        wait_for_warming()  # a page read from disk: the evaluator's grids are on their way
        for future in st.session_state.pop("overlays_ahead", []):
            future.result()  # the overlay images, drawn while the targets were measured
        hidden, edited = site_changes(scenario)
        links = link_layers(evaluator, scenario.sites)
        draw_link_images_ahead(links)  # alongside the gaps, sites and villages below
        view = ScenarioView(
            coverage=result.coverage or evaluator.coverage(scenario.sites),
            road_gaps=gaps_to_highlight(result.analysis.road_gaps, evaluator.targets),
            village_status=result.village_signal_percent,
            edited_sites=edited,
            hidden_site_ids=hidden,
            measurements=measured.comparison.points if measured is not None else None,
            **links,
        )
        # the layer control folds into an icon: the frame is small
        return scenario_script(dataset, view, collapsed_control=True, lang=lang)

    key = result_key(ref, targets, edits_key(scenario))
    shown = f"{key}|{lang.code}|{measured.key if measured is not None else ''}"
    if not scenario.edits and measured is None:  # the baseline's: one for every session
        script = scenario_result(st.session_state, shown,
                                 lambda: baseline_script(ref, targets, lang, make),
                                 bucket="map_scripts")
    else:
        script = scenario_result(st.session_state, shown, make, bucket="map_scripts")
    forget_coverage(st.session_state, key)
    return script


def link_layers(evaluator: ScenarioEvaluator, sites: gpd.GeoDataFrame | None
                ) -> dict[str, dict[str, Raster] | None]:
    """The ``speed`` and ``sinr`` layers of the map's :class:`ScenarioView`.

    Each technology's fastest downlink and best SINR of any operator; both None unless a
    target counts speed (the networks then hold their SINR, and the evaluator's memo hands
    them back without predicting again). Read at most
    :data:`~covplan.mapview.live.LINK_MAX_PX` cells a side, as the image shows them.
    """
    if not evaluator.targets.needs_sinr:
        return {"speed": None, "sinr": None}
    networks = evaluator.networks(sites)
    grid = evaluator.grid
    step = max(1, math.ceil(max(grid.width, grid.height) / LINK_MAX_PX))
    speed = {tech: best_dl_mbps(networks, tech, step=step) for tech in TECHNOLOGIES}
    sinr = {tech: best_sinr_db(networks, tech, step=step) for tech in TECHNOLOGIES}
    return {"speed": {t: r for t, r in speed.items() if r is not None} or None,
            "sinr": {t: r for t, r in sinr.items() if r is not None} or None}


def _known(ref: DatasetRef, targets: TargetChoice, scenario: Scenario) -> Result | None:
    """The result of ``scenario`` if the session has it already (nothing is computed)."""
    results = st.session_state.get("results") or {}
    known: Result | None = results.get(result_key(ref, targets, edits_key(scenario)))
    return known


def _show_targets(place: Any, result: Result, baseline: Result, scenario: Scenario,
                  lang: Language) -> Any:
    """Draw the target tiles into ``place`` (replacing what it held); the timing's place."""
    with place.container():
        render_targets(result.analysis, baseline.analysis if scenario.edits else None, lang)
        return st.empty()


def _new_click(key: str) -> tuple[float, float] | None:
    """The map click that started this run, if any (read before the map is drawn).

    The map component keeps its last click as its value, under ``key`` in the session, so
    the click is applied in the run it triggers, and only once.
    """
    point = clicked_point(st.session_state.get(key))
    if point is None or point == st.session_state.get("last_click"):
        return None
    st.session_state["last_click"] = point
    return point


def _opened(ref: DatasetRef, targets: TargetChoice, lang: Language
            ) -> tuple[Dataset, Scenario, Result] | None:
    """The open dataset, the session's scenario and the baseline's result; None on failure.

    A failure of covplan's (the dataset no longer loads, the preset does not fit) is shown
    as covplan words it; anything else reaches the app's last guard. Either way nothing
    cached about the dataset is kept (:func:`covplan.app.compute.open_dataset`).
    """
    place = st.empty()
    try:
        progress = bar_progress(place, lang._("Loading and validating the dataset…"))
        progress(0.0, "")
        baseline = open_dataset(ref, targets, st.session_state, progress)
        dataset = dataset_for(ref)
        return dataset, _scenario(ref, dataset), baseline
    except CovplanError as exc:
        show_refusal(
            lang._("This dataset cannot be used; choose another dataset or preset in the "
                   "sidebar."),
            relabel(exc.text(lang)),
        )
        return None
    finally:
        place.empty()


def _stamp(dataset: Dataset, targets: TargetChoice, scenario: Scenario, lang: Language
           ) -> Stamp:
    """What the page's downloads state about what it shows (indoors: said with the preset).

    The preset as the sidebar lists it ("Thái Nguyên 2025"); file names read the same as
    with its id (``thai-nguyen-2025``).
    """
    preset = preset_title(targets.preset)
    if targets.environment is not None:
        preset = lang._("{preset}, counted {where}").format(
            preset=preset, where=lang._("indoors") if targets.environment == "indoor"
            else lang._("outdoors"))
    return Stamp(dataset.name, preset, len(scenario.edits), dt.date.today(), lang,
                 scenario.name)


def _measured(ref: DatasetRef, dataset: Dataset, lang: Language) -> Measured | None:
    """The measurements chosen in the sidebar, compared with the prediction (or None)."""
    with st.sidebar:
        file = choose_measurements(dataset, lang)
    return measure(ref, dataset, file, lang) if file is not None else None


@st.fragment
@guarded
def _tables_after_map(analysis: Analysis, stamp: Stamp, key: str) -> None:
    """The tables under the map, once the session's map has been drawn (:func:`after_map`).

    A fragment: the map's report, and a choice of table tab, run this part alone.
    """
    if after_map():
        render_tables(analysis, stamp, key)


def render(lang: Language) -> str | None:
    """Draw the page; the key of what it shows (dataset and targets), None with no dataset."""
    st.set_page_config(page_title=lang._("covplan — coverage planner"))
    st.title(lang._("covplan — coverage against the Resolution 57 targets"))
    ref, targets = render_sidebar(lang)
    opened = _opened(ref, targets, lang)
    if opened is None:
        return None
    dataset, scenario, baseline = opened
    show_dataset_notes(dataset, lang)
    measured = _measured(ref, dataset, lang)
    evaluator = evaluator_for(ref, targets)
    show_counted_where(evaluator.targets, lang)
    kpis = st.empty()
    # the targets this session already knows show at once, before the planner's widgets
    early = _known(ref, targets, scenario)
    timing = _show_targets(kpis, early, baseline, scenario, lang) if early else None
    map_column, plan_column = st.columns([3, 1])
    key = st.session_state["map_key"] = map_key(ref.key, legend_key(evaluator.targets),
                                                lang.code)
    with plan_column:
        edited, edits_place = render_planner(
            scenario, _new_click(key), lang,
            recommend=lambda s: render_recommend(dataset, evaluator, s,
                                                 f"{ref.key}|{targets.key}", lang),
            area=dataset.area,
            file_name=lambda s: _stamp(dataset, targets, s, lang).file_name("scenario.json"))
    if edited is not scenario:
        st.session_state["scenario"] = scenario = edited
    started = time.perf_counter()
    result = _result(ref, targets, scenario, lang)
    if result is not early or timing is None:  # shown as soon as known, before the map layers
        timing = _show_targets(kpis, result, baseline, scenario, lang)
    script = _map_script(dataset, ref, targets, scenario, result, measured, lang)
    if st.session_state.get("shown_edits") != edits_key(scenario):
        st.session_state["shown_edits"] = edits_key(scenario)
        st.session_state["last_update_s"] = took = time.perf_counter() - started
        logger.info("Scenario with %d edit(s) shown in %.2f s", len(scenario.edits), took)
    if scenario.edits and "last_update_s" in st.session_state:
        timing.caption(lang._("Scenario updated in {seconds} s (prediction, targets and map "
                              "layers).").format(
            seconds=lang.number(st.session_state["last_update_s"], 1)))
    with map_column:
        with st.spinner(lang._("Drawing the province map…")):  # once per dataset
            base = base_map_for(ref, targets, lang)
        show_map(base, script, key=key, height=MAP_HEIGHT)
        if measured is not None:
            render_measurements(measured, dataset.calibration_statement(lang), lang)
    render_edits(edits_place, scenario, lang)  # after the map: the diff is ready
    stamp = _stamp(dataset, targets, scenario, lang)
    scenario_key = result_key(ref, targets, edits_key(scenario))
    _tables_after_map(result.analysis, stamp, scenario_key)
    render_downloads(key=f"{scenario_key}|{lang.code}", stamp=stamp, dataset=dataset,
                     evaluator=evaluator, scenario=scenario,
                     scenario_json=scenario_json(scenario))
    return f"{ref.key}|{targets.key}"
