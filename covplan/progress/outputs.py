"""The files a comparison writes: tables (CSV), layers (GeoPackage), chart, maps and PDF.

Into the output folder (names fixed by :func:`output_names`, so a run can check them before
any work):

- ``progress_targets.csv``: target × snapshot (:meth:`Comparison.target_table`: one
  measured-percent column per snapshot, ``covered_``/``total_``/``status_`` per snapshot,
  ``change_…`` columns in the target's unit and ``change_points_…`` in percentage points,
  the pace); ``progress_communes.csv`` the same per commune; ``progress_pace.csv`` the pace;
- ``changes_sites.csv`` (one row per site), ``changes_sectors.csv`` (one per sector),
  ``changes_roads.csv``, ``changes_villages.csv``, ``changes_pois.csv`` and
  ``changes_communes.csv``: every change, with ``from`` and ``to`` snapshot columns;
- ``progress.gpkg``: layers ``commune_progress`` (the commune table on the communes),
  ``site_changes``, ``road_changes``, ``village_changes``, ``poi_changes`` and
  ``commune_changes``;
- ``progress_chart.png``, ``change_map_<from>_to_<to>.png`` for each consecutive pair and
  ``progress.pdf``, in the chosen language.

CSV files are UTF-8 with a byte-order mark (Excel shows Vietnamese) with the stable English
column names of the GeoPackage; figures keep three decimals.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from covplan.export.atomic import write_bytes_atomic
from covplan.export.tables import to_csv, to_gpkg
from covplan.i18n import Language
from covplan.progress.compare import Comparison
from covplan.progress.figures import change_map, figure_png, progress_chart
from covplan.progress.pdf import progress_pdf

logger = logging.getLogger(__name__)

GPKG_NAME: Final = "progress.gpkg"
PDF_NAME: Final = "progress.pdf"
CHART_NAME: Final = "progress_chart.png"
#: The change tables: file stem, GeoPackage layer (None: CSV only) and Changes attribute.
CHANGE_TABLES: Final = (("changes_sites", "site_changes", "site_summary"),
                        ("changes_sectors", None, "sites"),
                        ("changes_roads", "road_changes", "roads"),
                        ("changes_villages", "village_changes", "villages"),
                        ("changes_pois", "poi_changes", "pois"),
                        ("changes_communes", "commune_changes", "communes"))
TABLE_NAMES: Final = ("progress_targets", "progress_communes", "progress_pace")


def _safe(label: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", label).strip("_") or "snapshot"


def map_name(before: str, after: str) -> str:
    """The file of the change map from ``before`` to ``after``."""
    return f"change_map_{_safe(before)}_to_{_safe(after)}.png"


def output_names(labels: Sequence[str]) -> list[str]:
    """Every file :func:`write_outputs` writes for snapshots labelled ``labels``."""
    maps = [map_name(a, b) for a, b in itertools.pairwise(labels)]
    return [*(f"{name}.csv" for name in TABLE_NAMES),
            *(f"{stem}.csv" for stem, _, _ in CHANGE_TABLES), GPKG_NAME, CHART_NAME, *maps,
            PDF_NAME]


def change_table(comparison: Comparison, attribute: str) -> gpd.GeoDataFrame:
    """One kind of change over every consecutive pair, with ``from`` and ``to`` columns."""
    parts = []
    for changes in comparison.changes:
        frame = getattr(changes, attribute)
        part = frame.copy()
        part.insert(0, "to", changes.after)
        part.insert(0, "from", changes.before)
        parts.append(part)
    crs = comparison.communes.crs if comparison.communes is not None else None
    if not parts:
        return gpd.GeoDataFrame({"from": [], "to": []}, geometry=[], crs=crs)
    joined = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(joined, geometry=joined.geometry.name, crs=parts[-1].crs)


def commune_layer(comparison: Comparison) -> gpd.GeoDataFrame:
    """The commune table over time on the communes' polygons."""
    table = comparison.commune_table()
    shapes = comparison.communes
    if shapes is None or not len(table):
        return gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=None)
    geometry = shapes.set_index("code").geometry.reindex(table["code"].astype(str))
    return gpd.GeoDataFrame(table, geometry=list(geometry.to_numpy()), crs=shapes.crs)


def progress_layers(comparison: Comparison) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers, by name."""
    layers = {"commune_progress": commune_layer(comparison)}
    for _, layer, attribute in CHANGE_TABLES:
        if layer is not None:
            layers[layer] = change_table(comparison, attribute)
    return layers


def write_outputs(comparison: Comparison, out: str | Path, lang: Language, *,
                  overwrite: bool = False) -> list[Path]:
    """Write every file of :func:`output_names` into the folder ``out``.

    Parameters
    ----------
    comparison
        The compared snapshots.
    out
        The output folder (created).
    lang
        The language of the chart, the maps and the PDF.
    overwrite
        Replace existing files.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"progress_targets": comparison.target_table(),
              "progress_communes": comparison.commune_table(),
              "progress_pace": comparison.pace_table()}
    written = [to_csv(table, folder / f"{name}.csv", overwrite=overwrite)
               for name, table in tables.items()]
    for stem, _, attribute in CHANGE_TABLES:
        written.append(to_csv(change_table(comparison, attribute), folder / f"{stem}.csv",
                              overwrite=overwrite))
    written.append(to_gpkg(progress_layers(comparison), folder / GPKG_NAME,
                           overwrite=overwrite))
    chart = figure_png(progress_chart(comparison, lang))
    maps = [figure_png(change_map(comparison, k, lang), dpi=200)
            for k in range(len(comparison.changes))]
    written.append(write_bytes_atomic(folder / CHART_NAME, chart, overwrite=overwrite))
    for changes, png in zip(comparison.changes, maps, strict=True):
        written.append(write_bytes_atomic(folder / map_name(changes.before, changes.after),
                                          png, overwrite=overwrite))
    pdf = progress_pdf(comparison, lang, chart_png=chart, map_pngs=maps)
    written.append(write_bytes_atomic(folder / PDF_NAME, pdf, overwrite=overwrite))
    logger.info("Wrote %d progress files to %s", len(written), folder)
    return written
