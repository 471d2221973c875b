"""Cached work behind the app: datasets, evaluators and scenario results.

A dataset is named by a :class:`DatasetRef`: its path, whether it is an upload (confined to
its folder), and a fingerprint of its files (sizes and modification times, no content
read). Datasets and evaluators (which hold the per-site prediction cache) live in
``st.cache_resource`` keyed by all three, so a dataset whose manifest or files changed is
read again when it is opened again. :func:`open_dataset` loads a dataset, builds its
evaluator and evaluates its baseline; a failure at any of these stages drops everything
cached about the dataset (:func:`forget`), so a retry starts from the files.

The targets are a preset and where they count signal (:class:`TargetChoice`: as the
preset says, outdoors, or indoors behind a building's entry loss); evaluators and base maps
are keyed by both. A scenario's result is memoised in the session by (dataset, targets,
edits), so reruns that change nothing recompute nothing, and a new site recomputes only
that site's prediction.

Every evaluator of a dataset shares one per-site cache and its latest grids
(:func:`_predictions`): a preset switch measures other targets on the same predictions.
The baseline's result and map layers are shared by every session (:func:`shared_value`)
and, for a dataset on disk, kept in ``data/cache/app`` for the next server start
(:mod:`covplan.app.stored`); a page read from there has its baseline evaluated behind it
(:func:`warm_in_background`), and any evaluation waits for that first.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar

import pandas as pd
import streamlit as st

from covplan import settings
from covplan._priority import lower_thread_priority
from covplan.app import stored
from covplan.app.livemap import BaseMap, serialise
from covplan.app.state import edits_key
from covplan.errors import CovplanError
from covplan.grid import Raster
from covplan.i18n import LANGUAGES, N_, Language, language
from covplan.io import Dataset, load_dataset, read_manifest
from covplan.io.manifest import MANIFEST_NAME
from covplan.mapview.live import LINK_MAX_PX, base_map
from covplan.mapview.overlays import COVERAGE_MAX_PX, coverage_image, speed_image
from covplan.metrics._kernels import warm_up as metric_kernels
from covplan.metrics.signal import rsrp_source
from covplan.planning import Scenario, ScenarioEvaluator
from covplan.predict import GridMemo, SiteCache
from covplan.predict._merge import warm_up as merge_kernels
from covplan.radio.indoor import BUILDING_TYPES, BuildingType
from covplan.radio.linklevel import warm_up as link_kernels
from covplan.schema import TECHNOLOGIES
from covplan.targets import Analysis, TargetSet, load_targets, preset_names

logger = logging.getLogger(__name__)

#: Scenario results kept per session (newest last).
MAX_RESULTS = 12
#: Session buckets of what is memoised per scenario (keys start with the dataset's key).
RESULT_BUCKETS = ("results", "map_scripts", "exports", "measurements")

Environment = Literal["outdoor", "indoor"]
#: Where the targets can count signal (the app's switch).
ENVIRONMENTS: Final[tuple[Environment, ...]] = ("outdoor", "indoor")

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Result:
    """Everything the page shows for one scenario."""

    coverage: dict[str, Any]
    analysis: Analysis
    village_signal_percent: pd.Series | None


def _dataset_files(target: Path, *, confined: bool) -> set[Path]:
    """The files a dataset at ``target`` may read, found without opening any layer file."""
    files = {target}
    folder = target if target.is_dir() else target.parent
    try:
        if target.is_dir() or target.name == MANIFEST_NAME:
            files.add(folder)  # a file added to or removed from the folder changes its time
            files.update(p for p in folder.iterdir() if p.is_file())
        manifest = folder / MANIFEST_NAME
        if target.suffix.lower() != ".gpkg" and manifest.is_file():
            layers = read_manifest(manifest, confined=confined).layers
            files.update(f for spec in layers.values() for f in spec.files)
    except (CovplanError, OSError):
        pass  # the load reports it; the manifest's own size and time are counted
    return files


def dataset_fingerprint(path: str | Path, *, confined: bool = False) -> str:
    """A digest of the size and modification time of every file of a dataset.

    The files are the path itself; for a folder (or its ``dataset.toml``), the folder,
    every file directly in it (discovery by name looks there) and every file the manifest
    names. Nothing is read but the small manifest: a changed manifest or layer file, or a
    file added, gives another fingerprint.

    Parameters
    ----------
    path
        A dataset folder, its ``dataset.toml``, or a GeoPackage.
    confined
        Read the manifest as an upload's: files outside the folder are not even looked at.
    """
    entries = []
    for file in _dataset_files(Path(path), confined=confined):
        try:
            info = file.stat()
            entries.append((str(file), info.st_size, info.st_mtime_ns))
        except OSError:
            entries.append((str(file), -1, -1))
    return hashlib.sha256(repr(sorted(entries)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as the app opened it: where, how, and which version of its files.

    Parameters
    ----------
    path
        The dataset folder, ``dataset.toml`` or GeoPackage.
    fingerprint
        :func:`dataset_fingerprint` of its files when it was opened.
    confined
        Refuse every file outside the dataset folder (uploads).
    """

    path: str
    fingerprint: str
    confined: bool = False

    @classmethod
    def at(cls, path: str | Path, *, confined: bool = False) -> DatasetRef:
        """The dataset at ``path`` as its files are now."""
        return cls(os.fspath(path), dataset_fingerprint(path, confined=confined), confined)

    @property
    def key(self) -> str:
        """Text naming this version of the dataset (session keys, the map's key)."""
        return f"{self.path}#{self.fingerprint}{'#confined' if self.confined else ''}"


def preset_environment(targets: TargetSet) -> tuple[Environment | None, BuildingType]:
    """Where every signal target of ``targets`` counts signal, and indoors in what building.

    None when the targets differ (some indoors, some outdoors, or two building types).
    """
    places = {(t.environment, t.building if t.indoor else "") for t in targets.targets
              if t.technologies}
    if len(places) != 1:
        return None, "traditional"
    environment, building = places.pop()
    place: Environment = "indoor" if environment == "indoor" else "outdoor"
    kind: BuildingType = ("thermally-efficient" if building == "thermally-efficient"
                          else "traditional")
    return place, kind


@dataclass(frozen=True)
class TargetChoice:
    """A target preset and where its targets count signal (the sidebar's choice).

    Parameters
    ----------
    preset
        The preset's name.
    environment
        ``{"outdoor", "indoor"}`` for every signal target
        (:meth:`covplan.targets.TargetSet.with_environment`); None for the preset as written.
    building
        Indoors: the ITU-R P.2109 building type.
    """

    preset: str
    environment: Environment | None = None
    building: BuildingType = "traditional"

    @classmethod
    def of(cls, preset: str, environment: Environment, building: BuildingType, *,
           written: tuple[Environment | None, BuildingType]) -> TargetChoice:
        """The choice, with ``environment`` None when the preset already counts so.

        ``written`` is where the preset's own targets count signal
        (:func:`preset_environment`). Equal targets then get equal keys: the shipped
        (outdoor) presets switched to outdoor are the presets as written.
        """
        kind: BuildingType = building if environment == "indoor" else "traditional"
        return cls(preset) if written == (environment, kind) else cls(preset, environment, kind)

    @property
    def key(self) -> str:
        """``thai_nguyen_2025``; ``thai_nguyen_2025|indoor|traditional`` when switched."""
        if self.environment is None:
            return self.preset
        if self.environment == "outdoor":
            return f"{self.preset}|outdoor"
        return f"{self.preset}|indoor|{self.building}"

    def targets(self) -> TargetSet:
        """The preset's targets, counted where the choice says.

        Raises
        ------
        covplan.errors.ConfigError
            For a preset that does not load.
        """
        targets = load_targets(self.preset)
        if self.environment is None:
            return targets
        building = self.building if self.environment == "indoor" else None
        return targets.with_environment(self.environment, building=building)


def _choice(targets: TargetChoice | str) -> TargetChoice:
    """``targets`` as a choice (a preset's name: the preset as written)."""
    return targets if isinstance(targets, TargetChoice) else TargetChoice(targets)


#: Every variant of a preset the app may have cached (what :func:`forget` clears).
_VARIANTS: Final[tuple[tuple[Environment | None, BuildingType], ...]] = (
    (None, "traditional"), ("outdoor", "traditional"), *(("indoor", b) for b in BUILDING_TYPES))


@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset(path: str, fingerprint: str, confined: bool) -> Dataset:
    """The dataset at ``path``, loaded once per process for each fingerprint of its files."""
    logger.info("Loading %s (files %s)", path, fingerprint)
    return load_dataset(Path(path), confined=confined)


@st.cache_resource(show_spinner=False, max_entries=4)
def _predictions(path: str, fingerprint: str, confined: bool) -> tuple[SiteCache, GridMemo]:
    """The per-site prediction cache and the latest grids of a dataset, for every preset.

    A preset switch changes the targets, not the radio predictions: every evaluator of the
    dataset shares them, so its grids come back at once (the cache keys hold the floors and
    everything else a prediction depends on). A dataset on disk also keeps its sites'
    predictions in ``data/cache/predict``, as the command line does, so the app's first
    page after a restart reads them instead of predicting every site again. An upload's
    stay in memory.
    """
    directory = None if confined else settings.data_dir / "cache" / "predict"
    try:
        cache = SiteCache(directory=directory)
    except OSError as exc:  # a read-only data folder: predictions then stay in memory
        logger.warning("Predictions are not kept on disk (%s): %s", directory, exc)
        cache = SiteCache()
    return cache, GridMemo(size=16)


@st.cache_resource(show_spinner=False, max_entries=8)
def _evaluator(path: str, fingerprint: str, confined: bool, preset: str,
               environment: Environment | None, building: BuildingType) -> ScenarioEvaluator:
    """The evaluator of :func:`evaluator_for`, once per process (starts the warm-up)."""
    worker().submit(warm_up_updates)
    targets = load_targets(preset)
    if environment is not None:
        targets = targets.with_environment(
            environment, building=building if environment == "indoor" else None)
    cache, memo = _predictions(path, fingerprint, confined)
    return ScenarioEvaluator(_dataset(path, fingerprint, confined), targets, cache=cache,
                             memo=memo)


def dataset_for(ref: DatasetRef) -> Dataset:
    """The dataset ``ref`` names, loaded once per process."""
    return _dataset(ref.path, ref.fingerprint, ref.confined)


def cached_dataset(path: str, *, confined: bool = False) -> Dataset:
    """The dataset at ``path`` as its files are now, loaded once per version of its files."""
    return dataset_for(DatasetRef.at(path, confined=confined))


def evaluator_for(ref: DatasetRef, targets: TargetChoice | str) -> ScenarioEvaluator:
    """An evaluator (and its per-site cache) for a dataset and targets.

    ``targets`` is a :class:`TargetChoice`, or a preset's name for the preset as written.
    The kernels that update a scenario are compiled alongside, in a worker thread, so the
    first click after an install does not wait for numba (4 s measured on the small demo).
    """
    choice = _choice(targets)
    return _evaluator(ref.path, ref.fingerprint, ref.confined, choice.preset,
                      choice.environment, choice.building)


def result_key(ref: DatasetRef, targets: TargetChoice | str, edits: str) -> str:
    """Session key of a scenario's memoised result (``edits``: the edits' text key)."""
    return f"{ref.key}|{_choice(targets).key}|{edits}"


def open_dataset(
    ref: DatasetRef, targets: TargetChoice | str, store: Any,
    progress: Callable[[float, str], None]
) -> Result:
    """Load the dataset, build its evaluator and evaluate its baseline (each once).

    ``store`` is ``st.session_state`` (any mutable mapping in tests); the baseline is
    memoised in it. A failure at any stage drops everything cached about the dataset
    (:func:`forget`) and is raised again: the next attempt reads the files again.

    Raises
    ------
    covplan.errors.CovplanError
        The dataset cannot be used (with every problem found), or has no sites to plan from.
    """
    try:
        dataset = dataset_for(ref)
        if dataset.sites is None:
            raise CovplanError(N_("{name} has no sites layer: add sites to plan coverage."),
                               name=dataset.name)
        evaluator = evaluator_for(ref, targets)
        baseline = Scenario(dataset.sites, dataset=dataset.name, name="baseline")
        key = result_key(ref, targets, edits_key(baseline))
        return scenario_result(store, key, lambda: shared_baseline(
            ref, key, evaluator, baseline, progress))
    except Exception:
        forget(ref, store)
        raise


@st.cache_resource(show_spinner=False, max_entries=8)
def _slots(dataset_key: str) -> dict[str, Shared[Any]]:
    """The values every session of a dataset shares (dropped with it by :func:`forget`)."""
    return {}


_SLOTS_LOCK = threading.Lock()


def shared_value(dataset_key: str, key: str, make: Callable[[], T]) -> T:
    """The value under ``key`` for the dataset ``dataset_key``, made once per process.

    Every session asking for it gets the same value; a second one asking while it is made
    waits for it (:class:`Shared`).
    """
    with _SLOTS_LOCK:
        slot = _slots(dataset_key).setdefault(key, Shared())
    value: T = slot.get(make)
    return value


def shared_baseline(ref: DatasetRef, key: str, evaluator: ScenarioEvaluator,
                    baseline: Scenario, progress: Callable[[float, str], None]) -> Result:
    """The baseline's result under ``key``, evaluated once for every session, kept on disk.

    A new session (a reload, another browser) then shows the targets at once, and so does
    the first page after the server starts again (:mod:`covplan.app.stored`): the evaluator
    then predicts the baseline alongside (:func:`warm_in_background`), ready for the first
    edit. What is shared and kept has no coverage grids (100 MB on the full demo): the
    evaluator's latest grids serve the one session that draws the map layers from them.
    """
    made: list[Result] = []

    def make() -> Result:
        made.append(evaluate(evaluator, baseline, progress))
        return replace(made[0], coverage={})

    def read_or_make() -> Result:
        result = stored.kept("baseline", stored_key(ref, repr(evaluator.targets)), make)
        if not made:
            warm_in_background(evaluator, baseline)
        return result

    value = shared_value(ref.key, f"baseline|{key}", read_or_make)
    return made[0] if made else value


@functools.lru_cache(maxsize=8)
def _content(ref: DatasetRef) -> str | None:
    """A digest of the content of the dataset's files (None for an upload: never kept)."""
    if ref.confined:
        return None
    try:
        files = _dataset_files(Path(ref.path), confined=False)
        return stored.files_digest(str(f) for f in files if not f.is_dir())
    except OSError as exc:
        logger.warning("Not keeping the first page of %s: %s", ref.path, exc)
        return None


def stored_key(ref: DatasetRef, *parts: str) -> str | None:
    """The key under which the first page's parts of ``ref`` are kept on disk (None: not)."""
    content = _content(ref)
    return None if content is None else stored.key_of((content, *parts))


#: Baseline evaluations running in the background (:func:`warm_in_background`).
_WARMING: weakref.WeakKeyDictionary[ScenarioEvaluator, Future[Any]] = (
    weakref.WeakKeyDictionary())
_WARMING_LOCK = threading.Lock()
#: Background evaluations asked for, to start once the page is drawn.
_PENDING: list[tuple[ScenarioEvaluator, Scenario]] = []


@st.cache_resource(show_spinner=False)
def _warmer() -> ThreadPoolExecutor:
    """The process's thread for baseline evaluations done behind a page read from disk.

    It runs at a lower CPU priority (:func:`covplan._priority.lower_thread_priority`): the
    first page's baseline is evaluated while other people open the app, and drawing their
    pages comes first.
    """
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="covplan-warm",
                              initializer=lower_thread_priority)


def warm_in_background(evaluator: ScenarioEvaluator, baseline: Scenario) -> None:
    """Have ``baseline`` evaluated in a thread once the page is drawn (:func:`start_warming`).

    The page came from disk (:mod:`covplan.app.stored`); the evaluator still predicts every
    site (from the per-site cache on disk) and lays the layers on the grid, once, for the
    first edit. Started after the page, it leaves the two cores to drawing it first.
    """
    with _WARMING_LOCK:
        if evaluator not in _WARMING and all(e is not evaluator for e, _ in _PENDING):
            _PENDING.append((evaluator, baseline))


def start_warming() -> None:
    """Start the background evaluations :func:`warm_in_background` asked for."""
    with _WARMING_LOCK:
        for evaluator, baseline in _PENDING:
            _WARMING[evaluator] = _warmer().submit(_evaluate_quietly, evaluator, baseline)
        _PENDING.clear()


def _evaluate_quietly(evaluator: ScenarioEvaluator, baseline: Scenario) -> None:
    """Evaluate ``baseline``, keeping nothing but what the evaluator keeps itself.

    The per-operator table is made too: the first edit's then follows on from it.
    """
    started = time.perf_counter()
    evaluator.evaluate(baseline).analysis.per_operator.get()
    logger.info("Baseline of %s evaluated behind the page in %.1f s", evaluator.dataset.name,
                time.perf_counter() - started)


def wait_for_warming() -> None:
    """Wait for the background evaluations (they share the predictions being updated)."""
    start_warming()
    with _WARMING_LOCK:
        pending = [f for f in _WARMING.values() if not f.done()]
    for future in pending:
        try:
            future.result()
        except Exception as exc:  # the evaluation below meets and reports it again
            logger.warning("The background evaluation failed: %s", exc)


def baseline_script(ref: DatasetRef, targets: TargetChoice | str, lang: Language,
                    make: Callable[[], str]) -> str:
    """The baseline's map layers in ``lang``: made once for every session, kept on disk."""
    choice = _choice(targets)
    key = stored_key(ref, repr(evaluator_for(ref, choice).targets), lang.code)
    return shared_value(ref.key, f"script|{choice.key}|{lang.code}",
                        lambda: stored.kept("script", key, make))


def forget(ref: DatasetRef, store: Any | None = None) -> None:
    """Drop everything cached about ``ref``.

    That is the dataset, its evaluators and base maps (every preset, outdoors and
    indoors), and the results memoised in ``store`` (the session; None: none).
    """
    _dataset.clear(ref.path, ref.fingerprint, ref.confined)
    _predictions.clear(ref.path, ref.fingerprint, ref.confined)
    _slots.clear(ref.key)
    legends: set[Covered] = set()
    for preset in preset_names():
        for environment, building in _VARIANTS:
            _evaluator.clear(ref.path, ref.fingerprint, ref.confined, preset, environment,
                             building)
            try:
                legends.add(covered_key(TargetChoice(preset, environment, building).targets()))
            except CovplanError:
                continue  # a preset that does not load has no base map
    for covered in legends:
        for code in LANGUAGES:
            _base_map.clear(ref.path, ref.fingerprint, ref.confined, covered, code)
    for bucket in RESULT_BUCKETS:
        results = store.get(bucket, {}) if store is not None else {}
        for key in [k for k in results if k.startswith(f"{ref.key}|")]:
            del results[key]
    logger.info("Forgot everything cached about %s", ref.key)


def warm_up_updates() -> None:
    """Compile (or load from numba's cache) the kernels of a scenario update."""
    merge_kernels()
    metric_kernels()
    link_kernels()


def bar_progress(bar: Any, title: str, *, every_s: float = 0.2) -> Callable[[float, str], None]:
    """A ``progress(fraction, message)`` callback driving an ``st.progress`` bar.

    The bar says ``title`` (in the page's language) and how far it is, ``Đang dự báo vùng
    phủ… 45 %``: the messages of the work it follows are for the log (the engine's
    ``4G site 12/167``, in English), not for the page. Each update is a message to the
    browser, and the engine reports every site group, so the bar moves at most every
    ``every_s`` seconds (and always at the end).
    """
    last = [-math.inf]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < every_s and fraction < 1.0:
            return
        last[0] = now
        done = min(max(fraction, 0.0), 1.0)
        logger.debug("%s %.0f %%: %s", title, 100 * done, message)
        bar.progress(done, text=f"{title} {round(100 * done)} %")

    return report


def evaluate(
    evaluator: ScenarioEvaluator,
    scenario: Scenario,
    progress: Callable[[float, str], None],
    on_coverage: Callable[[dict[str, Any]], None] | None = None,
) -> Result:
    """What the page shows of one scenario, from the one evaluation pipeline.

    :meth:`~covplan.planning.ScenarioEvaluator.evaluate` predicts through the evaluator's
    cache, calls ``on_coverage`` with the grids before the (longer) measuring, and measures
    the targets; the page keeps the coverage, the analysis and the villages' signal share.
    """
    wait_for_warming()
    evaluation = evaluator.evaluate(scenario, progress=progress, on_coverage=on_coverage)
    return Result(evaluation.coverage, evaluation.analysis, evaluation.village_share())


class Shared(Generic[T]):
    """A value made once per process and shared by every session that asks for it.

    ``st.cache_resource`` records the elements a cached function draws and replays them on
    every later hit; a progress bar drawn into a block made outside the function cannot be
    replayed, and each hit then fails (``CacheReplayClosureError``). So work that reports
    progress on the page keeps only this slot in the cache (keyed as the work is) and runs
    outside it, under the slot's lock: a second session asking meanwhile waits for the
    first one's value instead of making it again. A failure is not kept: the next call
    tries again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: list[T] = []  # empty until made

    def get(self, make: Callable[[], T]) -> T:
        """The value, made by ``make`` on the first call that succeeds."""
        with self._lock:
            if not self._value:
                self._value.append(make())
            return self._value[0]


@st.cache_resource(show_spinner=False)
def worker() -> ThreadPoolExecutor:
    """The process's one worker thread for work done alongside a page run."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="covplan-overlay")


def draw_overlays_ahead(coverage: dict[str, Any]) -> list[Future[Any]]:
    """Start drawing the coverage overlay images in a worker thread; their futures.

    :func:`covplan.mapview.overlays.coverage_image` remembers each image with its grid,
    where the map's scenario script then finds it. Warping and PNG encoding release the
    GIL, so this overlaps with the targets being measured. Grids already drawn cost nothing.
    """
    return [
        worker().submit(coverage_image, rsrp_source(grid), max_px=COVERAGE_MAX_PX)
        for grid in coverage.values()
    ]


def draw_link_images_ahead(links: Mapping[str, Mapping[str, Raster] | None]
                           ) -> list[Future[Any]]:
    """Start drawing the speed and SINR images in the worker thread; their futures.

    ``links`` is :func:`covplan.app.page.link_layers`' ``{"speed": {tech: grid}, ...}``.
    :func:`covplan.mapview.overlays.speed_image` remembers each image with its grid; the
    scenario script, made meanwhile, waits for an image still being drawn instead of
    drawing it again.
    """
    return [worker().submit(speed_image, grid, max_px=LINK_MAX_PX)
            for grids in links.values() if grids for grid in grids.values()]


def scenario_result(store: Any, key: str, make: Callable[[], T], *, bucket: str = "results") -> T:
    """The memoised value under ``key`` in ``store[bucket]``, made when missing.

    ``store`` is ``st.session_state`` (any mutable mapping in tests). Each bucket keeps the
    :data:`MAX_RESULTS` latest values.
    """
    results: OrderedDict[str, T] = store.setdefault(bucket, OrderedDict())
    if key in results:
        results.move_to_end(key)
        return results[key]
    result = make()
    results[key] = result
    while len(results) > MAX_RESULTS:
        results.popitem(last=False)
    return result


def forget_coverage(store: Any, key: str, *, bucket: str = "results") -> None:
    """Let the memoised result under ``key`` in ``store[bucket]`` drop its coverage grids.

    They take about 100 MB a scenario on the full demo, and once the map's scenario layers
    are drawn from them nothing on the page reads them again: twelve kept results held
    1.1 GB per session.
    """
    results = store.get(bucket)
    if results is not None and key in results and results[key].coverage:
        results[key] = replace(results[key], coverage={})


#: What a base map's legend calls covered: ``((technology, dBm), ...)``.
Covered = tuple[tuple[str, float], ...]


@st.cache_resource(show_spinner=False, max_entries=4)
def _base_map(path: str, fingerprint: str, confined: bool, covered: Covered, lang: str
              ) -> BaseMap:
    ref = DatasetRef(path, fingerprint, confined)

    def make() -> BaseMap:
        return serialise(base_map(dataset_for(ref), thresholds=dict(covered), lang=language(lang)))

    return stored.kept("basemap", stored_key(ref, repr(covered), lang), make)


def covered_key(targets: TargetSet) -> Covered:
    """What the map's legend calls covered for ``targets`` (:func:`covered_from_dbm`)."""
    return tuple(sorted(covered_from_dbm(targets).items()))


def legend_key(targets: TargetSet) -> str:
    """Text naming the base map ``targets`` need: presets with equal thresholds share it.

    The map component is keyed by it (:func:`covplan.app.livemap.map_key`), so switching
    to such a preset keeps the map drawn, with its zoom and position, and swaps only the
    scenario layers.
    """
    return ",".join(f"{tech}{dbm:g}" for tech, dbm in covered_key(targets))


def covered_from_dbm(targets: TargetSet) -> dict[str, float]:
    """``{technology: dBm}`` the map's legend calls covered: the preset's thresholds.

    Where targets count indoors, the lowest outdoor signal their thresholds ask for (the
    threshold plus the building entry loss).
    """
    covered = {t: targets.thresholds.rsrp_dbm(t) for t in TECHNOLOGIES}
    indoor = [t for t in targets.targets if t.indoor]
    for technology in TECHNOLOGIES:
        values = [t.thresholds.rsrp_dbm(technology) for t in indoor
                  if technology in t.technologies]
        if values:
            covered[technology] = min(values)
    return covered


def base_map_for(ref: DatasetRef, targets: TargetChoice | str, lang: Language) -> BaseMap:
    """The dataset's base map (legend for the targets, words in ``lang``), once per process.

    Presets whose thresholds the legend states alike share one (:func:`legend_key`).
    """
    covered = covered_key(evaluator_for(ref, targets).targets)
    return _base_map(ref.path, ref.fingerprint, ref.confined, covered, lang.code)
