"""Cloud-optimised GeoTIFF export of coverage grids."""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

import numpy as np
import rasterio

from covplan.export.atomic import atomic_file
from covplan.grid import Raster
from covplan.predict.engine import CoverageGrid, dl_mbps
from covplan.predict.operators import best_dl_mbps

logger = logging.getLogger(__name__)


def _write_cog(raster: Raster, path: Path, nodata: float, tags: dict[str, str]) -> None:
    profile = {
        "driver": "COG", "width": raster.grid.width, "height": raster.grid.height,
        "count": 1, "dtype": raster.data.dtype.name, "crs": raster.grid.crs_wkt,
        "transform": raster.grid.transform, "nodata": nodata, "compress": "DEFLATE",
        "BLOCKSIZE": 512, "OVERVIEW_RESAMPLING": "NEAREST",
    }

    def write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(raster.data, 1)
            dst.update_tags(**tags)
            dst.set_band_unit(1, raster.units)

    atomic_file(path, write)


def _write_bands(bands: dict[str, np.ndarray], template: Raster, units: str, path: Path,
                 tags: dict[str, str]) -> None:
    """A float32 COG with one named band per entry of ``bands`` (NaN nodata)."""
    grid = template.grid
    profile = {
        "driver": "COG", "width": grid.width, "height": grid.height, "count": len(bands),
        "dtype": "float32", "crs": grid.crs_wkt, "transform": grid.transform,
        "nodata": float("nan"), "compress": "DEFLATE", "BLOCKSIZE": 512,
        "OVERVIEW_RESAMPLING": "NEAREST",
    }

    def write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as dst:
            for band, (name, data) in enumerate(bands.items(), start=1):
                dst.write(np.asarray(data, dtype=np.float32), band)
                dst.set_band_description(band, name)
                dst.set_band_unit(band, units)
            dst.update_tags(**tags)

    atomic_file(path, write)


#: Name of the band that holds the best value of any operator.
ANY_OPERATOR = "any operator"


def link_paths(out_dir: str | os.PathLike[str], technologies: list[str]) -> list[Path]:
    """``sinr_<tech>.tif`` and ``dl_mbps_<tech>.tif`` per technology."""
    out = Path(out_dir)
    return [out / f"{stem}_{tech}.tif" for tech in technologies for stem in ("sinr", "dl_mbps")]


def write_link_cogs(networks: dict[str, dict[str, CoverageGrid]],
                    out_dir: str | os.PathLike[str], fade_db: float = 0.0) -> list[Path]:
    """Write each technology's SINR and downlink speed, one band per operator.

    ``sinr_<tech>.tif`` holds each operator's SINR (dB) in a band named by the operator;
    ``dl_mbps_<tech>.tif`` each operator's speed of a new user (Mb/s, less ``fade_db`` of
    cell-edge margin) and, last, the band :data:`ANY_OPERATOR`: the fastest of them.
    ``networks`` is :func:`covplan.predict.operators.predict_operators`' answer with SINR.

    Returns
    -------
    list of Path
        The files, in :func:`link_paths` order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    techs = sorted({t for grids in networks.values() for t in grids})
    written: list[Path] = []
    for tech in techs:
        grids = {op: g[tech] for op, g in networks.items() if tech in g}
        template = next(iter(grids.values())).rsrp_dbm
        sinr = {op: g.sinr_db.data for op, g in grids.items() if g.sinr_db is not None}
        speed = {op: dl_mbps(g, fade_db).data for op, g in grids.items()}
        fastest = best_dl_mbps(networks, tech, fade_db)
        best = fastest.data if fastest is not None else np.full(template.grid.shape, np.nan)
        notes = " | ".join(template.notes)
        paths = link_paths(out, [tech])
        _write_bands(sinr, template, "dB", paths[0],
                     {"technology": tech, "quantity": "downlink SINR per operator",
                      "notes": notes})
        _write_bands({**speed, ANY_OPERATOR: best}, template, "Mb/s", paths[1],
                     {"technology": tech, "quantity": "downlink speed of a new user",
                      "fade_margin_db": f"{fade_db:g}", "notes": notes})
        written += paths
    return written


def _write_keys(keys: tuple[str, ...], path: Path) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["index", "site_id", "sector"])
            for i, key in enumerate(keys):
                site, _, sector = key.rpartition("/")
                writer.writerow([i, site, sector])

    atomic_file(path, write)


def write_coverage_cog(cov: CoverageGrid, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``rsrp_<tech>.tif``, ``server_<tech>.tif`` and ``server_<tech>.csv``.

    The RSRP grid is float32 dBm with NaN nodata; the server grid is int32 with -1 nodata,
    its values indexing the CSV's ``index`` column (``site_id``, ``sector``). Both are
    Cloud-Optimised GeoTIFFs (GDAL's COG driver, DEFLATE, 512-px tiles, overviews). Each file
    is written to a temporary name in ``out_dir`` and renamed into place
    (:func:`covplan.export.atomic.atomic_file`), so a reader never sees a half-written file;
    files get the umask's mode. To publish several technologies as one set, write into the
    folder of :func:`covplan.export.atomic.staged_outputs`.

    Returns
    -------
    list of Path
        The three files, in that order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tech = cov.technology
    notes = " | ".join(cov.rsrp_dbm.notes)
    paths = [out / f"rsrp_{tech}.tif", out / f"server_{tech}.tif", out / f"server_{tech}.csv"]
    _write_cog(cov.rsrp_dbm, paths[0], float("nan"),
               {"technology": tech, "quantity": "best-server RSRP", "notes": notes})
    server = cov.server
    if server.data.dtype != np.int32:
        server = Raster(server.data.astype(np.int32), server.grid, server.units, server.notes)
    _write_cog(server, paths[1], -1,
               {"technology": tech, "quantity": "serving sector index",
                "keys": paths[2].name, "notes": notes})
    _write_keys(cov.site_keys, paths[2])
    logger.info("Wrote %s coverage to %s", tech, ", ".join(str(p) for p in paths))
    return paths
