"""Coordinate reference systems: the metric working CRS and plausibility checks for Vietnam."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from pyproj import CRS

#: Longitude/latitude box that holds mainland Vietnam and its islands (degrees).
VIETNAM_BOUNDS: Final = (102.0, 7.0, 117.9, 23.5)


def utm_crs_for(lon_degree: float, lat_degree: float) -> CRS:
    """WGS 84 / UTM CRS of the zone holding a point (EPSG:326xx north, 327xx south).

    Examples
    --------
    >>> utm_crs_for(105.8, 21.6).to_epsg()
    32648
    """
    if not (-180.0 <= lon_degree <= 180.0 and -90.0 <= lat_degree <= 90.0):
        raise ValueError(f"not a longitude/latitude: ({lon_degree}, {lat_degree})")
    zone = min(60, math.floor((lon_degree + 180.0) / 6.0) + 1)
    return CRS.from_epsg((32600 if lat_degree >= 0 else 32700) + zone)


def inside_vietnam(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Boolean mask of points inside :data:`VIETNAM_BOUNDS`."""
    west, south, east, north = VIETNAM_BOUNDS
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def looks_swapped(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points that fall in Vietnam only when longitude and latitude are exchanged."""
    swapped: np.ndarray = ~inside_vietnam(lon, lat) & inside_vietnam(lat, lon)
    return swapped
