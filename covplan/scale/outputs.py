"""Writing the national outputs into a folder (a staging folder: they appear together).

- ``national_summary.csv``: province × target (measured, goal, met, status, shortfall),
  UTF-8 with a byte-order mark for Excel; its first column names the province;
- ``national_summary.gpkg``: the same table with each province's outline (layer
  ``national_summary``) and one row per province with its status (layer ``provinces``);
- ``national_gaps.gpkg``: the gap layers of every province merged (``road_gaps``,
  ``village_gaps``, ``poi_gaps``, ``commune_summary``), each row with its province;
- ``national_map.png`` and ``national_map.html``: provinces coloured by status (the HTML
  opens with no internet);
- ``national_report.pdf``: one line per province, the map, one page per province;
- ``national_failures.csv``: each problem of the provinces that did not run (only the
  header when all ran).

The command writes them through :func:`covplan.export.atomic.staged_outputs`, so a run that
fails or is interrupted leaves none of them half-written.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from covplan.export.tables import to_csv, to_gpkg
from covplan.i18n import Language
from covplan.scale.maps import national_figure, national_html, save_png
from covplan.scale.province import ProvinceResult
from covplan.scale.report import build_national_pdf
from covplan.scale.summary import (
    failures_table,
    merged_layers,
    national_summary,
    province_table,
    summary_layer,
)

logger = logging.getLogger(__name__)

SUMMARY_CSV: Final = "national_summary.csv"
SUMMARY_GPKG: Final = "national_summary.gpkg"
GAPS_GPKG: Final = "national_gaps.gpkg"
MAP_PNG: Final = "national_map.png"
MAP_HTML: Final = "national_map.html"
REPORT_PDF: Final = "national_report.pdf"
FAILURES_CSV: Final = "national_failures.csv"
#: Every file :func:`write_national` writes.
OUTPUT_NAMES: Final = (SUMMARY_CSV, SUMMARY_GPKG, GAPS_GPKG, MAP_PNG, MAP_HTML, REPORT_PDF,
                       FAILURES_CSV)


def write_national(results: Sequence[ProvinceResult], folder: str | Path, *, title: str,
                   lang: Language | None = None, created: dt.date | None = None
                   ) -> list[Path]:
    """Write every national output into ``folder`` (see the module docstring).

    Parameters
    ----------
    results
        Every province of the run, failed ones included, in the country's order.
    folder
        An existing folder (the staging folder of :func:`~covplan.export.atomic.staged_outputs`).
    title
        The country's name.
    lang
        Language of the map and the PDF (the tables keep English column names).
    created
        Date printed on the map and the PDF; default today.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    provinces = province_table(results)
    written = [
        to_csv(national_summary(results), folder / SUMMARY_CSV),
        to_gpkg({"national_summary": summary_layer(results), "provinces": provinces},
                folder / SUMMARY_GPKG),
        to_gpkg(merged_layers(results), folder / GAPS_GPKG),
        to_csv(failures_table(results), folder / FAILURES_CSV),
    ]
    figure = national_figure(provinces, title=title, lang=lang, created=created)
    png = io.BytesIO()
    save_png(figure, png)
    (folder / MAP_PNG).write_bytes(png.getvalue())
    (folder / MAP_HTML).write_text(national_html(provinces, title=title, lang=lang),
                                   encoding="utf-8")
    build_national_pdf(results, folder / REPORT_PDF, title=title, map_png=png.getvalue(),
                       lang=lang, created=created)
    written += [folder / MAP_PNG, folder / MAP_HTML, folder / REPORT_PDF]
    logger.info("Wrote the national outputs of %d provinces to %s", len(results), folder)
    return written
