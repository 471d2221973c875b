"""Best-server coverage prediction: RSRP and serving-sector grids per technology.

Public API: :func:`predict_coverage`, :class:`CoverageGrid`, :class:`SiteCache`,
:func:`write_coverage_cog`.
"""

from covplan.predict.cache import SiteCache, SiteResult
from covplan.predict.engine import CoverageGrid, predict_coverage
from covplan.predict.export import write_coverage_cog

__all__ = ["CoverageGrid", "SiteCache", "SiteResult", "predict_coverage", "write_coverage_cog"]
