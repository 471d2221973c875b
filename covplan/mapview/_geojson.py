"""One way to put a table on a folium map as a GeoJson layer.

folium writes a layer's features into the page as a JavaScript object literal, which the
browser parses as code. Here they travel as compact JSON in a string given to
``JSON.parse``, text kept in UTF-8, and a *deferred* layer makes its features only when it
is first shown (the fibre network starts hidden: it costs the page nothing until someone
turns it on). On the full demo's base map in headless Chromium this took the map's script
from 874 to 615 ms (median of 6) and its size from 4.12 to 3.71 MB.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import folium
import geopandas as gpd
from branca.element import Element, Figure

from covplan.mapview._geo import feature_collection

#: What folium's macro writes in place of a layer's features (see JsonGeoJson._script).
_STAND_IN = {"covplan": "features"}


class _Script(Element):  # type: ignore[misc]
    """A piece of page script, used as it is (not read as a template again)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _js_string(data: Any) -> str:
    """``data`` as compact JSON, escaped to sit in a single-quoted JavaScript string.

    Text stays UTF-8 (a Vietnamese letter takes 2–3 bytes instead of a 6-character escape);
    ``<`` is escaped so that no feature's text can close the page's ``<script>``.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c")  # only inside JSON strings, where it stays "<"
    return text.replace("\\", "\\\\").replace("'", "\\'")


class JsonGeoJson(folium.GeoJson):  # type: ignore[misc]
    """:class:`folium.GeoJson` whose features reach the browser through ``JSON.parse``.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`folium.GeoJson`.
    deferred
        Create the features the first time the layer is added to the map instead of at
        once. Only for layers whose features no script reads before they are shown (the
        live map's scripts recolour villages and hide sites: not those).
    """

    def __init__(self, *args: Any, deferred: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deferred = deferred
        self._features: str | None = None
        self._rendering = False
        # folium renders the template's ``script`` macro, and so does streamlit-folium
        # (directly, without render()); both get the rewritten one
        macros = self._template.module
        self._folium_script = macros.script
        parts = {k: v for k, v in vars(macros).items() if k in ("header", "html")}
        self._template = SimpleNamespace(module=SimpleNamespace(script=self._script, **parts))

    def _script(self, this: JsonGeoJson, kwargs: dict[str, Any] | None = None) -> str:
        """The layer's script as folium writes it, its features given as a JSON string.

        folium's macro runs on a stand-in for the features: it is called several times
        per map, and writing a megabyte of features each time made the full demo's base
        map 2–2.5 s slower to serialise. The features are written once, compactly.
        """
        data = this.data
        this.data = _STAND_IN
        try:
            text = str(self._folium_script(this, kwargs or {}))
        finally:
            this.data = data
        call = f"{this.get_name()}_add("
        start = text.find(call)
        if start < 0:  # folium's template changed: keep what it wrote
            return str(self._folium_script(this, kwargs or {}))
        if self._rendering:  # render() puts the features in afterwards
            return text
        begin = start + len(call)
        found, end = json.JSONDecoder().raw_decode(text, begin)
        if found != _STAND_IN:
            raise ValueError(f"unexpected data in folium's script of {this.get_name()}")
        if self._features is None:
            self._features = f"JSON.parse('{_js_string(data)}')"
        if self.deferred:
            load = f'{this.get_name()}.once("add", function () {{ {call}{self._features}); }})'
        else:
            load = f"{call}{self._features})"
        return text[:start] + load + text[end + 1:]

    def render(self, **kwargs: Any) -> Any:
        # branca makes a template of the script it is given (Element(text)): given the
        # features, it compiled megabytes of them (0.6 s of the full demo's base map), and
        # a "{{" in a feature's text was read as a tag. It gets the stand-in, and the
        # script with the features then takes its place as it is.
        self._rendering = True
        try:
            out = super().render(**kwargs)  # type: ignore[no-untyped-call]
        finally:
            self._rendering = False
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.script._children[self.get_name()] = _Script(self._script(self, kwargs))
        return out


def geojson_layer(
    parent: folium.Map | folium.FeatureGroup,
    table: gpd.GeoDataFrame,
    fields: Sequence[str],
    style: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    tip: Sequence[str] | None = None,
    deferred: bool = False,
    **options: Any,
) -> folium.GeoJson:
    """``table`` (EPSG:4326) as a GeoJson layer of ``parent``.

    Parameters
    ----------
    parent
        The map or group the layer joins.
    table
        The features; their ids are row numbers (:func:`feature_collection`).
    fields
        Columns the features carry as properties.
    style
        folium's ``style_function``.
    tip
        Fields of a tooltip shown without labels.
    deferred
        Create the features when the layer is first shown (see :class:`JsonGeoJson`).
    **options
        Passed on to :class:`folium.GeoJson` (``name``, ``show``, ``popup``, ``marker``, …).
    """
    if tip is not None:
        options["tooltip"] = folium.GeoJsonTooltip(fields=list(tip), labels=False)
    layer = JsonGeoJson(feature_collection(table, fields), style_function=style,
                        deferred=deferred, **options)
    layer.add_to(parent)
    return layer
