"""Colours, line weights and legend classes shared by every map layer.

The RSRP classes follow the usual drive-test reading of LTE/NR reference-signal power
(excellent above −80 dBm, unusable below −120 dBm). Predictions stop at the engine's bound
(:data:`covplan.radio.defaults.COVERAGE_THRESHOLD_DBM`, −110 dBm); what counts as covered
is the target preset's threshold (−105 dBm in the shipped presets), which the legend
states when the map knows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

Swatch = Literal["box", "line", "dot"]


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
RSRP_EDGES_DBM: Final = (-120.0, -110.0, -100.0, -90.0, -80.0)
#: Colour of each RSRP class, aligned with :data:`RSRP_EDGES_DBM`.
RSRP_COLOURS: Final = ("#b2182b", "#fdae61", "#fee08b", "#a6d96a", "#1a9850")
#: Opacity of each class in the overlay (the class below the threshold is fainter).
RSRP_ALPHAS: Final = (0.55, 0.85, 0.85, 0.85, 0.85)

#: Village coverage share classes: lower edges (0–1) and colours.
SHARE_EDGES: Final = (0.0, 0.5, 0.8, 0.95, 0.999)
SHARE_COLOURS: Final = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
SHARE_LABELS: Final = ("below 50 %", "50–80 %", "80–95 %", "95–99.9 %", "100 %")
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

TECHNOLOGY_COLOURS: Final[dict[str, str]] = {"4G": "#1f78b4", "5G": "#6a3d9a"}
OTHER_SITE_COLOUR: Final = "#3f4fa0"
CANDIDATE_COLOUR: Final = "#ff7f00"
COMMUNE_COLOUR: Final = "#37474f"
FIBRE_ROUTE_COLOUR: Final = "#00838f"

POI_COLOURS: Final[dict[str, str]] = {
    "hospital": "#e41a1c",
    "clinic": "#f781bf",
    "university": "#984ea3",
    "college": "#b07cc6",
    "school": "#ff7f00",
    "kindergarten": "#ffbf00",
    "government": "#377eb8",
    "police": "#1b3a6b",
    "post_office": "#4daf4a",
    "other": "#737373",
}


def rsrp_class(rsrp_dbm: np.ndarray) -> np.ndarray:
    """Class index of each RSRP value: 0 = not drawn (NaN or below −120 dBm), 1… = class.

    Examples
    --------
    >>> rsrp_class(np.array([np.nan, -130.0, -115.0, -110.0, -79.0])).tolist()
    [0, 0, 1, 2, 5]
    """
    values = np.asarray(rsrp_dbm, dtype=np.float64)
    classes = np.digitize(np.nan_to_num(values, nan=-np.inf), RSRP_EDGES_DBM)
    return classes.astype(np.uint8)


def share_colour(share: float) -> str:
    """Fill colour for a village's covered share (0–1); grey when unknown."""
    if share is None or not np.isfinite(share):
        return NO_DATA_COLOUR
    index = int(np.digitize(share, SHARE_EDGES)) - 1
    return SHARE_COLOURS[max(index, 0)]


def rsrp_legend(
    technology: str | None = None, thresholds: dict[str, float] | None = None
) -> LegendSection:
    """Legend block for the RSRP overlays (dBm classes, strongest first).

    ``thresholds`` (``{technology: dBm}``, the target preset's) adds what counts as covered
    to the title.
    """
    labels = [
        "−120 to −110 (weakest predicted)",
        "−110 to −100",
        "−100 to −90",
        "−90 to −80",
        "≥ −80",
    ]
    items = tuple(LegendItem(c, lab) for c, lab in zip(RSRP_COLOURS, labels, strict=True))
    title = "Signal (RSRP, dBm)" + (f" — {technology}" if technology else "")
    if thresholds:
        values = {_minus(v) for v in thresholds.values()}
        if len(values) == 1:
            title += f"; covered from {values.pop()} dBm"
        else:
            title += "; covered from " + ", ".join(
                f"{_minus(v)} ({t})" for t, v in sorted(thresholds.items())
            )
    return LegendSection(title, items[::-1])


def road_legend(*, with_coverage: bool, with_gaps: bool) -> LegendSection:
    """Legend block for roads: coverage colours when given, else the road classes."""
    if with_coverage:
        items = [
            LegendItem(ROAD_COVERED, "road covered", "line"),
            LegendItem(ROAD_UNCOVERED, "road not covered", "line"),
        ]
    else:
        items = [LegendItem(c, name, "line") for name, (c, _) in ROAD_STYLE.items()]
    if with_gaps:
        items.append(LegendItem(ROAD_GAP, "coverage gap (highlighted)", "line"))
    return LegendSection("Roads", tuple(items))


def village_legend(kind: Literal["share", "fibre"], title: str) -> LegendSection:
    """Legend block for the village choropleth."""
    items: tuple[LegendItem, ...]
    if kind == "fibre":
        items = (
            LegendItem(FIBRE_COLOURS[True], "fibre-reached"),
            LegendItem(FIBRE_COLOURS[False], "no fibre"),
        )
    else:
        pairs = zip(SHARE_COLOURS, SHARE_LABELS, strict=True)
        items = tuple(LegendItem(c, lab) for c, lab in pairs)[::-1]
    return LegendSection(title, (*items, LegendItem(NO_DATA_COLOUR, "no data")))


def site_legend(*, technologies: tuple[str, ...], candidates: bool) -> LegendSection:
    """Legend block for site markers and sector wedges."""
    items = [LegendItem(TECHNOLOGY_COLOURS[t], f"{t} site / sector", "dot") for t in technologies]
    if candidates:
        items.append(LegendItem(CANDIDATE_COLOUR, "candidate site", "dot"))
    return LegendSection("Sites", tuple(items))


def poi_legend(kinds: tuple[str, ...]) -> LegendSection:
    """Legend block for points of interest of ``kinds``."""
    items = tuple(LegendItem(poi_colour(k), k.replace("_", " "), "dot") for k in kinds)
    return LegendSection("Points of interest", items, open=len(items) <= 4)


def poi_colour(kind: str) -> str:
    """Marker colour of a point-of-interest kind (grey for unknown kinds)."""
    return POI_COLOURS.get(kind, POI_COLOURS["other"])


def _minus(value: float) -> str:
    return f"{value:g}".replace("-", "−")
