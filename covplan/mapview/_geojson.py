"""One way to put a table on a folium map as a GeoJson layer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import folium
import geopandas as gpd

from covplan.mapview._geo import feature_collection


def geojson_layer(
    parent: folium.Map | folium.FeatureGroup,
    table: gpd.GeoDataFrame,
    fields: Sequence[str],
    style: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    tip: Sequence[str] | None = None,
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
    **options
        Passed on to :class:`folium.GeoJson` (``name``, ``show``, ``popup``, ``marker``, …).
    """
    if tip is not None:
        options["tooltip"] = folium.GeoJsonTooltip(fields=list(tip), labels=False)
    layer = folium.GeoJson(feature_collection(table, fields), style_function=style, **options)
    layer.add_to(parent)
    return layer
