"""Reading predicted signal: which cells and points have 4G / 5G at a threshold.

Metrics take coverage as ``{technology: grid}`` where each grid is a
:class:`covplan.grid.Raster` of RSRP in dBm, a :class:`covplan.tiled.TiledRaster` of it, or
anything with an ``rsrp_dbm`` Raster (such as :class:`covplan.predict.CoverageGrid`, whose
``rsrp_tiles`` are read instead). They never run a prediction themselves, and read a
prediction kept as tiles in windows and at points: the whole array is never assembled for
them (:func:`rsrp_tiled`).

A cell or point has signal for a set of technologies when the RSRP of *any* of them
reaches that technology's threshold. A technology missing from the coverage mapping
(no 5G sites at all, say) gives no signal anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np

from covplan.grid import GridSpec, Raster
from covplan.metrics._kernels import changed_bounds
from covplan.metrics.thresholds import Thresholds
from covplan.metrics.zones import Window
from covplan.tiled import KeyGrid, TiledArray, TiledRaster, is_empty

logger = logging.getLogger(__name__)


@runtime_checkable
class HasRsrp(Protocol):
    """A coverage grid of one technology, such as :class:`covplan.predict.CoverageGrid`."""

    @property
    def rsrp_dbm(self) -> Raster:
        """Best-server RSRP per cell in dBm (NaN where no site reaches)."""
        ...


CoverageLike: TypeAlias = Raster | TiledRaster | HasRsrp
#: ``{technology: RSRP grid}``, one entry per technology predicted.
Coverage: TypeAlias = Mapping[str, CoverageLike]


def rsrp_raster(item: CoverageLike) -> Raster:
    """The RSRP :class:`~covplan.grid.Raster` of a coverage entry (the whole array)."""
    if isinstance(item, Raster):
        return item
    if isinstance(item, TiledRaster):
        return item.raster
    raster = getattr(item, "rsrp_dbm", None)
    if not isinstance(raster, Raster):
        raise TypeError(
            f"coverage entries should be a Raster of RSRP or have an 'rsrp_dbm' Raster, "
            f"got {type(item).__name__}"
        )
    return raster


def rsrp_source(item: CoverageLike) -> Raster | TiledRaster:
    """The RSRP a coverage entry keeps, as it keeps it: its tiles, else its Raster.

    A :class:`covplan.predict.CoverageGrid` gives its ``rsrp_tiles`` (no whole grid is
    assembled); the answer is the entry's own object, the same at every call, so that
    results memoised by identity (the map's overlay images) are found again.
    """
    if isinstance(item, TiledRaster):
        return item
    tiles = getattr(item, "rsrp_tiles", None)
    if isinstance(tiles, TiledRaster):
        return tiles
    return rsrp_raster(item)


def rsrp_tiled(item: CoverageLike) -> TiledRaster:
    """The RSRP of a coverage entry as a :class:`~covplan.tiled.TiledRaster` (no copy).

    :func:`rsrp_source`, a Raster wrapped.
    """
    source = rsrp_source(item)
    return source if isinstance(source, TiledRaster) else TiledRaster.of(source)


def coverage_grid(coverage: Coverage) -> GridSpec:
    """The grid every coverage entry shares.

    Raises
    ------
    ValueError
        When ``coverage`` is empty or its entries lie on different grids.
    """
    grids = {tech: rsrp_tiled(item).grid for tech, item in coverage.items()}
    if not grids:
        raise ValueError("coverage is empty: predict at least one technology first")
    first_tech, first = next(iter(grids.items()))
    for tech, grid in grids.items():
        if grid != first:
            raise ValueError(
                f"coverage grids differ: {first_tech} is {first.shape} at "
                f"{first.resolution_m:g} m, {tech} is {grid.shape} at {grid.resolution_m:g} m; "
                "predict every technology on the same grid"
            )
    return first


def covered_cells(coverage: Coverage, technologies: Iterable[str], thresholds: Thresholds,
                  grid: GridSpec | None = None, *, window: Window | None = None
                  ) -> np.ndarray:
    """Boolean grid: True where any of ``technologies`` reaches its RSRP threshold.

    Parameters
    ----------
    coverage
        RSRP grids by technology.
    technologies
        Technologies that count (``{"4G", "5G"}``); an empty set covers nothing.
    thresholds
        RSRP threshold per technology.
    grid
        The grid of the answer, needed only when ``coverage`` may be empty.
    window
        Only the cells of rows ``[r0, r1)`` and columns ``[c0, c1)``: the answer has the
        window's shape.
    """
    shape = (grid or coverage_grid(coverage)).shape
    r0, r1, c0, c1 = window if window is not None else (0, shape[0], 0, shape[1])
    mask = np.zeros((r1 - r0, c1 - c0), dtype=bool)
    for tech in technologies:
        item = coverage.get(tech)
        if item is None:
            logger.info("No %s coverage predicted: counted as no %s signal", tech, tech)
            continue
        data = rsrp_tiled(item).window((r0, r1, c0, c1))
        with np.errstate(invalid="ignore"):
            mask |= data >= thresholds.rsrp_dbm(tech)
    return mask


def changed_window(before: Coverage, after: Coverage) -> Window | None:
    """Where two predictions on one grid differ: the window holding every changed cell.

    A cell changed when any technology's RSRP differs (NaN equals NaN) or, for grids with
    ``server`` and ``site_keys`` (:class:`covplan.predict.CoverageGrid`), its serving
    sector is another one. Returns ``(r0, r1, c0, c1)``, ``(0, 0, 0, 0)`` when nothing
    changed, or None when the two cannot be compared (other technologies or grids).
    Tiles both predictions share are not read (:func:`changed_tiles`).
    """
    if set(before) != set(after):
        return None
    window: Window = (0, 0, 0, 0)
    for tech, new in after.items():
        old = before[tech]
        if old is new:
            continue
        a, b = rsrp_tiled(old), rsrp_tiled(new)
        if a.grid != b.grid or a.values.dtype != b.values.dtype:
            return None
        window = union(window, changed_tiles(a.values, b.values, key_grid(old),
                                             key_grid(new)))
    return window


def union(a: Window, b: Window) -> Window:
    """The smallest window holding both (either may hold no cell)."""
    if is_empty(a):
        return b
    if is_empty(b):
        return a
    return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


def changed_tiles(old: TiledArray, new: TiledArray, old_keys: KeyGrid | None = None,
                  new_keys: KeyGrid | None = None) -> Window:
    """The window holding every cell whose value (or key, with both key grids) changed.

    Values are equal when both are NaN; keys when the same (:class:`~covplan.tiled.KeyGrid`
    codes may differ for one key). Tiles both arrays share are equal and not read; the
    others are compared in place, nothing assembled. ``(0, 0, 0, 0)``: nothing changed.
    """
    arrays = [old, new]
    lookup, shared = np.zeros(0, dtype=np.int64), True
    if old_keys is not None and new_keys is not None:
        arrays += [old_keys.codes.values, new_keys.codes.values]
        lookup = new_keys.code_lookup(old_keys)
        shared = old_keys.shares_codes(new_keys)  # else one code may mean two keys
    servers = len(arrays) == 4
    if any(not old.same_layout(a) for a in arrays[1:]):
        arrays = [TiledArray.of(a.array(), old.tile) for a in arrays]
    tiles = [a.tiles for a in arrays]
    pairs = list(zip(tiles[0::2], tiles[1::2], strict=True))  # (old, new) of each array
    none = np.zeros((1, 1), dtype=np.int32)
    window: Window = (0, 0, 0, 0)
    for i, (r0, _, c0, _) in enumerate(arrays[0].tile_windows()):
        if shared and all(before[i] is after[i] for before, after in pairs):
            continue  # the same tiles: equal
        w = changed_bounds(tiles[0][i], tiles[1][i], tiles[2][i] if servers else none,
                           tiles[3][i] if servers else none, lookup, servers)
        if w[1] > w[0]:
            window = union(window, (r0 + w[0], r0 + w[1], c0 + w[2], c0 + w[3]))
    return window


def key_grid(item: CoverageLike) -> KeyGrid | None:
    """The serving sectors of a coverage entry with ``server`` and ``site_keys``, if any.

    A :class:`covplan.predict.CoverageGrid` gives its ``servers`` (kept as tiles); another
    entry's ``server`` (a Raster or an array of the grid's shape) is read as int32.
    """
    found = getattr(item, "servers", None)
    if isinstance(found, KeyGrid):
        return found
    server, keys = getattr(item, "server", None), getattr(item, "site_keys", None)
    if server is None or keys is None:
        return None
    if isinstance(server, Raster):
        data, grid, units, notes = server.data, server.grid, server.units, server.notes
    else:
        data, grid, units, notes = np.asarray(server), rsrp_tiled(item).grid, "index", ()
    return KeyGrid.of(Raster(np.ascontiguousarray(data, dtype=np.int32), grid, units, notes),
                      tuple(keys))


def rsrp_at(coverage: Coverage, technology: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RSRP of ``technology`` at points (dBm); NaN where no site reaches or none predicted."""
    item = coverage.get(technology)
    if item is None:
        return np.full(np.shape(x), np.nan)
    return rsrp_tiled(item).sample(np.asarray(x), np.asarray(y))


def covered_at(coverage: Coverage, technologies: Iterable[str], thresholds: Thresholds,
               x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True at points where any of ``technologies`` reaches its RSRP threshold."""
    out = np.zeros(np.shape(x), dtype=bool)
    for tech in technologies:
        with np.errstate(invalid="ignore"):
            out |= rsrp_at(coverage, tech, x, y) >= thresholds.rsrp_dbm(tech)
    return out


def technology_label(technologies: Iterable[str]) -> str:
    """``("4G", "5G")`` -> ``"4G or 5G"``."""
    techs = list(technologies)
    return " or ".join(techs) if techs else "none"
