"""Colours, symbols, line weights and legend classes shared by every map layer.

The RSRP classes follow the usual drive-test reading of LTE/NR reference-signal power
(excellent above −80 dBm, unusable below −120 dBm). Predictions stop at the engine's bound
(:data:`covplan.radio.defaults.COVERAGE_THRESHOLD_DBM`, −110 dBm); what counts as covered
is the target preset's threshold (−105 dBm in the shipped presets), which the legend
states when the map knows it.

Each kind of thing has its own palette and symbol, so that nothing reads as something
else: signal is red–yellow–green (ColorBrewer RdYlGn), village shares brown–teal (BrBG),
sites are blue circles (4G), purple diamonds (5G) and gold stars (new), points of interest
are squares in colours no site uses. Legend text is English here unless a
:class:`~covplan.i18n.Language` is given; every label is marked for translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Literal

import numpy as np

from covplan.i18n import N_, Language, language

Swatch = Literal["box", "line", "dot", "square", "diamond", "star"]


@dataclass(frozen=True)
class LegendItem:
    """One row of the legend: a colour swatch and its label."""

    colour: str
    label: str
    swatch: Swatch = "box"


@dataclass(frozen=True)
class LegendSection:
    """A titled block of legend rows."""

    title: str
    items: tuple[LegendItem, ...]
    open: bool = True


#: Lower edges (dBm) of the drawn RSRP classes, ascending; below the first edge is not drawn.
#: With the shipped presets the first class is the fringe the engine predicts below the
#: coverage threshold (−110 to −105 dBm: floor = threshold − 5 dB) and the second starts at
#: the threshold, so the colour a cell takes says whether the targets count it.
RSRP_EDGES_DBM: Final = (-110.0, -105.0, -95.0, -85.0, -75.0)
#: Colour of each RSRP class, aligned with :data:`RSRP_EDGES_DBM` (RdYlGn).
RSRP_COLOURS: Final = ("#b2182b", "#fdae61", "#fee08b", "#a6d96a", "#1a9850")
#: Opacity of each class in the overlay (the class below the threshold is fainter).
RSRP_ALPHAS: Final = (0.55, 0.85, 0.85, 0.85, 0.85)

#: Lower edges (Mb/s) of the drawn downlink-speed classes: 0.5 (below: not drawn), then the
#: FCC's 5 and 35 Mb/s, Decision 36/QĐ-TTg's 40 (4G) and 100 (5G) Mb/s.
SPEED_EDGES_MBPS: Final = (0.5, 5.0, 35.0, 40.0, 100.0)

#: Lower edges (dB) of the drawn SINR classes: below −5 dB not drawn; 0 dB, 5 dB, 13 dB
#: and 20 dB (near the 22 dB where LTE's efficiency caps, TR 36.942 Table A.2).
SINR_EDGES_DB: Final = (-5.0, 0.0, 5.0, 13.0, 20.0)

#: Village coverage share classes: lower edges (0–1) and colours (BrBG, not the signal's).
SHARE_EDGES: Final = (0.0, 0.5, 0.8, 0.95, 0.999)
SHARE_COLOURS: Final = ("#8c510a", "#d8b365", "#f6e8c3", "#5ab4ac", "#01665e")
SHARE_LABELS: Final = (N_("below 50 %"), N_("50–80 %"), N_("80–95 %"), N_("95–99.9 %"),
                       N_("100 %"))
NO_DATA_COLOUR: Final = "#bdbdbd"
FIBRE_COLOURS: Final = {True: "#2c7fb8", False: "#f03b20"}

#: Road drawing by class: (colour, weight in px).
ROAD_STYLE: Final[dict[str, tuple[str, float]]] = {
    "expressway": ("#5b3a29", 4.0),
    "national": ("#6b5a4a", 3.0),
    "provincial": ("#857767", 2.0),
    "local": ("#a39a90", 1.0),
}
ROAD_COVERED: Final = "#1a9850"
ROAD_UNCOVERED: Final = "#d73027"
ROAD_GAP: Final = "#e7298a"

#: Sites: colour and symbol per technology; new sites are gold stars.
TECHNOLOGY_COLOURS: Final[dict[str, str]] = {"4G": "#1f4e9c", "5G": "#7b2d8e"}
TECHNOLOGY_SYMBOLS: Final[dict[str, Swatch]] = {"4G": "dot", "5G": "diamond"}
OTHER_SITE_COLOUR: Final = "#4d4d4d"
CANDIDATE_COLOUR: Final = "#ffc400"
CANDIDATE_SYMBOL: Final[Swatch] = "star"
#: Symbol of every point of interest (its colour says the kind).
POI_SYMBOL: Final[Swatch] = "square"
COMMUNE_COLOUR: Final = "#37474f"
FIBRE_ROUTE_COLOUR: Final = "#00838f"
#: Outline of the part of the study area the terrain covers (when it covers only part).
TERRAIN_OUTLINE_COLOUR: Final = "#263238"

#: Points of interest: no blue, purple or gold (the sites' colours).
POI_COLOURS: Final[dict[str, str]] = {
    "hospital": "#e41a1c",
    "clinic": "#f781bf",
    "university": "#a65628",
    "college": "#d9a066",
    "school": "#ff7f00",
    "kindergarten": "#c51b7d",
    "government": "#1b7837",
    "police": "#252525",
    "post_office": "#7fbc41",
    "other": "#8c8c8c",
}

#: Status words of the sites layer, marked for translation.
SITE_STATUS_WORDS: Final = (N_("existing"), N_("planned"), N_("candidate"))


def rsrp_class(rsrp_dbm: np.ndarray) -> np.ndarray:
    """Class index of each RSRP value: 0 = not drawn (NaN or below −110 dBm), 1… = class.

    Examples
    --------
    >>> rsrp_class(np.array([np.nan, -130.0, -107.0, -105.0, -74.0])).tolist()
    [0, 0, 1, 2, 5]
    """
    values = np.asarray(rsrp_dbm, dtype=np.float64)
    classes = np.digitize(np.nan_to_num(values, nan=-np.inf), RSRP_EDGES_DBM)
    return classes.astype(np.uint8)


def speed_class(mbps: np.ndarray) -> np.ndarray:
    """Class index of each speed: 0 = not drawn (NaN or below 0.5 Mb/s), 1… = class.

    Examples
    --------
    >>> speed_class(np.array([np.nan, 0.1, 4.0, 38.0, 40.0, 150.0])).tolist()
    [0, 0, 1, 3, 4, 5]
    """
    values = np.asarray(mbps, dtype=np.float64)
    return np.digitize(np.nan_to_num(values, nan=-np.inf), SPEED_EDGES_MBPS).astype(np.uint8)


def sinr_class(sinr_db: np.ndarray) -> np.ndarray:
    """Class index of each SINR: 0 = not drawn (NaN or below −5 dB), 1… = class.

    Examples
    --------
    >>> sinr_class(np.array([np.nan, -8.0, -2.0, 6.0, 25.0])).tolist()
    [0, 0, 1, 3, 5]
    """
    values = np.asarray(sinr_db, dtype=np.float64)
    return np.digitize(np.nan_to_num(values, nan=-np.inf), SINR_EDGES_DB).astype(np.uint8)


def sinr_legend(technology: str, *, lang: Language | None = None) -> LegendSection:
    """Legend block of a SINR overlay (dB classes, best first)."""
    lang = _lang(lang)
    return _classes(lang._("{tech} downlink SINR (dB), best operator").format(tech=technology),
                    [_minus(e) for e in SINR_EDGES_DB], lang._("{low} to {high}"), "≥ {low}")


def speed_legend(technology: str, *, lang: Language | None = None) -> LegendSection:
    """Legend block of a downlink-speed overlay (Mb/s classes, fastest first)."""
    lang = _lang(lang)
    return _classes(lang._("{tech} speed, fastest operator (Mb/s)").format(tech=technology),
                    [lang.number(e, 1 if e < 1 else 0) for e in SPEED_EDGES_MBPS],
                    lang._("{low} to {high} Mb/s"), "≥ {low} Mb/s")


def _classes(title: str, edges: list[str], between: str, above: str) -> LegendSection:
    """A legend of classes between ``edges`` in the signal palette, the top class first."""
    labels = [between.format(low=low, high=high) for low, high in pairwise(edges)]
    labels.append(above.format(low=edges[-1]))
    items = tuple(LegendItem(c, lab) for c, lab in zip(RSRP_COLOURS, labels, strict=True))
    return LegendSection(title, tuple(reversed(items)))


def share_colour(share: float) -> str:
    """Fill colour for a village's covered share (0–1); grey when unknown."""
    if share is None or not np.isfinite(share):
        return NO_DATA_COLOUR
    index = int(np.digitize(share, SHARE_EDGES)) - 1
    return SHARE_COLOURS[max(index, 0)]


def _lang(lang: Language | None) -> Language:
    return lang if lang is not None else language("en")


def rsrp_legend(
    technology: str | None = None,
    thresholds: dict[str, float] | None = None,
    *,
    lang: Language | None = None,
) -> LegendSection:
    """Legend block for the RSRP overlays (dBm classes, strongest first).

    ``thresholds`` (``{technology: dBm}``, the target preset's) adds what counts as covered
    to the title. Text in ``lang`` (default English).
    """
    lang = _lang(lang)
    edges = [_minus(e) for e in RSRP_EDGES_DBM]
    labels = [lang._("{low} to {high}").format(low=low, high=high)
              for low, high in pairwise(edges)]
    labels[0] = lang._("{low} to {high} (weakest predicted)").format(low=edges[0],
                                                                   high=edges[1])
    labels.append(f"≥ {edges[-1]}")
    items = tuple(LegendItem(c, lab) for c, lab in zip(RSRP_COLOURS, labels, strict=True))
    title = lang._("Signal (RSRP, dBm)") + (f" — {technology}" if technology else "")
    if thresholds:
        values = {_minus(v) for v in thresholds.values()}
        if len(values) == 1:
            covered = lang._("covered from {dbm} dBm").format(dbm=values.pop())
        else:
            covered = lang._("covered from {dbm}").format(dbm=", ".join(
                f"{_minus(v)} ({t})" for t, v in sorted(thresholds.items())))
        title += "; " + covered
    return LegendSection(title, items[::-1])


def road_legend(
    *, with_coverage: bool, with_gaps: bool, lang: Language | None = None
) -> LegendSection:
    """Legend block for roads: coverage colours when given, else the road classes."""
    lang = _lang(lang)
    if with_coverage:
        items = [
            LegendItem(ROAD_COVERED, lang._("road covered"), "line"),
            LegendItem(ROAD_UNCOVERED, lang._("road not covered"), "line"),
        ]
    else:
        items = [LegendItem(c, lang._(name), "line") for name, (c, _) in ROAD_STYLE.items()]
    if with_gaps:
        items.append(LegendItem(ROAD_GAP, lang._("coverage gap (highlighted)"), "line"))
    return LegendSection(lang._("Roads"), tuple(items))


def village_legend(
    kind: Literal["share", "fibre"], title: str, *, lang: Language | None = None
) -> LegendSection:
    """Legend block for the village choropleth (``title`` as given: already in ``lang``)."""
    lang = _lang(lang)
    items: tuple[LegendItem, ...]
    if kind == "fibre":
        items = (
            LegendItem(FIBRE_COLOURS[True], lang._("fibre-reached")),
            LegendItem(FIBRE_COLOURS[False], lang._("no fibre")),
        )
    else:
        pairs = zip(SHARE_COLOURS, SHARE_LABELS, strict=True)
        items = tuple(LegendItem(c, lang._(lab)) for c, lab in pairs)[::-1]
    return LegendSection(title, (*items, LegendItem(NO_DATA_COLOUR, lang._("no data"))))


def site_colour(technology: str, *, new: bool = False) -> str:
    """Marker and wedge colour of a site of ``technology`` (``new``: the scenario's)."""
    if new:
        return CANDIDATE_COLOUR
    return TECHNOLOGY_COLOURS.get(technology, OTHER_SITE_COLOUR)


def site_symbol(technology: str, *, new: bool = False) -> Swatch:
    """Marker symbol of a site of ``technology`` (``new``: the scenario's star)."""
    if new:
        return CANDIDATE_SYMBOL
    return TECHNOLOGY_SYMBOLS.get(technology, "dot")


def site_legend(
    *, technologies: tuple[str, ...], candidates: bool, lang: Language | None = None
) -> LegendSection:
    """Legend block for site markers and sector wedges."""
    lang = _lang(lang)
    items = [LegendItem(site_colour(t), lang._("{technology} site / sector").format(
        technology=t), site_symbol(t)) for t in technologies]
    if candidates:
        items.append(LegendItem(CANDIDATE_COLOUR, lang._("new or moved site (scenario)"),
                                CANDIDATE_SYMBOL))
    return LegendSection(lang._("Sites"), tuple(items))


def poi_legend(kinds: tuple[str, ...], *, lang: Language | None = None) -> LegendSection:
    """Legend block for points of interest of ``kinds``."""
    lang = _lang(lang)
    items = tuple(LegendItem(poi_colour(k), poi_label(k, lang), POI_SYMBOL) for k in kinds)
    return LegendSection(lang._("Points of interest"), items, open=len(items) <= 4)


def poi_colour(kind: str) -> str:
    """Marker colour of a point-of-interest kind (grey for unknown kinds)."""
    return POI_COLOURS.get(kind, POI_COLOURS["other"])


def poi_label(kind: str, lang: Language | None = None) -> str:
    """A point-of-interest kind as people read it (``"post office"``, ``"bưu điện"``)."""
    return _lang(lang)._(kind).replace("_", " ")


def terrain_legend(height_m: float, *, lang: Language | None = None) -> LegendSection:
    """Legend block of a terrain that covers the study area only in part."""
    lang = _lang(lang)
    return LegendSection(lang._("Terrain"), (
        LegendItem(TERRAIN_OUTLINE_COLOUR, lang._("inside: predicted with terrain"), "line"),
        LegendItem("#ffffff", lang._("outside: flat ground at {height} m").format(
            height=lang.number(height_m)), "box"),
    ))


def _minus(value: float) -> str:
    return f"{value:g}".replace("-", "−")
