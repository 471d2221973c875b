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
from covplan.metrics.thresholds import Thresholds

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
                  grid: GridSpec | None = None) -> np.ndarray:
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
    """
    shape = (grid or coverage_grid(coverage)).shape
    mask = np.zeros(shape, dtype=bool)
    for tech in technologies:
        item = coverage.get(tech)
        if item is None:
            logger.info("No %s coverage predicted: counted as no %s signal", tech, tech)
            continue
        data = rsrp_raster(item).data
        with np.errstate(invalid="ignore"):
            mask |= data >= thresholds.rsrp_dbm(tech)
    return mask


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
