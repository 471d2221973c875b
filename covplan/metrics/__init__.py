"""Coverage metrics: roads, villages, population, points of interest, communes.

Each measure takes GeoDataFrames and coverage grids (``{technology: RSRP Raster or
CoverageGrid}``) and returns a Series or DataFrame aligned to its input, as momepy does.
Metrics never run a prediction. Modules:

- :mod:`~covplan.metrics.thresholds`: signal, village and fibre thresholds with sources;
- :mod:`~covplan.metrics.signal`: which cells and points have signal;
- :mod:`~covplan.metrics.sampling`: lines cut into pieces, chainage;
- :mod:`~covplan.metrics.roads`, :mod:`~covplan.metrics.roadgaps`: road coverage and gaps;
- :mod:`~covplan.metrics.villages`: village signal share and fibre reach;
- :mod:`~covplan.metrics.population`: people on the grid, SDG 9.c.1 coverage;
- :mod:`~covplan.metrics.pois`: signal at points of interest;
- :mod:`~covplan.metrics.zones`: polygons burnt onto the grid;
- :mod:`~covplan.metrics.context`: layers laid on the grid once per prediction, and the
  measures kept for the next scenario;
- :mod:`~covplan.metrics.communes`, :mod:`~covplan.metrics.gaps`: tables for officials.
"""

from covplan.metrics.communes import commune_summary
from covplan.metrics.context import MetricContext, metrics_from_dataset, prepare_metrics
from covplan.metrics.gaps import poi_gaps, village_gaps, village_table
from covplan.metrics.pois import poi_covered, poi_signal
from covplan.metrics.population import (
    PeopleGrid,
    people_on_grid,
    population_coverage,
    regrid_people,
)
from covplan.metrics.roadgaps import road_gaps
from covplan.metrics.roads import (
    RoadSamples,
    coverage_by_class,
    coverage_by_road,
    covered_pieces,
    road_coverage,
    sample_roads,
)
from covplan.metrics.signal import Coverage, covered_at, covered_cells, rsrp_at
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.villages import (
    fibre_reached,
    has_fibre_data,
    village_population,
    village_signal,
)
from covplan.metrics.zones import ZoneRaster, rasterize_zones

__all__ = [
    "Coverage",
    "MetricContext",
    "PeopleGrid",
    "RoadSamples",
    "Thresholds",
    "ZoneRaster",
    "commune_summary",
    "coverage_by_class",
    "coverage_by_road",
    "covered_at",
    "covered_cells",
    "covered_pieces",
    "fibre_reached",
    "has_fibre_data",
    "metrics_from_dataset",
    "people_on_grid",
    "poi_covered",
    "poi_gaps",
    "poi_signal",
    "population_coverage",
    "prepare_metrics",
    "rasterize_zones",
    "regrid_people",
    "road_coverage",
    "road_gaps",
    "rsrp_at",
    "sample_roads",
    "village_gaps",
    "village_population",
    "village_signal",
    "village_table",
]
