"""The vector layers of the static maps and their legend blocks (colours of the web map)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes

from covplan.export import _draw
from covplan.export._furniture import nfc
from covplan.i18n import N_, Language
from covplan.mapview import style

Bounds = tuple[float, float, float, float]

#: Printed line width (pt) per web-map pixel of :data:`covplan.mapview.style.ROAD_STYLE`.
PT_PER_PX = 0.38
#: Roads drawn from the least to the most important.
ROAD_ORDER = ("local", "provincial", "national", "expressway")
#: Road classes whose gaps the coverage maps show (the gap map shows every class).
MAIN_ROADS = ("provincial", "national", "expressway")
NEW_SITE_LABEL = N_("new site (scenario)")
#: Road classes in the legend.
ROAD_LABELS: Final = {"expressway": N_("expressway"), "national": N_("national road"),
                      "provincial": N_("provincial road"), "local": N_("local road")}


@dataclass(frozen=True)
class SiteMarker:
    """How a kind of site is drawn, on the map and in its legend (matplotlib marker, area)."""

    marker: str
    size_pt2: float


#: Sites by technology (the web map's symbols: 4G circles, 5G diamonds), other sites, and
#: the sites a scenario adds (stars).
TECHNOLOGY_MARKERS: Final = {"4G": SiteMarker("o", 11.0), "5G": SiteMarker("D", 9.0)}
SITE_MARKER: Final = SiteMarker("o", 11.0)
NEW_SITE_MARKER: Final = SiteMarker("*", 70.0)


@dataclass(frozen=True)
class MarkerItem(style.LegendItem):
    """A legend row whose swatch is the map's own marker (a star for a new site)."""

    marker: SiteMarker = SITE_MARKER


def draw_communes(ax: Axes, communes: gpd.GeoDataFrame, bounds: Bounds, tolerance_m: float
                  ) -> None:
    """Commune boundaries (thin), over a province outline (thicker)."""
    shown = _draw.in_view(communes, bounds)
    if shown.empty:
        return
    geoms = np.asarray(shown.geometry.values)
    ax.add_collection(_draw.line_collection(geoms, tolerance_m, colors=style.COMMUNE_COLOUR,
                                            linewidths=0.45, alpha=0.85, zorder=5))
    outline = shapely.union_all(np.asarray(communes.geometry.values))
    ax.add_collection(_draw.line_collection(np.asarray([outline]), tolerance_m,
                                            colors=style.COMMUNE_COLOUR, linewidths=1.3,
                                            zorder=5))


def draw_roads(ax: Axes, roads: gpd.GeoDataFrame, bounds: Bounds, tolerance_m: float
               ) -> tuple[str, ...]:
    """Roads by class, the more important on top (colours and weights of the web map).

    Returns the classes drawn (those with a road in view).
    """
    shown = _draw.in_view(roads, bounds)
    classes = shown["road_class"].astype(str).to_numpy() if "road_class" in shown else None
    drawn: list[str] = []
    for order, name in enumerate(ROAD_ORDER):
        if classes is None:
            break
        geoms = np.asarray(shown.geometry.values)[classes == name]
        if not len(geoms):
            continue
        drawn.append(name)
        colour, weight = style.ROAD_STYLE[name]
        ax.add_collection(_draw.line_collection(geoms, tolerance_m, colors=colour,
                                                linewidths=weight * PT_PER_PX, alpha=0.9,
                                                capstyle="round", zorder=6 + order * 0.01))
    return tuple(drawn)


def draw_road_gaps(ax: Axes, gaps: gpd.GeoDataFrame, bounds: Bounds, tolerance_m: float, *,
                   classes: tuple[str, ...] = ROAD_ORDER) -> None:
    """Road stretches without signal of ``classes``, as magenta strokes under the road line.

    Local roads get a thin stroke, the classes above a wide one.
    """
    shown = _draw.in_view(gaps, bounds)
    if shown.empty:
        return
    found = (shown["road_class"].astype(str).to_numpy() if "road_class" in shown
             else np.full(len(shown), "local"))
    for name in ROAD_ORDER:
        geoms = np.asarray(shown.geometry.values)[found == name]
        if name not in classes or not len(geoms):
            continue
        weight = style.ROAD_STYLE.get(name, ("", 1.0))[1] * PT_PER_PX
        weight += 0.7 if name == "local" else 1.8
        ax.add_collection(_draw.line_collection(geoms, tolerance_m, colors=style.ROAD_GAP,
                                                linewidths=weight, alpha=0.95,
                                                capstyle="round", zorder=5.9))


def draw_villages_by_fibre(ax: Axes, villages: gpd.GeoDataFrame, status: pd.Series | None,
                           bounds: Bounds, tolerance_m: float) -> None:
    """Villages filled by fibre reach; villages without fibre also get a ring marker."""
    shown = _draw.in_view(villages, bounds)
    if shown.empty:
        return
    flags = (status.reindex(shown.index) if status is not None
             else pd.Series(np.nan, index=shown.index, dtype=object))
    known = flags.notna().to_numpy(bool)
    reached = flags.where(flags.notna(), False).astype(bool).to_numpy(bool)
    geoms = np.asarray(shown.geometry.values)
    groups = ((known & reached, style.FIBRE_COLOURS[True], 0.3, "none"),
              (~known, style.NO_DATA_COLOUR, 0.6, "none"),
              (known & ~reached, style.FIBRE_COLOURS[False], 0.9, "#444444"))
    for pick, colour, alpha, edge in groups:
        if pick.any():
            ax.add_collection(_draw.polygon_collection(
                geoms[pick], tolerance_m, facecolors=colour, edgecolors=edge,
                linewidths=0.3, alpha=alpha, zorder=4))
    missing = geoms[known & ~reached]
    if len(missing):
        points = shapely.point_on_surface(missing)
        ax.scatter(shapely.get_x(points), shapely.get_y(points), s=46, marker="o",
                   facecolors="none", edgecolors=style.FIBRE_COLOURS[False], linewidths=1.1,
                   zorder=8)


def draw_sites(ax: Axes, sites: gpd.GeoDataFrame, bounds: Bounds,
               technologies: tuple[str, ...], *, new: bool = False) -> tuple[str, ...]:
    """Site masts (one marker per site) of ``technologies``; returns those drawn."""
    shown = _draw.in_view(sites, bounds)
    if new:
        xy = _draw.site_points(shown)
        if len(xy):
            ax.scatter(xy[:, 0], xy[:, 1], s=NEW_SITE_MARKER.size_pt2,
                       marker=NEW_SITE_MARKER.marker, c=style.CANDIDATE_COLOUR,
                       edgecolors="#333333", linewidths=0.5, zorder=10)
        return ()
    drawn = []
    for tech in technologies:
        xy = _draw.site_points(shown[shown["technology"].astype(str) == tech])
        if not len(xy):
            continue
        colour = style.TECHNOLOGY_COLOURS.get(tech, style.OTHER_SITE_COLOUR)
        marker = TECHNOLOGY_MARKERS.get(tech, SITE_MARKER)
        ax.scatter(xy[:, 0], xy[:, 1], s=marker.size_pt2, marker=marker.marker, c=colour,
                   edgecolors="white", linewidths=0.4, zorder=9)
        drawn.append(tech)
    return tuple(drawn)


def draw_commune_labels(ax: Axes, communes: gpd.GeoDataFrame | None, bounds: Bounds) -> None:
    """Commune names where the commune is wide enough on paper to hold its name."""
    if communes is None or communes.empty:
        return
    shown = _draw.in_view(communes, bounds)
    font_pt = 7.0 if len(shown) <= 12 else 4.8
    box = ax.get_window_extent()
    metres_per_pt = (bounds[2] - bounds[0]) / max(box.width / ax.figure.dpi * 72.0, 1.0)
    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]
    points = shown.geometry.representative_point()
    widths = (shown.geometry.bounds["maxx"] - shown.geometry.bounds["minx"]).to_numpy(float)
    for name, point, width in zip(shown["name"].astype(str), points, widths, strict=True):
        text_m = len(name) * font_pt * 0.55 * metres_per_pt
        inside = bounds[0] < point.x < bounds[2] and bounds[1] < point.y < bounds[3]
        if text_m <= width * 0.95 and inside:
            ax.text(point.x, point.y, nfc(name), fontsize=font_pt, ha="center", va="center",
                    color="#263238", zorder=11, path_effects=halo, clip_on=True)


def rsrp_legend(technology: str, lang: Language) -> style.LegendSection:
    """The dBm classes of :data:`covplan.mapview.style.RSRP_EDGES_DBM`, strongest first."""
    edges = [f"{e:g}".replace("-", "−") for e in style.RSRP_EDGES_DBM]
    labels = [lang._("{low} to {high}").format(low=lo, high=hi) for lo, hi in pairwise(edges)]
    labels.append(f"≥ {edges[-1]}")
    items = [style.LegendItem(c, lab) for c, lab in zip(style.RSRP_COLOURS, labels, strict=True)]
    items.insert(0, style.LegendItem("#ffffff", lang._("below {low} or no signal").format(
        low=edges[0])))
    return style.LegendSection(lang._("{tech} signal (RSRP, dBm)").format(tech=technology),
                               tuple(items[::-1]))


def boundary_legend(road_classes: tuple[str, ...], lang: Language) -> style.LegendSection:
    """Commune boundaries and the road classes drawn (most important first)."""
    items = [style.LegendItem(style.COMMUNE_COLOUR, lang._("commune boundary"), "line")]
    items += [style.LegendItem(style.ROAD_STYLE[n][0], lang._(ROAD_LABELS[n]), "line")
              for n in ROAD_ORDER[::-1] if n in road_classes]
    return style.LegendSection(lang._("Boundaries and roads"), tuple(items))


def fibre_legend(lang: Language) -> style.LegendSection:
    """Villages by fibre reach (the colours of :func:`draw_villages_by_fibre`)."""
    return style.LegendSection(lang._("Villages: fibre"), (
        style.LegendItem(style.FIBRE_COLOURS[True], lang._("fibre-reached")),
        style.LegendItem(style.FIBRE_COLOURS[False], lang._("no fibre")),
        style.LegendItem(style.NO_DATA_COLOUR, lang._("no data"))))


def site_legend(technologies: tuple[str, ...], *, new: bool, lang: Language
                ) -> style.LegendSection:
    """Site markers drawn, and the scenario's new sites (as drawn: a star)."""
    items: list[style.LegendItem] = [
        MarkerItem(style.TECHNOLOGY_COLOURS.get(t, style.OTHER_SITE_COLOUR),
                   lang._("{tech} site").format(tech=t), "dot",
                   TECHNOLOGY_MARKERS.get(t, SITE_MARKER))
        for t in technologies]
    if new:
        items.append(MarkerItem(style.CANDIDATE_COLOUR, lang._(NEW_SITE_LABEL), "dot",
                                NEW_SITE_MARKER))
    return style.LegendSection(lang._("Sites"), tuple(items))
