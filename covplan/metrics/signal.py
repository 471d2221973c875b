"""Reading predicted signal: which cells and points have 4G / 5G at a threshold.

Metrics take coverage as ``{technology: grid}`` where each grid is either a
:class:`covplan.grid.Raster` of RSRP in dBm or anything with an ``rsrp_dbm`` Raster (such
as :class:`covplan.predict.CoverageGrid`). They never run a prediction themselves.

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

logger = logging.getLogger(__name__)


@runtime_checkable
class HasRsrp(Protocol):
    """A coverage grid of one technology, such as :class:`covplan.predict.CoverageGrid`."""

    @property
    def rsrp_dbm(self) -> Raster:
        """Best-server RSRP per cell in dBm (NaN where no site reaches)."""
        ...


CoverageLike: TypeAlias = Raster | HasRsrp
#: ``{technology: RSRP grid}``, one entry per technology predicted.
Coverage: TypeAlias = Mapping[str, CoverageLike]


def rsrp_raster(item: CoverageLike) -> Raster:
    """The RSRP :class:`~covplan.grid.Raster` of a coverage entry."""
    if isinstance(item, Raster):
        return item
    raster = getattr(item, "rsrp_dbm", None)
    if not isinstance(raster, Raster):
        raise TypeError(
            f"coverage entries should be a Raster of RSRP or have an 'rsrp_dbm' Raster, "
            f"got {type(item).__name__}"
        )
    return raster


def coverage_grid(coverage: Coverage) -> GridSpec:
    """The grid every coverage entry shares.

    Raises
    ------
    ValueError
        When ``coverage`` is empty or its entries lie on different grids.
    """
    grids = {tech: rsrp_raster(item).grid for tech, item in coverage.items()}
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
        data = rsrp_raster(item).data[r0:r1, c0:c1]
        with np.errstate(invalid="ignore"):
            mask |= data >= thresholds.rsrp_dbm(tech)
    return mask


def changed_window(before: Coverage, after: Coverage) -> Window | None:
    """Where two predictions on one grid differ: the window holding every changed cell.

    A cell changed when any technology's RSRP differs (NaN equals NaN) or, for grids with
    ``server`` and ``site_keys`` (:class:`covplan.predict.CoverageGrid`), its serving
    sector is another one. Returns ``(r0, r1, c0, c1)``, ``(0, 0, 0, 0)`` when nothing
    changed, or None when the two cannot be compared (other technologies or grids).
    """
    if set(before) != set(after):
        return None
    r0, r1, c0, c1 = 0, 0, 0, 0
    for tech, new in after.items():
        old = before[tech]
        if old is new:
            continue
        a, b = rsrp_raster(old), rsrp_raster(new)
        if a.grid != b.grid or a.data.dtype != b.data.dtype:
            return None
        servers = _server_lookup(old, new)
        if servers is None:
            old_server = new_server = np.zeros((1, 1), dtype=np.int32)
            lookup = np.zeros(0, dtype=np.int64)
        else:
            old_server, new_server, lookup = servers
        w = changed_bounds(a.data, b.data, old_server, new_server, lookup, servers is not None)
        if w[1] == 0:
            continue
        if r1 == 0:
            r0, r1, c0, c1 = w
        else:
            r0, r1, c0, c1 = min(r0, w[0]), max(r1, w[1]), min(c0, w[2]), max(c1, w[3])
    return r0, r1, c0, c1


def _server_lookup(old: CoverageLike, new: CoverageLike
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Both serving-index grids and each new index's old index (-1: a new sector)."""
    grids = [getattr(item, "server", None) for item in (old, new)]
    keys = [getattr(item, "site_keys", None) for item in (old, new)]
    if any(g is None for g in grids) or any(k is None for k in keys):
        return None
    arrays = [np.asarray(g.data if isinstance(g, Raster) else g) for g in grids]
    if any(a.dtype != np.int32 for a in arrays):
        return None
    position = {key: i for i, key in enumerate(keys[0])}  # type: ignore[arg-type]
    lookup = np.array([position.get(key, -1) for key in keys[1]],  # type: ignore[union-attr]
                      dtype=np.int64)
    return arrays[0], arrays[1], lookup


def rsrp_at(coverage: Coverage, technology: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RSRP of ``technology`` at points (dBm); NaN where no site reaches or none predicted."""
    item = coverage.get(technology)
    if item is None:
        return np.full(np.shape(x), np.nan)
    return rsrp_raster(item).sample(np.asarray(x), np.asarray(y))


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
