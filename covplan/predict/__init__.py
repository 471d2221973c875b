"""Best-server coverage prediction: RSRP and serving-sector grids per technology.

Public API: :func:`predict_network` (every technology of a network),
:func:`predict_coverage` (one technology), :class:`CoverageGrid`, :class:`GridMemo`,
:class:`SiteCache`, :func:`write_coverage_cog`.
"""

from covplan.predict.cache import SiteCache, SiteResult
from covplan.predict.engine import (
    CoverageGrid,
    GridMemo,
    on_air,
    predict_coverage,
    predict_network,
)
from covplan.predict.export import write_coverage_cog

__all__ = [
    "CoverageGrid",
    "GridMemo",
    "SiteCache",
    "SiteResult",
    "on_air",
    "predict_coverage",
    "predict_network",
    "write_coverage_cog",
]
