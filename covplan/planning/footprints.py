"""Each candidate's own predicted RSRP window, from the engine through its public API.

The engine predicts every propagation group (co-located sectors of one frequency and
height) on the window of the grid its radius reaches, keeps that window in the
:class:`~covplan.predict.SiteCache`, and max-merges the windows
(:mod:`covplan.predict.engine`). A candidate's coverage is exactly its own window, so
:func:`site_windows` watches the cache while :func:`~covplan.predict.predict_coverage`
runs: every window the engine looks up or stores passes through ``get``/``put`` of a
:class:`_Watch` cache wrapped around the caller's. Windows computed here are therefore
cached under the engine's own keys, and a recommended site later evaluated in a scenario
is a cache hit.

Two ways to tell which window is whose:

* ``batch`` (default): one prediction of every candidate. The engine resolves groups in
  the order of their first sector, sectors sorted by ``(site_id, sector)``, so with one
  group per site the k-th window is the k-th site in sorted order. Each window is checked
  to hold its site's own cell with a signal; if any does not (or a site has several
  groups), the per-site way is used instead.
* per site: one prediction per candidate (always right; each call also fills a whole
  grid, which costs more on large grids).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from covplan import settings
from covplan._progress import ProgressFn, no_progress
from covplan.grid import GridSpec, Raster
from covplan.predict import SiteCache, SiteResult, predict_coverage
from covplan.predict.environment import RadioEnvironment

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Window:
    """Best-sector RSRP of one site on a window of the grid.

    Parameters
    ----------
    site_id
        The site.
    row0, col0
        Grid row and column of the window's upper-left cell.
    rsrp_dbm
        RSRP (dBm) on the window; NaN where the site does not reach.
    """

    site_id: str
    row0: int
    col0: int
    rsrp_dbm: np.ndarray


#: Receives one window.
Consume = Callable[[Window], None]


class _Watch(SiteCache):
    """A cache that hands every result the engine resolves to ``seen``, then to ``inner``."""

    def __init__(self, inner: SiteCache, seen: Callable[[SiteResult], None]) -> None:
        super().__init__(max_bytes=0)
        self.inner, self.seen = inner, seen

    def get(self, key: str) -> SiteResult | None:
        result = self.inner.get(key)
        if result is not None:
            self.seen(result)
        return result

    def put(self, key: str, result: SiteResult) -> None:
        self.inner.put(key, result)
        self.seen(result)


def _predict(sites: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec, technology: str,
             threshold_dbm: float | None, model: str, cache: SiteCache,
             progress: ProgressFn | None = None,
             environment: RadioEnvironment | None = None) -> None:
    predict_coverage(sites, terrain, grid, technology=technology, model=model,
                     threshold_dbm=threshold_dbm, rx_height_m=settings.rx_height_m,
                     cache=cache, progress=progress, environment=environment)


def _holds_own_cell(window: Window, x: float, y: float, grid: GridSpec) -> bool:
    row, col = grid.index(x, y)
    r, c = int(row) - window.row0, int(col) - window.col0
    h, w = window.rsrp_dbm.shape
    return bool(0 <= r < h and 0 <= c < w and np.isfinite(window.rsrp_dbm[r, c]))


class _MismatchError(Exception):
    """The windows of a batch prediction do not line up with the sorted sites."""


def _batch(rows: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec, technology: str,
           threshold_dbm: float | None, model: str, cache: SiteCache, consume: Consume,
           progress: ProgressFn, environment: RadioEnvironment | None = None) -> bool:
    ids = sorted(set(rows["site_id"].astype(str)))
    first = rows.groupby(rows["site_id"].astype(str)).head(1)
    where = dict(zip(first["site_id"].astype(str), first.geometry, strict=True))
    count = [0]

    def seen(result: SiteResult) -> None:
        k = count[0]
        if k >= len(ids):
            raise _MismatchError
        window = Window(ids[k], result.row0, result.col0, result.rsrp_dbm)
        point = where[ids[k]]
        if not _holds_own_cell(window, point.x, point.y, grid):
            raise _MismatchError
        consume(window)
        count[0] = k + 1

    try:
        _predict(rows, terrain, grid, technology, threshold_dbm, model, _Watch(cache, seen),
                 progress, environment)
    except _MismatchError:
        return False
    return count[0] == len(ids)


def _one_by_one(rows: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec,
                technology: str, threshold_dbm: float | None, model: str, cache: SiteCache,
                consume: Consume, progress: ProgressFn,
                environment: RadioEnvironment | None = None) -> None:
    ids = list(dict.fromkeys(rows["site_id"].astype(str)))
    for n, site_id in enumerate(ids):
        one = rows[rows["site_id"].astype(str) == site_id]

        def seen(r: SiteResult, s: str = site_id) -> None:
            consume(Window(s, r.row0, r.col0, r.rsrp_dbm))

        _predict(one, terrain, grid, technology, threshold_dbm, model, _Watch(cache, seen),
                 environment=environment)
        progress((n + 1) / len(ids), f"{technology} candidate {n + 1:,}/{len(ids):,}")


def visit_windows(sites: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec, *,
                  technology: str, consume: Consume, restart: Callable[[], None],
                  threshold_dbm: float | None = None, model: str = "auto",
                  cache: SiteCache | None = None, progress: ProgressFn | None = None,
                  batch: bool = True, environment: RadioEnvironment | None = None) -> None:
    """Pass each site's own RSRP window(s) for ``technology`` to ``consume``.

    Windows are handed over one at a time, as the engine resolves them, so that no more
    than one is held at once.

    Parameters
    ----------
    sites
        Sectors (normalised), in ``grid``'s CRS; rows of other technologies are skipped.
    terrain, grid, technology, threshold_dbm, model
        As for :func:`covplan.predict.predict_coverage` (receiver height from
        :data:`covplan.settings.rx_height_m`).
    consume
        Called with each :class:`Window` (one per propagation group: one per site for
        ordinary sites).
    restart
        Called when the windows passed so far must be forgotten (the batch could not be
        told apart and every site is predicted again, one by one).
    cache
        The per-site cache shared with scenario evaluation.
    progress
        Called as ``progress(fraction, message)``.
    batch
        Predict all sites in one call (see the module docstring); False for one call per
        site.
    environment
        Clutter, calibration and vendor patterns, as scenario evaluation predicts with.
    """
    cache = cache if cache is not None else SiteCache()
    report = progress or no_progress
    rows = sites[sites["technology"].astype(str) == technology]
    if rows.empty:
        return
    if batch:
        if _batch(rows, terrain, grid, technology, threshold_dbm, model, cache, consume,
                  report, environment):
            return
        logger.info("Candidate windows could not be told apart in one prediction; "
                    "predicting the %s candidates one by one", technology)
        restart()
    _one_by_one(rows, terrain, grid, technology, threshold_dbm, model, cache, consume, report,
                environment)
