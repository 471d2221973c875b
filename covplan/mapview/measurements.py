"""Measurements on the map: drive-test points coloured by the prediction's error.

Each point is a measurement compared with the prediction at its place
(:func:`covplan.calibration.compare.compare_measurements`); its colour is the error,
measured minus predicted RSRP, on a diverging palette (ColorBrewer RdBu): red where the
signal measured was weaker than predicted (the prediction promised too much), blue where it
was stronger, white within ±3 dB. A popup gives the measured and predicted RSRP, the error,
the serving sector and the file's line. At most :data:`MAX_SHOWN_POINTS` points are drawn,
evenly along the file (every map update carries them); the error table counts them all.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.i18n import N_, Language, language
from covplan.mapview._geo import to_wgs84
from covplan.mapview._geojson import geojson_layer
from covplan.mapview.style import LegendItem, LegendSection

#: Name of the measurements layer in the layer control.
MEASUREMENTS: Final = N_("Measurements (measured − predicted)")
#: Upper edges (dB) of the error classes, ascending; above the last is the last class.
ERROR_EDGES_DB: Final = (-20.0, -10.0, -3.0, 3.0, 10.0, 20.0)
#: Colour of each error class, from far too optimistic to far too pessimistic (RdBu).
ERROR_COLOURS: Final = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf",
                        "#2166ac")
#: Most points drawn (evenly along the file); every map update sends them.
MAX_SHOWN_POINTS: Final = 3000
#: Radius of a measurement's dot in pixels.
POINT_RADIUS_PX: Final = 4.0

_POPUP_FIELDS: Final = (
    ("measured", N_("Measured RSRP")),
    ("predicted", N_("Predicted RSRP")),
    ("error", N_("Error (measured − predicted)")),
    ("technology", N_("Technology")),
    ("serving", N_("Serving sector")),
    ("line", N_("Line in the file")),
)


def error_class(error_db: np.ndarray) -> np.ndarray:
    """Class index (0 to 6) of each error in dB; NaN falls in the middle class.

    Examples
    --------
    >>> error_class(np.array([-25.0, -5.0, 0.0, 12.0, 30.0])).tolist()
    [0, 2, 3, 5, 6]
    """
    values = np.nan_to_num(np.asarray(error_db, dtype=np.float64), nan=0.0)
    return np.digitize(values, ERROR_EDGES_DB, right=True).astype(np.int64)


def error_legend(lang: Language | None = None) -> LegendSection:
    """The legend block of the error classes, largest positive error first."""
    lang = lang or language("en")
    edges = [_signed(e) for e in ERROR_EDGES_DB]
    labels = [lang._("{low} to {high} dB").format(low=low, high=high)
              for low, high in pairwise(edges)]
    labels = [lang._("below {edge} dB: weaker than predicted").format(edge=edges[0]),
              *labels, lang._("above {edge} dB: stronger than predicted").format(edge=edges[-1])]
    items = tuple(LegendItem(c, label, "dot") for c, label in zip(ERROR_COLOURS, labels,
                                                                   strict=True))
    return LegendSection(lang._("Measured − predicted RSRP"), items[::-1])


def shown_points(points: gpd.GeoDataFrame, max_points: int = MAX_SHOWN_POINTS
                 ) -> gpd.GeoDataFrame:
    """At most ``max_points`` of ``points``, evenly spread along the file's lines."""
    ordered = points.sort_values("line", kind="stable") if "line" in points else points
    if len(ordered) <= max_points:
        return ordered
    picked = np.unique(np.linspace(0, len(ordered) - 1, max_points).round().astype(np.int64))
    return ordered.iloc[picked]


def _dbm(values: pd.Series, lang: Language, *, signed: bool = False) -> pd.Series:
    def text(value: float) -> str:
        if not np.isfinite(value):
            return ""
        shown = lang.number(abs(value) if signed else value, 1)
        sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ""
        return f"{sign}{shown} {'dB' if signed else 'dBm'}"

    return values.astype(float).map(text)


def add_measurements(
    parent: folium.Map | folium.FeatureGroup,
    points: gpd.GeoDataFrame,
    *,
    name: str = "Measurements",
    show: bool = True,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add measurement points coloured by ``error_db``, with their figures in a popup.

    Parameters
    ----------
    parent
        The map or group.
    points
        :attr:`covplan.calibration.compare.Comparison.points` (metric CRS) or the part of
        it to draw (:func:`shown_points`): ``rsrp_dbm``, ``predicted_dbm``, ``error_db``,
        and optionally ``technology``, ``serving``, ``line``.
    name
        Name in the layer control.
    show
        Whether the layer starts visible.
    lang
        Language of the popups (default English).
    """
    lang = lang or language("en")
    table = to_wgs84(points)
    error = table["error_db"].astype(float)
    table = table.assign(
        measured=_dbm(table["rsrp_dbm"], lang),
        predicted=_dbm(table["predicted_dbm"], lang),
        error=_dbm(error, lang, signed=True),
        technology=table.get("technology", pd.Series("", index=table.index)).astype(str),
        serving=table.get("serving", pd.Series("", index=table.index)).fillna("").astype(str),
        line=table.get("line", pd.Series("", index=table.index)).astype(str),
    )
    colours = np.asarray(ERROR_COLOURS)[error_class(error.to_numpy())].tolist()
    fields = [f for f, _ in _POPUP_FIELDS]
    popups: dict[str, Any] = {} if table.empty else {
        "tip": ["error"],
        "popup": folium.GeoJsonPopup(fields=fields,
                                     aliases=[lang._(a) for _, a in _POPUP_FIELDS])}
    return geojson_layer(
        parent,
        table,
        fields,
        lambda f: {"color": "#424242", "weight": 0.6, "fillOpacity": 0.95,
                   "fillColor": colours[f["id"]]},
        marker=folium.CircleMarker(radius=POINT_RADIUS_PX, fill=True),
        name=name,
        show=show,
        **popups,
    )


def _signed(value: float) -> str:
    text = f"{abs(value):g}"
    return "0" if value == 0 else ("+" if value > 0 else "−") + text
