"""Map layers, one ``add_*`` function each; every one takes metric-CRS data and a map.

Vector layers are simplified in metres, reprojected to EPSG:4326 and rounded before they
are embedded (see :mod:`covplan.mapview._geo`). Sites and raster layers live in
:mod:`covplan.mapview.sites` and :mod:`covplan.mapview.overlays` and are re-exported here.
Names, tooltips and popups are in the ``lang`` given (default English).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio import features
from scipy import ndimage
from shapely.geometry import shape

from covplan.grid import Raster
from covplan.i18n import Language, language
from covplan.mapview import style
from covplan.mapview._geo import text_or_blank, to_wgs84
from covplan.mapview._geojson import geojson_layer
from covplan.mapview._memo import by_identity
from covplan.mapview.overlays import add_coverage_overlay, add_hillshade
from covplan.mapview.sites import add_sites

__all__ = [
    "add_communes",
    "add_coverage_overlay",
    "add_fibre",
    "add_hillshade",
    "add_pois",
    "add_road_coverage",
    "add_road_gaps",
    "add_roads",
    "add_sites",
    "add_terrain_outline",
    "add_villages",
    "chainage_label",
    "road_label",
    "terrain_footprint",
    "village_status_kind",
]


Feature = dict[str, Any]


@by_identity
def merge_lines(frame: gpd.GeoDataFrame, by: Sequence[str]) -> gpd.GeoDataFrame:
    """Lines of ``frame`` joined into one (multi)line per group of ``by`` columns.

    Many short pieces become a few long lines, which shrinks the map and draws faster.
    Columns of ``by`` that ``frame`` lacks are ignored.
    """
    keys = [c for c in by if c in frame.columns]
    lines = frame.explode(index_parts=False)
    lines = lines[lines.geom_type == "LineString"]
    groups = lines.groupby(keys, dropna=False, sort=False) if keys else [((), lines)]
    rows: list[dict[str, Any]] = []
    for key, group in groups:
        merged = shapely.line_merge(shapely.multilinestrings(group.geometry.to_numpy()))
        values = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, values, strict=True)), "geometry": merged})
    if not rows:
        return gpd.GeoDataFrame(columns=[*keys, "geometry"], geometry="geometry", crs=frame.crs)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=frame.crs)


def _road_weight(feature: Feature) -> float:
    road_class = feature["properties"].get("road_class")
    return style.ROAD_STYLE.get(road_class, style.ROAD_STYLE["local"])[1]


def add_roads(
    fmap: folium.Map,
    roads: gpd.GeoDataFrame,
    *,
    name: str = "Roads",
    simplify_m: float = 15.0,
    show: bool = True,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add the road network drawn by ``road_class``, with ``ref``/``name`` tooltips."""
    merged = to_wgs84(merge_lines(roads, ["road_class", "ref", "name"]), simplify_m=simplify_m)
    merged["label"] = road_label(merged, lang or language("en"))

    def road_style(feature: Feature) -> dict[str, Any]:
        colour, weight = style.ROAD_STYLE.get(
            feature["properties"].get("road_class"), style.ROAD_STYLE["local"]
        )
        return {"color": colour, "weight": weight, "opacity": 0.9}

    return geojson_layer(
        fmap, merged, ["road_class", "label"], road_style, tip=["label"], name=name, show=show,
        deferred=True,
    )


def road_label(frame: pd.DataFrame, lang: Language) -> pd.Series:
    """``"QL.3 · Quốc lộ 3 · national"`` per road, the class in ``lang``."""
    parts = [text_or_blank(frame[c]) for c in ("ref", "name") if c in frame]
    if "road_class" in frame:
        parts.append(text_or_blank(frame["road_class"]).map(lambda v: lang._(v) if v else v))
    if not parts:
        return pd.Series(lang._("road"), index=frame.index, dtype=object)
    texts = [" · ".join(dict.fromkeys(v for v in row if v))  # a name given twice, once
             for row in zip(*(p.tolist() for p in parts), strict=True)]
    return pd.Series(texts, index=frame.index, dtype=object)


def add_road_coverage(
    fmap: folium.Map,
    samples: gpd.GeoDataFrame,
    *,
    name: str = "Road coverage",
    simplify_m: float = 10.0,
    show: bool = True,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add road pieces coloured covered / not covered (boolean column ``covered``)."""
    lang = lang or language("en")
    pieces = samples.assign(covered=samples["covered"].fillna(False).astype(bool))
    merged = to_wgs84(merge_lines(pieces, ["covered", "road_class"]), simplify_m=simplify_m)
    merged["state"] = np.where(merged["covered"], lang._("covered"), lang._("not covered"))

    def coverage_style(feature: Feature) -> dict[str, Any]:
        covered = feature["properties"]["covered"]
        colour = style.ROAD_COVERED if covered else style.ROAD_UNCOVERED
        return {"color": colour, "weight": _road_weight(feature) + 1.5, "opacity": 0.95}

    return geojson_layer(
        fmap,
        merged,
        ["covered", "road_class", "state"],
        coverage_style,
        tip=["state"],
        name=name,
        show=show,
        deferred=True,
    )


def add_road_gaps(
    fmap: folium.Map | folium.FeatureGroup,
    gaps: gpd.GeoDataFrame,
    *,
    name: str = "Road coverage gaps",
    simplify_m: float = 10.0,
    show: bool = True,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add gap segments as a wide highlight, with road, length, chainage and communes popups.

    ``gaps`` is :func:`covplan.metrics.roadgaps.road_gaps` output or any lines with some of
    ``ref``, ``name``, ``road_class``, ``length_km``, ``start_km``, ``end_km``, ``communes``.
    """
    lang = lang or language("en")
    table = to_wgs84(gaps, simplify_m=simplify_m)
    table = table.assign(
        road=road_label(table, lang),
        length=_get(table, "length_km").map(lambda v: lang.km(v) if pd.notna(v) else ""),
        chainage=chainage_label(table, lang),
        crosses=text_or_blank(_get(table, "communes")),
    )
    fields = ["road", "length", "chainage", "crosses"]
    aliases = [lang._("Road"), lang._("Gap length"), lang._("From–to"), lang._("Communes")]
    # no gap (no roads, or every road covered): an empty layer; folium refuses a tooltip
    # or popup whose fields no feature carries
    popups: dict[str, Any] = {} if table.empty else {
        "tip": ["road", "length"], "popup": folium.GeoJsonPopup(fields=fields, aliases=aliases)}
    return geojson_layer(
        fmap,
        table,
        fields,
        lambda _: {"color": style.ROAD_GAP, "weight": 10, "opacity": 0.55},
        name=name,
        show=show,
        **popups,
    )


def _get(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column]
    return pd.Series(np.nan, index=frame.index)


def chainage_label(frame: pd.DataFrame, lang: Language) -> pd.Series:
    """``"km 12.3–15.0"`` per gap, blank where either end is unknown (empty frames too)."""
    start, end = _get(frame, "start_km"), _get(frame, "end_km")
    texts = [f"km {lang.number(a, 1)}–{lang.number(b, 1)}" if pd.notna(a) and pd.notna(b)
             else "" for a, b in zip(start, end, strict=True)]
    return pd.Series(texts, index=frame.index, dtype=object)


def village_status_kind(status: pd.Series) -> Literal["share", "fibre"]:
    """``"fibre"`` for a boolean status, ``"share"`` for a covered share 0–1."""
    if pd.api.types.is_bool_dtype(status):
        return "fibre"
    if pd.api.types.is_numeric_dtype(status):
        return "share"
    values = status.dropna()
    if len(values) and values.map(lambda v: isinstance(v, bool | np.bool_)).all():
        return "fibre"
    return "share"


@cache
def _share_texts(lang_code: str) -> tuple[str, ...]:
    """``"87 % covered"`` for each whole percent 0–100, then "no data", in a language."""
    lang = language(lang_code)
    covered = lang._("{percent} covered")
    return (*(covered.format(percent=lang.percent(p, 0)) for p in range(101)),
            lang._("no data"))


def village_colours(
    status: pd.Series | None, index: pd.Index, lang: Language | None = None
) -> tuple[pd.Series, pd.Series]:
    """Fill colour and status text per village of ``index`` for a status (see add_villages)."""
    lang = lang or language("en")
    if status is None:
        blank = pd.Series("", index=index)
        return pd.Series(style.NO_DATA_COLOUR, index=index), blank
    aligned = status.reindex(index)
    if village_status_kind(status) == "fibre":
        known = aligned.notna()
        flags = aligned.where(known, False).astype(bool)
        colour = flags.map(style.FIBRE_COLOURS).where(known, style.NO_DATA_COLOUR)
        words = {True: lang._("fibre: yes"), False: lang._("fibre: no")}
        text = flags.map(words).where(known, lang._("no data"))
        return colour, text
    share = pd.to_numeric(aligned, errors="coerce").to_numpy(dtype=np.float64)
    known = np.isfinite(share)
    # style.share_colour for every village at once
    classes = np.clip(np.digitize(np.where(known, share, 0.0), style.SHARE_EDGES) - 1, 0, None)
    colours = np.where(known, np.asarray(style.SHARE_COLOURS)[classes], style.NO_DATA_COLOUR)
    percent = np.clip(np.round(100 * np.where(known, share, 0.0)), 0, 100).astype(int)
    texts = np.asarray(_share_texts(lang.code), dtype=object)[np.where(known, percent, 101)]
    return pd.Series(colours, index=index), pd.Series(texts, index=index)


def add_villages(
    fmap: folium.Map,
    villages: gpd.GeoDataFrame,
    status: pd.Series | None = None,
    *,
    name: str = "Villages",
    simplify_m: float = 20.0,
    show: bool = True,
    row_ids: bool = False,
    commune_names: Mapping[str, str] | None = None,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add villages as a choropleth of ``status``, with name/commune/population tooltips.

    Parameters
    ----------
    fmap
        The map.
    villages
        Village polygons (points are drawn as small discs) in a metric CRS.
    status
        Aligned to ``villages``' index: the covered share 0–1 (floats) or fibre reach
        (booleans); None draws every village in the neutral "no data" grey.
    name
        Name in the layer control.
    simplify_m
        Outline simplification tolerance in metres.
    show
        Whether the layer starts visible.
    row_ids
        Give each feature a ``row`` property: its position in ``villages``.
    commune_names
        ``{commune code: name}``: the tooltip names the village's commune (its code when
        the code is not listed).
    lang
        Language of the tooltips (default English).
    """
    lang = lang or language("en")
    colour, text = village_colours(status, villages.index, lang)
    codes = text_or_blank(_get(villages, "commune"))
    people = _get(villages, "population")
    shapes = villages.assign(
        fill=colour,
        status=text,
        label=text_or_blank(_get(villages, "name")),
        commune_name=codes.map(lambda c: (commune_names or {}).get(c, c)),
        people=people.map(lambda v: lang.count(v) if pd.notna(v) else ""),
        row=range(len(villages)),
    )
    points = shapes.geom_type == "Point"
    shapes.loc[points, "geometry"] = shapes.loc[points].geometry.buffer(120.0, quad_segs=4)
    table = to_wgs84(shapes, simplify_m=simplify_m)
    fills = table["fill"].tolist()  # feature ids are row numbers (see feature_collection)
    fill_opacity = 0.4 if status is not None else 0.15
    fields = ["label", "commune_name", "people", "status"]
    return geojson_layer(
        fmap,
        table,
        [*fields, "row"] if row_ids else fields,
        lambda f: {
            "color": "#555555",
            "weight": 0.6,
            "fillColor": fills[f["id"]],
            "fillOpacity": fill_opacity,
        },
        highlight_function=lambda _: {"weight": 2.5, "color": "#111111"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[
            lang._("Village"), lang._("Commune"), lang._("Population"), lang._("Coverage")]),
        name=name,
        show=show,
    )


def add_communes(
    fmap: folium.Map,
    communes: gpd.GeoDataFrame,
    *,
    name: str = "Commune boundaries",
    simplify_m: float = 30.0,
    show: bool = True,
) -> folium.GeoJson:
    """Add commune outlines (not clickable, so they never hide the villages' tooltips)."""
    table = to_wgs84(communes, simplify_m=simplify_m)
    return geojson_layer(
        fmap,
        table,
        [],
        lambda _: {"color": style.COMMUNE_COLOUR, "weight": 1.4, "fill": False, "dashArray": "5 3"},
        interactive=False,
        name=name,
        show=show,
        deferred=True,
    )


def add_fibre(
    fmap: folium.Map,
    fibre: gpd.GeoDataFrame,
    *,
    name: str = "Fibre network",
    simplify_m: float = 15.0,
    show: bool = False,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add fibre routes (lines) and access nodes (points)."""
    lang = lang or language("en")
    table = to_wgs84(fibre, simplify_m=simplify_m)
    table["label"] = (lang._("fibre") + " " + text_or_blank(_get(table, "operator"))).str.strip()
    colour = style.FIBRE_ROUTE_COLOUR
    return geojson_layer(
        fmap,
        table,
        ["label"],
        lambda _: {
            "color": colour,
            "weight": 2,
            "fillColor": colour,
            "fillOpacity": 0.9,
            "dashArray": "6 4",
        },
        tip=["label"],
        marker=folium.CircleMarker(radius=3, fill=True),
        name=name,
        show=show,
        deferred=True,
    )


def add_pois(
    fmap: folium.Map,
    pois: gpd.GeoDataFrame,
    *,
    name: str = "Points of interest",
    show: bool = True,
    lang: Language | None = None,
) -> folium.GeoJson:
    """Add points of interest as squares coloured by ``kind``, with kind/name tooltips."""
    lang = lang or language("en")
    table = to_wgs84(pois)
    kinds = text_or_blank(_get(table, "kind"))
    table = table.assign(
        kind_label=kinds.map(lambda k: style.poi_label(k, lang) if k else k),
        label=text_or_blank(_get(table, "name")),
    )
    return geojson_layer(
        fmap,
        table,
        ["kind", "kind_label", "label"],
        lambda f: {
            "color": "#ffffff",
            "weight": 1.2,
            "fillOpacity": 1.0,
            "fillColor": style.poi_colour(f["properties"].get("kind") or "other"),
            "symbol": style.POI_SYMBOL,
        },
        tip=["kind_label", "label"],
        marker=folium.CircleMarker(radius=5.5, fill=True),
        name=name,
        show=show,
        deferred=True,
    )


#: Longest side, in cells, of the terrain mask traced for :func:`terrain_footprint`.
FOOTPRINT_MAX_CELLS = 600


@by_identity
def _beyond_terrain(terrain: Raster, outside_height_m: float) -> shapely.Geometry | None:
    """The footprint of real heights in ``terrain`` (see :func:`terrain_footprint`)."""
    flat = terrain.data == np.float32(outside_height_m)
    labels, _ = ndimage.label(flat)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    outside = np.isin(labels, edge[edge > 0])
    if not outside.any():
        return None
    step = max(1, int(np.ceil(max(outside.shape) / FOOTPRINT_MAX_CELLS)))
    rows, cols = (n // step * step for n in outside.shape)
    blocks = outside[:rows, :cols].reshape(rows // step, step, cols // step, step)
    inside = ~blocks.all(axis=(1, 3))
    transform = terrain.grid.transform @ terrain.grid.transform.scale(step, step)
    traced = features.shapes(inside.astype(np.uint8), mask=inside, transform=transform)
    parts = [shape(geometry) for geometry, value in traced if value]
    return shapely.union_all(parts) if parts else None


def terrain_footprint(
    terrain: Raster, outside_height_m: float, area: shapely.Geometry | None = None
) -> shapely.Geometry | None:
    """Where ``terrain`` holds real heights: the outline of terrain-aware prediction.

    A dataset's terrain (:func:`covplan.io.terrain.load_terrain`) sets every cell beyond
    the DEM to the flat height ``outside_height_m``. The cells at exactly that height that
    reach the raster's edge are that flat ground; the rest is the DEM's footprint, traced
    on a grid of at most :data:`FOOTPRINT_MAX_CELLS` a side (once per terrain raster) and
    clipped to ``area`` (the study area, in the raster's CRS). None when the terrain
    covers the whole raster.
    """
    footprint = _beyond_terrain(terrain, float(outside_height_m))
    if footprint is not None and area is not None and not area.is_empty:
        footprint = shapely.intersection(footprint, area)
    return None if footprint is None or footprint.is_empty else footprint


def add_terrain_outline(
    fmap: folium.Map,
    footprint: shapely.Geometry,
    crs: Any,
    *,
    name: str = "Terrain extent",
    simplify_m: float = 100.0,
    show: bool = True,
) -> folium.GeoJson:
    """Outline the part of the study area predicted with terrain (dashed, not clickable)."""
    frame = gpd.GeoDataFrame(geometry=[footprint], crs=crs)
    return geojson_layer(
        fmap,
        to_wgs84(frame, simplify_m=simplify_m),
        [],
        lambda _: {"color": style.TERRAIN_OUTLINE_COLOUR, "weight": 2.2, "fill": False,
                   "dashArray": "10 6", "opacity": 0.9},
        interactive=False,
        name=name,
        show=show,
        deferred=True,
    )
