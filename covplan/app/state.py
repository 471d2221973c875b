"""The planner's state as plain functions: map clicks, new sites, undo (no streamlit here).

The app keeps one :class:`~covplan.planning.Scenario` per session; every action here
returns a new scenario, so undo is dropping the last edit and the baseline is the scenario
with no edits.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer

from covplan.i18n import N_
from covplan.planning import Scenario
from covplan.planning.edits import Edit
from covplan.planning.scenario_io import edit_records, scenario_to_dict
from covplan.radio.defaults import sector_defaults
from covplan.schema import SectorSpec, SectorValues
from covplan.targets import TargetSet

NEW_SITE_PREFIX = "NEW-"
#: What a scenario did to a site (the diff's ``change``), as the map's popups say it.
CHANGE_WORDS = {
    "added": N_("new (scenario)"),
    "moved": N_("moved (scenario)"),
    "modified": N_("modified (scenario)"),
    "moved, modified": N_("moved and modified (scenario)"),
}


@dataclass(frozen=True, kw_only=True)
class SiteForm:
    """What the planner fills in for a new site (defaults from the technology's band).

    Parameters
    ----------
    technology
        ``{"4G", "5G"}``.
    height_m
        Antenna height above ground.
    azimuths_deg
        One azimuth per sector; empty for one omnidirectional sector.
    tilt_deg
        Downtilt of every sector.
    tx_power_dbm
        Transmit power per sector.
    operator
        Operator name, free text.
    """

    technology: str = "4G"
    height_m: float = 30.0
    azimuths_deg: tuple[float, ...] = (0.0, 120.0, 240.0)
    tilt_deg: float = 4.0
    tx_power_dbm: float = 46.0
    operator: str = ""

    @classmethod
    def defaults(cls, technology: str) -> SiteForm:
        """The form as a new macro site of ``technology`` would be built."""
        band = sector_defaults(technology)
        return cls(
            technology=technology,
            height_m=band.height_m,
            tilt_deg=band.tilt_deg,
            tx_power_dbm=band.tx_power_dbm,
        )


def parse_azimuths(text: str) -> tuple[float, ...]:
    """Azimuths from text such as ``"0, 120, 240"``; empty text or ``omni`` gives ().

    Raises
    ------
    ValueError
        With a message for the form when a value is not a number.
    """
    text = text.strip().lower()
    if text in ("", "omni"):
        return ()
    values = []
    for part in re.split(r"[,;\s]+", text):
        try:
            values.append(float(part) % 360.0)
        except ValueError:
            raise ValueError(
                f"azimuth {part!r} is not a number; write e.g. 0, 120, 240 "
                "or leave empty for an omni antenna"
            ) from None
    return tuple(values)


def to_xy(lat: float, lon: float, crs: CRS) -> tuple[float, float]:
    """A map click (WGS 84 degrees) in the scenario's metric CRS."""
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def next_site_id(scenario: Scenario) -> str:
    """``NEW-001``, ``NEW-002``, …: the first id not used by the scenario's sites."""
    used = set(scenario.sites["site_id"].astype(str))
    n = 1
    while f"{NEW_SITE_PREFIX}{n:03d}" in used:
        n += 1
    return f"{NEW_SITE_PREFIX}{n:03d}"


def add_site_at(scenario: Scenario, lat: float, lon: float, form: SiteForm) -> Scenario:
    """The scenario with a new site where the planner clicked."""
    x, y = to_xy(lat, lon, scenario.baseline.crs)
    sectors: list[SectorSpec] = [{"azimuth_deg": a} for a in form.azimuths_deg] or [
        {"azimuth_deg": math.nan}
    ]
    values = SectorValues(technology=form.technology, height_m=form.height_m,
                          tilt_deg=form.tilt_deg, tx_power_dbm=form.tx_power_dbm,
                          status="planned")
    if form.operator:
        values["operator"] = form.operator
    new = Edit("add", next_site_id(scenario), x=x, y=y, values=values, sectors=tuple(sectors))
    return scenario.with_edits(new)


def nearest_site(
    scenario: Scenario, lat: float, lon: float, max_distance_m: float = 500.0
) -> str | None:
    """The site nearest a click, if one lies within ``max_distance_m``."""
    sites = scenario.sites
    if sites.empty:
        return None
    x, y = to_xy(lat, lon, sites.crs)
    distance = np.hypot(sites.geometry.x.to_numpy() - x, sites.geometry.y.to_numpy() - y)
    best = int(np.argmin(distance))
    return str(sites["site_id"].iloc[best]) if distance[best] <= max_distance_m else None


def move_site_to(scenario: Scenario, site_id: str, lat: float, lon: float) -> Scenario:
    """The scenario with ``site_id`` moved to a clicked point."""
    x, y = to_xy(lat, lon, scenario.baseline.crs)
    return scenario.move_site(site_id, x, y)


def undo(scenario: Scenario) -> Scenario:
    """The scenario without its last edit (the same scenario when it has none)."""
    if not scenario.edits:
        return scenario
    return replace(scenario, edits=scenario.edits[:-1], parent=scenario)  # its digest kept


def edits_key(scenario: Scenario) -> str:
    """A stable text key of the scenario's edits, for caching its evaluation."""
    return json.dumps(edit_records(scenario.edits), sort_keys=True, default=str)


def scenario_json(scenario: Scenario) -> bytes:
    """The scenario file of ``scenario`` (what "Save scenario" downloads), UTF-8 JSON."""
    text = json.dumps(scenario_to_dict(scenario), ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8")


def clicked_point(event: dict[str, Any] | None) -> tuple[float, float] | None:
    """(lat, lon) of a streamlit-folium click event, or None when there was no click."""
    if not event:
        return None
    point = event.get("last_clicked")
    if not isinstance(point, dict) or "lat" not in point or "lng" not in point:
        return None
    return float(point["lat"]), float(point["lng"])


def site_changes(scenario: Scenario) -> tuple[tuple[str, ...], gpd.GeoDataFrame]:
    """What the map must change about the sites: (baseline sites to hide, sites to draw).

    A baseline site that was removed, moved or modified is hidden; the scenario's new,
    moved and modified sites (all their sectors) are drawn in the edited-sites layer, their
    ``status`` saying what the scenario did (:data:`CHANGE_WORDS`, not "existing").
    """
    if not scenario.edits:
        return (), scenario.sites.iloc[:0]
    diff = scenario.diff()
    ids = diff["site_id"].astype(str)
    change = dict(zip(ids, diff["change"].astype(str), strict=True))
    baseline_ids = set(scenario.baseline["site_id"].astype(str))
    sites = scenario.sites
    drawn_ids = sites["site_id"].astype(str)
    mask = drawn_ids.isin(set(change)).to_numpy()
    drawn = sites[mask]
    status = drawn_ids[mask].map(lambda i: CHANGE_WORDS.get(change[i], change[i]))
    return tuple(sorted(set(change) & baseline_ids)), drawn.assign(status=status.to_numpy())


def target_road_classes(targets: TargetSet) -> tuple[str, ...] | None:
    """Road classes the preset's road targets measure; None when a road target takes all."""
    classes: set[str] = set()
    for target in targets.targets:
        if target.layer != "roads":
            continue
        allowed = target.filter_values("road_class")
        if allowed is None:
            return None
        classes.update(allowed)
    return tuple(sorted(classes)) if classes else None


def gaps_to_highlight(road_gaps: gpd.GeoDataFrame, targets: TargetSet) -> gpd.GeoDataFrame:
    """The road gaps on the classes the targets measure (all gaps stay in the table)."""
    classes = target_road_classes(targets)
    if classes is None or "road_class" not in road_gaps.columns:
        return road_gaps
    return road_gaps[road_gaps["road_class"].isin(classes).to_numpy()]
