"""The national map: every province coloured by its status, as a PNG and an offline HTML.

Both draw :func:`covplan.scale.summary.province_table`: the province outlines (EPSG:4326),
filled by :data:`STATUS_COLOURS`, labelled with the province and its targets met. The PNG
is drawn with matplotlib's object-oriented API (no pyplot) in DejaVu Sans, which covers
Vietnamese; the HTML map is a Leaflet page with Leaflet and the data inlined
(:func:`covplan.mapview.html.to_html_string`), so it opens with no internet.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, BinaryIO, Final

import folium
import geopandas as gpd
import numpy as np
import shapely
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.typing import RcKeyType

from covplan.i18n import Language, language
from covplan.mapview._geo import fit_view
from covplan.mapview.html import to_html_string
from covplan.mapview.legend import legend, title_box
from covplan.mapview.style import LegendItem, LegendSection
from covplan.scale.summary import ALL_MET, FAILED, NO_DATA, NONE_MET, SOME_MET

#: Fill of each province status (ColorBrewer RdYlGn ends; grey without data; white failed).
STATUS_COLOURS: Final[dict[str, str]] = {
    ALL_MET: "#1a9850",
    SOME_MET: "#fee08b",
    NONE_MET: "#d73027",
    NO_DATA: "#bdbdbd",
    FAILED: "#ffffff",
}
_EDGE: Final = "#37474f"
_RC: Final[dict[RcKeyType, Any]] = {"font.family": "DejaVu Sans", "axes.unicode_minus": True}
#: Page size (mm) of the PNG map: A4 landscape.
PAGE_MM: Final = (297.0, 210.0)


def _label(row: dict[str, object], lang: Language) -> str:
    """The province's name over ``2/5 targets met`` (its status when it has no figures)."""
    met, not_met = row.get("targets_met"), row.get("targets_not_met")
    if met is None or (isinstance(met, float) and math.isnan(met)):
        return f"{row['province']}\n{lang._(str(row['status']))}"
    return f"{row['province']}\n" + lang._("{met}/{total} targets met").format(
        met=int(met), total=int(met) + int(not_met or 0))  # type: ignore[call-overload]


def _patch(geometry: shapely.Geometry, aspect: float, **style: object) -> PathPatch:
    """A polygon (holes included) as a matplotlib patch, x scaled by ``aspect``."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)[:, :2] * [aspect, 1.0]
            code = np.full(len(xy), MplPath.LINETO)
            code[0], code[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            vertices.append(xy)
            codes.append(code)
    return PathPatch(MplPath(np.vstack(vertices), np.concatenate(codes)), **style)


def national_figure(provinces: gpd.GeoDataFrame, *, title: str, lang: Language | None = None,
                    created: dt.date | None = None) -> Figure:
    """The national map as a matplotlib figure (A4 landscape).

    Parameters
    ----------
    provinces
        :func:`covplan.scale.summary.province_table`.
    title
        The map's title (the country).
    lang
        Language of the legend and labels (default English).
    created
        Date in the subtitle; default today.
    """
    lang = lang or language("en")
    fig = Figure(figsize=(PAGE_MM[0] / 25.4, PAGE_MM[1] / 25.4))
    ax = fig.add_axes((0.03, 0.05, 0.72, 0.82))
    ax.set_axis_off()
    shown = provinces[provinces.geometry.notna() & ~provinces.geometry.is_empty]
    if len(shown):
        minx, miny, maxx, maxy = shown.total_bounds
        aspect = math.cos(math.radians((miny + maxy) / 2))  # lon/lat drawn at true shape
        for row, geometry in zip(shown.to_dict("records"), shown.geometry, strict=True):
            ax.add_patch(_patch(geometry, aspect, facecolor=STATUS_COLOURS[str(row["status"])],
                                edgecolor=_EDGE, linewidth=0.8,
                                hatch="//" if row["status"] == FAILED else None))
            point = geometry.representative_point()
            ax.text(point.x * aspect, point.y, _label(row, lang), ha="center", va="center",
                    fontsize=6.5, color="#212121")
        pad = 0.03 * max(maxx - minx, maxy - miny, 0.1)
        ax.set_xlim((minx - pad) * aspect, (maxx + pad) * aspect)
        ax.set_ylim(miny - pad, maxy + pad)
        ax.set_aspect("equal")
    handles = [Patch(facecolor=colour, edgecolor=_EDGE, label=lang._(status),
                     hatch="//" if status == FAILED else None)
               for status, colour in STATUS_COLOURS.items()]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.77, 0.85), frameon=False,
               title=lang._("Province status"), fontsize=9, title_fontsize=10)
    fig.text(0.03, 0.95, title, fontsize=15, fontweight="bold", va="top")
    subtitle = lang._("Coverage targets by province, {date}").format(
        date=lang.date(created or dt.date.today()))
    if bool(provinces.get("synthetic", gpd.GeoSeries([], dtype=bool)).any()):
        subtitle += " · " + lang._("SYNTHETIC DATA — not a real place")
    fig.text(0.03, 0.905, subtitle, fontsize=9.5, color="#555555", va="top")
    return fig


def save_png(fig: Figure, target: str | Path | BinaryIO, *, dpi: int = 150) -> None:
    """Write the national figure as a PNG to a file or a binary stream."""
    with rc_context(_RC):
        fig.savefig(target, format="png", dpi=dpi, metadata={"Software": "covplan"})


def national_html(provinces: gpd.GeoDataFrame, *, title: str, lang: Language | None = None
                  ) -> str:
    """The national map as one HTML page that opens with no internet.

    Parameters
    ----------
    provinces
        :func:`covplan.scale.summary.province_table`.
    title
        The map's title (the country).
    lang
        Language of the legend and tooltips (default English).
    """
    lang = lang or language("en")
    shown = provinces[provinces.geometry.notna() & ~provinces.geometry.is_empty].copy()
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    if len(shown):
        minx, miny, maxx, maxy = shown.total_bounds
        fit_view(fmap, [[miny, minx], [maxy, maxx]])
        shown["label"] = [_label(r, lang).replace("\n", " — ")
                          for r in shown.to_dict("records")]
        shown["fill"] = [STATUS_COLOURS[str(s)] for s in shown["status"]]
        shown["status_text"] = [lang._(str(s)) for s in shown["status"]]
        data = shown[["label", "status_text", "preset", "fill", "geometry"]]
        folium.GeoJson(
            data.__geo_interface__, name=lang._("Provinces"),
            style_function=lambda feature: {"fillColor": feature["properties"]["fill"],
                                            "color": _EDGE, "weight": 1.2,
                                            "fillOpacity": 0.75},
            tooltip=folium.GeoJsonTooltip(
                fields=["label", "status_text", "preset"],
                aliases=[lang._("Province"), lang._("Status"), lang._("Targets")]),
        ).add_to(fmap)
    items = tuple(LegendItem(colour, lang._(status)) for status, colour in STATUS_COLOURS.items())
    legend([LegendSection(lang._("Province status"), items)]).add_to(fmap)
    synthetic = bool(provinces.get("synthetic", gpd.GeoSeries([], dtype=bool)).any())
    title_box(title, synthetic=synthetic,
              subtitle=lang._("Coverage targets by province")).add_to(fmap)
    return to_html_string(fmap)

