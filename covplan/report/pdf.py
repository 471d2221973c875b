"""The PDF report for officials: title page, targets, maps, gaps, communes, methods.

Built with ReportLab's platypus on A4, text pages portrait and map pages landscape, in
DejaVu Sans so Vietnamese names print correctly. Every page carries the province, the
target set, "SYNTHETIC" when it is, and "page n of N". The file is written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from covplan import __version__
from covplan.export.atomic import write_atomic
from covplan.report.data import ReportData
from covplan.report.fonts import BOLD, REGULAR, register_fonts
from covplan.report.methods import methods_section
from covplan.report.sections import (
    communes_section,
    gaps_section,
    maps_section,
    targets_section,
    title_page,
)
from covplan.report.styles import MUTED, WARNING_INK

MARGIN_MM = 15.0
MAP_MARGIN_MM = 9.0
#: Frame of a landscape map page (width, height) in millimetres.
MAP_FRAME_MM = (297.0 - 2 * MAP_MARGIN_MM, 210.0 - 2 * MAP_MARGIN_MM - 6.0)


def _page_decorator(data: ReportData) -> Any:
    """Header and footer of every page (the page count is added by the canvas)."""
    left = data.dataset.name
    right = data.targets.name

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        margin = (MAP_MARGIN_MM if width > height else MARGIN_MM) * mm
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, height - margin * 0.6, left)
        canvas.drawRightString(width - margin, height - margin * 0.6, right)
        canvas.drawString(margin, margin * 0.45,
                          f"covplan {__version__} · {data.created.isoformat()}")
        if data.dataset.synthetic:
            canvas.setFont(BOLD, 7.5)
            canvas.setFillColor(WARNING_INK)
            canvas.drawCentredString(width / 2, margin * 0.45, "SYNTHETIC DATA — not a real place")
        canvas.restoreState()

    return decorate


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """A canvas that writes "page n of N" once the page count is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            width, height = self._pagesize
            margin = (MAP_MARGIN_MM if width > height else MARGIN_MM) * mm
            self.setFont(REGULAR, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(width - margin, margin * 0.45,
                                 f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _document(path: Path, data: ReportData) -> BaseDocTemplate:
    decorate = _page_decorator(data)
    portrait_frame = Frame(MARGIN_MM * mm, MARGIN_MM * mm, A4[0] - 2 * MARGIN_MM * mm,
                           A4[1] - 2 * MARGIN_MM * mm, id="text")
    wide = landscape(A4)
    map_frame = Frame(MAP_MARGIN_MM * mm, MAP_MARGIN_MM * mm, wide[0] - 2 * MAP_MARGIN_MM * mm,
                      wide[1] - 2 * MAP_MARGIN_MM * mm - 4 * mm, id="map", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(
        str(path), pagesize=A4, title=f"Coverage report — {data.dataset.name}",
        author="covplan", subject=f"{data.targets.name}; {data.scenario_label}",
        creator=f"covplan {__version__}", initialFontName=REGULAR, initialFontSize=9,
    )
    doc.addPageTemplates([
        PageTemplate("portrait", [portrait_frame], onPage=decorate, pagesize=A4),
        PageTemplate("landscape", [map_frame], onPage=decorate, pagesize=wide),
    ])
    return doc


def build_report_pdf(data: ReportData, path: str | Path, *,
                     map_images: Mapping[str, bytes] | None = None,
                     overwrite: bool = False) -> Path:
    """Write the PDF report of ``data`` to ``path``, atomically.

    Parameters
    ----------
    data
        From :func:`covplan.report.prepare_report`.
    path
        The ``.pdf`` file.
    map_images
        ``{name: PNG bytes}`` of the maps to include, one landscape page each (as made by
        :func:`covplan.report.render_map_images`); no map pages when None.
    overwrite
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    register_fonts()
    story: list[Flowable] = [*title_page(data), PageBreak(), *targets_section(data)]
    if map_images:
        story += maps_section(map_images, MAP_FRAME_MM)
    else:
        story.append(PageBreak())
    story += [*gaps_section(data), *communes_section(data), *methods_section(data)]

    def write(tmp: Path) -> None:
        previous = rl_config.useA85
        rl_config.useA85 = 0  # binary streams: pure-Python ASCII85 of map images is slow
        try:
            _document(tmp, data).build(story, canvasmaker=_NumberedCanvas)
        finally:
            rl_config.useA85 = previous

    write_atomic(path, write, overwrite=overwrite)
    return Path(path)

