"""Sites on the map: one marker per site and one wedge per sector, with popups.

Markers are canvas symbols (:mod:`covplan.mapview.symbols`): 4G circles, 5G diamonds and
the scenario's new or moved sites as stars, each in its own colour
(:func:`covplan.mapview.style.site_colour`). Popup labels and words are in the map's
language.
"""

from __future__ import annotations

import logging
import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, Polygon

from covplan.i18n import N_, Language, language
from covplan.mapview import style
from covplan.mapview._geo import text_or_blank, to_wgs84
from covplan.mapview._geojson import geojson_layer
from covplan.mapview._memo import by_content, by_identity

logger = logging.getLogger(__name__)

#: Beamwidth drawn when a sector has none (a common 3-sector panel), degrees.
DEFAULT_BEAMWIDTH_DEG = 65.0

_WEDGE_FIELDS = (
    ("site_id", N_("Site")),
    ("sector", N_("Sector")),
    ("azimuth", N_("Azimuth")),
    ("tilt", N_("Tilt")),
    ("frequency", N_("Frequency")),
)
_SITE_FIELDS = (
    ("site_id", N_("Site")),
    ("technology", N_("Technology")),
    ("operator", N_("Operator")),
    ("height", N_("Height")),
    ("azimuths", N_("Azimuths")),
    ("status", N_("Site status")),
)
#: Marker radius in pixels: stars are drawn larger, to read as the scenario's.
MARKER_RADIUS_PX = 5.5
NEW_MARKER_RADIUS_PX = 9.0


def sector_wedge(
    x: float,
    y: float,
    *,
    azimuth_deg: float,
    beamwidth_deg: float = DEFAULT_BEAMWIDTH_DEG,
    radius_m: float = 300.0,
    arc_step_deg: float = 10.0,
) -> Polygon:
    """The wedge a sector points at, in the metric CRS of ``(x, y)``.

    Azimuths are compass bearings: clockwise from north, so 90 faces east. An omni sector
    (azimuth NaN) or a beamwidth of 360° or more gives a disc.

    Parameters
    ----------
    x, y
        Site position in metres.
    azimuth_deg
        Bearing of the main lobe; NaN for omni.
    beamwidth_deg
        Horizontal half-power beamwidth; NaN uses :data:`DEFAULT_BEAMWIDTH_DEG`.
    radius_m
        Drawn length of the wedge (a symbol, not the predicted range).
    arc_step_deg
        Largest angle between two vertices of the arc.

    Examples
    --------
    >>> wedge = sector_wedge(0.0, 0.0, azimuth_deg=90.0, beamwidth_deg=65.0, radius_m=100.0)
    >>> wedge.bounds[0] == 0.0 and wedge.bounds[2] == 100.0
    True
    """
    if not math.isfinite(beamwidth_deg) or beamwidth_deg <= 0:
        beamwidth_deg = DEFAULT_BEAMWIDTH_DEG
    if not math.isfinite(azimuth_deg) or beamwidth_deg >= 360.0:
        return Point(x, y).buffer(radius_m, quad_segs=6)
    steps = max(2, math.ceil(beamwidth_deg / arc_step_deg))
    steps += steps % 2  # even, so the arc has a vertex on the azimuth itself
    bearings = np.radians(
        np.linspace(-beamwidth_deg / 2, beamwidth_deg / 2, steps + 1) + azimuth_deg
    )
    arc = np.column_stack([x + radius_m * np.sin(bearings), y + radius_m * np.cos(bearings)])
    return Polygon([(x, y), *map(tuple, arc), (x, y)])


@by_identity
def sector_wedges(sites: gpd.GeoDataFrame, *, radius_m: float = 300.0) -> gpd.GeoSeries:
    """A wedge for every sector row of ``sites`` (metric CRS), aligned to its index."""
    azimuth = _numeric(sites, "azimuth_deg")
    beamwidth = _numeric(sites, "beamwidth_deg")
    wedges = [
        sector_wedge(p.x, p.y, azimuth_deg=a, beamwidth_deg=b, radius_m=radius_m)
        for p, a, b in zip(sites.geometry, azimuth, beamwidth, strict=True)
    ]
    return gpd.GeoSeries(wedges, index=sites.index, crs=sites.crs)


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _sector_table(sites: gpd.GeoDataFrame, lang: Language) -> pd.DataFrame:
    """Popup text per sector, in ``lang``."""
    azimuth = text_or_blank(_column(sites, "azimuth_deg"), unit="°").replace("", lang._("omni"))
    status = text_or_blank(_column(sites, "status")).map(lambda v: lang._(v) if v else v)
    return pd.DataFrame(
        {
            "site_id": _column(sites, "site_id").astype(str),
            "sector": text_or_blank(_column(sites, "sector")),
            "technology": _column(sites, "technology").astype(str),
            "operator": text_or_blank(_column(sites, "operator")),
            "height": text_or_blank(_column(sites, "height_m"), unit="m", decimals=1),
            "azimuth": azimuth,
            "tilt": text_or_blank(_column(sites, "tilt_deg"), unit="°", decimals=1),
            "frequency": text_or_blank(_column(sites, "frequency_mhz"), unit="MHz"),
            "status": status,
        },
        index=sites.index,
    )


def _site_table(sectors: pd.DataFrame, geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """One row per site: its sectors' technologies, operators and azimuths joined."""
    rows: dict[str, list[int]] = {}
    for position, site in enumerate(sectors["site_id"].tolist()):
        rows.setdefault(site, []).append(position)
    columns = {
        c: sectors[c].tolist() for c in ("technology", "operator", "height", "azimuth", "status")
    }

    def joined(column: str, members: list[int]) -> str:
        return ", ".join(dict.fromkeys(v for v in (columns[column][i] for i in members) if v))

    geoms = geometry.to_numpy()
    table = {
        "site_id": list(rows),
        "technology": [
            " + ".join(sorted({columns["technology"][i] for i in m})) for m in rows.values()
        ],
        **{
            name: [joined(column, m) for m in rows.values()]
            for name, column in (
                ("operator", "operator"),
                ("height", "height"),
                ("azimuths", "azimuth"),
                ("status", "status"),
            )
        },
    }
    first = [m[0] for m in rows.values()]
    return gpd.GeoDataFrame(table, geometry=geoms[first], crs=geometry.crs)


def add_sites(
    fmap: folium.Map | folium.FeatureGroup,
    sites: gpd.GeoDataFrame,
    *,
    name: str = "Sites",
    wedge_radius_m: float = 300.0,
    candidate: bool = False,
    show: bool = True,
    lang: Language | None = None,
) -> folium.FeatureGroup:
    """Add sector wedges and site markers of ``sites`` (one row per sector, metric CRS).

    Parameters
    ----------
    fmap
        The map.
    sites
        Sectors with ``site_id``, ``technology`` and optionally ``sector``, ``operator``,
        ``height_m``, ``azimuth_deg`` (NaN = omni), ``tilt_deg``, ``beamwidth_deg``,
        ``frequency_mhz``, ``status``.
    name
        Name in the layer control.
    wedge_radius_m
        Drawn wedge length in metres.
    candidate
        Draw as the scenario's new or moved sites (gold stars, dashed wedges) instead of
        by technology.
    show
        Whether the layer starts visible.
    lang
        Language of the popups (default English).
    """
    lang = lang or language("en")
    group = folium.FeatureGroup(name=name, show=show)
    if sites.empty:
        group.add_to(fmap)
        return group
    wedges, points = _site_frames(sites, wedge_radius_m, lang.code)
    _add_wedges(group, wedges, candidate=candidate, lang=lang)
    _add_markers(group, points, candidate=candidate, lang=lang)
    logger.debug("Map layer %s: %d sites, %d sectors", name, len(points), len(sites))
    group.add_to(fmap)
    return group


@by_content(maxsize=8)
def _site_frames(
    sites: gpd.GeoDataFrame, wedge_radius_m: float, lang_code: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Wedges and markers of ``sites`` in EPSG:4326, reused while the sectors are unchanged."""
    sectors = _sector_table(sites, language(lang_code))
    wedges = gpd.GeoDataFrame(sectors, geometry=sector_wedges(sites, radius_m=wedge_radius_m))
    points = _site_table(sectors, sites.geometry)
    return to_wgs84(wedges, decimals=4), to_wgs84(points)  # wedges are symbols: 11 m do


def _add_wedges(group: folium.FeatureGroup, wedges: gpd.GeoDataFrame, *, candidate: bool,
                lang: Language) -> None:
    technologies = wedges["technology"].tolist()  # feature ids are row numbers

    def wedge_style(feature: dict[str, int]) -> dict[str, object]:
        colour = style.site_colour(technologies[feature["id"]], new=candidate)
        dash = "4 3" if candidate else None
        return {
            "color": colour,
            "weight": 1,
            "fillColor": colour,
            "fillOpacity": 0.35,
            "dashArray": dash,
        }

    fields = [f for f, _ in _WEDGE_FIELDS]
    geojson_layer(
        group,
        wedges,
        fields,
        wedge_style,
        popup=folium.GeoJsonPopup(fields=fields, aliases=[lang._(a) for _, a in _WEDGE_FIELDS]),
    )


def _add_markers(group: folium.FeatureGroup, points: gpd.GeoDataFrame, *, candidate: bool,
                 lang: Language) -> None:
    def marker_style(feature: dict[str, dict[str, str]]) -> dict[str, object]:
        technology = feature["properties"]["technology"]
        outline = "#3a3a3a" if candidate else "#ffffff"
        return {"color": outline, "weight": 1.3, "fillOpacity": 1.0,
                "fillColor": style.site_colour(technology, new=candidate),
                "symbol": style.site_symbol(technology, new=candidate)}

    fields = [f for f, _ in _SITE_FIELDS]
    radius = NEW_MARKER_RADIUS_PX if candidate else MARKER_RADIUS_PX
    geojson_layer(
        group,
        points,
        fields,
        marker_style,
        tip=["site_id", "technology"],
        marker=folium.CircleMarker(radius=radius, fill=True),
        popup=folium.GeoJsonPopup(fields=fields, aliases=[lang._(a) for _, a in _SITE_FIELDS]),
    )
