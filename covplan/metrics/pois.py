"""Points of interest (hospitals, universities, schools, …): signal at the point."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.metrics.signal import Coverage, rsrp_at
from covplan.metrics.thresholds import Thresholds
from covplan.schema import TECHNOLOGIES


def poi_signal(pois: gpd.GeoDataFrame, coverage: Coverage, *,
               thresholds: Thresholds | None = None) -> pd.DataFrame:
    """RSRP of each technology at each point, and whether it reaches the threshold.

    Parameters
    ----------
    pois
        Points in the coverage grid's CRS (other geometries are judged at their
        representative point).
    coverage
        RSRP grids by technology.
    thresholds
        RSRP thresholds (defaults when None).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``pois.index``: ``rsrp_4g_dbm``, ``rsrp_5g_dbm`` (NaN where no site
        reaches) and ``has_4g``, ``has_5g``.
    """
    thresholds = thresholds or Thresholds()
    points = shapely.point_on_surface(np.asarray(pois.geometry.values))
    x, y = shapely.get_x(points), shapely.get_y(points)
    out = pd.DataFrame(index=pois.index)
    for tech in TECHNOLOGIES:
        rsrp = rsrp_at(coverage, tech, x, y)
        out[f"rsrp_{tech.lower()}_dbm"] = rsrp
        with np.errstate(invalid="ignore"):
            out[f"has_{tech.lower()}"] = rsrp >= thresholds.rsrp_dbm(tech)
    return out


def poi_covered(signal: pd.DataFrame, technologies: list[str]) -> pd.Series:
    """True where any of ``technologies`` reaches its threshold (from :func:`poi_signal`)."""
    columns = [f"has_{t.lower()}" for t in technologies]
    if not columns:
        return pd.Series(False, index=signal.index, name="covered")
    return signal[columns].any(axis=1).rename("covered")
