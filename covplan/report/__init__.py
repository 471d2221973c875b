"""Reports for officials: the PDF report and every export of ``covplan report``.

- :mod:`~covplan.report.data`: :func:`prepare_report` -> :class:`ReportData` (prediction,
  metrics, targets and gap tables, kept together);
- :mod:`~covplan.report.pdf`: :func:`build_report_pdf`, the PDF (DejaVu Sans, A4);
- :mod:`~covplan.report.outputs`: :func:`write_outputs`, every format into one folder;
- :mod:`~covplan.report.sections`, :mod:`~covplan.report.methods`,
  :mod:`~covplan.report.tables`, :mod:`~covplan.report.styles`,
  :mod:`~covplan.report.fonts`: the parts of the PDF.
"""

from covplan.report.data import ReportData, prepare_report
from covplan.report.outputs import FORMATS, parse_formats, planned_outputs, write_outputs
from covplan.report.pdf import build_report_pdf

__all__ = [
    "FORMATS",
    "ReportData",
    "build_report_pdf",
    "parse_formats",
    "planned_outputs",
    "prepare_report",
    "write_outputs",
]
