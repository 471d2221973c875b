"""``build_map``: the province map shared by the Streamlit app and the HTML export."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from html import escape
from typing import Literal

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement

from covplan.i18n import N_, Language, language
from covplan.io import Dataset
from covplan.mapview import layers, style
from covplan.mapview._geo import fit_view, lonlat_bounds
from covplan.mapview.assets import localize
from covplan.mapview.legend import attribution, title_box
from covplan.mapview.legend import legend as legend_control
from covplan.mapview.overlays import CoverageLike, add_panes
from covplan.mapview.symbols import SymbolRenderer
from covplan.schema import POI_KINDS, TECHNOLOGIES

logger = logging.getLogger(__name__)

Tiles = Literal["offline", "osm"]
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

#: Names of the map's layers in the layer control (English; shown in the map's language).
VILLAGES = N_("Village areas")
COMMUNES = N_("Commune boundaries")
ROADS = N_("Roads")
ROAD_COVERAGE = N_("Road coverage")
ROAD_GAPS = N_("Road coverage gaps")
FIBRE = N_("Fibre network")
POIS = N_("Points of interest")
CANDIDATES = N_("Candidate sites")
TERRAIN_EXTENT = N_("Terrain extent")
HILLSHADE = N_("Terrain (offline)")
OSM = N_("OpenStreetMap (web)")


def coverage_layer_name(technology: str, lang: Language | None = None) -> str:
    """Layer-control name of a technology's coverage overlay: ``"4G coverage (RSRP)"``."""
    return (lang or language("en"))._("{technology} coverage (RSRP)").format(
        technology=technology)


def build_map(
    dataset: Dataset,
    *,
    coverage: Mapping[str, CoverageLike] | None = None,
    road_samples: gpd.GeoDataFrame | None = None,
    road_gaps: gpd.GeoDataFrame | None = None,
    village_status: pd.Series | None = None,
    village_title: str | None = None,
    candidate_sites: gpd.GeoDataFrame | None = None,
    tiles: Tiles = "offline",
    title: str | None = None,
    collapse_layers: bool = False,
    layer_control: bool = True,
    legend: list[style.LegendSection] | None = None,
    village_row_ids: bool = False,
    lang: Language | None = None,
    before_layers: Sequence[MacroElement] = (),
) -> folium.Map:
    """The interactive map of a province: basemap, coverage, roads, villages, sites, POIs.

    Every layer is reprojected to EPSG:4326 (rasters to Web Mercator) and kept light, and
    Leaflet is inlined from the local copy, so the map works with no internet both in
    ``streamlit_folium.st_folium`` and saved with :func:`covplan.mapview.to_html`.

    Parameters
    ----------
    dataset
        The province; every layer it has is drawn (communes, villages, roads, fibre,
        POIs, sites) and its terrain becomes the offline hillshade basemap.
    coverage
        ``{technology: CoverageGrid}``; each grid's ``rsrp_dbm`` becomes an overlay. The
        first technology is shown, the others can be switched on.
    road_samples
        Road pieces with a boolean ``covered`` column (metric CRS).
    road_gaps
        Gap segments (LineStrings) with ``ref``, ``name``, ``length_km``, ``start_km``,
        ``end_km``.
    village_status
        Aligned to ``dataset.villages``: covered share 0–1, or fibre reach (bool) such as
        ``dataset.villages["fibre"]``. None draws plain outlines.
    village_title
        Legend title of the village choropleth; default from the kind of status.
    candidate_sites
        Candidate sectors (the sites schema) drawn in orange.
    tiles
        ``{"offline", "osm"}``: the hillshade alone, or OpenStreetMap web tiles shown
        first with the hillshade as the alternative base layer.
    title
        Title box text; default the dataset's name.
    collapse_layers
        Start with the layer control folded into an icon (for small map frames).
    layer_control
        Add Leaflet's layer control (the live map of :mod:`covplan.mapview.live` builds
        its own).
    legend
        Legend blocks to show instead of the ones derived from the layers drawn.
    village_row_ids
        Give each village feature a ``row`` property (its position in
        ``dataset.villages``), for recolouring by script.
    lang
        Language of the layer names, legend, tooltips and popups (default English).
    before_layers
        Elements whose script runs once the map has its view and before any layer is
        added (one that changes the view should be here).

    Raises
    ------
    covplan.mapview.assets.MapAssetsError
        When the local Leaflet files are missing (run ``bash scripts/assets.sh``).
    """
    if tiles not in ("offline", "osm"):
        raise ValueError(f"tiles must be 'offline' or 'osm', got {tiles!r}")
    lang = lang or language("en")
    south_west, north_east = lonlat_bounds(dataset.bounds(), dataset.crs)
    centre = [(south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2]
    fmap = folium.Map(
        location=centre, zoom_start=10, tiles=None, prefer_canvas=True, control_scale=True
    )
    fit_view(fmap, [south_west, north_east])  # before any layer: see fit_view
    for element in before_layers:
        element.add_to(fmap)
    SymbolRenderer().add_to(fmap)  # before any layer draws a symbol
    add_panes(fmap)
    _add_basemaps(fmap, dataset, tiles, lang)
    for index, (technology, grid) in enumerate(sorted((coverage or {}).items())):
        layers.add_coverage_overlay(
            fmap, grid, name=coverage_layer_name(technology, lang), show=index == 0
        )
    status, status_title = _village_status(village_status, village_title, lang)
    _add_vectors(fmap, dataset, status, road_samples, road_gaps, candidate_sites, village_row_ids,
                 lang)
    if layer_control:
        folium.LayerControl(collapsed=collapse_layers).add_to(fmap)
    if legend is None:
        legend = legend_sections(
            dataset,
            coverage=tuple(sorted(coverage or {})),
            with_samples=road_samples is not None,
            with_gaps=road_gaps is not None,
            village=None if status is None else (layers.village_status_kind(status), status_title),
            candidates=candidate_sites is not None and not candidate_sites.empty,
            lang=lang,
        )
    legend_control(legend).add_to(fmap)
    title_box(title or dataset.name, synthetic=dataset.synthetic, note=terrain_note(dataset, lang),
              lang=lang).add_to(fmap)
    attribution(_credits(dataset, lang)).add_to(fmap)
    logger.info("Built the map of %s (%s basemap)", dataset.name, tiles)
    return localize(fmap)


def _add_basemaps(fmap: folium.Map, dataset: Dataset, tiles: Tiles, lang: Language) -> None:
    if tiles == "osm":
        folium.TileLayer(
            "OpenStreetMap", name=lang._(OSM), attr=OSM_ATTRIBUTION, show=True
        ).add_to(fmap)
    if dataset.terrain is not None:
        layers.add_hillshade(
            fmap,
            dataset.terrain,
            name=lang._(HILLSHADE),
            attribution=escape(lang._("Hillshade: the dataset's terrain")),
            show=tiles == "offline",
        )


def partial_terrain(dataset: Dataset) -> shapely.Geometry | None:
    """The part of the study area predicted with terrain, when that is only part of it."""
    coverage = dataset.terrain_coverage
    if coverage is None or dataset.terrain is None or coverage.complete or not coverage.present:
        return None
    return layers.terrain_footprint(dataset.terrain, coverage.outside_height_m, dataset.area())


def terrain_note(dataset: Dataset, lang: Language | None = None) -> str:
    """What the map must say about the terrain ("" when it covers the whole area)."""
    lang = lang or language("en")
    coverage = dataset.terrain_coverage
    if coverage is None or coverage.complete:
        return ""
    if not coverage.present:
        return lang._("No terrain layer: every prediction runs over flat ground.")
    return lang._(
        "Terrain covers {percent} of the study area: predictions inside the dashed outline "
        "use the terrain, outside it flat ground at {height} m."
    ).format(percent=lang.percent(100 * coverage.share, 0),
             height=lang.number(coverage.outside_height_m))


def _village_status(
    status: pd.Series | None, title: str | None, lang: Language
) -> tuple[pd.Series | None, str]:
    if status is None:
        return None, title or lang._(VILLAGES)
    kind = layers.village_status_kind(status)
    default = N_("Villages: fibre reach") if kind == "fibre" else N_("Villages: share covered")
    return status, title or lang._(default)


def _add_vectors(
    fmap: folium.Map,
    dataset: Dataset,
    status: pd.Series | None,
    road_samples: gpd.GeoDataFrame | None,
    road_gaps: gpd.GeoDataFrame | None,
    candidate_sites: gpd.GeoDataFrame | None,
    village_row_ids: bool,
    lang: Language,
) -> None:
    """Vector layers in drawing order: areas first, then lines, then points."""
    if dataset.villages is not None:
        layers.add_villages(fmap, dataset.villages, status, name=lang._(VILLAGES),
                            row_ids=village_row_ids, commune_names=commune_names(dataset),
                            lang=lang)
    if dataset.communes is not None:
        layers.add_communes(fmap, dataset.communes, name=lang._(COMMUNES))
    footprint = partial_terrain(dataset)
    if footprint is not None:
        layers.add_terrain_outline(fmap, footprint, dataset.crs, name=lang._(TERRAIN_EXTENT))
    if dataset.roads is not None:
        layers.add_roads(fmap, dataset.roads, name=lang._(ROADS), lang=lang)
    if road_samples is not None:
        layers.add_road_coverage(fmap, road_samples, name=lang._(ROAD_COVERAGE), lang=lang)
    if road_gaps is not None:
        layers.add_road_gaps(fmap, road_gaps, name=lang._(ROAD_GAPS), lang=lang)
    fibre = dataset.layer("fibre")
    if fibre is not None and not fibre.empty:
        layers.add_fibre(fmap, fibre, name=lang._(FIBRE), lang=lang)
    sites = dataset.sites
    names = site_layer_names(sites, lang)
    for technology, name in zip(_technologies(sites), names, strict=True):
        subset = sites[sites["technology"] == technology]  # type: ignore[index]
        layers.add_sites(fmap, subset, name=name, lang=lang)
    if candidate_sites is not None and not candidate_sites.empty:
        layers.add_sites(fmap, candidate_sites, name=lang._(CANDIDATES), candidate=True,
                         lang=lang)
    pois = dataset.layer("pois")
    if pois is not None and not pois.empty:
        layers.add_pois(fmap, pois, name=lang._(POIS), lang=lang)


def commune_names(dataset: Dataset) -> dict[str, str]:
    """``{commune code: name}`` of the dataset's communes (empty without communes)."""
    communes = dataset.communes
    if communes is None or "code" not in communes or "name" not in communes:
        return {}
    return dict(zip(communes["code"].astype(str), communes["name"].astype(str), strict=True))


def _technologies(sites: gpd.GeoDataFrame | None) -> tuple[str, ...]:
    if sites is None or sites.empty or "technology" not in sites.columns:
        return ()
    present = set(sites["technology"].astype(str))
    return tuple(t for t in TECHNOLOGIES if t in present) + tuple(sorted(present - {*TECHNOLOGIES}))


def site_layer_names(sites: gpd.GeoDataFrame | None, lang: Language | None = None) -> list[str]:
    """Layer names of the dataset's sites, one per technology (``"4G sites"``)."""
    template = (lang or language("en"))._("{technology} sites")
    return [template.format(technology=technology) for technology in _technologies(sites)]


def legend_sections(
    dataset: Dataset,
    *,
    coverage: tuple[str, ...] = (),
    with_samples: bool = False,
    with_gaps: bool = False,
    village: tuple[Literal["share", "fibre"], str] | None = None,
    candidates: bool = False,
    thresholds: dict[str, float] | None = None,
    lang: Language | None = None,
) -> list[style.LegendSection]:
    """The legend blocks of a map of ``dataset`` showing the given layers.

    Parameters
    ----------
    dataset
        The province (its roads, sites and POIs get their blocks when present).
    coverage
        Technologies with a coverage overlay.
    with_samples, with_gaps
        Roads coloured by coverage; gap highlights.
    village
        ``(kind, title)`` of the village choropleth, or None.
    candidates
        Candidate or edited sites are drawn.
    thresholds
        ``{technology: dBm}`` counted as covered (the target preset's), for the legend.
    lang
        Language of the legend (default English).
    """
    lang = lang or language("en")
    sections = []
    if coverage:
        technology = coverage[0] if len(coverage) == 1 else None
        sections.append(style.rsrp_legend(technology, thresholds, lang=lang))
    if dataset.roads is not None or with_samples:
        sections.append(style.road_legend(with_coverage=with_samples, with_gaps=with_gaps,
                                          lang=lang))
    if dataset.villages is not None and village is not None:
        sections.append(style.village_legend(*village, lang=lang))
    technologies = tuple(t for t in _technologies(dataset.sites) if t in style.TECHNOLOGY_COLOURS)
    if technologies or candidates:
        sections.append(style.site_legend(technologies=technologies, candidates=candidates,
                                          lang=lang))
    pois = dataset.layer("pois")
    if pois is not None and not pois.empty:
        present = set(pois["kind"].astype(str))
        kinds = tuple(k for k in POI_KINDS if k in present)
        sections.append(style.poi_legend(kinds + tuple(sorted(present - set(kinds))), lang=lang))
    if dataset.terrain_coverage is not None and partial_terrain(dataset) is not None:
        sections.append(style.terrain_legend(dataset.terrain_coverage.outside_height_m,
                                             lang=lang))
    return sections


def _credits(dataset: Dataset, lang: Language) -> list[str]:
    """The dataset's credits for the attribution line (HTML)."""
    credits = [escape(dataset.attribution)] if dataset.attribution else []
    if dataset.synthetic:
        synthetic = lang._("SYNTHETIC data, not a real place")
        credits.append(f"<b>{escape(synthetic)}</b>")
    return [*credits, "covplan"]
