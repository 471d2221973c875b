r"""The coverage matrix: which candidate serves which open demand, from the engine.

Columns are the grid cells holding demand the baseline leaves uncovered (demand items in
one cell are covered together, so they share a column and add their weights). Row
:math:`i`, column :math:`j` is True when candidate :math:`i`'s own RSRP in cell :math:`j`
reaches the threshold of its technology, :math:`a_{ij} = [\mathrm{RSRP}_i(j) \ge
\theta_{t(i)}]`. Because the engine's best-server grid is the cell-wise maximum over sites,
a set of sites covers a cell exactly when one of them does: the matrix predicts the
engine's result for any choice of candidates without a new prediction.

Each candidate's RSRP is read only at the open demand cells
(:func:`covplan.predict.cells.sites_at_cells`: the rays those cells read, several candidates
at once), with values identical to its engine window's; ``method="windows"`` reads the
whole windows from the engine instead (:mod:`covplan.planning.footprints`), slower by
5–150× on the full demo and kept as the reference the tests and ``benchmarks/bench_plan.py``
compare with.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from covplan import settings
from covplan._progress import ProgressFn, scaled
from covplan.grid import GridSpec, Raster
from covplan.metrics.thresholds import Thresholds
from covplan.planning.demand import Demand
from covplan.planning.footprints import Window, visit_windows
from covplan.planning.problem import CoverProblem
from covplan.predict import SiteCache
from covplan.predict.cells import sites_at_cells
from covplan.predict.environment import RadioEnvironment

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class CoverageMatrix:
    """Candidates against the cells of open demand.

    Parameters
    ----------
    problem
        The covering problem (candidates x cells, cell weights, candidate costs).
    cells
        Flat grid index of each column.
    item_column
        For each demand item, its column; -1 for items already covered, weightless or
        outside the grid.
    candidate_ids
        ``site_id`` of each row.
    seconds
        Wall time of the build.
    """

    problem: CoverProblem
    cells: np.ndarray
    item_column: np.ndarray
    candidate_ids: tuple[str, ...]
    seconds: float

    def items_covered(self, chosen: np.ndarray) -> np.ndarray:
        """True for demand items (open ones) that the ``chosen`` candidates cover."""
        hit = np.append(self.problem.covered_by(chosen), False)
        items: np.ndarray = hit[self.item_column]
        return items

    def coverable_items(self) -> np.ndarray:
        """True for open demand items that at least one candidate covers."""
        items: np.ndarray = np.append(self.problem.coverable(), False)[self.item_column]
        return items


def _columns(demand: Demand) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique cells of open items, their weights, and each item's column (-1 none)."""
    use = demand.open & (demand.cell >= 0)
    cells, inverse = np.unique(demand.cell[use], return_inverse=True)
    weight = np.bincount(inverse, weights=demand.weight[use], minlength=len(cells))
    column = np.full(len(demand.weight), -1, dtype=np.int64)
    column[use] = inverse
    return cells, weight, column


def _costs(candidates: gpd.GeoDataFrame, ids: list[str]) -> np.ndarray:
    if "cost" not in candidates.columns:
        return np.ones(len(ids))
    first = candidates.groupby(candidates["site_id"].astype(str), sort=False)["cost"].first()
    cost = pd.to_numeric(first.reindex(ids), errors="coerce").fillna(1.0).to_numpy(float)
    return np.where(cost > 0, cost, 1.0)


def build_matrix(demand: Demand, candidates: gpd.GeoDataFrame, terrain: Raster | None,
                 grid: GridSpec, *, thresholds: Thresholds | None = None,
                 engine_threshold_dbm: Mapping[str, float] | None = None,
                 model: str = "auto", cache: SiteCache | None = None,
                 progress: ProgressFn | None = None, batch: bool = True,
                 environment: RadioEnvironment | None = None,
                 method: Literal["cells", "windows"] = "cells") -> CoverageMatrix:
    """Predict every candidate once and record which open demand cells it serves.

    Parameters
    ----------
    demand
        The target's demand (:func:`covplan.planning.demand.target_demand`).
    candidates
        Candidate sectors (normalised; ``site_id`` names the candidate; optional ``cost``).
        Only technologies the target counts are predicted.
    terrain, grid, model
        As for :func:`covplan.predict.predict_coverage`.
    thresholds
        RSRP thresholds of coverage; default the target's.
    engine_threshold_dbm
        Threshold that bounds each site's prediction, per technology; pass the value
        scenario evaluation uses so that the cache is shared.
    cache
        The per-site cache (``method="windows"``).
    progress
        Called as ``progress(fraction, message)``.
    batch
        See :func:`covplan.planning.footprints.visit_windows`.
    environment
        Clutter, calibration and vendor patterns (those of the scenario evaluation).
    method
        ``"cells"``: each candidate's RSRP at the open demand cells only, several candidates
        at once (:func:`covplan.predict.cells.sites_at_cells`); ``"windows"``: each
        candidate's whole window from the engine, kept in ``cache``. Both give the same
        matrix.
    """
    started = time.perf_counter()
    thr = thresholds or demand.target.thresholds
    cells, weight, column = _columns(demand)
    lookup = np.full(grid.width * grid.height, -1, dtype=np.int32)
    lookup[cells] = np.arange(len(cells), dtype=np.int32)
    lookup2d = lookup.reshape(grid.shape)
    ids = list(dict.fromkeys(candidates["site_id"].astype(str)))
    position = {s: k for k, s in enumerate(ids)}
    hits: dict[str, list[np.ndarray]] = {}
    techs = [t for t in demand.target.technologies
             if (candidates["technology"].astype(str) == t).any()]
    for n, tech in enumerate(techs):
        level = thr.rsrp_dbm(tech)
        part = scaled(progress, n / len(techs), (n + 1) / len(techs))
        floor = (engine_threshold_dbm or {}).get(tech)
        if method == "cells":
            for one in sites_at_cells(candidates, terrain, grid, lookup2d, technology=tech,
                                      model=model, threshold_dbm=floor,
                                      rx_height_m=settings.rx_height_m,
                                      environment=environment, progress=part):
                hits.setdefault(one.site_id, []).append(one.numbers[one.rsrp_dbm >= level])
            continue

        def consume(w: Window, level: float = level) -> None:
            h, wd = w.rsrp_dbm.shape
            sub = lookup2d[w.row0:w.row0 + h, w.col0:w.col0 + wd]
            with np.errstate(invalid="ignore"):
                hits.setdefault(w.site_id, []).append(sub[(sub >= 0) & (w.rsrp_dbm >= level)])

        def restart(tech: str = tech) -> None:
            for site in candidates.loc[candidates["technology"].astype(str) == tech,
                                       "site_id"].astype(str):
                hits.pop(site, None)

        visit_windows(candidates, terrain, grid, technology=tech, consume=consume,
                      restart=restart, threshold_dbm=floor, model=model, cache=cache,
                      batch=batch, environment=environment, progress=part)
    cols = [np.concatenate(v) for v in hits.values()]
    rows = [np.full(len(c), position[s], dtype=np.int64) for s, c in zip(hits, cols,
                                                                          strict=True)]
    r = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    cover = sp.csc_array((np.ones(len(r), dtype=bool), (r, c)), shape=(len(ids), len(cells)))
    cover.sum_duplicates()
    problem = CoverProblem(cover, weight.astype(np.float64), _costs(candidates, ids))
    seconds = time.perf_counter() - started
    logger.info("Coverage matrix: %s candidates x %s demand cells, %s entries, %.1f s",
                f"{len(ids):,}", f"{len(cells):,}", f"{cover.nnz:,}", seconds)
    return CoverageMatrix(problem, cells, column, tuple(ids), seconds)
