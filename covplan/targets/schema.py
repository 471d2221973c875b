"""What a targets file may say: tables, keys, measures, layers and allowed values.

A targets file is TOML::

    [preset]
    name = "Thái Nguyên 2025"          # required
    source = "…"                        # where the targets come from
    description = "…"
    province = "Thái Nguyên"            # the province the targets are for
    year = 2025
    extent_lonlat = [105.43, 21.32, 106.25, 22.75]  # its west, south, east, north (degrees)
    extent_source = "…"                 # where the extent comes from

    [thresholds]                        # optional; defaults in covplan.metrics.thresholds
    rsrp_4g_dbm = -105
    rsrp_5g_dbm = -105
    village_covered_percent = 90
    fibre_drop_m = 500
    [thresholds.sources]                # optional citation per threshold
    rsrp_4g_dbm = "Ofcom, Connected Nations"

    [[target]]                          # one table per target
    id = "roads_4g5g"                   # required, unique: letters, digits, _ and -
    label = "4G/5G on expressways and national highways"      # required
    layer = "roads"                     # required, see LAYER_OF_MEASURE
    measure = "length_share"            # required, see MEASURES
    filter = { road_class = ["expressway", "national"] }      # optional, see FILTERS
    technologies = ["4G", "5G"]         # signal from either counts
    goal_percent = 100                  # required, 0-100
    weight = "population"               # village_share only: population | area | count
    or_fibre = true                     # population_share only: fibre-reached villages count
    thresholds = { rsrp_5g_dbm = -100 } # optional overrides for this target
    note = "…"                          # optional
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from covplan.i18n import N_, Language, Name, Phrase, joined
from covplan.metrics.thresholds import Thresholds
from covplan.schema import TECHNOLOGIES

#: The status of a target result, the same value in every output (CLI, PDF, CSV, app).
STATUS_MET: Final = "met"
STATUS_NOT_MET: Final = "not met"
#: The target's layer is absent, or its denominator is zero (no road of the classes asked,
#: no population source, no fibre data): nothing to measure, neither met nor not met.
STATUS_NO_DATA: Final = "no data"
STATUSES: Final = (STATUS_MET, STATUS_NOT_MET, STATUS_NO_DATA)
#: How each status is printed in tables (the CLI and the PDF).
STATUS_LABELS: Final[Mapping[str, str]] = {
    STATUS_MET: N_("MET"), STATUS_NOT_MET: N_("NOT MET"), STATUS_NO_DATA: N_("NO DATA"),
}
#: Units of the shortfall as people read them, singular and plural (the key stays English).
UNIT_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "villages": (N_("village"), N_("villages")),
    "people": (N_("person"), N_("people")),
    "POIs": (N_("POI"), N_("POIs")),
}

#: Measures, what each means, and the unit its shortfall is counted in.
MEASURES: Final[Mapping[str, str]] = {
    "length_share": "share of road length with signal (dual carriageways counted once)",
    "fibre_share": "share of villages fibre-reached",
    "population_share": "share of people with signal (or in a fibre-reached village)",
    "point_share": "share of points of interest with signal at the point",
    "village_share": "share of village population, area or count with signal",
}

#: The one layer each measure reads.
LAYER_OF_MEASURE: Final[Mapping[str, str]] = {
    "length_share": "roads",
    "fibre_share": "villages",
    "population_share": "population",
    "point_share": "pois",
    "village_share": "villages",
}

LAYERS: Final = ("roads", "villages", "population", "pois")

#: Columns a target may filter on, per layer.
FILTERS: Final[Mapping[str, tuple[str, ...]]] = {
    "roads": ("road_class", "ref", "name"),
    "villages": ("commune", "village_id", "name"),
    "population": ("commune",),
    "pois": ("kind", "name"),
}

#: Filter columns as people read them (translated where shown).
FILTER_LABELS: Final[Mapping[str, str]] = {
    "road_class": N_("road class"),
    "ref": N_("road number"),
    "name": N_("name"),
    "commune": N_("commune"),
    "village_id": N_("village"),
    "kind": N_("kind"),
}
#: Filter columns whose values are covplan's own words (road classes, POI kinds).
_TRANSLATED_VALUES: Final = ("road_class", "kind")
#: Road classes and POI kinds, marked for translation (the words the data contract uses).
_VALUE_WORDS: Final = (
    N_("expressway"), N_("national"), N_("provincial"), N_("local"),
    N_("hospital"), N_("clinic"), N_("university"), N_("college"), N_("school"),
    N_("kindergarten"), N_("government"), N_("police"), N_("post_office"), N_("other"),
)

#: Measures that need ``technologies`` (population_share needs them or ``or_fibre``).
SIGNAL_MEASURES: Final = ("length_share", "point_share", "village_share")

WEIGHTS: Final = ("population", "area", "count")

TOP_KEYS: Final = ("preset", "thresholds", "target")
PRESET_KEYS: Final = ("name", "source", "description", "description_vi", "province", "year",
                      "extent_lonlat", "extent_source", "language")
TARGET_KEYS: Final = ("id", "label", "label_vi", "layer", "measure", "filter", "technologies",
                      "goal_percent", "weight", "or_fibre", "thresholds", "note", "note_vi")
REQUIRED_TARGET_KEYS: Final = ("id", "label", "layer", "measure", "goal_percent")


@dataclass(frozen=True)
class Target:
    """One target, validated.

    Parameters
    ----------
    id
        Short unique identifier.
    label
        What officials read.
    layer, measure
        What is measured (see :data:`MEASURES`).
    goal_percent
        The goal, 0-100.
    technologies
        Signal from any of these counts.
    filter
        ``(column, allowed values)`` pairs; a row counts when every column matches one of
        its values.
    weight
        For ``village_share``: ``{"population", "area", "count"}``.
    or_fibre
        For ``population_share``: people in fibre-reached villages count as covered.
    thresholds
        The thresholds this target is evaluated with (file-wide, then its overrides).
    note
        Free text shown with the result.
    """

    id: str
    label: str
    layer: str
    measure: str
    goal_percent: float
    technologies: tuple[str, ...] = ()
    filter: tuple[tuple[str, tuple[str, ...]], ...] = ()
    weight: str = "population"
    or_fibre: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)
    note: str = ""
    label_vi: str = ""
    note_vi: str = ""

    def filter_values(self, column: str) -> tuple[str, ...] | None:
        """Allowed values of ``column``, or None when the target does not filter on it."""
        return dict(self.filter).get(column)

    def filter_text(self) -> str:
        """``"road_class: expressway, national"`` (empty when unfiltered)."""
        return "; ".join(f"{col}: {', '.join(vals)}" for col, vals in self.filter)

    def filter_phrase(self) -> Phrase | None:
        """The filter for people, in any language (None when unfiltered).

        Road classes and POI kinds are words to translate; names, refs and codes are shown
        as written.
        """
        if not self.filter:
            return None
        parts = []
        for column, values in self.filter:
            shown: list[object] = [v if column in _TRANSLATED_VALUES else Name(v)
                                   for v in values]
            parts.append(Phrase.of("{column}: {values}",
                                   column=FILTER_LABELS.get(column, Name(column)),
                                   values=shown))
        return joined(parts, N_("; "))


@dataclass(frozen=True)
class TargetSet:
    """A validated targets file.

    Parameters
    ----------
    name
        Display name (``[preset] name``).
    source
        Where the targets come from.
    description
        Longer text.
    path
        The file it was read from.
    thresholds
        File-wide thresholds.
    targets
        The targets, in file order.
    province
        The province the targets are for (``[preset] province``; "" when not named).
    extent_lonlat
        The province's extent ``(west, south, east, north)`` in degrees, when given.
    """

    name: str
    source: str
    description: str
    path: str
    thresholds: Thresholds
    targets: tuple[Target, ...]
    province: str = ""
    extent_lonlat: tuple[float, float, float, float] | None = None
    language: str = "vi"
    description_vi: str = ""

    def __len__(self) -> int:
        return len(self.targets)

    def floor_dbm(self, technology: str) -> float:
        """The lowest RSRP threshold the set asks of ``technology``: sites are predicted to it."""
        values = [t.thresholds.rsrp_dbm(technology) for t in self.targets]
        return min([self.thresholds.rsrp_dbm(technology), *values])

    def floors_dbm(self) -> dict[str, float]:
        """:meth:`floor_dbm` of every technology."""
        return {tech: self.floor_dbm(tech) for tech in TECHNOLOGIES}

    def kinds(self) -> tuple[str, ...] | None:
        """POI kinds named by the set's point targets, None when no target names any."""
        found: list[str] = []
        for target in self.targets:
            for kind in target.filter_values("kind") or ():
                if kind not in found:
                    found.append(kind)
        return tuple(found) or None


def status_label(status: object, lang: Language | None = None) -> str:
    """How a status is printed: ``"MET"``, ``"NOT MET"``, ``"NO DATA"`` (``"ĐẠT"`` … in vi)."""
    label = STATUS_LABELS.get(str(status), str(status).upper())
    return lang._(label) if lang is not None else label


def unit_label(unit: str, lang: Language, count: float = 2.0) -> str:
    """A shortfall's unit in ``lang`` for ``count`` of it: ``"người"`` for people in vi."""
    if unit not in UNIT_LABELS:
        return unit  # km, km²: the same in every language
    singular, plural = UNIT_LABELS[unit]
    return lang.n_(singular, plural, round(count) if math.isfinite(count) else 2)


def localized(row: Any, column: str, lang: Language) -> Any:
    """``row[column]`` in ``lang``: the ``<column>_vi`` twin in Vietnamese when there is one.

    ``row`` is a target-table row (a mapping or Series) or the whole table (a Series comes
    back). The target table carries ``target``, ``threshold``, ``denominator`` and ``note``
    in English and Vietnamese.
    """
    twin = f"{column}_{lang.code}"
    keys = row.columns if isinstance(row, pd.DataFrame) else row.keys()
    return row[twin] if lang.code != "en" and twin in keys else row[column]
