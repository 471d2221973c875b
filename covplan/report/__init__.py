"""Reports for officials: the PDF report, commune sheets and every export of ``covplan report``.

Every word for people is in Vietnamese or English (``lang``; default the target preset's
language, Vietnamese for the shipped presets), figures rounded for people.

- :mod:`~covplan.report.data`: :func:`prepare_report` -> :class:`ReportData` (prediction,
  metrics, targets and gap tables, kept together);
- :mod:`~covplan.report.pdf`: :func:`build_report_pdf` (a file) and
  :func:`report_pdf_bytes` (bytes, for a download), the PDF (DejaVu Sans, A4);
- :mod:`~covplan.report.sheets`: one commune's sheet (:func:`build_commune_pdf`), many
  communes one page each (:func:`build_communes_pdf`), or both files into a folder
  (:func:`write_commune_sheets`); :mod:`~covplan.report.commune` gathers what a sheet shows;
- :mod:`~covplan.report.outputs`: :func:`write_outputs`, every format into one folder;
- :mod:`~covplan.report.sections`, :mod:`~covplan.report.methods`,
  :mod:`~covplan.report.tables`, :mod:`~covplan.report.styles`,
  :mod:`~covplan.report.fonts`: the parts of the PDF.
"""

from covplan.report.commune import CommuneSheet, commune_codes, commune_sheet
from covplan.report.data import ReportData, prepare_report
from covplan.report.outputs import (
    FORMATS,
    parse_formats,
    planned_outputs,
    render_map_images,
    write_outputs,
)
from covplan.report.pdf import build_report_pdf, report_pdf_bytes
from covplan.report.sheets import (
    build_commune_pdf,
    build_communes_pdf,
    commune_pdf_name,
    write_commune_sheets,
)

__all__ = [
    "FORMATS",
    "CommuneSheet",
    "ReportData",
    "build_commune_pdf",
    "build_communes_pdf",
    "build_report_pdf",
    "commune_codes",
    "commune_pdf_name",
    "commune_sheet",
    "parse_formats",
    "planned_outputs",
    "prepare_report",
    "render_map_images",
    "report_pdf_bytes",
    "write_commune_sheets",
    "write_outputs",
]
