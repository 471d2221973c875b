"""The change map: what changed between two snapshots, on an interactive map.

The interactive twin of :func:`covplan.progress.change_map` (the static map of the progress
report), in the same colours: road stretches and villages newly covered in green and
newly lost in red, communes that now meet a target outlined green and those that no longer
do outlined red, points of interest gained and lost, and the sites added (green), removed
(red) and changed (orange). Every feature says what changed in its tooltip or popup. The
communes and roads of the later snapshot are the background; the map needs no internet
(no tiles, Leaflet inlined).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from covplan.i18n import N_, Language, language
from covplan.mapview import layers, style
from covplan.mapview._geo import fit_view, lonlat_bounds, text_or_blank, to_wgs84
from covplan.mapview._geojson import geojson_layer
from covplan.mapview.assets import localize
from covplan.mapview.build import COMMUNES, ROADS
from covplan.mapview.legend import attribution, legend, title_box
from covplan.mapview.symbols import SymbolRenderer
from covplan.progress import Changes, Comparison
from covplan.progress.changes import (
    GAINED,
    LOST,
    NO_LONGER_MET,
    NOW_MET,
    SITE_ADDED,
    SITE_CHANGED,
    SITE_REMOVED,
)
from covplan.progress.figures import CHANGED, GAIN, LOSS
from covplan.progress.summary import CHANGE_WORDS, amount
from covplan.targets.schema import localized

#: Layer names in the layer control (English; shown in the map's language).
COMMUNES_CHANGED: Final = N_("Communes: a target now met or no longer met")
VILLAGES_CHANGED: Final = N_("Villages gained or lost")
ROADS_CHANGED: Final = N_("Road stretches gained or lost")
POIS_CHANGED: Final = N_("Points of interest gained or lost")
SITES_CHANGED: Final = N_("Sites added, removed or changed")
#: Colour of each change.
COLOURS: Final = {GAINED: GAIN, NOW_MET: GAIN, SITE_ADDED: GAIN, LOST: LOSS,
                  NO_LONGER_MET: LOSS, SITE_REMOVED: LOSS, SITE_CHANGED: CHANGED}
#: Symbol of each change of a site.
SITE_SYMBOLS: Final[dict[str, style.Swatch]] = {SITE_ADDED: "dot", SITE_REMOVED: "dot",
                                                SITE_CHANGED: "diamond"}
#: Radius (m) of the disc a village given as a point is drawn as.
VILLAGE_POINT_M: Final = 150.0
#: Width (px) of the background roads per class.
ROAD_WIDTHS: Final = {"expressway": 2.4, "national": 2.0, "provincial": 1.4, "local": 0.7}


def _targets(comparison: Comparison, lang: Language) -> dict[str, str]:
    """Each target's name in ``lang``, by id."""
    table = comparison.snapshots[-1].targets
    return {str(r["id"]): str(localized(r, "target", lang)) for r in table.to_dict("records")}


def _word(change: str, lang: Language) -> str:
    return lang._(CHANGE_WORDS.get(change, change))


def _background_roads(fmap: folium.Map, roads: gpd.GeoDataFrame, name: str) -> None:
    merged = to_wgs84(layers.merge_lines(roads, ["road_class"]), simplify_m=20.0)
    geojson_layer(
        fmap, merged, ["road_class"],
        lambda f: {"color": "#9e9e9e", "opacity": 0.8,
                   "weight": ROAD_WIDTHS.get(f["properties"].get("road_class"), 0.7)},
        interactive=False, name=name)


def _percent_pair(before: object, after: object, lang: Language) -> str:
    return f"{lang.percent(float(str(before)))} → {lang.percent(float(str(after)))}"


def _communes(fmap: folium.Map, changes: Changes, names: dict[str, str],
              lang: Language) -> None:
    frame = changes.communes
    if not len(frame):
        return
    rows = []
    for (code, change), part in frame.groupby(["code", "change"], sort=False):
        what = "; ".join(f"{names.get(str(r['target']), r['target'])}: "
                         f"{_percent_pair(r['before_percent'], r['after_percent'], lang)}"
                         for r in part.to_dict("records"))
        rows.append({"label": str(part["name"].iloc[0]), "code": str(code), "change": change,
                     "state": _word(str(change), lang), "what": what,
                     "geometry": part.geometry.iloc[0]})
    table = to_wgs84(gpd.GeoDataFrame(rows, geometry="geometry", crs=frame.crs),
                     simplify_m=30.0)
    fields = ["label", "state", "what"]
    geojson_layer(
        fmap, table, ["change", *fields],
        lambda f: {"color": COLOURS[f["properties"]["change"]], "weight": 3, "fill": True,
                   "fillOpacity": 0.04},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[
            lang._("Commune"), lang._("Change"), lang._("Targets")]),
        name=lang._(COMMUNES_CHANGED))


def _villages(fmap: folium.Map, changes: Changes, names: dict[str, str],
              lang: Language) -> None:
    frame = changes.villages
    if not len(frame):
        return
    rows = []
    for (_, change), part in frame.groupby(["village_id", "change"], sort=False):
        first = part.iloc[0]
        people = first.get("population")
        rows.append({"label": str(first.get("name") or ""), "change": change,
                     "state": _word(str(change), lang),
                     "commune_name": str(first.get("commune_name") or ""),
                     "people": lang.count(float(people)) if pd.notna(people) else "",
                     "what": "; ".join(names.get(str(t), str(t)) for t in part["target"]),
                     "geometry": part.geometry.iloc[0]})
    table = gpd.GeoDataFrame(rows, geometry="geometry", crs=frame.crs)
    points = table.geom_type == "Point"
    table.loc[points, "geometry"] = table.loc[points].geometry.buffer(VILLAGE_POINT_M,
                                                                       quad_segs=4)
    fields = ["label", "commune_name", "people", "state", "what"]
    geojson_layer(
        fmap, to_wgs84(table, simplify_m=20.0), ["change", *fields],
        lambda f: {"color": COLOURS[f["properties"]["change"]], "weight": 1,
                   "fillColor": COLOURS[f["properties"]["change"]], "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[
            lang._("Village"), lang._("Commune"), lang._("Population"), lang._("Change"),
            lang._("Targets")]),
        name=lang._(VILLAGES_CHANGED))


def _roads(fmap: folium.Map, changes: Changes, names: dict[str, str], lang: Language) -> None:
    frame = changes.roads
    if not len(frame):
        return
    table = to_wgs84(frame, simplify_m=10.0)
    table = table.assign(
        road=layers.road_label(table, lang),
        state=table["change"].astype(str).map(lambda c: _word(c, lang)),
        length=table["length_km"].map(lambda v: lang.km(v) if pd.notna(v) else ""),
        chainage=layers.chainage_label(table, lang),
        crosses=text_or_blank(table["communes"]) if "communes" in table else "",
        what=table["target"].astype(str).map(lambda t: names.get(t, t)),
    )
    fields = ["road", "state", "length", "chainage", "crosses", "what"]
    geojson_layer(
        fmap, table, ["change", *fields],
        lambda f: {"color": COLOURS[f["properties"]["change"]], "weight": 6, "opacity": 0.9},
        tip=["road", "state", "length"],
        popup=folium.GeoJsonPopup(fields=fields, aliases=[
            lang._("Road"), lang._("Change"), lang._("Length"), lang._("From–to"),
            lang._("Communes"), lang._("Target")]),
        name=lang._(ROADS_CHANGED))


def _pois(fmap: folium.Map, changes: Changes, names: dict[str, str], lang: Language) -> None:
    frame = changes.pois
    if not len(frame):
        return
    table = to_wgs84(frame)
    table = table.assign(
        kind_label=text_or_blank(table["kind"]).map(lambda k: style.poi_label(k, lang)),
        label=text_or_blank(table["name"]),
        state=table["change"].astype(str).map(lambda c: _word(c, lang)),
        what=table["target"].astype(str).map(lambda t: names.get(t, t)),
    )
    fields = ["kind_label", "label", "state", "what"]
    geojson_layer(
        fmap, table, ["change", *fields],
        lambda f: {"color": "#ffffff", "weight": 1.2, "fillOpacity": 1.0,
                   "fillColor": COLOURS[f["properties"]["change"]], "symbol": "square"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[
            lang._("Kind"), lang._("Name"), lang._("Change"), lang._("Target")]),
        marker=folium.CircleMarker(radius=6, fill=True),
        name=lang._(POIS_CHANGED))


def _sites(fmap: folium.Map, changes: Changes, lang: Language) -> None:
    frame = changes.site_summary
    if not len(frame):
        return
    table = to_wgs84(frame)
    table = table.assign(
        site=table["site_id"].astype(str),
        state=table["change"].astype(str).map(lambda c: _word(c, lang)),
        details=text_or_blank(table["details"]),
    )
    fields = ["site", "technology", "state", "details"]
    geojson_layer(
        fmap, table, ["change", *fields],
        lambda f: {"color": "#3a3a3a", "weight": 1.3, "fillOpacity": 1.0,
                   "fillColor": COLOURS[f["properties"]["change"]],
                   "symbol": SITE_SYMBOLS[f["properties"]["change"]]},
        tip=["site", "state"],
        popup=folium.GeoJsonPopup(fields=fields, aliases=[
            lang._("Site"), lang._("Technology"), lang._("Change"), lang._("Details")]),
        marker=folium.CircleMarker(radius=7, fill=True),
        name=lang._(SITES_CHANGED))


def _count(frame: gpd.GeoDataFrame, key: str, change: str) -> int:
    if not len(frame):
        return 0
    return int(frame.loc[frame["change"] == change, key].nunique())


def _km(changes: Changes, change: str) -> float:
    roads = changes.roads
    return float(roads.loc[roads["change"] == change, "counted_km"].sum()) if len(roads) else 0.0


def change_legend(changes: Changes, lang: Language | None = None) -> style.LegendSection:
    """The legend of a change map: each kind of change with how much of it there is."""
    lang = lang or language("en")
    sites = changes.site_counts()
    items = [
        style.LegendItem(GAIN, lang._("road newly covered ({km})").format(
            km=amount(_km(changes, GAINED), "km", lang)), "line"),
        style.LegendItem(LOSS, lang._("road coverage lost ({km})").format(
            km=amount(_km(changes, LOST), "km", lang)), "line"),
        style.LegendItem(GAIN, lang._("village gained ({count})").format(
            count=lang.count(_count(changes.villages, "village_id", GAINED)))),
        style.LegendItem(LOSS, lang._("village lost ({count})").format(
            count=lang.count(_count(changes.villages, "village_id", LOST)))),
        style.LegendItem(GAIN, lang._("commune now meets a target ({count})").format(
            count=lang.count(_count(changes.communes, "code", NOW_MET))), "line"),
        style.LegendItem(LOSS, lang._("commune no longer meets a target ({count})").format(
            count=lang.count(_count(changes.communes, "code", NO_LONGER_MET))), "line"),
        style.LegendItem(GAIN, lang._("site added ({count})").format(
            count=lang.count(sites[SITE_ADDED])), SITE_SYMBOLS[SITE_ADDED]),
        style.LegendItem(LOSS, lang._("site removed ({count})").format(
            count=lang.count(sites[SITE_REMOVED])), SITE_SYMBOLS[SITE_REMOVED]),
        style.LegendItem(CHANGED, lang._("site changed ({count})").format(
            count=lang.count(sites[SITE_CHANGED])), SITE_SYMBOLS[SITE_CHANGED]),
    ]
    if len(changes.pois):
        for change in (GAINED, LOST):
            count = int((changes.pois["change"] == change).sum())
            items.append(style.LegendItem(COLOURS[change], lang._(
                "point of interest {change} ({count})").format(
                    change=_word(change, lang), count=lang.count(count)), "square"))
    title = lang._("What changed: {before} → {after}{synthetic}").format(
        before=changes.before, after=changes.after, synthetic="")
    return style.LegendSection(title, tuple(items))


def _frames(comparison: Comparison, changes: Changes) -> Sequence[gpd.GeoDataFrame]:
    return [f for f in (comparison.communes, comparison.roads, changes.roads,
                        changes.villages, changes.site_summary)
            if f is not None and len(f) and f.crs is not None]


def _bounds(frames: Sequence[gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    boxes = np.array([f.total_bounds for f in frames])
    return (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()),
            float(boxes[:, 3].max()))


def build_change_map(comparison: Comparison, index: int, *,
                     lang: Language | None = None) -> folium.Map:
    """What changed from snapshot ``index`` to ``index + 1``, as an interactive map.

    Parameters
    ----------
    comparison
        The compared snapshots (:func:`covplan.progress.compare_snapshots`).
    index
        Which consecutive pair (:attr:`covplan.progress.Comparison.changes`).
    lang
        Language of the layer names, legend, tooltips and popups (default English).

    Raises
    ------
    ValueError
        When the comparison has nothing to place on a map (no communes, roads or changes
        with a CRS).
    covplan.mapview.assets.MapAssetsError
        When the local Leaflet files are missing (run ``bash scripts/assets.sh``).
    """
    lang = lang or language("en")
    changes = comparison.changes[index]
    frames = _frames(comparison, changes)
    if not frames:
        raise ValueError("nothing to map: the snapshots have no communes, roads or changes")
    crs = CRS.from_user_input(frames[0].crs)
    south_west, north_east = lonlat_bounds(_bounds(frames), crs)
    centre = [(south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2]
    fmap = folium.Map(location=centre, zoom_start=10, tiles=None, prefer_canvas=True,
                      control_scale=True)
    fit_view(fmap, [south_west, north_east])  # before any layer: see fit_view
    SymbolRenderer().add_to(fmap)
    if comparison.communes is not None and len(comparison.communes):
        layers.add_communes(fmap, comparison.communes, name=lang._(COMMUNES))
    if comparison.roads is not None and len(comparison.roads):
        _background_roads(fmap, comparison.roads, lang._(ROADS))
    names = _targets(comparison, lang)
    _communes(fmap, changes, names, lang)
    _villages(fmap, changes, names, lang)
    _roads(fmap, changes, names, lang)
    _pois(fmap, changes, names, lang)
    _sites(fmap, changes, lang)
    folium.LayerControl(collapsed=True).add_to(fmap)
    legend([change_legend(changes, lang)]).add_to(fmap)
    subtitle = f"{changes.before} → {changes.after}"
    title_box(comparison.dataset, synthetic=comparison.synthetic, subtitle=subtitle,
              lang=lang).add_to(fmap)
    attribution(["covplan"]).add_to(fmap)
    return localize(fmap)

