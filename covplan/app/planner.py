"""Planner mode: add, move and remove sites by clicking the map; undo; save and load.

The scenario file offered by "Save scenario" is made in the run that draws the button,
after this run's click, form and loaded file are applied: what it saves is what the page
shows (a file loaded in this run included), and it is handed to the browser as a file, so
a click during a rerun still downloads.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pandas as pd
import shapely
import streamlit as st

from covplan.app.notices import markdown_text
from covplan.app.state import (
    SiteForm,
    add_site_at,
    move_site_to,
    nearest_site,
    parse_azimuths,
    scenario_json,
    undo,
)
from covplan.errors import CovplanError
from covplan.i18n import N_, Language, said
from covplan.planning import Scenario, load_scenario

#: What a click on the map does: the radio's values (English; shown translated).
MODES: Final = (N_("Add a site"), N_("Move a site"), N_("Remove a site"), N_("Just look"))
#: The edit list's ``change`` values, as people read them.
CHANGES: Final = {"added": N_("added"), "removed": N_("removed"), "moved": N_("moved"),
                  "modified": N_("modified"), "moved, modified": N_("moved, modified")}
#: Session key of the site picked by a first click in "Move a site" mode.
MOVING: Final = "moving"


def site_form(lang: Language) -> SiteForm | None:
    """The new-site form; None (with an error shown) when a value is not valid."""
    tech = str(st.selectbox(lang._("Technology"), ["4G", "5G"], key="form_tech"))
    band = SiteForm.defaults(tech)
    height = st.number_input(lang._("Antenna height (m)"), 5.0, 150.0, band.height_m,
                             step=1.0, format="%.1f", key="form_h")
    azimuths = st.text_input(lang._("Azimuths (°, comma-separated; empty = omni)"),
                             "0, 120, 240", key="form_az")
    tilt = st.number_input(lang._("Downtilt (°)"), -5.0, 20.0, band.tilt_deg, step=0.5,
                           format="%.1f", key="form_tilt")
    power = st.number_input(lang._("Transmit power per sector (dBm)"), 20.0, 60.0,
                            band.tx_power_dbm, step=1.0, format="%.1f", key="form_power")
    operator = st.text_input(lang._("Operator"), "", key="form_operator")
    try:
        parsed = parse_azimuths(azimuths)
    except ValueError:
        st.error(lang._("The azimuths “{text}” are not numbers: write them as 0, 120, 240, or "
                        "leave them empty for an omni antenna.").format(text=azimuths))
        return None
    return SiteForm(technology=tech, height_m=float(height), azimuths_deg=parsed,
                    tilt_deg=float(tilt), tx_power_dbm=float(power), operator=operator)


def apply_click(scenario: Scenario, mode: str, point: tuple[float, float],
                form: SiteForm | None, lang: Language) -> Scenario:
    """The scenario after a map click in ``mode`` (unchanged when the click does nothing)."""
    lat, lon = point
    if mode == MODES[0] and form is not None:
        return add_site_at(scenario, lat, lon, form)
    if mode == MODES[1]:
        moving = st.session_state.get(MOVING)
        if moving:
            st.session_state[MOVING] = None
            return move_site_to(scenario, moving, lat, lon)
        st.session_state[MOVING] = nearest_site(scenario, lat, lon)
        if st.session_state[MOVING] is None:
            st.toast(lang._("No site within 500 m of the click; click on a site to move it."))
    if mode == MODES[2]:
        site = nearest_site(scenario, lat, lon)
        if site is not None:
            return scenario.remove_site(site)
        st.toast(lang._("No site within 500 m of the click."))
    return scenario


def _coordinates(scenario: Scenario, form: SiteForm | None, lang: Language) -> Scenario:
    with st.expander(lang._("Add a site by coordinates")):
        lat = st.number_input(lang._("Latitude (°N)"), 8.0, 23.5, 21.6, format="%.5f",
                              key="add_lat")
        lon = st.number_input(lang._("Longitude (°E)"), 102.0, 117.9, 105.8, format="%.5f",
                              key="add_lon")
        if st.button(lang._("Add site here"), key="add_coords") and form is not None:
            return add_site_at(scenario, float(lat), float(lon), form)
    return scenario


def _load(scenario: Scenario, lang: Language,
          area: Callable[[], shapely.Geometry | None] | None = None) -> Scenario:
    """The scenario of a file just loaded (each file once), else ``scenario``.

    Problems and warnings name the file as the user chose it, not the temporary copy read;
    ``area`` gives the study area, outside which a site placed by the file is warned of.
    """
    upload = st.file_uploader(lang._("Load a scenario"), type=["json"], key="scenario_upload")
    if upload is None or st.session_state.get("scenario_done") == upload.file_id:
        return scenario
    st.session_state["scenario_done"] = upload.file_id
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        name = Path(upload.name).name
        path = folder / (name if name.endswith(".json") and name[0] != "." else "scenario.json")
        path.write_bytes(upload.getvalue())

        def as_chosen(message: str) -> str:
            return message.replace(str(folder) + os.sep, "")

        try:
            loaded = load_scenario(path, scenario.baseline, dataset=scenario.dataset,
                                   area=area() if area is not None else None)
        except CovplanError as exc:
            st.error(markdown_text(lang._("Scenario not loaded: {reason}").format(
                reason=as_chosen(exc.text(lang)))))
            return scenario
        for warning in loaded.warnings:
            st.warning(markdown_text(lang._("Warning: {warning}").format(
                warning=as_chosen(said(warning, lang)))))
    return loaded


def _moving_hint(scenario: Scenario, mode: str, lang: Language) -> None:
    """In "Move a site" mode, say what the next click does."""
    if mode != MODES[1]:
        st.session_state[MOVING] = None
        return
    moving = st.session_state.get(MOVING)
    if moving and moving in set(scenario.sites["site_id"].astype(str)):
        st.info(lang._("Site {site} selected: now click its new position on the map.").format(
            site=moving))
    else:
        st.caption(lang._("Click a site on the map, then its new position."))


def render_planner(scenario: Scenario, click: tuple[float, float] | None,
                   lang: Language, recommend: Callable[[Scenario], Scenario] | None = None,
                   area: Callable[[], shapely.Geometry | None] | None = None,
                   file_name: Callable[[Scenario], str] | None = None
                   ) -> tuple[Scenario, Any]:
    """The planner panel, with this run's map ``click`` (lat, lon) applied in it.

    The click is applied right after the click mode and the site form are read, and the
    buttons (undo, back to baseline, save) are drawn once a loaded file and ``recommend``
    (the "Recommend sites" panel, :mod:`covplan.app.recommend`, drawn last) are applied
    too, so they know every edit of this run. ``area`` gives the study area a loaded file's
    sites are checked against; ``file_name`` names the saved scenario's file as the page's
    other downloads are named. Returns the (maybe edited)
    scenario and the place of the edit list: the page fills it with :func:`render_edits`
    once the map is drawn.
    """
    st.subheader(lang._("Planner"))
    mode = str(st.radio(lang._("A click on the map will…"), MODES, key="mode", horizontal=True,
                        format_func=lang._, persist_state="session"))
    form = site_form(lang) if mode == MODES[0] else SiteForm()
    if click is not None:
        try:
            scenario = apply_click(scenario, mode, click, form, lang)
        except CovplanError as exc:
            st.error(exc.text(lang))
    _moving_hint(scenario, mode, lang)
    scenario = _coordinates(scenario, form, lang)
    left, right = st.columns(2)  # their callbacks run before the next run draws anything
    edits = st.empty()
    save = st.empty()
    scenario = _load(scenario, lang, area)  # the buttons, drawn after, know a loaded file's edits
    if recommend is not None:
        scenario = recommend(scenario)
    left.button(lang._("Undo last edit"), disabled=not scenario.edits, key="undo",
                on_click=_undo)
    right.button(lang._("Back to baseline"), disabled=not scenario.edits, key="reset",
                 on_click=_reset)
    save.download_button(lang._("Save scenario (JSON)"), scenario_json(scenario),
                         file_name=file_name(scenario) if file_name else "scenario.json",
                         mime="application/json",
                         key="save_scenario", on_click="ignore")
    return scenario, edits


def _undo() -> None:
    """Button callback: drop the session scenario's last edit."""
    st.session_state["scenario"] = undo(st.session_state["scenario"])


def _reset() -> None:
    """Button callback: back to the session scenario's baseline."""
    scenario = st.session_state["scenario"]
    st.session_state["scenario"] = Scenario(
        scenario.baseline, dataset=scenario.dataset, name="scenario", parent=scenario
    )


def render_edits(place: Any, scenario: Scenario, lang: Language) -> None:
    """The scenario's changes against the baseline, one row per sector, in ``place``."""
    if not scenario.edits:
        place.empty()
        return
    diff = scenario.diff()
    shown = {
        lang._("Site"): diff["site_id"].astype(str),
        lang._("Sector"): diff["sector"],
        lang._("Change"): diff["change"].astype(str).map(lambda c: lang._(CHANGES.get(c) or c)),
        lang._("Moved (m)"): diff["moved_m"].map(lambda m: lang.number(m) if m == m else ""),
        lang._("Details"): diff["details"].astype(str),
    }
    place.dataframe(pd.DataFrame(shown), hide_index=True, width="stretch")
