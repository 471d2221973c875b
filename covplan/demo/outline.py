"""The province outline: a smooth, irregular polygon of a given area."""

from __future__ import annotations

import logging
import math

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from covplan.demo._config import CENTRE_LONLAT, LONLAT_EPSG, UTM_EPSG, SizeConfig

logger = logging.getLogger(__name__)

_VERTICES = 360


def _radius_profile(rng: np.random.Generator) -> np.ndarray:
    """Relative radius of each of ``_VERTICES`` directions: 1 plus a few smooth harmonics."""
    theta = np.linspace(0.0, 2.0 * math.pi, _VERTICES, endpoint=False)
    radius = np.ones(_VERTICES)
    for order in range(2, 12):
        amplitude = 0.09 / order**0.9 * rng.uniform(0.5, 1.0)
        radius += amplitude * np.cos(order * theta + rng.uniform(0.0, 2.0 * math.pi))
    return np.asarray(radius, dtype=np.float64)


def _scaled(radius: np.ndarray, area_m2: float) -> Polygon:
    """Polygon of ``radius`` profile around the origin, scaled to ``area_m2``."""
    theta = np.linspace(0.0, 2.0 * math.pi, _VERTICES, endpoint=False)
    unit = Polygon(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)]))
    scale = math.sqrt(area_m2 / unit.area)
    return shapely.affinity.scale(unit, scale, scale, origin=(0.0, 0.0))


def make_outline(config: SizeConfig, rng: np.random.Generator) -> Polygon:
    """Draw the province outline in UTM 48N metres.

    The outline is a star-shaped polygon whose radius varies smoothly with direction,
    scaled to the preset area and redrawn until it fits the preset's bounding box.

    Parameters
    ----------
    config
        Size preset (area and largest extent).
    rng
        Random source.

    Returns
    -------
    shapely.geometry.Polygon
        The outline, centred on :data:`CENTRE_LONLAT`, coordinates rounded to 0.1 m.
    """
    area_m2 = config.area_km2 * 1e6 * rng.uniform(0.99, 1.01)
    for _ in range(100):
        shape = _scaled(_radius_profile(rng), area_m2)
        minx, miny, maxx, maxy = shape.bounds
        if max(maxx - minx, maxy - miny) <= config.max_extent_km * 1_000.0:
            break
    to_utm = Transformer.from_crs(LONLAT_EPSG, UTM_EPSG, always_xy=True)
    cx, cy = to_utm.transform(*CENTRE_LONLAT)
    shape = shapely.affinity.translate(shape, round(cx), round(cy))
    outline = shapely.set_precision(shape, 0.1)
    logger.debug("Outline: %.0f km², bounds %s", outline.area / 1e6, outline.bounds)
    return outline
