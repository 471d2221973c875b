r"""Village coverage: share of each village's people with signal, and fibre reach.

Signal share
------------
For village :math:`v` with cells :math:`C_v` on the coverage grid, people per cell
:math:`p_c` (:mod:`covplan.metrics.population`) and signal indicator :math:`s_c`,

.. math:: \text{share}_v = \frac{\sum_{c \in C_v} p_c s_c}{\sum_{c \in C_v} p_c}

and the plain share of cells (area) when the village's cells hold nobody. A village too
small to hold a cell centre is judged at its representative point. The village counts as
covered when its share reaches ``Thresholds.village_covered_percent``.

Fibre reach
-----------
A village is fibre-reached when its ``fibre`` flag is true, or when a fibre route or
access node lies within ``Thresholds.fibre_drop_m`` of its representative point (the
point inside the village polygon nearest its centre). Without a fibre layer and without a
``fibre`` column there is no fibre data (:func:`has_fibre_data`): fibre figures are then
"no data", not "no village reached".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan.metrics.population import PeopleGrid
from covplan.metrics.signal import Coverage, covered_at, covered_cells
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.zones import ZoneRaster

logger = logging.getLogger(__name__)


def _column_population(villages: gpd.GeoDataFrame) -> pd.Series:
    if "population" not in villages.columns:
        return pd.Series(np.nan, index=villages.index, dtype=float)
    pop: pd.Series = pd.to_numeric(villages["population"], errors="coerce").astype(float)
    return pop


def village_population(villages: gpd.GeoDataFrame, people: PeopleGrid | None = None,
                       zones: ZoneRaster | None = None) -> pd.Series:
    """People of each village: its ``population`` column, else the people in its cells.

    Returns
    -------
    pandas.Series
        Aligned to ``villages.index``, named ``population``; NaN when neither is known.
    """
    pop = _column_population(villages)
    if people is not None and zones is not None and people.counts_people:
        from_grid = pd.Series(zones.sums(people.people), index=villages.index)
        pop = pop.fillna(from_grid)
    return pop.astype(float).rename("population")


def village_signal(villages: gpd.GeoDataFrame, coverage: Coverage, *,
                   technologies: Iterable[str], people: PeopleGrid, zones: ZoneRaster,
                   thresholds: Thresholds | None = None,
                   cells: np.ndarray | None = None) -> pd.DataFrame:
    """Share of each village's people (else area) with signal, and whether it is covered.

    Parameters
    ----------
    villages
        Village polygons in the grid's CRS.
    coverage
        RSRP grids by technology.
    technologies
        Signal from any of these counts.
    people
        People per coverage cell.
    zones
        The villages burnt onto the grid (:func:`covplan.metrics.zones.rasterize_zones`).
    thresholds
        RSRP and village-covered thresholds (defaults when None).
    cells
        The covered-cell mask, when already computed for these technologies.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``villages.index``: ``population``, ``signal_percent``,
        ``people_with_signal`` and ``covered`` (share at or above the village level).
    """
    thresholds = thresholds or Thresholds()
    techs = list(technologies)
    mask = cells if cells is not None else covered_cells(coverage, techs, thresholds,
                                                         people.grid)
    return village_signals(villages, coverage, [techs], people=people, thresholds=thresholds,
                           totals=zones.totals(people.people, [mask]))[0]


def village_signals(villages: gpd.GeoDataFrame, coverage: Coverage,
                    technology_sets: Sequence[Sequence[str]], *, people: PeopleGrid,
                    thresholds: Thresholds, totals: tuple[np.ndarray, np.ndarray]
                    ) -> list[pd.DataFrame]:
    """:func:`village_signal` for several technology sets from one pass over the grid.

    ``totals`` is ``zones.totals(people.people, masks)`` with ``masks[k]`` the covered-cell
    mask of ``technology_sets[k]``
    (:meth:`covplan.metrics.MetricContext.zone_totals` keeps them between scenarios).
    """
    sums, cells_in = totals
    pop = _column_population(villages)
    if people.counts_people:
        pop = pop.fillna(pd.Series(sums[:, 0], index=villages.index))
    tables = []
    for k, techs in enumerate(technology_sets):
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(sums[:, 0] > 0, sums[:, k + 1] / sums[:, 0],
                             np.where(cells_in[:, 0] > 0, cells_in[:, k + 1] / cells_in[:, 0],
                                      np.nan))
        lonely = np.flatnonzero(np.isnan(share))
        if len(lonely):
            points = shapely.point_on_surface(np.asarray(villages.geometry.values)[lonely])
            share[lonely] = covered_at(coverage, techs, thresholds, shapely.get_x(points),
                                       shapely.get_y(points))
        percent = 100.0 * share
        tables.append(pd.DataFrame({
            "population": pop.rename("population"),
            "signal_percent": percent,
            "people_with_signal": pop * share,
            "covered": percent >= thresholds.village_covered_percent - 1e-9,
        }, index=villages.index))
    return tables


def has_fibre_data(villages: gpd.GeoDataFrame | None, fibre: gpd.GeoDataFrame | None) -> bool:
    """Whether anything says where fibre is: a fibre layer, or a filled ``fibre`` column."""
    if fibre is not None and len(fibre):
        return True
    return (villages is not None and "fibre" in villages.columns
            and bool(villages["fibre"].notna().any()))


def fibre_reached(villages: gpd.GeoDataFrame, fibre: gpd.GeoDataFrame | None = None, *,
                  drop_m: float | None = None) -> pd.Series:
    """Whether each village is fibre-reached (see the module docstring).

    Parameters
    ----------
    villages
        Villages with an optional boolean ``fibre`` column.
    fibre
        Fibre routes (lines) and access nodes (points) in the villages' CRS.
    drop_m
        Largest distance to fibre; default :data:`covplan.metrics.thresholds.FIBRE_DROP_M`.

    Returns
    -------
    pandas.Series
        Boolean, aligned to ``villages.index``, named ``fibre_reached``.
    """
    drop_m = Thresholds().fibre_drop_m if drop_m is None else drop_m
    flag = (villages["fibre"].astype("boolean").fillna(False).to_numpy(bool)
            if "fibre" in villages.columns else np.zeros(len(villages), dtype=bool))
    near = np.zeros(len(villages), dtype=bool)
    if fibre is not None and len(fibre):
        points = shapely.point_on_surface(np.asarray(villages.geometry.values))
        tree = shapely.STRtree(np.asarray(fibre.geometry.values))
        hit, _ = tree.query(points, predicate="dwithin", distance=drop_m)
        near[np.unique(hit)] = True
    logger.info("Fibre: %d of %d villages flagged, %d within %g m of fibre",
                int(flag.sum()), len(villages), int(near.sum()), drop_m)
    return pd.Series(flag | near, index=villages.index, name="fibre_reached")
