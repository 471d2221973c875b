"""Static maps for print: coverage per technology and the gap map, as PNG, PDF or SVG.

The maps use matplotlib's object-oriented API (:class:`~matplotlib.figure.Figure`, no
pyplot and no global backend), DejaVu Sans (which covers Vietnamese) and the colours and
classes of :mod:`covplan.mapview.style`, so print and web maps read the same. Each map has
a title, subtitle, legend, scale bar, north arrow (turned to true north), the date and the
data attribution, with "SYNTHETIC" on synthetic data, every word in the language of
:attr:`MapOptions.lang` (numbers and the date in its format).

Rasters are cropped to the map and averaged to about the printed resolution, and
geometries are simplified to a fraction of a printed pixel, so a full 8,400 km² province
on a 30 m grid draws in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from covplan import __version__
from covplan.errors import InputError, Problem
from covplan.export import _draw
from covplan.export._furniture import (
    Layout,
    draw_legend,
    draw_north_arrow,
    draw_scale_bar,
    draw_texts,
    fit_extent,
    nfc,
    page_layout,
    true_north_deg,
)
from covplan.export._layers import (
    MAIN_ROADS,
    ROAD_ORDER,
    boundary_legend,
    draw_commune_labels,
    draw_communes,
    draw_road_gaps,
    draw_roads,
    draw_sites,
    draw_villages_by_fibre,
    fibre_legend,
    rsrp_legend,
    site_legend,
)
from covplan.export.atomic import write_atomic
from covplan.i18n import N_, Language, folded, language
from covplan.io import Dataset
from covplan.mapview import style

#: Matplotlib settings of every static map: DejaVu Sans (covers Vietnamese), subset into PDF
#: as Type 3 (searchable text, several times faster to embed than Type 42), text as paths in
#: SVG (renders the same without the font installed).
RC: dict[RcKeyType, Any] = {"font.family": "DejaVu Sans", "pdf.fonttype": 3, "svg.fonttype": "path",
                      "axes.unicode_minus": True}
PAPER_COLOUR = "#f4f2ee"
FORMATS = ("png", "pdf", "svg")
#: Above villages, roads and gaps, below sites and labels: how a commune's map pales the rest.
COMMUNE_MASK_ZORDER = 8.5


@dataclass(frozen=True)
class MapOptions:
    """How a static map is laid out.

    Parameters
    ----------
    paper, orientation
        ``{"A4", "A3"}`` and ``{"landscape", "portrait"}``; ignored when ``size_mm`` is set.
    size_mm
        Page size (width, height) in millimetres, such as a report page's frame.
    commune
        Code or name of a commune to map instead of the whole province.
    dpi
        Printing resolution the rasters are thinned for.
    created
        Date printed on the map; default today.
    subtitle
        Extra text after the date in the subtitle (the target preset, a scenario).
    lang
        Language of every word on the map: ``{"vi", "en"}``.
    titled
        Draw the title and subtitle above the map (no room is kept for them when False: a
        map inside a page that has its own, such as a commune sheet).
    """

    paper: str = "A4"
    orientation: str = "landscape"
    size_mm: tuple[float, float] | None = None
    commune: str | None = None
    dpi: int = 200
    created: dt.date | None = None
    subtitle: str = ""
    lang: str = "en"
    titled: bool = True

    @property
    def language(self) -> Language:
        """The :class:`~covplan.i18n.Language` of :attr:`lang`."""
        return language(self.lang)


@dataclass
class _Canvas:
    """A map page being drawn."""

    fig: Figure
    ax: Axes
    layout: Layout
    bounds: tuple[float, float, float, float]
    options: MapOptions
    max_px: int
    tolerance_m: float
    legend: list[style.LegendSection] = field(default_factory=list)

    @property
    def lang(self) -> Language:
        """The map's language."""
        return self.options.language


#: Administrative units in front of a commune's name, folded (:func:`covplan.i18n.folded`).
COMMUNE_PREFIXES: Final = ("xa ", "phuong ", "thi tran ", "dac khu ")


def find_commune(dataset: Dataset, commune: str) -> gpd.GeoDataFrame:
    """The row of the commune whose code or name is ``commune``.

    Codes and names match as written (in NFC, any case) first; else a name matches
    without its diacritics and without "Xã" / "Phường" / "Thị trấn" / "Đặc khu" in front
    ("Phan Dinh Phung" finds "Phường Phan Đình Phùng") when only one commune has it.

    Raises
    ------
    covplan.errors.InputError
        When no commune matches (the message names the closest names), or several do
        (it names them).
    """
    communes = dataset.communes
    if communes is None or communes.empty:
        raise InputError([Problem(str(dataset.path), N_("the dataset has no communes layer, so "
                                                        "no commune extent ({commune}) can be "
                                                        "mapped."),
                                  N_("leave out the commune to map the whole area."),
                                  params={"commune": repr(commune)})])
    wanted = nfc(commune).casefold()
    codes = communes["code"].astype(str).map(lambda v: nfc(v).casefold())
    names = communes["name"].astype(str)
    hit = communes[(codes == wanted).to_numpy(bool)
                   | (names.map(lambda v: nfc(v).casefold()) == wanted).to_numpy(bool)]
    if not hit.empty:
        return hit.head(1)
    loose = names.map(lambda v: folded(v, COMMUNE_PREFIXES))
    key = folded(commune, COMMUNE_PREFIXES)
    hit = communes[(loose == key).to_numpy(bool)]
    if len(hit) == 1:
        return hit
    if len(hit) > 1:
        raise InputError([Problem(str(dataset.path),
                                  N_("several communes are called {commune}: {names}."),
                                  N_("give the full name or the code, e.g. {example}."),
                                  layer="communes",
                                  params={"commune": repr(commune),
                                          "names": ", ".join(f"{n} ({c})" for n, c in zip(
                                              hit["name"], hit["code"], strict=True)),
                                          "example": str(hit["code"].iloc[0])})])
    by_key = dict(zip(loose, names, strict=False))
    close = [by_key[k] for k in difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)]
    known = ", ".join(close or names.head(8))
    raise InputError([Problem(str(dataset.path),
                              N_("no commune has the code or name {commune}."),
                              N_("use a code or name such as {known}."), layer="communes",
                              params={"commune": repr(commune), "known": known})])


def commune_bounds(dataset: Dataset, commune: str) -> tuple[float, float, float, float]:
    """Bounds of the commune whose code or name is ``commune`` (see :func:`find_commune`)."""
    return tuple(float(v) for v in find_commune(dataset, commune).total_bounds)  # type: ignore[return-value]


def _canvas(dataset: Dataset, options: MapOptions) -> _Canvas:
    layout = page_layout(options.paper, options.orientation, options.size_mm,
                         titled=options.titled)
    fig = Figure(figsize=(layout.size_mm[0] / 25.4, layout.size_mm[1] / 25.4),
                 facecolor="white")
    ax = fig.add_axes(layout.map_axes())
    _, _, w, h = layout.map_box_mm()
    area = (commune_bounds(dataset, options.commune) if options.commune
            else dataset.bounds())
    bounds = fit_extent(area, (w, h))
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_facecolor(PAPER_COLOUR)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_color("#444444")
    max_px = max(200, min(2400, round(w / 25.4 * options.dpi)))
    tolerance = (bounds[2] - bounds[0]) / max_px * 0.6
    return _Canvas(fig, ax, layout, bounds, options, max_px, tolerance)


def _draw_base(canvas: _Canvas, dataset: Dataset) -> None:
    """Hillshade, the paled outside of the province, commune boundaries and roads."""
    ax, bounds = canvas.ax, canvas.bounds
    if dataset.terrain is not None:
        relief = _draw.shaded_relief(dataset.terrain, bounds, canvas.max_px)
        if relief is not None:
            ax.imshow(relief.data, extent=relief.extent, cmap="gray", vmin=0.0, vmax=1.0,
                      interpolation="bilinear", zorder=1, origin="upper")
    if dataset.communes is not None:
        draw_communes(ax, dataset.communes, bounds, canvas.tolerance_m)
    road_classes = (draw_roads(ax, dataset.roads, bounds, canvas.tolerance_m)
                    if dataset.roads is not None else ())
    canvas.legend.append(boundary_legend(road_classes, canvas.lang))


def _shown_area(canvas: _Canvas, dataset: Dataset) -> Any:
    """What the map is of: the commune asked for, else the whole area (paled outside)."""
    if canvas.options.commune:
        return find_commune(dataset, canvas.options.commune).geometry.iloc[0]
    return dataset.area()


def _finish(canvas: _Canvas, dataset: Dataset, title: str, subtitle: str) -> Figure:
    """Mask, legend, scale bar, north arrow and texts; returns the figure."""
    ax, bounds, lang = canvas.ax, canvas.bounds, canvas.lang
    # a commune's map pales its neighbours' villages, roads and gaps too (not their sites)
    _draw.draw_outside_mask(ax, _shown_area(canvas, dataset), bounds,
                            zorder=COMMUNE_MASK_ZORDER if canvas.options.commune else 3)
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    draw_scale_bar(ax, bounds, lang=lang)
    centre = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    draw_north_arrow(ax, true_north_deg(dataset.crs, *centre), letter=lang._("N"))
    legend_ax = canvas.fig.add_axes(canvas.layout.legend_axes())
    draw_legend(legend_ax, canvas.fig, canvas.legend,
                columns=3 if canvas.layout.legend_below else 1)
    created = canvas.options.created or dt.date.today()
    parts = [lang.date(created), *(p for p in (subtitle, canvas.options.subtitle) if p)]
    titled = canvas.options.titled
    draw_texts(canvas.fig, canvas.layout, title if titled else "",
               " · ".join(parts) if titled else "", attribution_text(dataset, lang))
    if dataset.synthetic:  # in the map's corner: clear of the title on any page size
        ax.text(0.01, 0.985, lang._("SYNTHETIC DATA — NOT A REAL PLACE"), ha="left", va="top",
                transform=ax.transAxes, fontsize=8, fontweight="bold", color="#b2182b",
                zorder=30, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                                 "pad": 1.5})
    return canvas.fig


def attribution_text(dataset: Dataset, lang: Language | None = None) -> str:
    """The footer: data credits, "SYNTHETIC" when it is, the projection and the tool."""
    lang = lang or language("en")
    parts = [lang._("Data: {credits}").format(credits=dataset.attribution)
             if dataset.attribution else lang._("Data: see the dataset")]
    if dataset.synthetic:
        parts.append(lang._("SYNTHETIC data, not a real place"))
    epsg = dataset.crs.to_epsg()
    parts.append(lang._("Projection: {crs}").format(crs=dataset.crs.name)
                 + (f" (EPSG:{epsg})" if epsg else ""))
    parts.append(lang._("Map: covplan {version}").format(version=__version__))
    return nfc(" · ".join(parts))


def coverage_map(dataset: Dataset, coverage: Any, *, threshold_dbm: float | None = None,
                 road_gaps: gpd.GeoDataFrame | None = None,
                 new_sites: gpd.GeoDataFrame | None = None,
                 options: MapOptions | None = None, title: str | None = None) -> Figure:
    """The signal map of one technology: RSRP classes, roads, road gaps and its sites.

    Parameters
    ----------
    dataset
        The province (sites are taken from it; pass a dataset with a scenario's sites to
        map the scenario).
    coverage
        A coverage grid (``technology`` and ``rsrp_dbm``, as
        :class:`covplan.predict.CoverageGrid`).
    threshold_dbm
        The coverage threshold, stated in the subtitle.
    road_gaps
        Road stretches without 4G/5G (:func:`covplan.metrics.road_gaps`), highlighted.
    new_sites
        Sites a scenario adds, marked apart.
    options
        Page and extent (:class:`MapOptions`).
    title
        Default ``"<dataset>: <technology> coverage"`` (in the map's language).
    """
    options = options or MapOptions()
    lang = options.language
    tech = str(coverage.technology)
    with rc_context(RC):
        canvas = _canvas(dataset, options)
        window = _draw.crop(coverage.rsrp_dbm, canvas.bounds, canvas.max_px,
                            fill=_draw.NO_SIGNAL_DBM)
        if window is not None:
            canvas.ax.imshow(_draw.rsrp_rgba(window.data), extent=window.extent,
                             interpolation="nearest", zorder=2, origin="upper")
        canvas.legend.insert(0, rsrp_legend(tech, lang))
        _draw_base(canvas, dataset)
        _draw_gaps_and_sites(canvas, dataset, road_gaps, new_sites, (tech,), MAIN_ROADS)
        if options.commune:
            draw_commune_labels(canvas.ax, dataset.communes, canvas.bounds)
        rule = (lang._(", covered from {dbm} dBm").format(
            dbm=f"{threshold_dbm:g}".replace("-", "−")) if threshold_dbm is not None else "")
        return _finish(canvas, dataset,
                       title or lang._("{area}: {tech} coverage").format(area=dataset.name,
                                                                         tech=tech),
                       lang._("{tech} best-server signal (RSRP, predicted)").format(tech=tech)
                       + rule)


def speed_map(dataset: Dataset, technology: str, mbps: Any, *,
              options: MapOptions | None = None, title: str | None = None) -> Figure:
    """The downlink-speed map of one technology: Mb/s classes of the fastest operator.

    ``mbps`` is a :class:`~covplan.grid.Raster` of Mb/s
    (:func:`covplan.predict.operators.best_dl_mbps`), or of SINR in dB (units ``"dB"``,
    :func:`covplan.predict.operators.best_sinr_db`): the map of the best operator's SINR.
    """
    options = options or MapOptions()
    lang = options.language
    sinr = mbps.units == "dB"  # a SINR raster: the same map in dB classes
    with rc_context(RC):
        canvas = _canvas(dataset, options)
        window = _draw.crop(mbps, canvas.bounds, canvas.max_px, fill=-50.0 if sinr else 0.0)
        if window is not None:
            canvas.ax.imshow(_draw.speed_rgba(window.data, sinr=sinr), extent=window.extent,
                             interpolation="nearest", zorder=2, origin="upper")
        canvas.legend.insert(0, (style.sinr_legend if sinr else style.speed_legend)(
            technology, lang=lang))
        _draw_base(canvas, dataset)
        _draw_gaps_and_sites(canvas, dataset, None, None, (technology,), MAIN_ROADS)
        if options.commune:
            draw_commune_labels(canvas.ax, dataset.communes, canvas.bounds)
        if sinr:
            return _finish(canvas, dataset,
                           title or lang._("{area}: {tech} downlink SINR").format(
                               area=dataset.name, tech=technology),
                           lang._("{tech} downlink SINR (dB), best operator").format(
                               tech=technology))
        return _finish(canvas, dataset,
                       title or lang._("{area}: {tech} downlink speed").format(
                           area=dataset.name, tech=technology),
                       lang._("{tech} downlink speed of a new user, fastest operator (median)"
                              ).format(tech=technology))


def _draw_gaps_and_sites(canvas: _Canvas, dataset: Dataset, road_gaps: gpd.GeoDataFrame | None,
                         new_sites: gpd.GeoDataFrame | None, technologies: tuple[str, ...],
                         gap_classes: tuple[str, ...]) -> None:
    """Road gaps of ``gap_classes``, sites of ``technologies``, new sites; their legend rows."""
    has_gaps = road_gaps is not None and not road_gaps.empty
    if has_gaps:
        draw_road_gaps(canvas.ax, road_gaps, canvas.bounds, canvas.tolerance_m,  # type: ignore[arg-type]
                       classes=gap_classes)
        label = (canvas.lang._("road without 4G/5G (gap)") if "local" in gap_classes
                 else canvas.lang._("main road without 4G/5G (gap)"))
        roads = canvas.legend[-1]
        canvas.legend[-1] = style.LegendSection(
            roads.title, (*roads.items, style.LegendItem(style.ROAD_GAP, label, "line")))
    sites = dataset.sites
    shown: tuple[str, ...] = ()
    if sites is not None and not sites.empty and technologies:
        shown = draw_sites(canvas.ax, sites, canvas.bounds, technologies)
    has_new = new_sites is not None and not new_sites.empty
    if has_new:
        draw_sites(canvas.ax, new_sites, canvas.bounds, (), new=True)  # type: ignore[arg-type]
    if shown or has_new:
        canvas.legend.append(site_legend(shown, new=has_new, lang=canvas.lang))


def gaps_map(dataset: Dataset, *, road_gaps: gpd.GeoDataFrame | None = None,
             fibre_reached: pd.Series | None = None,
             new_sites: gpd.GeoDataFrame | None = None, options: MapOptions | None = None,
             title: str | None = None, site_technologies: tuple[str, ...] = ()) -> Figure:
    """The gap map: roads without 4G/5G, villages without fibre, communes and sites.

    Parameters
    ----------
    dataset
        The province.
    road_gaps
        Road stretches without 4G/5G, highlighted.
    fibre_reached
        Aligned to ``dataset.villages``: whether each village is fibre-reached (such as
        :meth:`covplan.metrics.MetricContext.fibre_reached`); default the villages'
        ``fibre`` flag.
    new_sites
        Sites a scenario adds.
    options
        Page and extent (:class:`MapOptions`).
    title
        Default ``"<dataset>: coverage gaps"`` (in the map's language).
    site_technologies
        Technologies whose sites to draw as well (a commune's sheet shows its sites).
    """
    options = options or MapOptions()
    lang = options.language
    with rc_context(RC):
        canvas = _canvas(dataset, options)
        villages = dataset.villages
        if villages is not None and not villages.empty:
            status = fibre_reached if fibre_reached is not None else villages.get("fibre")
            draw_villages_by_fibre(canvas.ax, villages, status, canvas.bounds,
                                   canvas.tolerance_m)
            canvas.legend.append(fibre_legend(lang))
        _draw_base(canvas, dataset)
        _draw_gaps_and_sites(canvas, dataset, road_gaps, new_sites, site_technologies,
                             ROAD_ORDER)
        draw_commune_labels(canvas.ax, dataset.communes, canvas.bounds)
        return _finish(canvas, dataset,
                       title or lang._("{area}: coverage gaps").format(area=dataset.name),
                       lang._("Roads without 4G/5G signal and villages without fibre"))


def save_map(fig: Figure, path: str | Path, *, dpi: int = 200, overwrite: bool = False) -> Path:
    """Save ``fig`` atomically as PNG, PDF or SVG (from the suffix of ``path``).

    Parameters
    ----------
    fig
        A map from :func:`coverage_map` or :func:`gaps_map`.
    path
        ``.png``, ``.pdf`` or ``.svg`` file.
    dpi
        Resolution of the PNG (and of the images inside a PDF or SVG).
    overwrite
        Replace an existing file.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"a map is saved as {', '.join(FORMATS)}; got {path.name}")
    extra: dict[str, Any] = ({"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {})
    metadata = {"Creator": f"covplan {__version__}"} if fmt != "png" else {"Software": "covplan"}
    with rc_context(RC):
        write_atomic(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata,
                                                   **extra), overwrite=overwrite)
    return path


def render_maps(dataset: Dataset, coverage: Mapping[str, Any], *,
                road_gaps: gpd.GeoDataFrame | None = None,
                fibre_reached: pd.Series | None = None,
                thresholds: Mapping[str, float] | None = None,
                new_sites: gpd.GeoDataFrame | None = None,
                options: MapOptions | None = None,
                speed: Mapping[str, Any] | None = None,
                sinr: Mapping[str, Any] | None = None) -> dict[str, Figure]:
    """Every map of a report: ``coverage_<tech>``, ``speed_<tech>``, ``sinr_<tech>``, ``gaps``.

    A coverage map for each grid of ``coverage``, a speed map for each raster of ``speed``,
    a SINR map for each raster of ``sinr``.
    """
    maps: dict[str, Figure] = {}
    for tech, grid in sorted(coverage.items()):
        if not hasattr(grid, "rsrp_dbm"):
            continue
        maps[f"coverage_{tech.lower()}"] = coverage_map(
            dataset, grid, threshold_dbm=(thresholds or {}).get(tech), road_gaps=road_gaps,
            new_sites=new_sites, options=options)
    for tech, mbps in sorted((speed or {}).items()):
        maps[f"speed_{tech.lower()}"] = speed_map(dataset, tech, mbps, options=options)
    for tech, db in sorted((sinr or {}).items()):
        maps[f"sinr_{tech.lower()}"] = speed_map(dataset, tech, db, options=options)
    maps["gaps"] = gaps_map(dataset, road_gaps=road_gaps, fibre_reached=fibre_reached,
                            new_sites=new_sites, options=options)
    return maps

