"""People on the coverage grid, and population coverage in the ITU SDG 9.c.1 sense.

People per coverage cell come from, in order of preference:

1. the population raster, moved onto the coverage grid by :func:`regrid_people`;
2. village ``population`` spread evenly over each village's cells;
3. commune ``population`` spread evenly over each commune's cells;
4. nothing: every cell weighs 1, and shares become area shares (``basis="area"``). No
   figure is then reported as people: :func:`population_coverage` gives "no population
   data" (:data:`NO_POPULATION`) instead of counting cells.

SDG indicator 9.c.1 is the *proportion of population covered by a mobile network, by
technology*: here the share of people in cells where the technology's best-server RSRP
reaches its threshold (:func:`population_coverage`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from covplan.grid import GridSpec, Raster
from covplan.i18n import N_
from covplan.metrics.signal import (
    Coverage,
    CoverageLike,
    covered_cells,
    key_grid,
    technology_label,
)
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.zones import ZoneRaster
from covplan.tiled import TiledArray

logger = logging.getLogger(__name__)

BASES: Final = (N_("population raster"), N_("village population"), N_("commune population"),
                N_("area"))
#: The ``basis`` of :func:`population_coverage` rows when no population source is known.
NO_POPULATION: Final = N_("no population data")

#: ``(technology, server codes, their keys, each code's operator, names)`` -> people per
#: zone and operator.
OperatorTotals: TypeAlias = Callable[[str, TiledArray, tuple[str, ...], np.ndarray, list[str]],
                                     np.ndarray]


@dataclass(frozen=True, eq=False)
class PeopleGrid:
    """People per cell of the coverage grid.

    Parameters
    ----------
    people
        float64 array of ``grid.shape``; cell weights of 1 when ``basis == "area"``.
    grid
        The coverage grid.
    basis
        Where the numbers come from, one of :data:`BASES`.
    """

    people: np.ndarray
    grid: GridSpec
    basis: str

    @property
    def counts_people(self) -> bool:
        """False when no population is known and cells weigh by area."""
        return self.basis != "area"


def _axis_index(origin: float, step: float, count: int, at: np.ndarray) -> np.ndarray:
    """Index along one axis of the cells holding coordinates ``at`` (-1 outside)."""
    idx = np.floor((at - origin) / step).astype(np.int64)
    idx[(idx < 0) | (idx >= count)] = -1
    return idx


def regrid_people(population: Raster, grid: GridSpec) -> np.ndarray:
    """People per cell of ``grid``, conserving the people of ``population``.

    A source coarser than (or as fine as) ``grid`` is split: each source cell's people
    go in equal parts to the grid cells whose centres it holds. A finer source is
    summed: each source cell's people go to the grid cell holding its centre. Either way
    every person in a source cell that reaches the grid is counted exactly once. Both
    grids must be north-up and in the same CRS; NaN counts as nobody.
    """
    src = population.grid
    if src.crs_wkt != grid.crs_wkt and src.crs != grid.crs:
        raise ValueError("the population raster and the coverage grid are in different CRSs; "
                         "load both through covplan.io.load_dataset so they share one")
    values = np.nan_to_num(np.asarray(population.data, dtype=np.float64), nan=0.0)
    values[values < 0] = 0.0
    if src.resolution_m >= grid.resolution_m:
        out = _split(values, src, grid)
    else:
        out = _gather(values, src, grid)
    lost = values.sum() - out.sum()
    if lost > 0.005 * max(values.sum(), 1.0):
        logger.info("%s people of the population raster lie outside the coverage grid",
                    f"{lost:,.0f}")
    return out


def _split(values: np.ndarray, src: GridSpec, grid: GridSpec) -> np.ndarray:
    xs, ys = grid.cell_centres()
    cols = _axis_index(src.transform.c, src.transform.a, src.width, xs)
    rows = _axis_index(src.transform.f, src.transform.e, src.height, ys)
    col_n = np.bincount(cols[cols >= 0], minlength=src.width).astype(np.float64)
    row_n = np.bincount(rows[rows >= 0], minlength=src.height).astype(np.float64)
    share = values / np.maximum(np.outer(row_n, col_n), 1.0)
    out = share[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))]
    out[rows < 0, :] = 0.0
    out[:, cols < 0] = 0.0
    return out


def _gather(values: np.ndarray, src: GridSpec, grid: GridSpec) -> np.ndarray:
    xs, ys = src.cell_centres()
    cols = _axis_index(grid.transform.c, grid.transform.a, grid.width, xs)
    rows = _axis_index(grid.transform.f, grid.transform.e, grid.height, ys)
    flat = rows[:, None] * grid.width + cols[None, :]
    keep = (rows[:, None] >= 0) & (cols[None, :] >= 0)
    sums = np.bincount(flat[keep], weights=values[keep], minlength=grid.width * grid.height)
    return sums.reshape(grid.shape)


def _spread(frame: gpd.GeoDataFrame | None, zones: ZoneRaster | None) -> np.ndarray | None:
    """``population`` of each zone spread evenly over its cells (None when unknown)."""
    if frame is None or zones is None or "population" not in frame.columns:
        return None
    pop = pd.to_numeric(frame["population"], errors="coerce").fillna(0.0).to_numpy(float)
    if pop.sum() <= 0:
        return None
    cells = zones.sums()
    per_cell = np.append(pop / np.maximum(cells, 1.0), 0.0)  # index -1 -> 0 people
    spread: np.ndarray = per_cell[zones.ids]
    return spread


def people_on_grid(
    grid: GridSpec,
    *,
    population: Raster | None = None,
    villages: gpd.GeoDataFrame | None = None,
    village_zones: ZoneRaster | None = None,
    communes: gpd.GeoDataFrame | None = None,
    commune_zones: ZoneRaster | None = None,
) -> PeopleGrid:
    """People per coverage cell from the best source available (see the module docstring).

    Parameters
    ----------
    grid
        The coverage grid.
    population
        People per cell on any north-up grid in the same CRS.
    villages, village_zones, communes, commune_zones
        Zone frames with a ``population`` column and their cells, used in that order
        when there is no raster.
    """
    if population is not None:
        return PeopleGrid(regrid_people(population, grid), grid, BASES[0])
    for basis, frame, zones in ((BASES[1], villages, village_zones),
                                (BASES[2], communes, commune_zones)):
        spread = _spread(frame, zones)
        if spread is not None:
            return PeopleGrid(spread, grid, basis)
    logger.info("No population known: shares are weighted by area")
    return PeopleGrid(np.ones(grid.shape), grid, BASES[3])


def _operator_keys(item: CoverageLike, sites: gpd.GeoDataFrame | None
                   ) -> tuple[TiledArray, tuple[str, ...], np.ndarray, list[str]] | None:
    """Serving-sector codes (as tiles), each code's key and operator (-1 unknown), names.

    The codes are :func:`covplan.metrics.signal.key_grid`'s (for a prediction kept as tiles,
    its :class:`~covplan.tiled.KeyGrid`'s, not assembled).
    """
    servers = key_grid(item)
    if sites is None or "operator" not in sites.columns or servers is None:
        return None
    keys = servers.keys
    site_op = dict(zip(sites["site_id"].astype(str), sites["operator"], strict=True))
    names = sorted({str(v) for v in site_op.values() if isinstance(v, str) and v})
    lookup = {name: i for i, name in enumerate(names)}
    codes = np.array([lookup.get(str(site_op.get(str(k).split("/")[0], "")), -1)
                      for k in keys], dtype=np.int64)
    return servers.codes.values, keys, codes, names


def population_coverage(
    people: PeopleGrid,
    coverage: Coverage,
    *,
    thresholds: Thresholds | None = None,
    zones: ZoneRaster | None = None,
    sites: gpd.GeoDataFrame | None = None,
    cells: Callable[[list[str]], np.ndarray] | None = None,
    totals: Callable[[list[list[str]]], tuple[np.ndarray, np.ndarray]] | None = None,
    operator_totals: OperatorTotals | None = None,
) -> pd.DataFrame:
    """People with signal by technology, best operator and per operator (SDG 9.c.1).

    Parameters
    ----------
    people
        People per coverage cell.
    coverage
        RSRP grids by technology; per-operator rows need grids with ``server`` and
        ``site_keys`` (as :class:`covplan.predict.CoverageGrid`) and ``sites`` with
        ``operator``.
    thresholds
        RSRP thresholds (defaults when None).
    zones
        The communes on the grid: only their cells count (the province); every cell
        when None.
    sites
        Sectors, to name the operator of each serving site.
    cells
        ``cells(technologies)`` -> covered-cell mask, when the caller caches them.
    totals
        ``totals(technology_sets)`` -> ``zones.totals(people.people, masks)``, when the
        caller caches them (:meth:`covplan.metrics.MetricContext.zone_totals`).
    operator_totals
        ``operator_totals(technology, server, site_keys, codes, names)`` -> people with
        ``technology`` signal per zone (rows) by serving operator (columns), when the
        caller caches them (:meth:`covplan.metrics.MetricContext.operator_totals`).

    Returns
    -------
    pandas.DataFrame
        One row per technology (``"4G"``, ``"5G"``, ``"4G or 5G"``) for the best
        operator, then one per technology and operator: ``technology``, ``operator``,
        ``people_total``, ``people_covered``, ``covered_percent``, ``threshold``,
        ``basis``. Per-operator rows count the people whose *best server* is that
        operator's, a lower bound of the operator's own coverage. Without a population
        source (``people.basis == "area"``) the people figures are NaN and ``basis`` is
        :data:`NO_POPULATION`: cells are never counted as people.
    """
    thr = thresholds or Thresholds()
    cover = cells or (lambda techs: covered_cells(coverage, techs, thr, people.grid))
    zones = zones or ZoneRaster(np.zeros(people.grid.shape, dtype=np.int32), people.grid, 1)
    techs_present = sorted(coverage)
    combos = [[t] for t in techs_present] + ([techs_present] if len(techs_present) > 1 else [])
    sums, _ = (totals(combos) if totals is not None
               else zones.totals(people.people, [cover(c) for c in combos]))
    total = float(sums[:, 0].sum()) if people.counts_people else math.nan
    basis = people.basis if people.counts_people else NO_POPULATION
    rows = [_row(c, "best operator", float(sums[:, k + 1].sum()), total, thr, basis)
            for k, c in enumerate(combos)]
    for tech in techs_present:
        found = _operator_keys(coverage[tech], sites)
        if found is None:
            continue
        server, keys, codes, names = found
        if operator_totals is not None:
            table = operator_totals(tech, server, keys, codes, names)
        else:
            table = zones.code_totals(people.people, cover([tech]), server, codes, len(names))
        rows.extend(_row([tech], name, float(v), total, thr, basis)
                    for name, v in zip(names, table.sum(axis=0), strict=True))
    return pd.DataFrame(rows)


def _row(techs: list[str], operator: str, covered: float, total: float,
         thresholds: Thresholds, basis: str) -> dict[str, object]:
    known = total > 0  # NaN (no population source) and 0 both give no figure
    return {
        "technology": technology_label(techs),
        "operator": operator,
        "people_total": total,
        "people_covered": covered if not math.isnan(total) else math.nan,
        "covered_percent": 100.0 * covered / total if known else math.nan,
        "threshold": thresholds.signal_rule(techs),
        "basis": basis,
    }


