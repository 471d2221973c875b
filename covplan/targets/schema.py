"""What a targets file may say: tables, keys, measures, layers and allowed values.

A targets file is TOML::

    [preset]
    name = "Thái Nguyên 2025"          # required
    source = "…"                        # where the targets come from
    source_vi = "…"                     # the same in Vietnamese (the Vietnamese report's)
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
    environment = "indoor"              # signal counted inside buildings (default "outdoor")
    building = "traditional"            # indoor only: or "thermally-efficient"
    indoor_probability_percent = 50     # indoor only: P of the building entry loss

An indoor target is met by the outdoor prediction reaching its threshold plus the building
entry loss of ITU-R P.2109-2 (:mod:`covplan.radio.indoor`) for its building type, at the
probability that the loss is not exceeded, at each technology's default carrier
(:data:`covplan.radio.defaults.SECTOR_DEFAULTS`: 1800 MHz for 4G, 3500 MHz for 5G) and
horizontal incidence: "5G at -105 dBm indoors" is counted where the outdoor RSRP reaches
-105 + 15.7 = -89.3 dBm (traditional building, 50 %). The loss and how it was obtained are
in the target's thresholds' sources and note.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pandas as pd

from covplan.i18n import N_, Language, Name, Num, Phrase, Text, joined, language
from covplan.metrics.thresholds import Thresholds, source_phrase
from covplan.radio.defaults import SECTOR_DEFAULTS
from covplan.radio.indoor import BuildingType, building_entry_loss_db
from covplan.radio.linklevel import SHADOW_SIGMA_DB
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
    "length_share": N_("share of road length with signal (dual carriageways counted once)"),
    "fibre_share": N_("share of villages fibre-reached"),
    "population_share": N_("share of people with signal (or in a fibre-reached village)"),
    "point_share": N_("share of points of interest with signal at the point"),
    "village_share": N_("share of village population, area or count with signal"),
    "speed_share": N_("share of people, road length, villages or points of interest with the "
                      "downlink speed"),
}

#: What one target's percentage is a share of: (what, counts speed, or fibre) → message.
_QUANTITIES: Final[Mapping[tuple[str, bool, bool], str]] = {
    ("roads", False, False): N_("share of road length with signal"),
    ("roads", True, False): N_("share of road length reaching the speed"),
    ("population", False, False): N_("share of people with signal"),
    ("population", False, True): N_("share of people with signal or fibre"),
    ("population", True, False): N_("share of people reaching the speed"),
    ("population", True, True): N_("share of people reaching the speed or with fibre"),
    ("pois", False, False): N_("share of points of interest with signal at the point"),
    ("pois", True, False): N_("share of points of interest reaching the speed at the point"),
    ("village people", False, False): N_("share of village people with signal"),
    ("village people", True, False): N_("share of village people reaching the speed"),
    ("village area", False, False): N_("share of village area with signal"),
    ("village area", True, False): N_("share of village area reaching the speed"),
    ("villages", False, False): N_("share of villages with signal"),
    ("villages", True, False): N_("share of villages reaching the speed"),
}

#: The one layer each measure reads.
LAYER_OF_MEASURE: Final[Mapping[str, str]] = {
    "length_share": "roads",
    "fibre_share": "villages",
    "population_share": "population",
    "point_share": "pois",
    "village_share": "villages",
    "speed_share": "population",
}
#: The layers a ``speed_share`` may read, and the signal measure it follows on each.
SPEED_MEASURE_OF_LAYER: Final[Mapping[str, str]] = {
    "population": "population_share",
    "roads": "length_share",
    "villages": "village_share",
    "pois": "point_share",
}
#: Which operators' networks a target counts: at least one (the default), every one.
ANY_OPERATOR: Final = "any"
ALL_OPERATORS: Final = "all"
#: Default probability (%) that a speed target's speed is reached (50: the median).
EDGE_PROBABILITY_PERCENT: Final = 50.0

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
SIGNAL_MEASURES: Final = ("length_share", "point_share", "village_share", "speed_share")

WEIGHTS: Final = ("population", "area", "count")

TOP_KEYS: Final = ("preset", "thresholds", "target")
PRESET_KEYS: Final = ("name", "source", "source_vi", "description", "description_vi", "province",
                      "year", "extent_lonlat", "extent_source", "language")
#: Where a target's signal is counted: in the open, or inside buildings (ITU-R P.2109).
ENVIRONMENTS: Final = ("outdoor", "indoor")
#: Default probability (%) that the building entry loss is not exceeded.
INDOOR_PROBABILITY_PERCENT: Final = 50.0
TARGET_KEYS: Final = ("id", "label", "label_vi", "layer", "measure", "filter", "technologies",
                      "goal_percent", "weight", "or_fibre", "thresholds", "note", "note_vi",
                      "environment", "building", "indoor_probability_percent", "operators",
                      "min_dl_mbps", "edge_probability_percent", "shadow_sigma_db")
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
    environment
        ``{"outdoor", "indoor"}``: where the signal is counted (module docstring).
    building, indoor_probability_percent
        Indoor only: the P.2109 building type and the probability of the loss.
    indoor_loss_db
        Indoor only: ``(technology, dB)`` pairs added to the thresholds.
    operators
        Whose networks count: ``("any",)`` at least one operator (the merged network),
        ``("all",)`` every operator, or operator names (at least one of them).
    min_dl_mbps
        ``speed_share`` only: the downlink speed a new user must get (Mb/s).
    edge_probability_percent, shadow_sigma_db
        ``speed_share`` only: the speed must be reached with this probability under
        log-normal shadowing of this spread (50: the median, no margin).
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
    environment: str = "outdoor"
    building: str = "traditional"
    indoor_probability_percent: float = INDOOR_PROBABILITY_PERCENT
    indoor_loss_db: tuple[tuple[str, float], ...] = ()
    operators: tuple[str, ...] = (ANY_OPERATOR,)
    min_dl_mbps: float = math.nan
    edge_probability_percent: float = EDGE_PROBABILITY_PERCENT
    shadow_sigma_db: float = SHADOW_SIGMA_DB

    def label_in(self, code: str) -> str:
        """The label in the language ``code`` (``"vi"``: ``label_vi`` when there is one)."""
        return self.label_vi if code == "vi" and self.label_vi else self.label

    @property
    def speed(self) -> bool:
        """Whether the target counts downlink speed rather than signal."""
        return self.measure == "speed_share"

    def quantity(self, unit: str) -> str:
        """What the target's percentage is a share of (a marked message).

        Specific where :data:`MEASURES` is general: villages are weighed by people, area or
        count as the result's ``unit`` says (a population weight without population falls
        back to area), speed and signal apart. The condition that counts (threshold,
        fibre) is the result's ``threshold``, not said here.
        """
        if self.measure == "fibre_share":
            return N_("share of villages fibre-reached")
        what = self.layer
        if what == "villages":
            what = {"people": "village people", "km²": "village area"}.get(unit, "villages")
        return _QUANTITIES[(what, self.speed, self.or_fibre and what == "population")]

    @property
    def per_network(self) -> bool:
        """Whether the target needs each operator's own network (speed, or not "any")."""
        return bool(self.technologies) and (self.speed or self.operators != (ANY_OPERATOR,))

    @property
    def indoor(self) -> bool:
        """Whether the target counts signal inside buildings."""
        return self.environment == "indoor"

    def with_environment(self, environment: str, *, building: str | None = None,
                         probability_percent: float | None = None) -> Target:
        """The target counted ``{"outdoor", "indoor"}``: thresholds and note follow.

        Targets without a signal rule (fibre) are returned unchanged.
        """
        if environment not in ENVIRONMENTS:
            raise ValueError(f"environment must be one of {ENVIRONMENTS}, got {environment!r}")
        if not self.technologies:
            return self
        base, note, note_vi = self._outdoor()
        if environment == "outdoor":
            return replace(self, environment="outdoor", thresholds=base, note=note,
                           note_vi=note_vi, indoor_loss_db=())
        kind = building if building is not None else self.building
        p = (probability_percent if probability_percent is not None
             else self.indoor_probability_percent)
        thresholds, losses = indoor_thresholds(base, kind, p)  # type: ignore[arg-type]
        extra = _indoor_note(kind, p, losses)
        return replace(self, environment="indoor", building=kind, thresholds=thresholds,
                       indoor_probability_percent=float(p), indoor_loss_db=losses,
                       note=_joined_note(note, extra("en")), note_vi=_joined_note(
                           note_vi or note, extra("vi")))

    def _outdoor(self) -> tuple[Thresholds, str, str]:
        """The outdoor thresholds and the notes without the indoor sentence."""
        if not self.indoor_loss_db:
            return self.thresholds, self.note, self.note_vi
        losses = dict(self.indoor_loss_db)
        values = {f"rsrp_{t.lower()}_dbm": round(self.thresholds.rsrp_dbm(t) - loss, 1)
                  for t, loss in losses.items()}
        extra = _indoor_note(self.building, self.indoor_probability_percent,
                             self.indoor_loss_db)
        return (self.thresholds.updated(values), _strip_note(self.note, extra("en")),
                _strip_note(self.note_vi, extra("vi")))

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
    source_vi: str = ""

    def source_in(self, code: str) -> str:
        """Where the targets come from, in the language ``code`` (``source_vi`` in "vi")."""
        return self.source_vi if code == "vi" and self.source_vi else self.source

    def __len__(self) -> int:
        return len(self.targets)

    def floor_dbm(self, technology: str) -> float:
        """The lowest RSRP threshold the set asks of ``technology``: sites are predicted to it."""
        values = [t.thresholds.rsrp_dbm(technology) for t in self.targets]
        return min([self.thresholds.rsrp_dbm(technology), *values])

    def floors_dbm(self) -> dict[str, float]:
        """:meth:`floor_dbm` of every technology."""
        return {tech: self.floor_dbm(tech) for tech in TECHNOLOGIES}

    @property
    def per_network(self) -> bool:
        """Whether a target needs each operator's own network (:attr:`Target.per_network`)."""
        return any(t.per_network for t in self.targets)

    @property
    def needs_sinr(self) -> bool:
        """Whether a target counts downlink speed (the networks need their SINR)."""
        return any(t.speed for t in self.targets)

    def with_environment(self, environment: str, *, building: str | None = None,
                         probability_percent: float | None = None) -> TargetSet:
        """Every signal target counted ``{"outdoor", "indoor"}`` (the app's switch).

        Indoor targets are met where the outdoor prediction reaches their threshold plus
        the building entry loss (see :mod:`covplan.targets.schema`).
        """
        return replace(self, targets=tuple(
            t.with_environment(environment, building=building,
                               probability_percent=probability_percent)
            for t in self.targets))

    def kinds(self) -> tuple[str, ...] | None:
        """POI kinds named by the set's point targets, None when no target names any."""
        found: list[str] = []
        for target in self.targets:
            for kind in target.filter_values("kind") or ():
                if kind not in found:
                    found.append(kind)
        return tuple(found) or None


#: ITU-R P.2109 building types, as people read them.
BUILDING_WORDS: Final[Mapping[str, str]] = {"traditional": N_("traditional"),
                                            "thermally-efficient": N_("thermally efficient")}


def indoor_thresholds(base: Thresholds, building: BuildingType, probability_percent: float
                      ) -> tuple[Thresholds, tuple[tuple[str, float], ...]]:
    """``base`` raised by the building entry loss per technology (module docstring).

    Returns
    -------
    thresholds : Thresholds
        RSRP thresholds the outdoor prediction must reach; the sources say how.
    losses : tuple
        ``(technology, dB)`` pairs (rounded to 0.1 dB).
    """
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    losses: list[tuple[str, float]] = []
    for tech in TECHNOLOGIES:
        f = SECTOR_DEFAULTS[tech].frequency_mhz
        loss = round(float(building_entry_loss_db(f, probability_percent, building=building)), 1)
        key = f"rsrp_{tech.lower()}_dbm"
        inside = base.rsrp_dbm(tech)
        values[key] = round(inside + loss, 1)
        sources[key] = Text(
            N_("indoor: {inside} dBm inside a {building} building, i.e. outdoor RSRP >= "
               "{outdoor} dBm with the ITU-R P.2109-2 building entry loss of {loss} dB "
               "({probability} probability, {frequency} MHz, horizontal incidence); {base}"),
            inside=Name(f"{inside:g}"), building=Phrase(BUILDING_WORDS.get(building, building)),
            outdoor=Name(f"{values[key]:g}"), loss=Num.shortest(loss, 1),
            probability=Num(probability_percent, Num.shortest(probability_percent, 1).decimals,
                            percent=True),
            frequency=Num.shortest(f, 1), base=source_phrase(base.sources.get(key, "")))
        losses.append((tech, loss))
    return base.updated(values, sources), tuple(losses)


def _indoor_note(building: str, probability_percent: float,
                 losses: tuple[tuple[str, float], ...]) -> Callable[[str], str]:
    """The sentence an indoor target's note gets, in a language code."""
    def text(code: str) -> str:
        lang = language(code)
        kind = lang._(N_("traditional")) if building == "traditional" else lang._(
            N_("thermally efficient"))
        return lang._(N_("Counted indoors: the outdoor signal must exceed the threshold by "
                         "the building entry loss of ITU-R P.2109-2 ({building} building, "
                         "{probability} % probability): {losses}.")).format(
            building=kind, probability=f"{probability_percent:g}",
            losses=", ".join(f"{t} {v:g} dB" for t, v in losses))
    return text


def _joined_note(note: str, extra: str) -> str:
    return f"{note} {extra}".strip() if note else extra


def _strip_note(note: str, extra: str) -> str:
    return note.replace(extra, "").strip()


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
