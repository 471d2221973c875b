"""Everything the metrics share, prepared once per coverage prediction.

Burning villages and communes onto the grid, moving people onto it and cutting roads into
pieces cost more than any single measure, so :func:`prepare_metrics` does them once and
:class:`MetricContext` caches what each set of technologies and thresholds gives.
:meth:`MetricContext.advance` carries those results over to the next scenario's coverage,
redoing them only where it changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from covplan._progress import ProgressFn, no_progress
from covplan.grid import GridSpec, Raster
from covplan.io.carriageways import merge_dual_carriageways
from covplan.metrics.pois import poi_signal
from covplan.metrics.population import PeopleGrid, people_on_grid
from covplan.metrics.roads import RoadSamples, covered_pieces, sample_roads
from covplan.metrics.signal import Coverage, coverage_grid, covered_cells
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.villages import fibre_reached, has_fibre_data, village_signals
from covplan.metrics.zones import Window, ZoneRaster, rasterize_zones
from covplan.tiled import TiledArray

#: Cache entries that do not depend on the coverage, kept by :meth:`MetricContext.advance`.
_STATIC = frozenset({"fibre", "fibre cells", "province"})

if TYPE_CHECKING:
    from covplan.io.dataset import Dataset

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(eq=False)
class MetricContext:
    """Layers of a province laid on one coverage grid, with cached per-measure results.

    Attributes
    ----------
    coverage
        RSRP grids by technology.
    grid
        Their grid.
    thresholds
        Default thresholds (a measure may pass its own).
    people
        People per cell.
    communes, commune_zones, villages, village_zones, pois, fibre, sites
        The layers (None when absent) and the polygons' cells. With communes, road
        pieces and points of interest outside every commune are left out: targets are
        about the province.
    village_commune
        Row position in ``communes`` of each village's commune (-1 unknown).
    roads
        Roads joined into routes and cut into pieces.
    networks
        Each operator's own coverage (``{operator: {technology: grid}}``, with the SINR
        when speed is measured), for targets of each network or of speed
        (:mod:`covplan.targets.networks`); None when not predicted.
    """

    coverage: Coverage
    grid: GridSpec
    thresholds: Thresholds
    people: PeopleGrid
    communes: gpd.GeoDataFrame | None = None
    commune_zones: ZoneRaster | None = None
    villages: gpd.GeoDataFrame | None = None
    village_zones: ZoneRaster | None = None
    village_commune: np.ndarray | None = None
    roads: RoadSamples | None = None
    pois: gpd.GeoDataFrame | None = None
    fibre: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    networks: Mapping[str, Coverage] | None = None
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    _previous: MetricContext | None = field(default=None, repr=False)
    _window: Window | None = field(default=None, repr=False)

    def _cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def advance(self, coverage: Coverage, window: Window | None, *,
                sites: gpd.GeoDataFrame | None = None) -> MetricContext:
        """The same layers on a new ``coverage`` that differs from this one only in ``window``.

        Grid-wide results the new context needs are then updated instead of recomputed:
        covered-cell masks are copied and redone inside the window, per-zone sums are
        redone for the zones with a cell in the window (each exactly as a full pass would
        give it). ``window`` is :func:`covplan.metrics.signal.changed_window`'s answer;
        None recomputes everything. This context stops serving as anyone's previous one.
        """
        static = {k: v for k, v in self._cache.items() if k[0] in _STATIC}
        self._previous = None  # at most two contexts linked: memory stays bounded
        return replace(self, coverage=coverage, sites=self.sites if sites is None else sites,
                       _cache=static, _previous=self if window is not None else None,
                       _window=window)

    def derived(self, coverage: Coverage) -> MetricContext:
        """The same layers on another ``coverage`` (a view of the networks), cached apart.

        Results that do not depend on the coverage (fibre, the province's zones) are shared;
        nothing is carried over from an earlier context.
        """
        static = {k: v for k, v in self._cache.items() if k[0] in _STATIC}
        return replace(self, coverage=coverage, networks=None, _cache=static, _previous=None,
                       _window=None)

    def cached_view(self, key: tuple[Any, ...], make: Callable[[], MetricContext]
                    ) -> MetricContext:
        """The view context under ``key``, made once per context."""
        view: MetricContext = self._cached(key, make)
        return view

    def follow_on(self, key: tuple[Any, ...], make: Callable[[], T],
                  update: Callable[[T], T]) -> T:
        """The value under ``key``, made once per context.

        After :meth:`advance`, a value the previous context holds under ``key`` is handed
        to ``update`` (which must give what ``make`` would, reusing what did not change);
        otherwise ``make`` makes it.
        """
        if key not in self._cache:
            carried = self._carried(key)
            self._cache[key] = make() if carried is None else update(carried[0])
        value: T = self._cache[key]
        return value

    def _carried(self, key: tuple[Any, ...]) -> tuple[Any, Window] | None:
        """The previous context's value under ``key`` and the changed window, if any."""
        previous, window = self._previous, self._window
        if previous is None or window is None:
            return None
        value = previous._cache.get(key)
        return None if value is None else (value, window)

    def zones(self, name: str) -> ZoneRaster:
        """The ``"communes"``, ``"villages"`` or ``"province"`` zones on the grid."""
        if name == "province":
            return self.province
        zones = {"communes": self.commune_zones, "villages": self.village_zones}[name]
        if zones is None:
            raise ValueError(f"the dataset has no {name}")
        return zones

    def per_zone(self, key: tuple[Any, ...], zones: str,
                 compute: Callable[[np.ndarray | None], tuple[np.ndarray, ...]]
                 ) -> tuple[np.ndarray, ...]:
        """Cached per-zone arrays of a reduction over the coverage (one row per zone).

        ``compute(keep)`` makes them: for every zone when ``keep`` is None, else for the
        zones flagged in ``keep`` at least (other rows are ignored). After
        :meth:`advance`, only zones with a cell in the changed window are recomputed; the
        other rows are the previous context's.
        """
        if key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        carried = self._carried(key)
        if carried is None:
            value = compute(None)
        else:
            before, window = carried
            touched = self.zones(zones).touched(window)
            if not touched.any():
                value = before
            else:
                fresh = compute(touched)
                value = tuple(np.where(touched.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)
                              for old, new in zip(before, fresh, strict=True))
        self._cache[key] = value
        return value

    def cells(self, technologies: Iterable[str], thresholds: Thresholds | None = None, *,
              or_fibre: bool = False) -> np.ndarray:
        """Boolean grid of cells with signal from any of ``technologies``.

        With ``or_fibre``, cells of fibre-reached villages count too.
        """
        techs, thr = tuple(sorted(technologies)), thresholds or self.thresholds
        key = ("cells", techs, thr, or_fibre)
        if key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        carried = self._carried(key)
        if carried is None:
            mask = covered_cells(self.coverage, techs, thr, self.grid)
            if or_fibre:
                mask |= self._fibre_cells(thr)
        else:
            before, (r0, r1, c0, c1) = carried
            if r1 <= r0 or c1 <= c0:  # nothing changed: the same cells (never written to)
                self._cache[key] = before
                return before  # type: ignore[no-any-return]
            mask = before.copy()
            inside = covered_cells(self.coverage, techs, thr, self.grid, window=(r0, r1, c0, c1))
            if or_fibre:
                inside |= self._fibre_cells(thr)[r0:r1, c0:c1]
            mask[r0:r1, c0:c1] = inside
        self._cache[key] = mask
        return mask

    def _fibre_cells(self, thresholds: Thresholds) -> np.ndarray:
        """Cells of fibre-reached villages (none without villages)."""
        def make() -> np.ndarray:
            if self.villages is None or self.village_zones is None:
                return np.zeros(self.grid.shape, dtype=bool)
            reached = np.append(self.fibre_reached(thresholds).to_numpy(bool), False)
            out: np.ndarray = reached[self.village_zones.ids]  # id -1 -> the appended False
            return out
        return self._cached(("fibre cells", thresholds.fibre_drop_m),  # type: ignore[no-any-return]
                            make)

    def zone_totals(self, zones: str, technology_sets: Sequence[Iterable[str]],
                    thresholds: Thresholds | None = None, *, weighted: bool = True,
                    or_fibre: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`ZoneRaster.totals` of people (cells when not ``weighted``) with signal.

        Column 0 sums every cell of a zone, column k + 1 the cells with signal from any of
        ``technology_sets[k]`` (:meth:`cells` with ``or_fibre``).
        """
        thr = thresholds or self.thresholds
        sets = tuple(tuple(sorted(t)) for t in technology_sets)
        raster = self.zones(zones)
        weights = self.people.people if weighted else None

        def compute(keep: np.ndarray | None) -> tuple[np.ndarray, ...]:
            masks = [self.cells(t, thr, or_fibre=or_fibre) for t in sets]
            return raster.totals(weights, masks, keep=keep)

        sums, cells = self.per_zone(("totals", zones, weighted, sets, thr, or_fibre), zones,
                                    compute)
        return sums, cells

    def operator_totals(self, technology: str, server: TiledArray, site_keys: tuple[str, ...],
                        codes: np.ndarray, names: list[str]) -> np.ndarray:
        """People with ``technology`` signal per province zone (rows) and operator (columns).

        ``server`` holds the technology's serving sector per cell as a code (-1 none) into
        ``site_keys``, ``codes[code]`` the position in ``names`` of that sector's operator
        (-1 unknown). Rows are carried over from the previous context only while every
        sector kept its operator.
        """
        thr, raster = self.thresholds, self.province
        key = ("operators", technology, thr, tuple(names))
        mapping = dict(zip(site_keys, codes.tolist(), strict=True))
        previous = self._previous
        before = None if previous is None else previous._cache.get(("codes", technology))
        self._cache[("codes", technology)] = mapping

        def compute(keep: np.ndarray | None) -> tuple[np.ndarray, ...]:
            return (raster.code_totals(self.people.people, self.cells([technology], thr),
                                       server, codes, len(names), keep=keep),)

        if key not in self._cache and not _same_operators(before, mapping):
            self._cache[key] = compute(None)
        return self.per_zone(key, "province", compute)[0]

    def road_covered(self, technologies: Iterable[str], thresholds: Thresholds | None = None
                     ) -> np.ndarray:
        """Whether each road piece has signal (empty when there are no roads)."""
        techs, thr = tuple(sorted(technologies)), thresholds or self.thresholds
        if self.roads is None:
            return np.zeros(0, dtype=bool)
        roads = self.roads
        return self._cached(("roads", techs, thr),  # type: ignore[no-any-return]
                            lambda: covered_pieces(roads, self.coverage, list(techs), thr))

    def village_signal(self, technologies: Iterable[str], thresholds: Thresholds | None = None
                       ) -> pd.DataFrame:
        """:func:`covplan.metrics.villages.village_signal` for ``technologies``."""
        return self.village_signals([technologies], thresholds)[0]

    def village_signals(self, technology_sets: Iterable[Iterable[str]],
                        thresholds: Thresholds | None = None) -> list[pd.DataFrame]:
        """:meth:`village_signal` for several technology sets, missing ones in one pass."""
        thr = thresholds or self.thresholds
        if self.villages is None or self.village_zones is None:
            raise ValueError("the dataset has no villages")
        sets = [tuple(sorted(t)) for t in technology_sets]
        todo = list(dict.fromkeys(t for t in sets if ("villages", t, thr) not in self._cache))
        if todo:
            tables = village_signals(self.villages, self.coverage, todo, people=self.people,
                                     thresholds=thr,
                                     totals=self.zone_totals("villages", todo, thr))
            for techs, table in zip(todo, tables, strict=True):
                self._cache[("villages", techs, thr)] = table
        return [self._cache[("villages", t, thr)] for t in sets]

    @property
    def has_fibre_data(self) -> bool:
        """Whether a fibre layer or the villages' ``fibre`` column says where fibre is."""
        return has_fibre_data(self.villages, self.fibre)

    def fibre_reached(self, thresholds: Thresholds | None = None) -> pd.Series:
        """:func:`covplan.metrics.villages.fibre_reached` at the drop distance."""
        thr = thresholds or self.thresholds
        if self.villages is None:
            raise ValueError("the dataset has no villages")
        villages = self.villages
        return self._cached(("fibre", thr.fibre_drop_m),  # type: ignore[no-any-return]
                            lambda: fibre_reached(villages, self.fibre, drop_m=thr.fibre_drop_m))

    def poi_signal(self, thresholds: Thresholds | None = None) -> pd.DataFrame:
        """:func:`covplan.metrics.pois.poi_signal` (empty frame when there are no POIs)."""
        thr = thresholds or self.thresholds
        if self.pois is None:
            return pd.DataFrame()
        pois = self.pois
        return self._cached(("pois", thr),  # type: ignore[no-any-return]
                            lambda: poi_signal(pois, self.coverage, thresholds=thr))

    @property
    def province(self) -> ZoneRaster:
        """The communes on the grid, or one zone over the whole grid without communes."""
        if self.commune_zones is not None:
            return self.commune_zones
        return self._cached(("province",), lambda: ZoneRaster(  # type: ignore[no-any-return]
            np.zeros(self.grid.shape, dtype=np.int32), self.grid, 1))


def _same_operators(before: dict[str, int] | None, after: dict[str, int]) -> bool:
    """Whether every sector of both mappings has the same operator code in each."""
    if before is None:
        return False
    return all(before.get(k, code) == code for k, code in after.items())

def _village_communes(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                      zones: ZoneRaster) -> np.ndarray:
    """Each village's commune: its ``commune`` code, else the commune under its centre."""
    out = np.full(len(villages), -1, dtype=np.int64)
    if "commune" in villages.columns:
        position = {str(c): i for i, c in enumerate(communes["code"].astype(str))}
        codes = villages["commune"].astype("string").fillna("").to_numpy(str)
        out = np.array([position.get(c, -1) for c in codes], dtype=np.int64)
    todo = np.flatnonzero(out < 0)
    if len(todo):
        points = shapely.point_on_surface(np.asarray(villages.geometry.values)[todo])
        out[todo] = zones.at(shapely.get_x(points), shapely.get_y(points))
    return out


def _weighted_roads(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Roads with ``length_weight``, merging dual carriageways when one-way tags exist."""
    if "length_weight" in roads.columns or "oneway" not in roads.columns:
        return roads
    return merge_dual_carriageways(roads)


def _inside(zones: ZoneRaster, samples: RoadSamples | None, pois: gpd.GeoDataFrame | None
            ) -> tuple[RoadSamples | None, gpd.GeoDataFrame | None]:
    """Road pieces and points of interest inside the communes (the province) only."""
    if samples is not None:
        inside = zones.at(samples.pieces.x, samples.pieces.y) >= 0
        if not inside.all():
            logger.info("Roads: %.1f km outside the communes left out",
                        float(samples.counted_m[~inside].sum()) / 1000)
            samples = samples.take(inside)
    if pois is not None and len(pois):
        points = shapely.point_on_surface(np.asarray(pois.geometry.values))
        inside = zones.at(shapely.get_x(points), shapely.get_y(points)) >= 0
        if not inside.all():
            logger.info("Points of interest: %d outside the communes left out",
                        int((~inside).sum()))
            pois = pois[inside]
    return samples, pois


def prepare_metrics(
    coverage: Coverage,
    *,
    communes: gpd.GeoDataFrame | None = None,
    villages: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    pois: gpd.GeoDataFrame | None = None,
    fibre: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    population: Raster | None = None,
    thresholds: Thresholds | None = None,
    progress: ProgressFn | None = None,
) -> MetricContext:
    """Lay every layer on the coverage grid once.

    Parameters
    ----------
    coverage
        RSRP grids by technology, all on one grid, in the layers' CRS.
    communes, villages, roads, pois, fibre, sites
        Layers following the data contract (any may be None).
    population
        People per cell on any grid in the same CRS.
    thresholds
        Default thresholds.
    progress
        Called with (fraction, message).
    """
    report = progress or no_progress
    grid = coverage_grid(coverage)
    report(0.0, "laying communes and villages on the grid")
    commune_zones = rasterize_zones(communes, grid) if communes is not None else None
    village_zones = rasterize_zones(villages, grid) if villages is not None else None
    village_commune = (_village_communes(villages, communes, commune_zones)
                       if villages is not None and communes is not None
                       and commune_zones is not None else None)
    report(0.3, "people on the grid")
    people = people_on_grid(grid, population=population, villages=villages,
                            village_zones=village_zones, communes=communes,
                            commune_zones=commune_zones)
    report(0.5, "cutting roads into pieces")
    samples = (sample_roads(_weighted_roads(roads), grid.resolution_m)
               if roads is not None and len(roads) else None)
    if commune_zones is not None:
        samples, pois = _inside(commune_zones, samples, pois)
    report(1.0, "layers ready")
    return MetricContext(
        coverage=coverage, grid=grid, thresholds=thresholds or Thresholds(), people=people,
        communes=communes, commune_zones=commune_zones, villages=villages,
        village_zones=village_zones, village_commune=village_commune, roads=samples,
        pois=pois, fibre=fibre, sites=sites,
    )


def metrics_from_dataset(dataset: Dataset, coverage: Coverage, *,
                         thresholds: Thresholds | None = None,
                         progress: ProgressFn | None = None) -> MetricContext:
    """:func:`prepare_metrics` with the layers of a loaded :class:`~covplan.io.Dataset`."""
    return prepare_metrics(
        coverage, communes=dataset.communes, villages=dataset.villages, roads=dataset.roads,
        pois=dataset.layer("pois"), fibre=dataset.layer("fibre"), sites=dataset.sites,
        population=dataset.population, thresholds=thresholds, progress=progress,
    )
