"""Coverage grids as Cloud-Optimised GeoTIFF, through :mod:`covplan.predict.export`.

:func:`covplan.predict.write_coverage_cog` writes each file atomically; this wrapper adds
the overwrite check every covplan export makes and logs each file. It writes into the folder
it is given; a command publishes the files as one set with
:func:`covplan.export.atomic.staged_outputs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from covplan.export.atomic import check_outputs
from covplan.predict import CoverageGrid, write_coverage_cog

logger = logging.getLogger(__name__)


def cog_paths(out_dir: str | Path, technologies: Iterable[str]) -> list[Path]:
    """``rsrp_<tech>.tif``, ``server_<tech>.tif`` and ``server_<tech>.csv`` per technology."""
    out = Path(out_dir)
    return [out / f"{stem}_{tech}{suffix}" for tech in technologies
            for stem, suffix in (("rsrp", ".tif"), ("server", ".tif"), ("server", ".csv"))]


def to_cogs(coverage: Mapping[str, Any], out_dir: str | Path, *,
            overwrite: bool = False) -> list[Path]:
    """Write every coverage grid as Cloud-Optimised GeoTIFF (RSRP and serving sector).

    Parameters
    ----------
    coverage
        ``{technology: covplan.predict.CoverageGrid}``; entries that are not coverage
        grids (a bare RSRP raster, as used when no site is on air) are skipped.
    out_dir
        Output folder (created when missing).
    overwrite
        Replace existing files.

    Returns
    -------
    list of Path
        The files written (:func:`cog_paths` order).
    """
    grids = {t: g for t, g in coverage.items() if isinstance(g, CoverageGrid)}
    check_outputs(cog_paths(out_dir, grids), overwrite=overwrite)
    written: list[Path] = []
    for grid in grids.values():
        for path in write_coverage_cog(grid, out_dir):
            logger.info("Wrote %s", path)
            written.append(path)
    return written
