"""Commune sheets: one commune's map, figures, targets, gaps and sites, as PDF.

Officials work commune by commune. A sheet (:func:`commune_flowables`) shows, for one
commune, in the report's language:

- its map (roads without 4G/5G, villages by fibre, sites; the rest of the province paled);
- its row of the commune summary, as figures;
- the province's targets the summary measures for it too, met or not, with the shortfall;
- its road gaps (the km of each in the commune, the road's name), its villages without
  4G/5G signal or fibre, and the sites that serve it.

Three ways out, for the command line and the app alike:

- :func:`build_commune_pdf`: one commune's sheet as PDF bytes (every gap listed);
- :func:`build_communes_pdf`: many communes, one page each, as PDF bytes;
- :func:`write_commune_sheets`: ``communes.pdf`` (one page each) and ``communes.zip`` (one
  PDF per commune, ``commune_<code>.pdf``) into a folder, atomically.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import pandas as pd
from matplotlib import rc_context
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    PageBreak,
    Paragraph,
    Table,
)

from covplan._progress import ProgressFn, no_progress
from covplan.export import wording
from covplan.export.atomic import check_outputs, write_atomic
from covplan.export.static_map import RC, MapOptions, find_commune, gaps_map
from covplan.i18n import N_, Language
from covplan.report.commune import CommuneSheet, commune_codes, commune_sheet
from covplan.report.data import ReportData
from covplan.report.fonts import register_fonts
from covplan.report.pdf import TEXT_FRAME_MM, build_story, report_document
from covplan.report.sections import map_image, titled
from covplan.report.styles import NO_DATA_INK, RULE, STATUS_INK, styles, text
from covplan.report.tables import Column, Row, data_table, figure, percent, records
from covplan.targets.analyze import MOBILE
from covplan.targets.schema import localized, status_label

logger = logging.getLogger(__name__)

#: The files :func:`write_commune_sheets` writes.
COMMUNES_PDF: Final = "communes.pdf"
COMMUNES_ZIP: Final = "communes.zip"
#: Rows of each list on a one-page sheet (the rest are counted, and in the CSV files).
PAGE_ROWS: Final = 6
#: The map of a sheet (width, height) in millimetres, and its resolution.
SHEET_MAP_MM: Final = (180.0, 84.0)
SHEET_DPI: Final = 150


def commune_pdf_name(code: str) -> str:
    """``commune_<code>.pdf``: the code kept to letters, digits, ``-`` and ``_``."""
    return f"commune_{re.sub(r'[^0-9A-Za-z_-]+', '_', code).strip('_') or 'unnamed'}.pdf"


@dataclass(frozen=True)
class SheetOptions:
    """How sheets are made.

    Parameters
    ----------
    max_rows
        Rows of each list (road gaps, villages, sites); None lists them all.
    one_page
        Shrink the sheet to one page when it is longer.
    """

    max_rows: int | None = None
    one_page: bool = False


def render_commune_map(data: ReportData, code: str, lang: Language, *,
                       dpi: int = SHEET_DPI) -> bytes:
    """The map of commune ``code`` as PNG bytes (the gap map with the sites, cut to it).

    The map has no title of its own: the sheet's heading names the commune.
    """
    options = MapOptions(size_mm=SHEET_MAP_MM, commune=code, dpi=dpi, created=data.created,
                         lang=lang.code, titled=False)
    fig = gaps_map(data.dataset, road_gaps=data.analysis.road_gaps,
                   fibre_reached=data.fibre_reached, new_sites=data.new_sites,
                   options=options, site_technologies=MOBILE)
    buffer = io.BytesIO()
    with rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def _first(frame: pd.DataFrame, rows: int | None) -> pd.DataFrame:
    """The first ``rows`` rows of ``frame`` (all of them for None)."""
    return frame if rows is None else frame.head(rows)


def _missing_text(value: object, lang: Language) -> str:
    return lang._("no data") if wording.is_missing(value) else ""


def figure_rows(sheet: CommuneSheet, lang: Language) -> list[tuple[str, str]]:
    """The commune summary's row as (label, value) pairs in ``lang``."""
    row = sheet.summary

    def shown(value: object, as_text: str) -> str:
        return _missing_text(value, lang) or as_text

    fibre = row["villages_fibre"]
    fibre_text = shown(row["fibre_percent"], lang._("{count} ({percent})").format(
        count=figure(fibre, lang), percent=percent(row["fibre_percent"], lang)))
    return [
        (lang._("People"), shown(row["population"], figure(row["population"], lang))),
        (lang._("Villages"), shown(row["villages"], figure(row["villages"], lang))),
        (lang._("Villages with fibre"), fibre_text),
        (lang._("People with 4G signal"),
         shown(row["population_4g_percent"], percent(row["population_4g_percent"], lang))),
        (lang._("People with 5G signal"),
         shown(row["population_5g_percent"], percent(row["population_5g_percent"], lang))),
        (lang._("Expressway and national highway without 4G/5G"),
         shown(row["highway_uncovered_km"], lang.km(float(row["highway_uncovered_km"])))),
        (lang._("Points of interest without 5G"),
         shown(row["pois_without_5g"], figure(row["pois_without_5g"], lang))),
    ]


def _figures_table(sheet: CommuneSheet, lang: Language) -> Flowable:
    """The figures in two label / value column pairs."""
    st = styles()
    pairs = figure_rows(sheet, lang)
    half = (len(pairs) + 1) // 2
    cells = []
    for left, right in zip(pairs[:half], [*pairs[half:], ("", "")], strict=True):
        cells.append([Paragraph(text(left[0]), st.compact_cell),
                      Paragraph(text(left[1]), st.compact_cell_head),
                      Paragraph(text(right[0]), st.compact_cell),
                      Paragraph(text(right[1]), st.compact_cell_head)])
    table = Table(cells, colWidths=[58 * mm, 32 * mm, 58 * mm, 32 * mm], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
    return table


def _target_value(row: Row, lang: Language) -> str:
    value = row["value"]
    if wording.is_missing(value):
        return "–"
    if row["measure"] == "fibre_share":
        return percent(value, lang)
    if row["unit"] == "km":
        return lang._("{km} without 4G/5G").format(km=lang.km(float(value)))  # type: ignore[arg-type]
    return lang._("{count} without 5G").format(count=figure(value, lang))


def _status_ink(row: Row) -> str:
    return str(STATUS_INK.get(str(row["status"]), NO_DATA_INK).hexval()).replace("0x", "#")


def _targets_table(sheet: CommuneSheet, lang: Language) -> Flowable:
    columns = [
        Column(N_("Target"), 70, lambda r, lg: str(localized(r, "target", lg))),
        Column(N_("In the commune"), 36, _target_value, right=True),
        Column(N_("Goal"), 17, lambda r, lg: wording.goal(float(r["goal_percent"]), lg),  # type: ignore[arg-type]
               right=True),
        Column(N_("Status"), 25, lambda r, lg: status_label(r["status"], lg), ink=_status_ink),
        Column(N_("Shortfall"), 32, lambda r, lg: wording.amount(
            float(r["shortfall"]), str(r["unit"]), lg), right=True),  # type: ignore[arg-type]
    ]
    return data_table(records(sheet.targets), columns, lang, compact=True)


def _road_gap_table(sheet: CommuneSheet, rows: int | None, lang: Language) -> Flowable:
    columns = [
        Column(N_("Road"), 58, lambda r, lg: wording.road_label(r.get("road"), r.get("name"),
                                                                lg)),
        Column(N_("Class"), 30, lambda r, lg: wording.word(r["road_class"], lg)),
        Column(N_("km in the commune"), 24, lambda r, lg: figure(r["commune_km"], lg, 1),
               right=True),
        Column(N_("Gap from–to km"), 28, lambda r, lg: f"{figure(r['start_km'], lg, 1)}–"
                                                      f"{figure(r['end_km'], lg, 1)}",
               right=True),
        Column(N_("Communes crossed"), 40, lambda r, lg: str(r.get("communes") or "–")),
    ]
    return data_table(records(_first(sheet.road_gaps, rows)), columns, lang, compact=True)


def _village_table(sheet: CommuneSheet, rows: int | None, lang: Language) -> Flowable:
    columns = [
        Column(N_("Village"), 50, lambda r, lg: str(r["name"])),
        Column(N_("People"), 22, lambda r, lg: figure(r["population"], lg), right=True),
        Column(N_("4G signal"), 22, lambda r, lg: percent(r["signal_4g_percent"], lg),
               right=True),
        Column(N_("5G signal"), 22, lambda r, lg: percent(r["signal_5g_percent"], lg),
               right=True),
        Column(N_("Fibre"), 24, lambda r, lg: wording.yes_no(r["fibre_reached"], lg)),
        Column(N_("Missing"), 40, lambda r, lg: wording.services(r.get("missing"), lg)),
    ]
    return data_table(records(_first(sheet.villages, rows)), columns, lang, compact=True)


def _site_status(row: Row, lang: Language) -> str:
    return lang._("new (scenario)") if bool(row["new"]) else wording.word(row["status"], lang)


def _site_table(sheet: CommuneSheet, rows: int | None, lang: Language) -> Flowable:
    columns = [
        Column(N_("Site"), 42, lambda r, lg: str(r["site_id"])),
        Column(N_("Technology"), 22, lambda r, lg: str(r["technology"])),
        Column(N_("Operator"), 30, lambda r, lg: str(r.get("operator") or "–")),
        Column(N_("Site status"), 30, _site_status),
        Column(N_("Best server for"), 30, lambda r, lg: percent(r["served_percent"], lg),
               right=True),
        Column(N_("Mast in the commune"), 26, lambda r, lg: wording.yes_no(r["inside"], lg)),
    ]
    return data_table(records(_first(sheet.sites, rows)), columns, lang, compact=True)


def _more(count: int, shown: int | None, lang: Language, where: str) -> list[Flowable]:
    if shown is None or count <= shown:
        return []
    return [Paragraph(text(lang._("… and {count} more (all in {file}).").format(
        count=lang.count(count - shown), file=where)), styles().small)]


def commune_flowables(data: ReportData, sheet: CommuneSheet, lang: Language, map_png: bytes,
                      options: SheetOptions = SheetOptions()) -> list[Flowable]:
    """The sheet of one commune as flowables (portrait pages of the report's document)."""
    st = styles()
    rows = options.max_rows
    subtitle = " · ".join([data.dataset.name, data.targets.name, data.scenario_label(lang),
                           lang.date(data.created)])
    flow: list[Flowable] = [
        Paragraph(text(lang._("{commune} (code {code})").format(commune=sheet.name,
                                                                code=sheet.code)), st.h1),
        Paragraph(text(subtitle), st.small),
        map_image(map_png, (SHEET_MAP_MM[0], SHEET_MAP_MM[1])),
        Paragraph(text(lang._("The commune in figures")), st.h3),
        _figures_table(sheet, lang),
    ]
    if len(sheet.targets):
        flow += titled(lang._("Targets in the commune"), _targets_table(sheet, lang), lang,
                       heading=st.h3)
    if sheet.province_only:
        labels = data.analysis.targets.set_index("id")
        names = "; ".join(str(localized(labels.loc[i], "target", lang))
                          for i in sheet.province_only)
        flow.append(Paragraph(text(lang._("Measured for the whole province only: {targets}.")
                                   .format(targets=names)), st.small))
    flow += titled(lang._("Road gaps in the commune ({count})").format(
        count=lang.count(len(sheet.road_gaps))),
        _road_gap_table(sheet, rows, lang) if len(sheet.road_gaps) else None, lang,
        heading=st.h3)
    flow += _more(len(sheet.road_gaps), rows, lang, "road_gaps.csv")
    flow += titled(lang._("Villages without 4G/5G signal or fibre ({villages})").format(
        villages=wording.villages_count(len(sheet.villages), lang)),
        _village_table(sheet, rows, lang) if len(sheet.villages) else None, lang,
        heading=st.h3)
    flow += _more(len(sheet.villages), rows, lang, "village_gaps.csv")
    flow += titled(lang._("Sites serving the commune ({count}; the share of its area each "
                          "serves best among the sites of its technology)").format(
                              count=lang.count(len(sheet.sites))),
                   _site_table(sheet, rows, lang) if len(sheet.sites) else None, lang,
                   heading=st.h3)
    flow += _more(len(sheet.sites), rows, lang, "sites.csv")
    if not options.one_page:
        return flow
    width, height = TEXT_FRAME_MM
    return [KeepInFrame((width - 5) * mm, (height - 6) * mm, flow, mode="shrink")]


def _pdf_bytes(data: ReportData, story: list[Flowable], lang: Language, title: str) -> bytes:
    buffer = io.BytesIO()
    build_story(report_document(buffer, data, lang, title=title), story, lang)
    return buffer.getvalue()


def _title(sheet_names: Sequence[str], lang: Language) -> str:
    if len(sheet_names) == 1:
        return lang._("Commune sheet — {commune}").format(commune=sheet_names[0])
    return lang._("Commune sheets — {count} communes").format(count=len(sheet_names))


def build_commune_pdf(data: ReportData, commune: str, lang: Language | str | None = None, *,
                      max_rows: int | None = None, dpi: int = SHEET_DPI) -> bytes:
    """The sheet of one commune as PDF bytes.

    Parameters
    ----------
    data
        From :func:`covplan.report.prepare_report` (the baseline or a scenario).
    commune
        The commune's code or name.
    lang
        ``{"vi", "en"}`` or a :class:`~covplan.i18n.Language`; default the target preset's
        language (Vietnamese for the shipped presets).
    max_rows
        Rows of each list; None lists every road gap, village and site (the sheet then
        runs over more than one page when it must).
    dpi
        Resolution of the map.

    Raises
    ------
    covplan.errors.InputError
        When no commune has that code or name.
    """
    language_ = wording.report_language(data.targets, lang)
    register_fonts()
    sheet = commune_sheet(data, commune)
    png = render_commune_map(data, sheet.code, language_, dpi=dpi)
    story = commune_flowables(data, sheet, language_, png, SheetOptions(max_rows))
    return _pdf_bytes(data, story, language_, _title([sheet.name], language_))


def resolve_communes(data: ReportData, communes: Sequence[str] | None) -> list[str]:
    """Codes of ``communes`` (codes or names; None or ``["all"]``: every commune, in order).

    Raises
    ------
    covplan.errors.InputError
        When a code or name matches no commune.
    """
    if communes is None or [c.strip().casefold() for c in communes] == ["all"]:
        codes = commune_codes(data)
    else:
        codes = [commune_sheet_code(data, c) for c in communes]
    return list(dict.fromkeys(codes))


def commune_sheet_code(data: ReportData, commune: str) -> str:
    """The code of the commune whose code or name is ``commune``."""
    return str(find_commune(data.dataset, commune)["code"].iloc[0])


def build_communes_pdf(data: ReportData, communes: Sequence[str] | None = None,
                       lang: Language | str | None = None, *, dpi: int = SHEET_DPI,
                       progress: ProgressFn | None = None) -> bytes:
    """Sheets of many communes, one page each, as PDF bytes.

    Parameters
    ----------
    data
        From :func:`covplan.report.prepare_report`.
    communes
        Codes or names; None: every commune.
    lang
        Language (see :func:`build_commune_pdf`).
    dpi
        Resolution of the maps.
    progress
        Called with (fraction, message) once per commune.
    """
    language_ = wording.report_language(data.targets, lang)
    story, names = _one_page_sheets(data, resolve_communes(data, communes), language_, dpi,
                                    progress or no_progress, archive=None)
    return _pdf_bytes(data, story, language_, _title(names, language_))


def _one_page_sheets(data: ReportData, codes: Sequence[str], lang: Language, dpi: int,
                     progress: ProgressFn, archive: zipfile.ZipFile | None
                     ) -> tuple[list[Flowable], list[str]]:
    """The one-page sheets of ``codes``; each commune's full sheet into ``archive`` too."""
    register_fonts()
    story: list[Flowable] = []
    names: list[str] = []
    one_page = SheetOptions(max_rows=PAGE_ROWS, one_page=True)
    for number, code in enumerate(codes):
        progress(number / max(len(codes), 1), lang._("commune {code}").format(code=code))
        sheet = commune_sheet(data, code)
        png = render_commune_map(data, code, lang, dpi=dpi)
        if story:
            story.append(PageBreak())
        story += commune_flowables(data, sheet, lang, png, one_page)
        names.append(sheet.name)
        if archive is not None:
            full = commune_flowables(data, sheet, lang, png, replace(one_page, max_rows=None,
                                                                     one_page=False))
            archive.writestr(commune_pdf_name(code),
                             _pdf_bytes(data, full, lang, _title([sheet.name], lang)))
    progress(1.0, lang._("{count} commune sheets").format(count=len(codes)))
    return story, names


def commune_sheet_paths(out_dir: str | Path) -> list[Path]:
    """The files :func:`write_commune_sheets` writes into ``out_dir``."""
    return [Path(out_dir) / COMMUNES_PDF, Path(out_dir) / COMMUNES_ZIP]


def write_commune_sheets(data: ReportData, out_dir: str | Path,
                         communes: Sequence[str] | None = None,
                         lang: Language | str | None = None, *, dpi: int = SHEET_DPI,
                         overwrite: bool = False, progress: ProgressFn | None = None
                         ) -> list[Path]:
    """Write ``communes.pdf`` (one page each) and ``communes.zip`` (one PDF per commune).

    The zip holds ``commune_<code>.pdf`` for every commune, each listing all its road gaps,
    villages and sites; the one-page sheets list the first :data:`PAGE_ROWS` of each.

    Parameters
    ----------
    data
        From :func:`covplan.report.prepare_report`.
    out_dir
        The folder (created when missing); both files are written atomically.
    communes
        Codes or names; None: every commune.
    lang
        Language (see :func:`build_commune_pdf`).
    dpi
        Resolution of the maps.
    overwrite
        Replace existing files.
    progress
        Called with (fraction, message) once per commune.

    Returns
    -------
    list of Path
        The PDF and the zip.
    """
    language_ = wording.report_language(data.targets, lang)
    codes = resolve_communes(data, communes)
    pdf_path, zip_path = commune_sheet_paths(out_dir)
    check_outputs([pdf_path, zip_path], overwrite=overwrite)
    found: dict[str, tuple[list[Flowable], list[str]]] = {}

    def write_zip(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            found["sheets"] = _one_page_sheets(data, codes, language_, dpi,
                                               progress or no_progress, archive)

    write_atomic(zip_path, write_zip, overwrite=overwrite)
    story, names = found["sheets"]
    write_atomic(pdf_path, lambda tmp: build_story(
        report_document(tmp, data, language_, title=_title(names, language_)), story,
        language_), overwrite=overwrite)
    logger.info("Commune sheets of %d communes: %s, %s", len(codes), pdf_path, zip_path)
    return [pdf_path, zip_path]
