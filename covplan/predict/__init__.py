"""Best-server coverage prediction: RSRP and serving-sector grids per technology.

Public API: :func:`predict_network` (every technology of a network),
:func:`predict_coverage` (one technology), :class:`CoverageGrid`, :class:`GridMemo`,
:class:`SiteCache`, :func:`write_coverage_cog`; :class:`RadioEnvironment` (clutter,
calibration, vendor patterns added to the model); :func:`predict_points` (the same
prediction at points, for calibration).
"""

from covplan.predict.cache import SiteCache, SiteResult
from covplan.predict.engine import (
    CoverageGrid,
    GridMemo,
    on_air,
    predict_coverage,
    predict_network,
)
from covplan.predict.environment import RadioEnvironment
from covplan.predict.export import write_coverage_cog
from covplan.predict.points import PointPrediction, predict_points

__all__ = [
    "CoverageGrid",
    "GridMemo",
    "PointPrediction",
    "RadioEnvironment",
    "SiteCache",
    "SiteResult",
    "on_air",
    "predict_coverage",
    "predict_network",
    "predict_points",
    "write_coverage_cog",
]
