"""Planner mode: add, move and remove sites by clicking the map; undo; save and load."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from covplan.app.state import (
    SiteForm,
    add_site_at,
    move_site_to,
    nearest_site,
    parse_azimuths,
    undo,
)
from covplan.errors import CovplanError
from covplan.planning import Scenario, load_scenario
from covplan.planning.scenario_io import scenario_to_dict

MODES = ("Add a site", "Move a site", "Remove a site", "Just look")


def site_form() -> SiteForm | None:
    """The new-site form; None (with an error shown) when a value is not valid."""
    tech = st.selectbox("Technology", ["4G", "5G"], key="form_tech")
    band = SiteForm.defaults(tech)
    height = st.number_input("Antenna height (m)", 5.0, 150.0, band.height_m, key="form_h")
    azimuths = st.text_input(
        "Azimuths (°, comma-separated; empty = omni)", "0, 120, 240", key="form_az"
    )
    tilt = st.number_input("Downtilt (°)", -5.0, 20.0, band.tilt_deg, key="form_tilt")
    power = st.number_input(
        "Transmit power per sector (dBm)", 20.0, 60.0, band.tx_power_dbm, key="form_power"
    )
    operator = st.text_input("Operator", "", key="form_operator")
    try:
        parsed = parse_azimuths(azimuths)
    except ValueError as exc:
        st.error(str(exc))
        return None
    return SiteForm(technology=tech, height_m=float(height), azimuths_deg=parsed,
                    tilt_deg=float(tilt), tx_power_dbm=float(power), operator=operator)


def apply_click(
    scenario: Scenario, mode: str, point: tuple[float, float], form: SiteForm | None
) -> Scenario:
    """The scenario after a map click in ``mode`` (unchanged when the click does nothing)."""
    lat, lon = point
    if mode == MODES[0] and form is not None:
        return add_site_at(scenario, lat, lon, form)
    if mode == MODES[1]:
        moving = st.session_state.get("moving")
        if moving:
            st.session_state["moving"] = None
            return move_site_to(scenario, moving, lat, lon)
        st.session_state["moving"] = nearest_site(scenario, lat, lon)
        if st.session_state["moving"] is None:
            st.toast("No site within 500 m of the click; click on a site to move it.")
    if mode == MODES[2]:
        site = nearest_site(scenario, lat, lon)
        if site is not None:
            return scenario.remove_site(site)
        st.toast("No site within 500 m of the click.")
    return scenario


def _coordinates(scenario: Scenario, form: SiteForm | None) -> Scenario:
    with st.expander("Add a site by coordinates"):
        lat = st.number_input("Latitude (°N)", 8.0, 23.5, 21.6, format="%.5f", key="add_lat")
        lon = st.number_input("Longitude (°E)", 102.0, 117.9, 105.8, format="%.5f", key="add_lon")
        if st.button("Add site here", key="add_coords") and form is not None:
            return add_site_at(scenario, float(lat), float(lon), form)
    return scenario


def _save_load(scenario: Scenario) -> Scenario:
    st.download_button(  # the file is written when the button is clicked
        "Save scenario (JSON)",
        lambda: json.dumps(scenario_to_dict(scenario), ensure_ascii=False, indent=2).encode(),
        file_name="scenario.json",
        mime="application/json",
        key="save_scenario",
    )
    upload = st.file_uploader("Load a scenario", type=["json"], key="scenario_upload")
    if upload is None or st.session_state.get("scenario_done") == upload.file_id:
        return scenario
    st.session_state["scenario_done"] = upload.file_id
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.json"
        path.write_bytes(upload.getvalue())
        try:
            return load_scenario(path, scenario.baseline, dataset=scenario.dataset)
        except CovplanError as exc:
            st.error(f"Scenario not loaded: {exc}")
    return scenario


def render_planner(
    scenario: Scenario, click: tuple[float, float] | None = None
) -> tuple[Scenario, Any]:
    """The planner panel, with this run's map ``click`` (lat, lon) applied in it.

    The click is applied right after the click mode and the site form are read, so the
    buttons below it (undo, back to baseline) already know about the new edit. Returns the
    (maybe edited) scenario and the place of the edit list: the page fills it with
    :func:`render_edits` once the map is drawn.
    """
    st.subheader("Planner")
    mode = st.radio("A click on the map will…", MODES, key="mode", horizontal=True)
    form = site_form() if mode == MODES[0] else SiteForm()
    if click is not None:
        try:
            scenario = apply_click(scenario, mode, click, form)
        except CovplanError as exc:
            st.error(str(exc))
    scenario = _coordinates(scenario, form)
    left, right = st.columns(2)  # their callbacks run before the next run draws anything
    left.button("Undo last edit", disabled=not scenario.edits, key="undo", on_click=_undo)
    right.button("Back to baseline", disabled=not scenario.edits, key="reset", on_click=_reset)
    edits = st.empty()
    scenario = _save_load(scenario)
    return scenario, edits


def _undo() -> None:
    """Button callback: drop the session scenario's last edit."""
    st.session_state["scenario"] = undo(st.session_state["scenario"])


def _reset() -> None:
    """Button callback: back to the session scenario's baseline."""
    scenario = st.session_state["scenario"]
    st.session_state["scenario"] = Scenario(
        scenario.baseline, dataset=scenario.dataset, name="scenario"
    )


def render_edits(place: Any, scenario: Scenario) -> None:
    """The scenario's changes against the baseline, one row per sector, in ``place``."""
    if not scenario.edits:
        place.empty()
        return
    diff = scenario.diff()
    place.dataframe(diff.drop(columns=diff.geometry.name), hide_index=True, width="stretch")
