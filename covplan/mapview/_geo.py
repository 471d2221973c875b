"""Vector preparation for the web map: simplify in metres, reproject to EPSG:4326, round.

Web maps draw longitude/latitude, so every vector layer is reprojected here first. Lines and
polygons are simplified in the metric working CRS (a tolerance in metres means the same on
every layer) and coordinates are rounded to 5 decimals (about 1 m), which keeps the map
light without a visible change at the zooms a province is read at.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import FitBounds
from pyproj import CRS, Transformer

from covplan.mapview._memo import by_identity

#: Decimal places kept in longitude/latitude (5 ≈ 1.1 m).
COORD_DECIMALS = 5
WGS84 = CRS.from_epsg(4326)


@by_identity
def to_wgs84(
    frame: gpd.GeoDataFrame, *, simplify_m: float = 0.0, decimals: int = COORD_DECIMALS
) -> gpd.GeoDataFrame:
    """``frame`` simplified to ``simplify_m`` metres, in EPSG:4326, coordinates rounded.

    Empty geometries (which simplification or rounding can produce) are dropped.

    Parameters
    ----------
    frame
        Layer in a metric CRS (or already in EPSG:4326, then ``simplify_m`` must be 0).
    simplify_m
        Douglas–Peucker tolerance in the frame's CRS units (metres); 0 keeps every vertex.
    decimals
        Decimal places of the output coordinates.
    """
    if frame.crs is None:
        raise ValueError("the layer has no CRS; give it one with set_crs() before mapping it")
    geoms = frame.geometry.to_numpy()
    if simplify_m > 0 and frame.crs.is_projected:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    out = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    out = out.to_crs(WGS84)
    rounded = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    rounded = shapely.remove_repeated_points(rounded)
    out = out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=WGS84))
    keep = ~(out.geometry.is_empty | out.geometry.isna())
    return out.loc[keep]


@by_identity
def feature_collection(frame: gpd.GeoDataFrame, columns: Sequence[str] = ()) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``frame`` (EPSG:4326) keeping only ``columns``.

    Missing values become JSON ``null``. Features get short integer ids, which folium's
    style tables then refer to (instead of a long unique property).
    """
    keep = [c for c in columns if c in frame.columns]
    subset = frame[[*keep, frame.geometry.name]]
    data: dict[str, Any] = subset.to_geo_dict(na="null", show_bbox=False, drop_id=True)
    for number, feature in enumerate(data["features"]):
        feature["id"] = number
    return data


def lonlat_bounds(
    bounds: tuple[float, float, float, float], crs: CRS
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((south, west), (north, east))`` of metric ``bounds`` — Leaflet's bounds order."""
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    west, south, east, north = transformer.transform_bounds(*bounds, densify_pts=21)
    return (south, west), (north, east)


def fit_view(fmap: folium.Map, bounds: Sequence[Sequence[float]]) -> None:
    """Open ``fmap`` on ``bounds`` (``[[south, west], [north, east]]``) without animating.

    folium's ``fit_bounds`` animates the zoom from ``zoom_start``; for the 250 ms of that
    animation Leaflet ignores any other zoom request (``_tryAnimatedZoom`` returns early
    while ``_animatingZoom``), so a reader's first zoom, or a script's, was lost.

    Call it before adding any layer: the view is set where the script stands, and a view
    set after the layers makes Leaflet project and draw every feature again (on the full
    demo's base map in headless Chromium, 0.29 s of the 1.05 s its script took to the
    first frame).
    """
    fit = FitBounds([list(corner) for corner in bounds])
    fit.options["animate"] = False
    fit.add_to(fmap)


def text_or_blank(values: pd.Series, *, unit: str = "", decimals: int = 0) -> pd.Series:
    """Values formatted for a popup (``"30 m"``), blank where missing."""

    def fmt(value: object) -> str:
        if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # type: ignore[call-overload]
            return ""
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        if isinstance(value, int | float | np.number):
            number = f"{float(value):,.{decimals}f}"
            return number + unit if unit in ("", "°", "%") else f"{number} {unit}"
        return str(value)

    return values.map(fmt)
