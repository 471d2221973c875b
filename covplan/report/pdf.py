"""The PDF report for officials: title page, targets, maps, gaps, communes, methods.

Built with ReportLab's platypus on A4, text pages portrait and map pages landscape, in
DejaVu Sans so Vietnamese prints correctly, every word in the report's language
(Vietnamese for the shipped presets, ``lang`` to choose). Every page carries the province,
the target set, "SYNTHETIC" when it is, and "page n of N". The file is written atomically.
The commune sheets (:mod:`covplan.report.sheets`) use the same pages.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from covplan import __version__
from covplan.export.atomic import write_atomic
from covplan.export.wording import report_language
from covplan.i18n import Language
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
#: Frame of a portrait text page (width, height) in millimetres.
TEXT_FRAME_MM = (210.0 - 2 * MARGIN_MM, 297.0 - 2 * MARGIN_MM)


def _page_decorator(data: ReportData, lang: Language) -> Callable[[Canvas, BaseDocTemplate],
                                                                  None]:
    """Header and footer of every page (the page count is added by the canvas)."""
    left = data.dataset.name
    right = data.targets.name
    footer = f"covplan {__version__} · {lang.date(data.created)}"
    synthetic = lang._("SYNTHETIC DATA — not a real place")

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        margin = (MAP_MARGIN_MM if width > height else MARGIN_MM) * mm
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, height - margin * 0.6, left)
        canvas.drawRightString(width - margin, height - margin * 0.6, right)
        canvas.drawString(margin, margin * 0.45, footer)
        if data.dataset.synthetic:
            canvas.setFont(BOLD, 7.5)
            canvas.setFillColor(WARNING_INK)
            canvas.drawCentredString(width / 2, margin * 0.45, synthetic)
        canvas.restoreState()

    return decorate


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """A canvas that writes "page n of N" (:attr:`template`) once the page count is known."""

    template = "page {page} of {total}"

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
                                 self.template.format(page=self._pageNumber, total=total))
            super().showPage()
        super().save()


def numbered_canvas(lang: Language) -> type[_NumberedCanvas]:
    """The canvas class that numbers pages in ``lang`` ("trang 2/8")."""
    return type("NumberedCanvas", (_NumberedCanvas,),
                {"template": lang._("page {page} of {total}")})


def report_document(target: Path | IO[bytes], data: ReportData, lang: Language, *,
                    title: str) -> BaseDocTemplate:
    """An A4 document with the report's pages: ``portrait`` (text) and ``landscape`` (maps).

    Parameters
    ----------
    target
        The file to write, or a binary buffer.
    data
        The report data (header, footer and metadata come from it).
    lang
        The language of the header, footer and metadata.
    title
        The PDF's title (document properties).
    """
    decorate = _page_decorator(data, lang)
    portrait_frame = Frame(MARGIN_MM * mm, MARGIN_MM * mm, TEXT_FRAME_MM[0] * mm,
                           TEXT_FRAME_MM[1] * mm, id="text")
    wide = landscape(A4)
    map_frame = Frame(MAP_MARGIN_MM * mm, MAP_MARGIN_MM * mm, wide[0] - 2 * MAP_MARGIN_MM * mm,
                      wide[1] - 2 * MAP_MARGIN_MM * mm - 4 * mm, id="map", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(
        target if not isinstance(target, Path) else str(target), pagesize=A4, title=title,
        author="covplan", subject=f"{data.targets.name}; {data.scenario_label(lang)}",
        creator=f"covplan {__version__}", lang=lang.code, initialFontName=REGULAR,
        initialFontSize=9,
    )
    doc.addPageTemplates([
        PageTemplate("portrait", [portrait_frame], onPage=decorate, pagesize=A4),
        PageTemplate("landscape", [map_frame], onPage=decorate, pagesize=wide),
    ])
    return doc


def build_story(doc: BaseDocTemplate, story: list[Flowable], lang: Language) -> None:
    """Lay ``story`` out into ``doc`` with numbered pages (binary streams: faster images)."""
    previous = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: pure-Python ASCII85 of map images is slow
    try:
        doc.build(story, canvasmaker=numbered_canvas(lang))
    finally:
        rl_config.useA85 = previous


def report_story(data: ReportData, lang: Language,
                 map_images: Mapping[str, bytes] | None = None) -> list[Flowable]:
    """The flowables of the whole report in ``lang``."""
    register_fonts()
    story: list[Flowable] = [*title_page(data, lang), PageBreak(), *targets_section(data, lang)]
    if map_images:
        story += maps_section(map_images, MAP_FRAME_MM)
    else:
        story.append(PageBreak())
    story += [*gaps_section(data, lang), *communes_section(data, lang),
              *methods_section(data, lang)]
    return story


def _title(data: ReportData, lang: Language) -> str:
    return lang._("Coverage report — {area}").format(area=data.dataset.name)


def build_report_pdf(data: ReportData, path: str | Path, *, lang: Language | str | None = None,
                     map_images: Mapping[str, bytes] | None = None,
                     overwrite: bool = False) -> Path:
    """Write the PDF report of ``data`` to ``path``, atomically.

    Parameters
    ----------
    data
        From :func:`covplan.report.prepare_report`.
    path
        The ``.pdf`` file.
    lang
        ``{"vi", "en"}`` or a :class:`~covplan.i18n.Language`; default the target
        preset's language (Vietnamese for the shipped presets).
    map_images
        ``{name: PNG bytes}`` of the maps to include, one landscape page each (as
        :func:`covplan.report.outputs.render_map_images` makes them); no map pages when None.
    overwrite
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    language_ = report_language(data.targets, lang)
    story = report_story(data, language_, map_images)

    def write(tmp: Path) -> None:
        build_story(report_document(tmp, data, language_, title=_title(data, language_)),
                    story, language_)

    write_atomic(path, write, overwrite=overwrite)
    return Path(path)


def report_pdf_bytes(data: ReportData, *, lang: Language | str | None = None,
                     map_images: Mapping[str, bytes] | None = None) -> bytes:
    """The PDF report of ``data`` as bytes (for a download); see :func:`build_report_pdf`."""
    language_ = report_language(data.targets, lang)
    buffer = io.BytesIO()
    build_story(report_document(buffer, data, language_, title=_title(data, language_)),
                report_story(data, language_, map_images), language_)
    return buffer.getvalue()
