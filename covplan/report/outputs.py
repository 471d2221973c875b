"""Every output of ``covplan report``: maps, the PDF report and the data files.

=========  ==================================================================
format     files
=========  ==================================================================
html       ``map.html``: the interactive map, one file that works offline
png        ``map_coverage_<tech>.png``, ``map_gaps.png`` (A4 landscape, 200 dpi)
svg        the same maps as SVG
mappdf     the same maps as one-page PDFs
pdf        ``report.pdf``: the report for officials (maps included); for one commune
           (``commune=``), that commune's sheet ``commune_<code>.pdf`` instead
gpkg       ``gaps.gpkg``: road/village/POI gaps, commune summary, sites (metric CRS)
geojson    one ``<layer>.geojson`` per layer (WGS 84)
csv        per layer and for ``targets``: ``<layer>.csv`` for people (report language,
           rounded) and ``data/<layer>.csv`` for machines (English, full precision)
kml        ``gaps.kml``: every layer as a folder, for Google Earth
cog        ``rsrp_<tech>.tif``, ``server_<tech>.tif`` (+ ``.csv`` key) per technology
=========  ==================================================================

With ``sheets=`` (commune codes), ``communes.pdf`` (one page per commune) and
``communes.zip`` (one PDF per commune) too (:mod:`covplan.report.sheets`). Every word for
people is in the report's language (``lang``; default the target preset's, Vietnamese for
the shipped presets); the GeoPackage, GeoJSON, KML, GeoTIFF and machine CSV keep covplan's
English column names and full precision.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final

from matplotlib import rc_context
from matplotlib.figure import Figure

from covplan._progress import ProgressFn, no_progress
from covplan.errors import ConfigError
from covplan.export.atomic import check_outputs, write_bytes_atomic
from covplan.export.rasters import cog_paths, to_cogs
from covplan.export.static_map import RC, MapOptions, render_maps, save_map
from covplan.export.vectors import VECTOR_FORMATS, export_vectors, vector_paths
from covplan.export.wording import report_language
from covplan.i18n import N_, Language
from covplan.report.data import ReportData
from covplan.report.pdf import build_report_pdf
from covplan.report.sheets import (
    build_commune_pdf,
    commune_pdf_name,
    commune_sheet_code,
    commune_sheet_paths,
    write_commune_sheets,
)

FORMATS: Final = ("html", "png", "svg", "mappdf", "pdf", "gpkg", "geojson", "csv", "kml",
                  "cog")
ALIASES: Final = {"tif": "cog", "tiff": "cog", "geotiff": "cog", "map-pdf": "mappdf",
                  "json": "geojson"}
MAP_FORMATS: Final = {"png": ".png", "svg": ".svg", "mappdf": ".pdf"}
REPORT_NAME: Final = "report.pdf"
HTML_NAME: Final = "map.html"
#: Layers of the vector exports (see :meth:`ReportData.layers`).
LAYERS: Final = ("road_gaps", "village_gaps", "poi_gaps", "commune_summary", "sites")
MAP_DPI: Final = 200


def parse_formats(spec: str | Iterable[str]) -> tuple[str, ...]:
    """Formats from ``"html,png,pdf"`` (or a list), in :data:`FORMATS` order; ``all`` = every.

    Raises
    ------
    covplan.errors.ConfigError
        Naming the unknown formats and the known ones.
    """
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted = {ALIASES.get(s.strip().lower(), s.strip().lower()) for s in items if s.strip()}
    if "all" in wanted:
        return FORMATS
    unknown = sorted(wanted - set(FORMATS))
    if unknown or not wanted:
        if unknown:
            raise ConfigError(N_("unknown output format(s): {unknown}. Choose from {formats} "
                                 "(or all), comma-separated."),
                              unknown=", ".join(unknown), formats=", ".join(FORMATS))
        raise ConfigError(N_("unknown output format(s): (none given). Choose from {formats} "
                             "(or all), comma-separated."), formats=", ".join(FORMATS))
    return tuple(f for f in FORMATS if f in wanted)


def map_names(technologies: Iterable[str], speed: Iterable[str] = ()) -> list[str]:
    """``coverage_<tech>`` per technology (lower case), speed and SINR maps, ``gaps``.

    ``speed_<tech>`` and ``sinr_<tech>`` for each technology of ``speed``.
    """
    return ([f"coverage_{t.lower()}" for t in sorted(technologies)]
            + [f"speed_{t.lower()}" for t in sorted(speed)]
            + [f"sinr_{t.lower()}" for t in sorted(speed)] + ["gaps"])


def planned_outputs(out_dir: str | Path, formats: Sequence[str],
                    technologies: Iterable[str], *, commune_code: str | None = None,
                    sheets: bool = False, speed: Iterable[str] = ()) -> list[Path]:
    """Every file :func:`write_outputs` writes for ``formats`` and ``technologies``.

    ``commune_code``: the report of one commune (its sheet instead of ``report.pdf``);
    ``sheets``: the commune sheets (``communes.pdf``, ``communes.zip``) too; ``speed``: the
    technologies with a downlink-speed map (:attr:`ReportData.speed`).
    """
    out = Path(out_dir)
    techs = sorted(technologies)
    paths: list[Path] = []
    for fmt in formats:
        if fmt == "html":
            paths.append(out / HTML_NAME)
        elif fmt in MAP_FORMATS:
            paths += [out / f"map_{name}{MAP_FORMATS[fmt]}"
                      for name in map_names(techs, speed)]
        elif fmt == "pdf":
            paths.append(out / (commune_pdf_name(commune_code) if commune_code
                                else REPORT_NAME))
        elif fmt == "cog":
            paths += cog_paths(out, techs)
    vector = [f for f in formats if f in VECTOR_FORMATS]
    paths += vector_paths(out, LAYERS, vector, tables=["targets"])
    if sheets:
        paths += commune_sheet_paths(out)
    return paths


def _png_bytes(fig: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    with rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def _write_html(data: ReportData, path: Path, lang: Language) -> Path:
    from covplan.mapview import build_map, to_html

    grids = {t: g for t, g in data.coverage.items() if hasattr(g, "technology")}
    fmap = build_map(data.dataset, coverage=grids, road_gaps=data.analysis.road_gaps,
                     village_status=data.village_share,
                     village_title=lang._("Share of people with 4G/5G signal"),
                     candidate_sites=data.new_sites, tiles="offline",
                     title=f"{data.dataset.name} — {data.targets.name}", lang=lang)
    return to_html(fmap, path, overwrite=True)


def render_map_images(data: ReportData, options: MapOptions) -> dict[str, bytes]:
    """The report's maps (:func:`~covplan.export.static_map.render_maps`) as PNG bytes."""
    figures = render_maps(data.dataset, data.coverage, road_gaps=data.analysis.road_gaps,
                          fibre_reached=data.fibre_reached, thresholds=data.thresholds_dbm,
                          new_sites=data.new_sites, options=options, speed=data.speed,
                          sinr=data.sinr)
    return {name: _png_bytes(fig, options.dpi) for name, fig in figures.items()}


def _write_maps(data: ReportData, out: Path, formats: Sequence[str], options: MapOptions,
                overwrite: bool) -> tuple[list[Path], dict[str, bytes]]:
    """Static maps in the map formats; returns the files and the PNG bytes for the report."""
    figures = render_maps(data.dataset, data.coverage, road_gaps=data.analysis.road_gaps,
                          fibre_reached=data.fibre_reached, thresholds=data.thresholds_dbm,
                          new_sites=data.new_sites, options=options, speed=data.speed,
                          sinr=data.sinr)
    written: list[Path] = []
    images: dict[str, bytes] = {}
    for name, fig in figures.items():
        if "png" in formats or "pdf" in formats:
            images[name] = _png_bytes(fig, options.dpi)
        if "png" in formats:
            written.append(write_bytes_atomic(out / f"map_{name}.png", images[name],
                                              overwrite=overwrite))
        for fmt in ("svg", "mappdf"):
            if fmt in formats:
                written.append(save_map(fig, out / f"map_{name}{MAP_FORMATS[fmt]}",
                                        dpi=options.dpi, overwrite=overwrite))
    return written, images


def write_outputs(data: ReportData, out_dir: str | Path, formats: Sequence[str], *,
                  lang: Language | str | None = None, overwrite: bool = False,
                  options: MapOptions | None = None, sheets: Sequence[str] = (),
                  progress: ProgressFn | None = None) -> list[Path]:
    """Write ``formats`` of ``data`` into ``out_dir`` (see the module docstring).

    Every file is checked before anything is written (an existing one raises
    :class:`covplan.errors.OutputExistsError` unless ``overwrite``), then written
    atomically and logged. The files go straight into ``out_dir``; to publish them as one
    set (nothing partial after a failure or a kill, a lock against a concurrent run), pass
    the folder of :func:`covplan.export.atomic.staged_outputs`, as ``covplan report`` does.

    Parameters
    ----------
    data
        From :func:`covplan.report.prepare_report`.
    out_dir
        Output folder (created when missing).
    formats
        Subset of :data:`FORMATS` (see :func:`parse_formats`).
    lang
        ``{"vi", "en"}`` or a :class:`~covplan.i18n.Language`: the language of the report,
        the maps and the CSV for people; default the target preset's (Vietnamese for the
        shipped presets).
    overwrite
        Replace existing files.
    options
        Page and extent of the static maps; default A4 landscape at 200 dpi. The date and
        subtitle default to the report's date and target set (and scenario). With
        ``options.commune``, the maps are that commune's and the ``pdf`` format is its
        sheet (``commune_<code>.pdf``, every gap listed) instead of the province's report.
    sheets
        Codes or names of communes whose sheets to write as well (``communes.pdf``, one
        page each, and ``communes.zip``, one PDF each); ``["all"]`` for every commune.
    progress
        Called with (fraction, message).
    """
    report = progress or no_progress
    out = Path(out_dir)
    language_ = report_language(data.targets, lang)
    options = options or MapOptions(dpi=MAP_DPI)
    options = replace(options, created=options.created or data.created,
                      subtitle=options.subtitle or _subtitle(data, language_),
                      lang=language_.code)
    code = commune_sheet_code(data, options.commune) if options.commune else None
    techs = [t for t, g in data.coverage.items() if hasattr(g, "technology")]
    check_outputs(planned_outputs(out, formats, techs, commune_code=code, sheets=bool(sheets),
                                  speed=data.speed), overwrite=overwrite)
    written: list[Path] = []
    images: dict[str, bytes] = {}
    if set(formats) & {"png", "svg", "mappdf"} or ("pdf" in formats and code is None):
        report(0.05, language_._("drawing the maps"))
        files, images = _write_maps(data, out, formats, options, overwrite)
        written += files
    if "pdf" in formats:
        report(0.4, language_._("writing the PDF report"))
        written.append(_write_pdf(data, out, code, images, language_, overwrite))
    if sheets:
        report(0.5, language_._("writing the commune sheets"))
        written += write_commune_sheets(data, out, sheets, language_, overwrite=overwrite,
                                        progress=lambda f, m: report(0.5 + 0.15 * f, m))
    if "html" in formats:
        report(0.65, language_._("writing the interactive map"))
        written.append(_write_html(data, out / HTML_NAME, language_))
    vector = [f for f in formats if f in VECTOR_FORMATS]
    if vector:
        report(0.8, language_._("writing the data files"))
        written += export_vectors(data.layers(), out, vector, overwrite=overwrite,
                                  tables={"targets": data.analysis.targets}, lang=language_)
    if "cog" in formats:
        report(0.9, language_._("writing the coverage grids"))
        written += to_cogs(data.coverage, out, overwrite=overwrite)
    report(1.0, language_._("{count} files written").format(count=len(written)))
    return written


def _write_pdf(data: ReportData, out: Path, code: str | None, images: dict[str, bytes],
               lang: Language, overwrite: bool) -> Path:
    """The province's report, or with ``code`` that commune's sheet (every gap listed)."""
    if code is None:
        return build_report_pdf(data, out / REPORT_NAME, lang=lang, map_images=images,
                                overwrite=overwrite)
    return write_bytes_atomic(out / commune_pdf_name(code), build_commune_pdf(data, code, lang),
                              overwrite=overwrite)


def _subtitle(data: ReportData, lang: Language) -> str:
    """The preset, and the scenario when there is one (``Scenario “x” (3 edits)``)."""
    parts = [data.targets.name]
    if data.scenario is not None:
        parts.append(data.scenario_label(lang))
    return " · ".join(parts)
