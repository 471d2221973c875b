"""Each site's own RSRP at chosen cells of the grid, without predicting whole windows.

:func:`sites_at_cells` gives, site by site, the RSRP the engine's window would hold at the
cells marked in a lookup grid (:mod:`covplan.radio.sweep_cells` says how, and why the values
are identical), with the engine's propagation groups, radius, receiver correction and
prediction floor. It is the fast way to build a candidate matrix: a site costs the rays its
marked cells need, not its whole disc, and sites run on several threads at once. Nothing
goes to the :class:`~covplan.predict.SiteCache` (there are no windows to keep).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from covplan._progress import ProgressFn, no_progress
from covplan.grid import GridSpec, Raster
from covplan.predict._compute import RadiusMemo, Settings, _sector_arrays, footprint
from covplan.predict._groups import Group, sector_table
from covplan.predict._terrain import TerrainSampler
from covplan.predict.engine import MARGIN_DB, MAX_RADIUS_M, _settings, prepare_groups
from covplan.predict.environment import RadioEnvironment, ReceiverCorrection
from covplan.radio import models
from covplan.radio.sweep_cells import cells_rsrp
from covplan.radio.terrain import EARTH_RADIUS_M, K_FACTOR

logger = logging.getLogger(__name__)

#: Sites handed to the threads at once (bounds the results held in memory).
IN_FLIGHT = 64


@dataclass(frozen=True, eq=False)
class SiteCells:
    """One propagation group's RSRP at the marked cells it reaches.

    Parameters
    ----------
    site_id
        The group's site.
    numbers
        The cells' numbers in the lookup (int32).
    rsrp_dbm
        Their RSRP (float32 dBm), only where it reaches the prediction floor.
    """

    site_id: str
    numbers: np.ndarray
    rsrp_dbm: np.ndarray


def _one(g: Group, sampler: TerrainSampler, grid: GridSpec, spec: models.ModelSpec,
         s: Settings, rx: ReceiverCorrection | None, lookup: np.ndarray, memo: RadiusMemo
         ) -> tuple[np.ndarray, np.ndarray]:
    fp = footprint(g, sampler, grid, spec, s, rx, memo)
    if fp.empty:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    r0, r1, c0, c1 = fp.window
    res = grid.resolution_m
    if rx is not None:
        lo, hi = rx.log_distance_range
        classes = rx.classes if rx.classes is not None else np.zeros((1, 1), np.int32)
        corr = (True, rx.offset_db, rx.slope_db_per_decade, lo, hi, classes,
                rx.class_loss_db(g.frequency_mhz))
    else:
        corr = (False, 0.0, 0.0, 0.0, 0.0, np.zeros((1, 1), np.int32), np.zeros(1))
    numbers, rsrp = cells_rsrp(  # type: ignore[call-arg]
        *sampler.args(), g.x, g.y, fp.z0, g.height_m, s.rx_height_m, fp.n_rays, fp.n_steps,
        res, s.k_factor * EARTH_RADIUS_M, g.frequency_mhz, spec.kernel, spec.env,
        fp.base_heights, models.RMA_BUILDING_HEIGHT_M, models.RMA_STREET_WIDTH_M,
        fp.ray_steps, lookup, r0, r1, c0, c1, fp.x0, fp.y0, res, fp.radius_m,
        *_sector_arrays(g), *corr)
    keep = rsrp >= s.floor_dbm  # the engine's crop (float32 against the floor, as numpy does)
    return numbers[keep], rsrp[keep]


def sites_at_cells(sites: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec,
                   lookup: np.ndarray, *, technology: str, model: str = "auto",
                   threshold_dbm: float | None = None, rx_height_m: float = 1.5,
                   k_factor: float = K_FACTOR, margin_db: float = MARGIN_DB,
                   max_radius_m: float = MAX_RADIUS_M,
                   environment: RadioEnvironment | None = None,
                   progress: ProgressFn | None = None, workers: int | None = None
                   ) -> Iterator[SiteCells]:
    """Yield each propagation group's RSRP at the cells ``lookup`` marks.

    Parameters
    ----------
    sites
        Sectors (normalised) in ``grid``'s CRS; rows of other technologies are skipped.
    terrain, grid, technology, model, threshold_dbm, rx_height_m, k_factor, margin_db,
    max_radius_m, environment
        As for :func:`covplan.predict.predict_coverage`: the values equal its windows'.
    lookup
        ``grid.shape`` int32: each marked cell's number (≥ 0), -1 elsewhere.
    progress
        Called as ``progress(fraction, message)``.
    workers
        Threads (default: the CPUs this process may use).

    Yields
    ------
    SiteCells
        One per propagation group, in the engine's group order.
    """
    if lookup.shape != grid.shape or lookup.dtype != np.int32:
        raise ValueError(f"lookup must be int32 of the grid's shape {grid.shape}, got "
                         f"{lookup.dtype} {lookup.shape}")
    report = progress or no_progress
    s = _settings(model, technology, threshold_dbm, rx_height_m, k_factor, margin_db,
                  max_radius_m)
    spec = models.MODELS[s.model]
    table = sector_table(sites, technology)
    if len(table) == 0:
        return
    groups, sampler, _context, rx = prepare_groups(table, terrain, grid, technology, s,
                                                   environment)
    lookup = np.ascontiguousarray(lookup)
    memo: RadiusMemo = {}
    n_workers = workers or max(1, len(os.sched_getaffinity(0)))
    step = max(1, len(groups) // 100)
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        pending: list[tuple[Group, Future[tuple[np.ndarray, np.ndarray]]]] = []
        submitted = done = 0
        while done < len(groups):
            while submitted < len(groups) and len(pending) < IN_FLIGHT:
                g = groups[submitted]
                pending.append((g, pool.submit(_one, g, sampler, grid, spec, s, rx, lookup,
                                               memo)))
                submitted += 1
            g, future = pending.pop(0)
            numbers, rsrp = future.result()
            done += 1
            yield SiteCells(str(table.site_id[g.indices[0]]), numbers, rsrp)
            if done % step == 0 or done == len(groups):
                report(done / len(groups), f"{technology} candidate {done:,}/{len(groups):,}")
    logger.debug("Evaluated %d %s groups at their marked cells", len(groups), technology)
