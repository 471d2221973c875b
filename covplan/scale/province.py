"""One province of a national run, as pure tasks over plain inputs.

A :class:`ProvinceJob` is plain data (the dataset folder, the preset, the settings and the
content hash of the inputs); every task function here takes it, reads the dataset itself
and returns plain results, so any Dask worker with access to the folder can run it, and a
task that is run again (a lost worker, a retry) returns the same answer.

- :func:`run_province` evaluates a province through the one pipeline
  (:class:`covplan.planning.ScenarioEvaluator`) and returns a :class:`ProvinceResult`; when
  the province's grid has more cells than ``max_tile_cells`` it returns a :class:`TilePlan`
  instead;
- :func:`predict_tile` predicts one tile of such a province
  (:mod:`covplan.scale.tiles`);
- :func:`finish_tiled` lays the tiles into the province grid and runs the metrics and
  targets of the pipeline on it.

Problems with the inputs (:class:`~covplan.errors.CovplanError`) become a failed result
listing them; anything else is raised, for Dask to retry.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import shapely

from covplan import settings as config
from covplan.errors import CovplanError, InputError
from covplan.i18n import ErrorText
from covplan.io import load_dataset
from covplan.metrics.zones import Window
from covplan.planning import ScenarioEvaluator
from covplan.predict import on_air
from covplan.predict.operators import operator_names, operator_sites
from covplan.scale.tiles import (
    TileCoverage,
    TileEvaluator,
    aligned_dataset,
    assemble_coverage,
    exact_tiling,
    plan_tiles,
    province_site_keys,
    sites_near,
    tile_grids,
)
from covplan.schema import ON_AIR_STATUSES
from covplan.targets import Analysis, analyze, load_targets, province_warning

logger = logging.getLogger(__name__)

#: Default most cells of the prediction grid one task predicts; a province whose grid has
#: more is split into tiles (16 million: 14,400 km² at 30 m). A tile task holds its
#: sites' windows and its cells' grids; the task that assembles the tiles holds the
#: province's grids and metrics (about 110 MiB per million cells, measured).
MAX_TILE_CELLS: int = 16_000_000
#: Tolerance (m) of the province outlines kept for the national map.
OUTLINE_TOLERANCE_M = 100.0


@dataclass(frozen=True)
class RunSettings:
    """What every province of a run is evaluated with.

    Parameters
    ----------
    resolution_m
        Grid resolution.
    model
        Propagation model name or ``"auto"``.
    statuses
        Site statuses predicted.
    max_tile_cells
        Most grid cells one task predicts; bigger provinces are tiled. The results do not
        depend on it (tiles are exact), so it is not part of the content hash.
    """

    resolution_m: float
    model: str = "auto"
    statuses: tuple[str, ...] = ON_AIR_STATUSES
    max_tile_cells: int = MAX_TILE_CELLS

    def fingerprint(self) -> dict[str, object]:
        """The settings the results depend on, for the content hash."""
        return {"resolution_m": self.resolution_m, "model": self.model,
                "statuses": list(self.statuses), "rx_height_m": config.rx_height_m}


@dataclass(frozen=True)
class ProvinceJob:
    """One province to evaluate: plain data a worker can run from.

    Parameters
    ----------
    key
        The province's folder relative to the country (unique).
    path
        Its dataset folder.
    name
        Display name (the manifest's).
    targets
        Preset name or targets file.
    settings
        The run's settings.
    digest
        Content hash of the inputs and settings ("" when unknown).
    """

    key: str
    path: str
    name: str
    targets: str
    settings: RunSettings
    digest: str


@dataclass(frozen=True, eq=False)
class ProvinceStats:
    """What a province cost.

    Parameters
    ----------
    sectors, sites
        Sectors and sites (``site_id``) on air; a tiled province counts the sectors of
        every tile (those near two tiles twice) in ``tile_sectors``.
    cells
        Cells of the province grid.
    tiles
        Tiles it was predicted in (1: not tiled).
    load_s, prediction_s, metrics_s
        Task time reading the dataset, predicting and measuring (tiles: summed).
    peak_rss_mb
        Largest peak resident memory of a process that worked on it.
    workers
        The processes (``host:pid``) that did.
    tile_sectors
        Sectors predicted over all tiles.
    """

    sectors: int
    sites: int
    cells: int
    tiles: int
    load_s: float
    prediction_s: float
    metrics_s: float
    peak_rss_mb: float
    workers: tuple[str, ...]
    tile_sectors: int = 0


@dataclass(frozen=True, eq=False)
class ProvinceResult:
    """A province evaluated, or why it could not be.

    Parameters
    ----------
    key, name, path, targets
        As in its :class:`ProvinceJob`.
    digest
        The content hash it was computed for.
    analysis
        Targets, gap layers and commune summary (layers in EPSG:4326); None when failed.
    outline
        The province outline in EPSG:4326, simplified for maps; None when unknown.
    problems
        Why it failed (each problem on its own), empty when it ran.
    unexpected
        True when it failed for another reason than its inputs (a bug, a lost worker).
    synthetic
        Whether the dataset is synthetic.
    warnings
        The dataset's warnings (partial terrain or population, a preset of another
        province).
    terrain
        What the prediction stood on, in one sentence.
    stats
        Sizes and times; None when failed.
    """

    key: str
    name: str
    path: str
    targets: str
    digest: str
    analysis: Analysis | None = None
    outline: shapely.Geometry | None = None
    problems: tuple[str, ...] = ()
    unexpected: bool = False
    synthetic: bool = False
    warnings: tuple[str, ...] = ()
    terrain: str = ""
    stats: ProvinceStats | None = None

    @property
    def ok(self) -> bool:
        """Whether the province ran."""
        return self.analysis is not None


@dataclass(frozen=True, eq=False)
class TilePlan:
    """The answer of :func:`run_province` for a province that is tiled.

    Parameters
    ----------
    windows
        The tiles' windows of the province grid.
    cells
        Cells of the province grid.
    load_s
        Time the first task spent reading the dataset.
    workers
        The process that planned it.
    """

    windows: tuple[Window, ...]
    cells: int
    load_s: float
    workers: tuple[str, ...] = field(default=())


def failed_result(job: ProvinceJob, error: BaseException) -> ProvinceResult:
    """The result of a province that could not run: each problem on its own line."""
    if isinstance(error, InputError):  # each said in the reader's language where shown
        problems: tuple[str, ...] = tuple(ErrorText(p) for p in error.problems)
    elif isinstance(error, CovplanError):
        problems = (ErrorText(error),)
    else:  # not covplan's own: its type says what happened
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        problems = (f"{type(error).__name__}: {' '.join(lines)}",)
    return ProvinceResult(job.key, job.name, job.path, job.targets, job.digest,
                          problems=problems, unexpected=not isinstance(error, CovplanError))


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _numba_threads() -> None:
    """Run this thread's numba kernels on ``NUMBA_NUM_THREADS`` threads.

    A Dask worker imports numba before its nanny's environment reaches it, so numba starts
    with a thread per core; several workers on one machine would then fight over the cores
    (a local cluster of two workers on two cores ran each province 2.4 times slower).
    numba's thread count belongs to the calling thread: each task sets it for itself.
    """
    wanted = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        import numba

        numba.set_num_threads(min(int(wanted), numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]


def _evaluator(job: ProvinceJob) -> tuple[ScenarioEvaluator, float]:
    """The dataset's :class:`~covplan.planning.ScenarioEvaluator` and the time to load it."""
    started = time.perf_counter()
    dataset = load_dataset(job.path)
    targets = load_targets(job.targets)
    evaluator = ScenarioEvaluator(dataset, targets, resolution_m=job.settings.resolution_m,
                                  model=job.settings.model, statuses=job.settings.statuses)
    return evaluator, time.perf_counter() - started


def _lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(4326) if frame.crs is not None and len(frame) else frame.set_crs(
        4326, allow_override=True)


def _result(job: ProvinceJob, evaluator: ScenarioEvaluator, analysis: Analysis,
            stats: ProvinceStats) -> ProvinceResult:
    """The province's result: layers in EPSG:4326, its outline, warnings and stats."""
    dataset = evaluator.dataset
    layers = {name: _lonlat(frame) for name, frame in analysis.layers().items()}
    area = dataset.area()
    if area is None or area.is_empty:
        area = shapely.box(*dataset.bounds())
    outline = gpd.GeoSeries([area.simplify(OUTLINE_TOLERANCE_M)], crs=dataset.crs
                            ).to_crs(4326).iloc[0]
    warning = province_warning(dataset, evaluator.targets)
    return ProvinceResult(
        job.key, dataset.name, job.path, job.targets, job.digest,
        analysis=replace(analysis, **layers), outline=outline,
        synthetic=dataset.synthetic,
        warnings=(*dataset.warnings, *([warning] if warning else [])),
        terrain=dataset.terrain_statement(), stats=stats)


def _on_air_counts(evaluator: ScenarioEvaluator) -> tuple[int, int]:
    """Sectors and sites on air."""
    sites = evaluator.dataset.sites
    if sites is None or not len(sites):
        return 0, 0
    live = on_air(sites, evaluator.statuses)
    return len(live), int(live["site_id"].nunique())


def run_province(job: ProvinceJob) -> ProvinceResult | TilePlan:
    """Evaluate one province (a Dask task): its result, or its tiles when it is too big.

    Parameters
    ----------
    job
        The province.

    Returns
    -------
    ProvinceResult or TilePlan
        The result (failed, listing the problems, when the inputs are wrong), or the tiles
        to predict when the grid has more than ``job.settings.max_tile_cells`` cells and
        the grid allows exact tiles (:func:`covplan.scale.tiles.exact_tiling`).
    """
    _numba_threads()
    try:
        evaluator, load_s = _evaluator(job)
        grid = evaluator.grid
        windows = plan_tiles(grid.shape, job.settings.max_tile_cells)
        if len(windows) > 1 and exact_tiling(grid):
            logger.info("%s: %d cells, predicted in %d tiles", job.name, grid.width * grid.height,
                        len(windows))
            return TilePlan(windows, grid.width * grid.height, load_s, (_process(),))
        if len(windows) > 1:
            logger.info("%s: the grid's origin or resolution is not in whole half-metres; "
                        "predicted in one task", job.name)
        evaluation = evaluator.evaluate()
    except CovplanError as exc:
        logger.info("%s did not run: %s", job.name, exc)  # the run's report says it
        return failed_result(job, exc)
    timings = evaluation.analysis.timings_s
    prediction_s = timings.get("prediction", 0.0)
    sectors, sites = _on_air_counts(evaluator)
    stats = ProvinceStats(sectors, sites, grid.width * grid.height, 1, load_s, prediction_s,
                          sum(timings.values()) - prediction_s, _peak_rss_mb(),
                          (_process(),), sectors)
    return _result(job, evaluator, evaluation.analysis, stats)


def predict_tile(job: ProvinceJob, window: Window) -> TileCoverage:
    """Predict one tile of a province (a Dask task).

    The sites within the overlap are predicted on the tile's window of the province grid.
    """
    _numba_threads()
    province, load_s = _evaluator(job)
    started = time.perf_counter()
    evaluator = TileEvaluator(aligned_dataset(province.dataset, province.grid),
                              province.targets, resolution_m=province.resolution_m,
                              model=province.model, statuses=province.statuses,
                              window=window)
    sites = evaluator.dataset.sites
    near = sites_near(sites, evaluator.grid) if sites is not None else None
    coverage = evaluator.coverage(near)
    networks = ({op: tile_grids(grids) for op, grids in evaluator.networks(near).items()}
                if evaluator.targets.per_network else None)
    seconds = time.perf_counter() - started
    count = 0 if near is None else len(near)
    logger.info("%s: tile %s, %d sectors, %.2f s", job.name, window, count, seconds)
    return TileCoverage(window, tile_grids(coverage), count, load_s, seconds, _peak_rss_mb(),
                        _process(), networks)


def finish_tiled(job: ProvinceJob, plan: TilePlan, tiles: Sequence[TileCoverage]
                 ) -> ProvinceResult:
    """Lay the tiles into the province grid and measure the targets (a Dask task).

    The metrics and targets are those of :meth:`covplan.planning.ScenarioEvaluator.evaluate`
    on the assembled coverage, so the tables equal a single-process run's.
    """
    _numba_threads()
    try:
        evaluator, load_s = _evaluator(job)
        started = time.perf_counter()
        sites = evaluator.dataset.sites
        coverage = assemble_coverage(evaluator.grid, tiles,
                                     province_site_keys(sites, evaluator.statuses))
        if not coverage:
            coverage = evaluator.coverage(None)  # no site on air: the pipeline's empty grid
        networks = None
        if evaluator.targets.per_network and sites is not None:
            networks = {op: assemble_coverage(
                evaluator.grid, tiles, province_site_keys(operator_sites(sites, op),
                                                          evaluator.statuses), operator=op)
                for op in operator_names(sites)}
        ctx = evaluator.context(coverage, sites, networks=networks)
        analysis = analyze(ctx, evaluator.targets)
    except CovplanError as exc:
        return failed_result(job, exc)
    sectors, site_count = _on_air_counts(evaluator)
    stats = ProvinceStats(
        sectors, site_count, plan.cells, len(tiles),
        plan.load_s + load_s + sum(t.load_s for t in tiles),
        sum(t.prediction_s for t in tiles), time.perf_counter() - started,
        max([_peak_rss_mb(), *(t.peak_rss_mb for t in tiles)]),
        tuple(dict.fromkeys([*plan.workers, *(t.worker for t in tiles), _process()])),
        sum(t.sectors for t in tiles))
    return _result(job, evaluator, analysis, stats)
