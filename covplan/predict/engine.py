"""Best-server coverage grids per technology.

:func:`predict_coverage` splits the sectors of one technology into propagation groups
(co-located sectors sharing frequency and height), predicts each group on the window of the
grid its radius of influence covers (:mod:`covplan.predict._compute`), and merges the windows
into the best-server RSRP and serving-sector grids. Results are cached per group
(:class:`~covplan.predict.cache.SiteCache`), so editing one site recomputes one group and
re-merges. Memory is bounded: a group never allocates more than its window (radius ≤
``max_radius_m``) and the cache drops least-recently-used windows beyond its budget.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np

from covplan import settings as config
from covplan._digest import frame_digest
from covplan._progress import ProgressFn, labelled, scaled
from covplan.grid import GridSpec, Raster
from covplan.i18n import N_, Name, Num, Text
from covplan.predict import sinr as sinr_mod
from covplan.predict._compute import Settings, compute_group
from covplan.predict._groups import Group, SectorTable, build_groups, sector_table
from covplan.predict._merge import empty_grids, merge_ranked, merge_window
from covplan.predict._terrain import TerrainSampler, prepare_terrain
from covplan.predict.cache import SiteCache, SiteResult
from covplan.predict.environment import NO_CALIBRATION, RadioEnvironment, ReceiverCorrection
from covplan.predict.sinr import CarrierPower
from covplan.radio import linklevel, models
from covplan.radio.defaults import COVERAGE_THRESHOLD_DBM
from covplan.radio.sweep import MODEL_HATA
from covplan.radio.terrain import K_FACTOR
from covplan.schema import ON_AIR_STATUSES, TECHNOLOGIES
from covplan.tiled import KeyGrid, TiledArray, TiledRaster, Window, patched

logger = logging.getLogger(__name__)

#: Default margin (dB) below the threshold down to which each site is predicted.
MARGIN_DB = 5.0
#: Default cap on a site's radius of influence (m).
MAX_RADIUS_M = 30_000.0


@dataclass(frozen=True, eq=False, init=False)
class CoverageGrid:
    """Best-server prediction of one technology.

    The grids are kept as copy-on-write tiles (:mod:`covplan.tiled`): a prediction updated
    from the previous one (a site added, moved or removed) shares every tile the change
    does not reach with it. :attr:`rsrp_dbm`, :attr:`server` and :attr:`sinr_db` are the
    whole rasters, assembled on first use; readers of a window, of cells or of every k-th
    cell use :attr:`rsrp_tiles`, :attr:`servers` and :attr:`sinr_tiles` instead.

    Parameters
    ----------
    technology
        ``{"4G", "5G"}``.
    rsrp_dbm
        Best-server RSRP (float32 dBm), NaN where no site reaches.
    server
        Serving sector (int32 index into ``site_keys``), -1 where none.
    site_keys
        ``"site_id/sector"`` of each index.
    merged
        How the grids were merged (for the next prediction's update).
    sinr_db
        Downlink SINR of the serving sector (float32 dB, :mod:`covplan.predict.sinr`),
        when asked for; NaN where nothing serves.
    link
        Per serving index: its bandwidth, MIMO layers and load (with ``sinr_db``), to turn
        the SINR into a speed (:func:`dl_mbps`).
    power
        The carriers' loaded power (with ``sinr_db``), for the next prediction's update.
    """

    technology: str
    rsrp_tiles: TiledRaster
    servers: KeyGrid
    site_keys: tuple[str, ...]
    merged: Merged | None
    sinr_tiles: TiledRaster | None
    link: SectorLink | None
    power: CarrierPower | None

    def __init__(self, technology: str, rsrp_dbm: Raster | TiledRaster,
                 server: Raster | KeyGrid, site_keys: tuple[str, ...],
                 merged: Merged | None = None, sinr_db: Raster | TiledRaster | None = None,
                 link: SectorLink | None = None, power: CarrierPower | None = None) -> None:
        values = {
            "technology": technology,
            "rsrp_tiles": rsrp_dbm if isinstance(rsrp_dbm, TiledRaster)
            else TiledRaster.of(rsrp_dbm),
            "servers": server if isinstance(server, KeyGrid)
            else KeyGrid.of(server, tuple(site_keys)),
            "site_keys": tuple(site_keys),
            "merged": merged,
            "sinr_tiles": sinr_db if isinstance(sinr_db, TiledRaster) or sinr_db is None
            else TiledRaster.of(sinr_db),
            "link": link,
            "power": power,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def rsrp_dbm(self) -> Raster:
        """Best-server RSRP (float32 dBm) as a whole raster, NaN where no site reaches."""
        return self.rsrp_tiles.raster

    @property
    def server(self) -> Raster:
        """Serving sector (int32 index into ``site_keys``, -1: none) as a whole raster."""
        return self.servers.raster

    @property
    def sinr_db(self) -> Raster | None:
        """Downlink SINR (float32 dB) as a whole raster, or None when not predicted."""
        return self.sinr_tiles.raster if self.sinr_tiles is not None else None


@dataclass(frozen=True, eq=False)
class SectorLink:
    """Per sector index of a :class:`CoverageGrid`: what its downlink speed depends on."""

    bandwidth_mhz: np.ndarray
    mimo_layers: np.ndarray
    load: np.ndarray


def dl_mbps(grid: CoverageGrid, fade_db: float = 0.0) -> Raster:
    """Downlink speed of a new user per cell (Mb/s; NaN where nothing serves).

    The serving sector's SINR less ``fade_db`` (a cell-edge fade margin,
    :func:`covplan.radio.linklevel.fade_margin_db`) through the link-level mapping of
    :func:`covplan.radio.linklevel.user_dl_mbps`, with the sector's bandwidth, layers and
    load.

    Raises
    ------
    ValueError
        When ``grid`` was predicted without SINR.
    """
    rsrp = grid.rsrp_tiles
    rows, cols = rsrp.grid.shape
    out = dl_mbps_window(grid, (0, rows, 0, cols), fade_db)
    return Raster(out, rsrp.grid, "Mb/s", rsrp.notes)


def dl_mbps_window(grid: CoverageGrid, window: tuple[int, int, int, int],
                   fade_db: float = 0.0) -> np.ndarray:
    """:func:`dl_mbps` of the cells ``[r0, r1) x [c0, c1)`` only (float32 array).

    Raises
    ------
    ValueError
        When ``grid`` was predicted without SINR.
    """
    if grid.sinr_tiles is None or grid.link is None:
        raise ValueError(f"the {grid.technology} grid has no SINR: predict it with sinr=True")
    link = grid.link
    return linklevel.served_dl_mbps(grid.servers.window(window), grid.sinr_tiles.window(window),
                                    grid.technology, link.bandwidth_mhz, link.mimo_layers,
                                    link.load, fade_db)


@dataclass(frozen=True, eq=False)
class Merged:
    """How a :class:`CoverageGrid` was merged, so the next prediction can update it.

    Parameters
    ----------
    context
        Terrain, grid and model settings the groups were predicted with.
    groups
        Cache key of each propagation group, in merge order.
    windows
        int64 ``(len(groups), 4)``: each group's window ``[r0, r1, c0, c1)`` on the grid.
    """

    context: str
    groups: tuple[str, ...]
    windows: np.ndarray

    @property
    def extent(self) -> Window:
        """The window holding every group's window (``(0, 0, 0, 0)``: no group)."""
        w = self.windows
        if not len(w):
            return (0, 0, 0, 0)
        return (int(w[:, 0].min()), int(w[:, 1].max()), int(w[:, 2].min()), int(w[:, 3].max()))


#: Past this many added or removed groups an update merges everything again instead.
UPDATE_MAX_GROUPS = 16


def _settings(model: str, technology: str, threshold_dbm: float | None, rx_height_m: float,
              k_factor: float, margin_db: float, max_radius_m: float) -> Settings:
    if rx_height_m <= 0 or k_factor <= 0 or max_radius_m <= 0:
        raise ValueError("rx_height_m, k_factor and max_radius_m must be positive, got "
                         f"{rx_height_m}, {k_factor}, {max_radius_m}")
    spec = models.resolve_model(model, technology)
    threshold = COVERAGE_THRESHOLD_DBM[technology] if threshold_dbm is None else threshold_dbm
    return Settings(spec.name, float(rx_height_m), float(k_factor),
                    float(threshold - margin_db), float(max_radius_m))


def predict_coverage(
    sites: gpd.GeoDataFrame,
    terrain: Raster | None,
    grid: GridSpec,
    *,
    technology: str,
    model: str = "auto",
    threshold_dbm: float | None = None,
    rx_height_m: float = 1.5,
    k_factor: float = K_FACTOR,
    cache: SiteCache | None = None,
    progress: Callable[[float, str], None] | None = None,
    margin_db: float = MARGIN_DB,
    max_radius_m: float = MAX_RADIUS_M,
    warn_range: bool = True,
    previous: CoverageGrid | None = None,
    environment: RadioEnvironment | None = None,
    sinr: bool = False,
    noise_figure_db: float = linklevel.UE_NOISE_FIGURE_DB,
) -> CoverageGrid:
    """Predict the best-server RSRP and serving sector of ``technology`` on ``grid``.

    Parameters
    ----------
    sites
        One row per sector, normalised by :mod:`covplan.io` (all radio columns filled), in
        ``grid``'s CRS. Rows of other technologies are ignored; every row of this one is
        predicted whatever its ``status`` (filter before calling to leave candidates out).
    terrain
        Elevation raster (voids filled), any grid and CRS; ``None`` for a smooth earth at 0 m.
    grid
        Output grid (metric CRS, square cells); its resolution is the sampling step.
    technology
        ``{"4G", "5G"}``.
    model
        Propagation model, ``"auto"`` or a name of :data:`covplan.radio.models.MODELS`
        (the combination with terrain is described in :mod:`covplan.radio.models`).
    threshold_dbm
        Coverage threshold; each site is predicted out to where its best-case RSRP drops
        below ``threshold_dbm - margin_db``. Defaults to
        :data:`covplan.radio.defaults.COVERAGE_THRESHOLD_DBM`.
    rx_height_m
        Receiver height above ground.
    k_factor
        Effective-earth-radius factor for refraction.
    cache
        Per-site result cache reused across calls; a private one when ``None``.
    progress
        Called as ``progress(fraction, message)`` while sites are computed.
    margin_db, max_radius_m
        Prediction margin below the threshold and cap on a site's radius.
    warn_range
        Sector parameters outside the model's validity range (frequency, antenna heights)
        raise a :class:`~covplan.radio.ModelRangeWarning` naming the range; with ``False`` the
        same messages go to the grids' ``notes`` and the log instead (for apps and batch
        runs that report notes).
    previous
        An earlier prediction of the same technology on the same grid and settings. When
        only a few groups differ (a site added, moved, modified or removed), its grids are
        updated where those groups reach instead of merged again from every window; the
        result is identical. Without one, a few groups that reach a small part of the grid
        (a new operator's first site) are patched into grids of nothing in the same way.
    environment
        Land-cover clutter, calibration and vendor antenna patterns
        (:class:`~covplan.predict.environment.RadioEnvironment`); None for the bare model.
    sinr
        Also compute the downlink SINR (:mod:`covplan.predict.sinr`): every sector given
        is taken as one network (one operator's), interfering on its own carrier.
    noise_figure_db
        The UE noise figure of the SINR's noise.

    Returns
    -------
    CoverageGrid
    """
    started = time.perf_counter()
    settings = _settings(model, technology, threshold_dbm, rx_height_m, k_factor, margin_db,
                         max_radius_m)
    spec = models.MODELS[settings.model]
    table = sector_table(sites, technology)
    keys = tuple(f"{s}/{n}" for s, n in zip(table.site_id.tolist(), table.sector.tolist(),
                                             strict=True))
    groups, sampler, context, rx = prepare_groups(table, terrain, grid, technology, settings,
                                                  environment)
    cache = cache if cache is not None else SiteCache()
    keys_of_groups = [g.key(context) for g in groups]
    results = compute_groups(groups, keys_of_groups, sampler, grid, spec, settings, cache,
                             progress, rx)
    merged = Merged(context, tuple(keys_of_groups), np.array(
        [(r.row0, r.row0 + r.rsrp_dbm.shape[0], r.col0, r.col0 + r.rsrp_dbm.shape[1])
         for r in results], dtype=np.int64).reshape(-1, 4))
    change = _changes(previous, merged, keys)
    if previous is None:  # a few sites reaching a small part of the grid: patch them in
        start = _empty_start(technology, grid, merged, groups, sinr, noise_figure_db)
        from_start = _changes(start, merged, keys) if start is not None else None
        if from_start is not None:
            previous, change = start, from_start
    if change is not None:
        assert previous is not None
        rsrp, codes, code_keys = _update(previous, merged, groups, results, keys, change)
    else:
        rsrp_full, server_full = empty_grids(grid.shape)
        for g, r in zip(groups, results, strict=True):
            if r.rsrp_dbm.size:
                merge_window(rsrp_full, server_full, r.row0, r.col0, r.rsrp_dbm, r.sector,
                             g.indices)
        rsrp_full[np.isneginf(rsrp_full)] = np.nan
        rsrp, codes, code_keys = TiledArray.of(rsrp_full), TiledArray.of(server_full), keys
    link = _link(table, technology, groups, results, grid, rsrp, codes, code_keys, keys,
                 previous, merged, change, noise_figure_db) if sinr else None
    range_notes = _warn_ranges(spec, table, results, rx_height_m, warn_range)
    notes = (_notes(spec, settings, results, terrain is None)
             + _environment_notes(environment, technology, spec.name, table) + range_notes)
    logger.info("Predicted %s: %d sectors in %d groups (%s), %.2f s", technology, len(keys),
                len(groups), "updated" if change is not None else "merged afresh",
                time.perf_counter() - started)
    if progress is not None:
        progress(1.0, f"{technology}: merged {len(groups)} sites")
    if link is not None:
        noise = linklevel.noise_re_dbm(technology, noise_figure_db)
        notes += (Text(N_("SINR: sectors of one network on the serving carrier interfere, "
                          "each scaled by its load; noise {noise} dBm per resource element "
                          "(UE noise figure {figure} dB); interferers below {floor} dBm left "
                          "out"), noise=Num(noise, 1), figure=Num.shortest(noise_figure_db),
                       floor=Num.shortest(settings.floor_dbm)),)
    rsrp_tiles = TiledRaster(rsrp, grid, "dBm", notes)
    servers = KeyGrid(TiledRaster(codes, grid, "index", notes), code_keys, keys)
    if link is None:
        return CoverageGrid(technology, rsrp_tiles, servers, keys, merged)
    sinr_grid, sector_link, power = link
    return CoverageGrid(technology, rsrp_tiles, servers, keys, merged,
                        TiledRaster(sinr_grid, grid, "dB", notes), sector_link, power)


def _link(table: SectorTable, technology: str, groups: list[Group], results: list[SiteResult],
          grid: GridSpec, rsrp: TiledArray, codes: TiledArray, code_keys: tuple[str, ...],
          site_keys: tuple[str, ...], previous: CoverageGrid | None, merged: Merged,
          change: _Change | None, noise_figure_db: float
          ) -> tuple[TiledArray, SectorLink, CarrierPower]:
    """The SINR grid, the sectors' link values and the carriers' power (updated if it can).

    After an update of ``previous`` (``change``), the power is summed again and the SINR
    computed again only in the window of the groups that changed: outside it the serving
    signal, the serving sector (its carrier and load) and every carrier's power are
    unchanged, and so is the SINR.
    """
    carriers = [(g.frequency_mhz, g.bandwidth_mhz) for g in groups]
    prior = changed = None
    if previous is not None and change is not None:
        prior = previous.power
        if previous.merged is not None \
                and len(change.gone) + len(change.added) <= sinr_mod.UPDATE_MAX_GROUPS:
            changed = sinr_mod.changed_window(previous.merged.windows[change.gone],
                                              merged.windows[change.added])
    noise = linklevel.noise_re_dbm(technology, noise_figure_db)
    power = replace(sinr_mod.carrier_power(grid.shape, carriers, results, prior, changed),
                    noise_dbm=noise)
    sector_carrier = np.zeros(len(table), dtype=np.int64)
    for g, k in zip(groups, power.group_carrier.tolist(), strict=True):
        sector_carrier[g.indices] = k
    load = np.clip(table["load"], 0.0, 1.0)
    servers = KeyGrid(TiledRaster(codes, grid, "index"), code_keys, site_keys)
    link = SectorLink(np.asarray(table["bandwidth_mhz"], dtype=np.float64),
                      np.asarray(table["mimo_layers"], dtype=np.float64), load)
    before = previous.sinr_tiles if previous is not None else None
    window = power.window
    if window is None or before is None or prior is None or prior.noise_dbm != noise:
        sinr = TiledArray.of(sinr_mod.sinr_db(
            rsrp.array(), servers.raster.data, sector_carrier, load,
            [p.array() for p in power.power_mw], noise))
        return sinr, link, power

    def write(block: np.ndarray, row0: int, col0: int) -> None:
        r0, r1, c0, c1 = window
        block[r0 - row0:r1 - row0, c0 - col0:c1 - col0] = sinr_mod.sinr_db(
            rsrp.window(window), servers.window(window), sector_carrier, load,
            [p.window(window) for p in power.power_mw], noise)

    return before.values.patched(window, write), link, power


def prepare_groups(table: SectorTable, terrain: Raster | None, grid: GridSpec,
                   technology: str, settings: Settings,
                   environment: RadioEnvironment | None
                   ) -> tuple[list[Group], TerrainSampler, str, ReceiverCorrection | None]:
    """Propagation groups, terrain sampler, cache-key context and receiver correction.

    The context is the bare model's when ``environment`` changes nothing for
    ``technology`` (no clutter, no calibration for its model), so such predictions share
    their cache entries with predictions made without an environment.
    """
    patterns = environment.antenna_patterns if environment is not None else None
    groups = build_groups(table, technology, patterns)
    sampler = prepare_terrain(terrain, grid, settings.max_radius_m)
    context = f"{sampler.digest}|{grid!r}|{settings.context()}"
    rx = (environment.receiver(grid, technology, settings.model, settings.rx_height_m)
          if environment is not None else None)
    if rx is not None:
        context += f"|{rx.text}"
    return groups, sampler, context, rx


def compute_groups(groups: list[Group], group_keys: list[str], sampler: TerrainSampler,
                   grid: GridSpec, spec: models.ModelSpec, settings: Settings,
                   cache: SiteCache, progress: Callable[[float, str], None] | None,
                   rx: ReceiverCorrection | None = None) -> list[SiteResult]:
    """Every group's window, from ``cache`` where it holds one, else computed and kept."""
    results: list[SiteResult] = []
    computed = 0
    step = max(1, len(groups) // 100)
    for i, (g, key) in enumerate(zip(groups, group_keys, strict=True)):
        result = cache.get(key)
        if result is None:
            result = compute_group(g, sampler, grid, spec, settings, rx)
            cache.put(key, result)
            computed += 1
        results.append(result)
        if progress is not None and (i % step == 0 or i == len(groups) - 1):
            progress(0.95 * (i + 1) / len(groups), f"site {i + 1}/{len(groups)}")
    logger.info("%d of %d sites computed, %d from cache", computed, len(groups),
                len(groups) - computed)
    return results


@dataclass(frozen=True)
class _Change:
    """Groups of the previous prediction gone and of this one added (merge positions)."""

    gone: list[int]
    added: list[int]


#: Past this many more serving-sector keys than sectors (keys of sectors gone since the
#: grids were merged afresh, :class:`~covplan.tiled.KeyGrid`), an update merges afresh.
MAX_STALE_KEYS = 4096


def _changes(previous: CoverageGrid | None, merged: Merged, site_keys: tuple[str, ...]
             ) -> _Change | None:
    """How ``merged`` differs from ``previous``'s groups, or None to merge them all."""
    before = previous.merged if previous is not None else None
    if previous is None or before is None or before.context != merged.context:
        return None
    old_groups, new_groups = set(before.groups), set(merged.groups)
    if len(old_groups) != len(before.groups) or len(new_groups) != len(merged.groups):
        return None  # two identical groups: keys do not tell them apart
    if len(set(site_keys)) != len(site_keys):
        return None  # two sectors with one key: codes do not tell them apart
    if len(previous.servers.keys) > len(site_keys) + MAX_STALE_KEYS:
        return None
    if not previous.rsrp_tiles.values.same_layout(previous.servers.codes.values):
        return None
    gone = [i for i, key in enumerate(before.groups) if key not in new_groups]
    added = [j for j, key in enumerate(merged.groups) if key not in old_groups]
    if len(gone) + len(added) > UPDATE_MAX_GROUPS:
        return None
    return _Change(gone, added)


def _empty_start(technology: str, grid: GridSpec, merged: Merged, groups: list[Group],
                 sinr: bool, noise_figure_db: float) -> CoverageGrid | None:
    """A prediction of no site to update with ``merged``'s groups, or None to merge them all.

    Only for at most :data:`UPDATE_MAX_GROUPS` groups whose windows together span at most
    half of the grid: its grids are tiles of one block each
    (:meth:`~covplan.tiled.TiledArray.filled`), so the update copies only the tiles the
    groups reach, where a full merge would fill whole grids first.
    """
    if not 0 < len(merged.groups) <= min(UPDATE_MAX_GROUPS, sinr_mod.UPDATE_MAX_GROUPS):
        return None
    r0, r1, c0, c1 = merged.extent
    if 2 * (r1 - r0) * (c1 - c0) > grid.shape[0] * grid.shape[1]:
        return None
    nothing = Merged(merged.context, (), np.zeros((0, 4), dtype=np.int64))
    rsrp = TiledRaster(TiledArray.filled(grid.shape, np.nan, np.float32), grid, "dBm")
    servers = KeyGrid(TiledRaster(TiledArray.filled(grid.shape, -1, np.int32), grid, "index"),
                      (), ())
    if not sinr:
        return CoverageGrid(technology, rsrp, servers, (), nothing)
    power = sinr_mod.no_power(grid.shape, [(g.frequency_mhz, g.bandwidth_mhz) for g in groups],
                              linklevel.noise_re_dbm(technology, noise_figure_db))
    no_link = SectorLink(np.zeros(0), np.zeros(0), np.zeros(0))
    sinr_tiles = TiledRaster(TiledArray.filled(grid.shape, np.nan, np.float32), grid, "dB")
    return CoverageGrid(technology, rsrp, servers, (), nothing, sinr_tiles, no_link, power)


def _update(previous: CoverageGrid, merged: Merged, groups: list[Group],
            results: list[SiteResult], site_keys: tuple[str, ...], change: _Change
            ) -> tuple[TiledArray, TiledArray, tuple[str, ...]]:
    """``previous``'s grids updated to ``merged``'s groups: RSRP, server codes, their keys.

    Cells in the windows of groups that are gone are cleared and merged again from every
    group reaching them; then the new groups' windows are merged in. :func:`merge_ranked`
    settles ties by merge order, so the grids equal a full merge's. Serving sectors are
    codes into the previous grid's keys, extended by the new sectors' keys
    (:class:`~covplan.tiled.KeyGrid`), so no cell outside the windows changes; and only the
    tiles the windows touch are copied (:func:`~covplan.tiled.patched`), the others shared
    with ``previous``.
    """
    assert previous.merged is not None
    keys, code_of = previous.servers.coded(site_keys)
    group_of_sector = np.zeros(len(site_keys), dtype=np.int64)
    for j, g in enumerate(groups):
        group_of_sector[g.indices] = j
    sector_rank = np.zeros(max(len(keys), 1), dtype=np.int64)  # per code
    sector_rank[code_of] = group_of_sector

    def group_codes(j: int) -> np.ndarray:
        """The codes of group ``j``'s sectors (as :func:`merge_ranked` reads indices)."""
        indices = groups[j].indices
        return np.asarray(code_of[indices], dtype=indices.dtype)

    grids = [previous.rsrp_tiles.values, previous.servers.codes.values]
    if change.gone:
        w = previous.merged.windows[change.gone]
        bbox = (int(w[:, 0].min()), int(w[:, 1].max()), int(w[:, 2].min()), int(w[:, 3].max()))
        reach = merged.windows
        r0, r1, c0, c1 = bbox
        hits = np.flatnonzero((reach[:, 0] < r1) & (reach[:, 1] > r0) & (reach[:, 2] < c1)
                              & (reach[:, 3] > c0))

        def clear_and_merge(blocks: list[np.ndarray], row0: int, col0: int) -> None:
            rsrp, server = blocks
            rsrp[r0 - row0:r1 - row0, c0 - col0:c1 - col0] = np.nan
            server[r0 - row0:r1 - row0, c0 - col0:c1 - col0] = -1
            for hit in hits.tolist():
                _merge_into(blocks, row0, col0, results[hit], group_codes(hit), hit,
                            sector_rank, bbox)

        grids = patched(grids, bbox, clear_and_merge)
    for j in change.added:
        a0, a1, b0, b1 = (int(v) for v in merged.windows[j])

        def merge_added(blocks: list[np.ndarray], row0: int, col0: int, j: int = j,
                        window: Window = (a0, a1, b0, b1)) -> None:
            _merge_into(blocks, row0, col0, results[j], group_codes(j), j, sector_rank, window)

        grids = patched(grids, (a0, a1, b0, b1), merge_added)
    logger.debug("Updated the previous grids: %d groups gone, %d added", len(change.gone),
                 len(change.added))
    return grids[0], grids[1], keys


def _merge_into(blocks: list[np.ndarray], row0: int, col0: int, r: SiteResult,
                codes: np.ndarray, rank: int, sector_rank: np.ndarray, clip: Window) -> None:
    """Merge one group's window into ``blocks``, only inside ``clip``.

    ``blocks`` are the RSRP and the server codes from grid cell ``(row0, col0)`` on;
    ``clip`` is ``(r0, r1, c0, c1)`` on the grid.
    """
    if not r.rsrp_dbm.size:
        return
    rsrp, server = blocks
    r_lo, r_hi, c_lo, c_hi = clip
    merge_ranked(rsrp, server, r.row0 - row0, r.col0 - col0, r.rsrp_dbm, r.sector, codes,
                 rank, sector_rank, r_lo - row0, r_hi - row0, c_lo - col0, c_hi - col0)


def _warn_ranges(spec: models.ModelSpec, table: SectorTable, results: list[SiteResult],
                 rx_height_m: float, warn: bool) -> tuple[Text, ...]:
    if not results:
        return ()
    if spec.kernel == MODEL_HATA:
        heights = np.array([h for r in results for h in r.base_height_m])
    else:
        heights = table["height_m"]
    if warn:
        models.check_model_ranges(spec, table["frequency_mhz"], heights, rx_height_m)
        return ()
    # collected, not caught: catching warnings swaps the process-wide filters and races with
    # rasterio's own catching on other threads (the app evaluates on several)
    messages = models.model_range_messages(spec, table["frequency_mhz"], heights, rx_height_m)
    for message in messages:  # the prediction's notes: the report's methods say them
        logger.info("%s", message)
    return messages


def _notes(spec: models.ModelSpec, s: Settings, results: list[SiteResult],
           flat: bool) -> tuple[Text, ...]:
    radius = max((r.radius_m for r in results), default=0.0)
    notes = [
        Text(N_("model {model} ({reference})"), model=Name(spec.name),
             reference=Name(spec.reference)),
        Text(N_("receiver {height} m above ground, k = {k}, sites predicted down to {floor} "
                "dBm, largest radius {radius} km"), height=Num.shortest(s.rx_height_m),
             k=Num.shortest(s.k_factor), floor=Num.shortest(s.floor_dbm),
             radius=Num(radius / 1000, 1)),
    ]
    if spec.distance_m is not None and radius > spec.distance_m[1]:
        notes.append(Text(N_("{model} evaluated beyond its {range} km range (continued "
                             "formula, never below free space)"), model=Name(spec.name),
                          range=Num.shortest(spec.distance_m[1] / 1000)))
    if flat:
        notes.append(Text(N_("no terrain: smooth earth at 0 m")))
    return tuple(notes)


def _environment_notes(environment: RadioEnvironment | None, technology: str, model: str,
                       table: SectorTable) -> tuple[Text, ...]:
    """Clutter, calibration and pattern notes; "calibration: none" without an environment."""
    if environment is None:
        return (Text(NO_CALIBRATION),)
    notes = environment.notes(technology, model, table["frequency_mhz"])
    if table.antenna_pattern is not None:
        used = sorted({n for n in table.antenna_pattern.tolist() if n})
        if used:
            notes += (Text(N_("vendor antenna patterns (MSI, summed cuts as in 3GPP TR "
                              "36.814): {names}"), names=Name(", ".join(used))),)
    return notes


@dataclass(frozen=True)
class MemoKey:
    """What a technology's coverage grid depends on, besides the terrain and the cache.

    Parameters
    ----------
    technology, model
        As given to :func:`predict_coverage`.
    grid
        The coverage grid.
    floor_dbm
        The prediction floor (``threshold_dbm``).
    sectors
        Content digest of the technology's sector rows.
    environment
        Digest of the :class:`~covplan.predict.environment.RadioEnvironment` ("" for none).
    network
        The operator whose network this is ("" for every sector together).
    sinr
        Whether the grid holds the SINR.
    """

    technology: str
    model: str
    grid: GridSpec
    floor_dbm: float | None
    sectors: str
    environment: str = ""
    network: str = ""
    sinr: bool = False

    def family(self) -> tuple[object, ...]:
        """The key without the sectors: grids of one family can update one another."""
        return (self.technology, self.model, self.grid, self.floor_dbm, self.environment,
                self.network, self.sinr)


class GridMemo:
    """The latest coverage grids predicted, for repeats and one-site updates.

    A technology whose sectors, model, grid and floor are unchanged gets its earlier grid
    back (merged and allocated once); one whose sectors changed is predicted with the latest
    grid of its family as ``previous``, so only the windows of the changed sites are merged
    again. Holds the :attr:`size` newest grids.

    Parameters
    ----------
    size
        Grids kept (each holds an RSRP and a server raster).
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._grids: OrderedDict[MemoKey, CoverageGrid] = OrderedDict()

    def get(self, key: MemoKey) -> CoverageGrid | None:
        """The grid predicted for ``key``, or None."""
        found = self._grids.get(key)
        if found is not None:
            self._grids.move_to_end(key)
        return found

    def latest(self, key: MemoKey) -> CoverageGrid | None:
        """The newest grid of ``key``'s family (any sectors), or None."""
        family = key.family()
        return next((g for k, g in reversed(self._grids.items()) if k.family() == family),
                    None)

    def put(self, key: MemoKey, grid: CoverageGrid) -> None:
        """Keep ``grid`` as the newest, dropping the oldest beyond :attr:`size`."""
        self._grids[key] = grid
        self._grids.move_to_end(key)
        while len(self._grids) > self.size:
            self._grids.popitem(last=False)


def on_air(sites: gpd.GeoDataFrame, statuses: Sequence[str] = ON_AIR_STATUSES
           ) -> gpd.GeoDataFrame:
    """The sectors whose ``status`` is among ``statuses`` (rows without a status are kept)."""
    if "status" not in sites.columns:
        return sites
    return sites[sites["status"].isna() | sites["status"].isin(list(statuses))]


def predict_network(
    sites: gpd.GeoDataFrame | None,
    terrain: Raster | None,
    grid: GridSpec,
    *,
    floors_dbm: Mapping[str, float] | None = None,
    statuses: Sequence[str] = ON_AIR_STATUSES,
    model: str = "auto",
    rx_height_m: float | None = None,
    cache: SiteCache | None = None,
    progress: ProgressFn | None = None,
    memo: GridMemo | None = None,
    environment: RadioEnvironment | None = None,
    sinr: bool = False,
    network: str = "",
) -> dict[str, CoverageGrid]:
    """Predict every technology the sectors carry on ``grid``: the whole network at once.

    Parameters
    ----------
    sites
        Sectors normalised by :mod:`covplan.io`, in ``grid``'s CRS (None: no network).
    terrain
        Elevation raster, or None for a smooth earth.
    grid
        The coverage grid.
    floors_dbm
        ``{technology: dBm}``: each site is predicted down to its technology's floor (the
        lowest threshold that will be asked of it); default
        :data:`covplan.radio.defaults.COVERAGE_THRESHOLD_DBM`.
    statuses
        Site ``status`` values predicted (rows without a status always are); default
        what is on air or committed, not candidates.
    model
        Propagation model name or ``"auto"``.
    rx_height_m
        Receiver height; default :data:`covplan.settings.rx_height_m`.
    cache
        Per-site result cache reused between calls.
    progress
        Called with (fraction, message).
    memo
        Grids of earlier calls (see :class:`GridMemo`).
    environment
        Land-cover clutter, calibration and vendor patterns (None: the bare model); a
        dataset's is :meth:`covplan.io.Dataset.environment`.
    sinr
        Also compute each technology's SINR, the sectors taken as one operator's network
        (:func:`covplan.predict.operators.predict_operators` predicts each operator's).
    network
        The operator the sectors belong to, naming the grids in ``memo``.

    Returns
    -------
    dict
        ``{technology: CoverageGrid}`` for each technology with at least one sector.
    """
    if sites is None or not len(sites):
        logger.warning("No sites: nothing has signal")
        return {}
    sites = on_air(sites, statuses)
    present = [t for t in TECHNOLOGIES if (sites["technology"] == t).any()]
    floors = dict(floors_dbm or {})
    coverage: dict[str, CoverageGrid] = {}
    for i, tech in enumerate(present):
        key = MemoKey(tech, model, grid, floors.get(tech),
                      frame_digest(sites[sites["technology"] == tech]),
                      environment.digest if environment is not None else "", network, sinr)
        found = memo.get(key) if memo is not None else None
        if found is not None:
            coverage[tech] = found
            continue
        coverage[tech] = predict_coverage(
            sites, terrain, grid, technology=tech, model=model, threshold_dbm=floors.get(tech),
            rx_height_m=config.rx_height_m if rx_height_m is None else rx_height_m,
            cache=cache, warn_range=False, environment=environment,
            previous=memo.latest(key) if memo is not None else None, sinr=sinr,
            progress=labelled(scaled(progress, i / len(present), (i + 1) / len(present)), tech))
        if memo is not None:
            memo.put(key, coverage[tech])
    return coverage
