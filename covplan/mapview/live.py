"""A live map: a province map drawn once, and scenario layers swapped in by a small script.

The app's planner changes a few things per click: the coverage overlays, the road gaps,
the village colours and the edited sites. Re-sending the whole province (about 4 MB of
GeoJSON and images on the full demo) for that made every click slow and made the browser
rebuild the map, losing the view. Here the map is split in two:

* :func:`base_map` holds what never changes during a session: the basemap, communes,
  roads, fibre, the baseline sites, POIs, villages' outlines, the legend and a
  :class:`LayerRegistry` that names every layer for later scripts.
* :func:`scenario_script` is JavaScript that removes the previous scenario layers and adds
  new ones (coverage per technology, gaps, edited sites), recolours the villages, hides
  the baseline sites that were removed or moved, and rebuilds the layer control, keeping
  each layer on or off as the user left it.

The script runs with ``map_div`` (the map's variable in ``streamlit_folium``) in scope;
``covplan.app.livemap`` hands both parts to the ``st_folium`` component. Nothing here
imports streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from covplan.grid import Raster
from covplan.i18n import N_, Language, language
from covplan.io import Dataset
from covplan.mapview import layers
from covplan.mapview.build import (
    ROAD_GAPS,
    VILLAGES,
    build_map,
    coverage_layer_name,
    legend_sections,
    site_layer_names,
)
from covplan.mapview.legend import legend_html
from covplan.mapview.measurements import (
    MEASUREMENTS,
    add_measurements,
    error_legend,
    shown_points,
)
from covplan.mapview.overlays import (
    COVERAGE_MAX_PX,
    CoverageLike,
    coverage_image,
    speed_image,
)
from covplan.mapview.style import sinr_legend, speed_legend
from covplan.metrics.signal import rsrp_source
from covplan.schema import TECHNOLOGIES

#: Name of the layer holding the planner's new, moved and modified sites.
EDITED_SITES = N_("Edited and new sites")
#: Longest side (px) of the speed and SINR images: coarser than the signal's, as every
#: update sends them to the browser again with the scenario's other layers.
LINK_MAX_PX = 700
#: Name of a technology's downlink-speed layer (``{tech}``: 4G, 5G).
SPEED_LAYER = N_("{tech} downlink speed (Mb/s)")
#: Name of a technology's SINR layer.
SINR_LAYER = N_("{tech} downlink SINR (dB)")
#: Legend title of the village choropleth on the live map.
VILLAGE_TITLE = N_("Share of people with 4G/5G signal")


#: The functions that swap scenario layers (``window.covplan``), shipped with the package.
LIVE_JS = Path(__file__).resolve().parents[1] / "assets" / "live_map.js"

_LIBRARY = Template(
    """
    {% macro script(this, kwargs) %}
    {{ this.library }}
    window.covplan.keepView({{ this._parent.get_name() }}, {{ this.place|tojson }});
    {% endmacro %}
    """
)


class LiveLibrary(MacroElement):
    """Installs ``window.covplan`` (:data:`LIVE_JS`) and gives the map its kept view.

    Add it before any layer: the view the browser tab last showed of ``place`` (a reload,
    another preset's or language's map) is then set before Leaflet projects a feature,
    not after (which projected and drew all of them again).
    """

    _template = _LIBRARY

    def __init__(self, place: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "LiveLibrary"
        self.place = place
        self.library = LIVE_JS.read_text(encoding="utf-8")


_REGISTRY = Template(
    """
    {% macro script(this, kwargs) %}
    {%- for name, layer, overlay in this.entries() %}
    window.covplan.static[{{ name|tojson }}] = {layer: {{ layer.get_name() }},
                                               overlay: {{ overlay|tojson }}};
    window.covplan.order.push({{ name|tojson }});
    {%- endfor %}
    {% endmacro %}
    """
)


class LayerRegistry(MacroElement):
    """Records every controllable layer of its map in ``window.covplan.static`` by name.

    Add it last (and a :class:`LiveLibrary` first): the names it writes are the layers'
    JavaScript variables at render time, so the registry stays right when
    ``streamlit_folium`` renames them.
    """

    _template = _REGISTRY

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "LayerRegistry"

    def entries(self) -> list[tuple[str, folium.map.Layer, bool]]:
        """``(name, layer, is_overlay)`` of the parent map's layers, in drawing order."""
        found = []
        parent = self._parent
        if parent is None:
            raise ValueError("add the LayerRegistry to a map before rendering it")
        for child in parent._children.values():
            if isinstance(child, folium.map.Layer) and child.control:
                found.append((str(child.layer_name), child, bool(child.overlay)))
        return found


def base_map(
    dataset: Dataset,
    *,
    technologies: Sequence[str] = TECHNOLOGIES,
    thresholds: dict[str, float] | None = None,
    lang: Language | None = None,
) -> folium.Map:
    """The unchanging part of the app's map, with no layer control.

    A :class:`LiveLibrary` comes before the layers and a :class:`LayerRegistry` after. The
    legend already lists what the scenario layers will show (coverage classes, road
    gaps, the village share, edited sites); the villages start grey until the first
    :func:`scenario_script` colours them. ``thresholds`` (``{technology: dBm}``, the
    target preset's) tells the legend what counts as covered. Every word is in ``lang``
    (default English); give :func:`scenario_script` the same language.
    """
    lang = lang or language("en")
    sections = legend_sections(
        dataset,
        coverage=tuple(technologies),
        with_gaps=True,
        village=("share", lang._(VILLAGE_TITLE)),
        candidates=True,
        thresholds=thresholds,
        lang=lang,
    )
    # only the signal block starts open: the app's map frame is small
    sections = [replace(s, open=index == 0) for index, s in enumerate(sections)]
    fmap = build_map(dataset, layer_control=False, village_row_ids=True, legend=sections,
                     lang=lang, before_layers=[LiveLibrary(_place(dataset))])
    LayerRegistry().add_to(fmap)
    return fmap


def element_script(element: MacroElement) -> str:
    """The JavaScript that creates ``element`` and its children (not adding it to a map).

    ``element`` is attached to a scratch map to render; give layers ``show=False`` so the
    script leaves adding them to the caller.
    """
    scratch = folium.Map(tiles=None)
    element.add_to(scratch)
    figure = scratch.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("a folium.Map always sits in a Figure")
    element.render()  # type: ignore[no-untyped-call]
    children: Mapping[str, Element] = figure.script._children
    return "\n".join(child.render() for child in children.values())


@dataclass(frozen=True)
class ScenarioView:
    """What the scenario layers show.

    Parameters
    ----------
    coverage
        ``{technology: coverage grid}``; each becomes an RSRP overlay. The first one (in
        technology order) is visible at first.
    road_gaps
        Gap segments to highlight (metric CRS), or None.
    village_status
        Covered share 0–1 aligned to the dataset's villages, or None.
    edited_sites
        Sectors of new, moved or modified sites (metric CRS), or None.
    hidden_site_ids
        Baseline sites not drawn as they were (removed, moved or modified).
    measurements
        Measurements compared with the prediction
        (:attr:`covplan.calibration.compare.Comparison.points`), drawn coloured by their
        error with a legend of their own (at most
        :data:`~covplan.mapview.measurements.MAX_SHOWN_POINTS`), or None.
    speed
        ``{technology: Raster}``: the fastest operator's downlink speed of a new user
        (:func:`covplan.predict.operators.best_dl_mbps`), drawn in Mb/s classes with a legend
        of its own, or None.
    sinr
        ``{technology: Raster}``: the best operator's SINR
        (:func:`covplan.predict.operators.best_sinr_db`), in dB classes, or None.
    """

    coverage: Mapping[str, CoverageLike]
    road_gaps: gpd.GeoDataFrame | None = None
    village_status: pd.Series | None = None
    edited_sites: gpd.GeoDataFrame | None = None
    hidden_site_ids: tuple[str, ...] = ()
    measurements: gpd.GeoDataFrame | None = None
    speed: Mapping[str, Raster] | None = None
    sinr: Mapping[str, Raster] | None = None


def scenario_script(
    dataset: Dataset,
    view: ScenarioView,
    *,
    collapsed_control: bool = False,
    lang: Language | None = None,
) -> str:
    """JavaScript that puts ``view`` on a :func:`base_map` of ``dataset`` (``map_div``).

    Run again with another view, it replaces the previous scenario layers. Layers the user
    switched on or off keep that state; new layers start as their defaults. ``lang`` must
    be the base map's: layers are found by their names. The first script a new map runs
    gives it the view (centre, zoom) the browser tab last showed of the same place, and the
    map keeps its view there from then on (``live_map.js``).
    """
    lang = lang or language("en")
    groups: list[tuple[str, bool, str]] = []
    coverage_names = []
    for index, technology in enumerate(sorted(view.coverage)):
        name = coverage_layer_name(technology, lang)
        coverage_names.append(name)
        group = folium.FeatureGroup(name=name, show=False)
        grid = view.coverage[technology]
        stand_in = f"data:,covplan-coverage-{index}"  # the image goes in after rendering
        layers.add_coverage_overlay(group, grid, name=name, image_url=stand_in)
        url, _, _ = coverage_image(rsrp_source(grid), max_px=COVERAGE_MAX_PX)
        groups.append((name, index == 0, element_script(group).replace(stand_in, url)))
    if view.road_gaps is not None and not view.road_gaps.empty:
        name = lang._(ROAD_GAPS)
        group = folium.FeatureGroup(name=name, show=False)
        layers.add_road_gaps(group, view.road_gaps, name=name, lang=lang)
        groups.append((name, True, element_script(group)))
    if view.edited_sites is not None and not view.edited_sites.empty:
        name = lang._(EDITED_SITES)
        group = folium.FeatureGroup(name=name, show=False)
        layers.add_sites(group, view.edited_sites, name=name, candidate=True, lang=lang)
        groups.append((name, True, element_script(group)))
    legends: dict[str, str] = {}
    link = [(t, r, SPEED_LAYER, speed_legend) for t, r in sorted((view.speed or {}).items())]
    link += [(t, r, SINR_LAYER, sinr_legend) for t, r in sorted((view.sinr or {}).items())]
    for technology, mbps, layer_name, legend_of in link:
        name = lang._(layer_name).format(tech=technology)
        group = folium.FeatureGroup(name=name, show=False)
        stand_in = f"data:,covplan-{mbps.units}-{technology}".replace("/", "")
        url, bounds, _ = speed_image(mbps, max_px=LINK_MAX_PX)
        folium.raster_layers.ImageOverlay(
            stand_in, bounds=[list(corner) for corner in bounds], name=name, opacity=0.6,
            pixelated=False, show=False, pane="covplan-coverage", interactive=False,
        ).add_to(group)
        groups.append((name, False, element_script(group).replace(stand_in, url)))
        legends[name] = legend_html([legend_of(technology, lang=lang)])
    if view.measurements is not None and not view.measurements.empty:
        name = lang._(MEASUREMENTS)
        group = folium.FeatureGroup(name=name, show=False)
        add_measurements(group, shown_points(view.measurements), name=name, lang=lang)
        groups.append((name, True, element_script(group)))
        legends[name] = legend_html([error_legend(lang)])
    fills, texts = _village_styles(dataset, view.village_status, lang)
    others = [name for name, _, _ in groups if name not in coverage_names]
    settings = {
        "villages": lang._(VILLAGES),
        "fills": fills,
        "texts": texts,
        "hidden": sorted(view.hidden_site_ids),
        "siteLayers": site_layer_names(dataset.sites, lang),
        "order": [*coverage_names, "*", *others],  # coverage, the base map's layers, the rest
        "collapsed": collapsed_control,
        "place": _place(dataset),
    }
    entries = ", ".join(
        f"[{json.dumps(name)}, {_first_variable(script)}, {json.dumps(show)}]"
        for name, show, script in groups
    )
    scripts = "\n".join(script for _, _, script in groups)
    layer_legends = ", ".join(
        f"[{_first_variable(script)}, {json.dumps(legends[name], ensure_ascii=False)}]"
        for name, _, script in groups if name in legends
    )
    return (
        f"(function (map) {{\n{scripts}\n"
        f"window.covplan.apply(map, [{entries}], {json.dumps(settings, ensure_ascii=False)});\n"
        f"({_LAYER_LEGENDS})(map, [{layer_legends}]);\n"
        "})(map_div);\n"
    )


#: Replaces the legends of the previous scenario's layers with ``[layer, html]`` pairs: each
#: legend shows while its layer is on the map (the layer control switches both).
_LAYER_LEGENDS = """function (map, pairs) {
  var cp = window.covplan;
  (cp.layerLegends || []).forEach(function (c) { map.removeControl(c); });
  cp.layerLegends = pairs.map(function (pair) {
    var layer = pair[0], box = null;
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      box = L.DomUtil.create("div", "covplan-box covplan-legend");
      box.innerHTML = pair[1];
      box.style.display = map.hasLayer(layer) ? "" : "none";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    layer.on("add", function () { box.style.display = ""; });
    layer.on("remove", function () { box.style.display = "none"; });
    return control;
  });
}"""


def _place(dataset: Dataset) -> str:
    """What names the place a map shows, so that its view outlives a redrawn map."""
    sites = dataset.sites
    bounds = [] if sites is None or sites.empty else [round(v) for v in sites.total_bounds]
    return json.dumps([dataset.name, *bounds], ensure_ascii=False)


def _first_variable(script: str) -> str:
    marker = "var "
    start = script.index(marker) + len(marker)
    return script[start : script.index(" ", start)].strip()


def _village_styles(
    dataset: Dataset, status: pd.Series | None, lang: Language
) -> tuple[list[str] | None, list[str] | None]:
    """Fill colour and status text per village row (None when there is nothing to colour)."""
    villages = dataset.villages
    if villages is None or status is None:
        return None, None
    colour, text = layers.village_colours(status, villages.index, lang)
    return colour.astype(str).tolist(), text.astype(str).tolist()
