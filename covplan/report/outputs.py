"""Every output of ``covplan report``: maps, the PDF report and the data files.

=========  ==================================================================
format     files
=========  ==================================================================
html       ``map.html``: the interactive map, one file that works offline
png        ``map_coverage_<tech>.png``, ``map_gaps.png`` (A4 landscape, 200 dpi)
svg        the same maps as SVG
mappdf     the same maps as one-page PDFs
pdf        ``report.pdf``: the report for officials (maps included)
gpkg       ``gaps.gpkg``: road/village/POI gaps, commune summary, sites (metric CRS)
geojson    one ``<layer>.geojson`` per layer (WGS 84)
csv        one ``<layer>.csv`` per layer plus ``targets.csv`` (UTF-8 with BOM)
kml        ``gaps.kml``: every layer as a folder, for Google Earth
cog        ``rsrp_<tech>.tif``, ``server_<tech>.tif`` (+ ``.csv`` key) per technology
=========  ==================================================================
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
from covplan.report.data import ReportData

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
        raise ConfigError(f"unknown output format(s): {', '.join(unknown) or '(none given)'}. "
                          f"Choose from {', '.join(FORMATS)} (or all), comma-separated.")
    return tuple(f for f in FORMATS if f in wanted)


def map_names(technologies: Iterable[str]) -> list[str]:
    """``coverage_<tech>`` per technology (lower case), then ``gaps``."""
    return [f"coverage_{t.lower()}" for t in sorted(technologies)] + ["gaps"]


def planned_outputs(out_dir: str | Path, formats: Sequence[str],
                    technologies: Iterable[str]) -> list[Path]:
    """Every file :func:`write_outputs` writes for ``formats`` and ``technologies``."""
    out = Path(out_dir)
    techs = sorted(technologies)
    paths: list[Path] = []
    for fmt in formats:
        if fmt == "html":
            paths.append(out / HTML_NAME)
        elif fmt in MAP_FORMATS:
            paths += [out / f"map_{name}{MAP_FORMATS[fmt]}" for name in map_names(techs)]
        elif fmt == "pdf":
            paths.append(out / REPORT_NAME)
        elif fmt == "cog":
            paths += cog_paths(out, techs)
    vector = [f for f in formats if f in VECTOR_FORMATS]
    paths += vector_paths(out, LAYERS, vector, tables=["targets"])
    return paths


def _png_bytes(fig: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    with rc_context(RC):
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def _write_html(data: ReportData, path: Path) -> Path:
    from covplan.mapview import build_map, to_html

    grids = {t: g for t, g in data.coverage.items() if hasattr(g, "technology")}
    fmap = build_map(data.dataset, coverage=grids, road_gaps=data.analysis.road_gaps,
                     village_status=data.village_share,
                     village_title="% of people with 4G/5G signal",
                     candidate_sites=data.new_sites, tiles="offline",
                     title=f"{data.dataset.name} — {data.targets.name}")
    return to_html(fmap, path, overwrite=True)


def _write_maps(data: ReportData, out: Path, formats: Sequence[str], options: MapOptions,
                overwrite: bool) -> tuple[list[Path], dict[str, bytes]]:
    """Static maps in the map formats; returns the files and the PNG bytes for the report."""
    figures = render_maps(data.dataset, data.coverage, road_gaps=data.analysis.road_gaps,
                          fibre_reached=data.fibre_reached, thresholds=data.thresholds_dbm,
                          new_sites=data.new_sites, options=options)
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
                  overwrite: bool = False, options: MapOptions | None = None,
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
    overwrite
        Replace existing files.
    options
        Page and extent of the static maps; default A4 landscape at 200 dpi. The date and
        subtitle default to the report's date and target set (and scenario).
    progress
        Called with (fraction, message).
    """
    report = progress or no_progress
    out = Path(out_dir)
    options = options or MapOptions(dpi=MAP_DPI)
    options = replace(options, created=options.created or data.created,
                      subtitle=options.subtitle or _subtitle(data))
    techs = [t for t, g in data.coverage.items() if hasattr(g, "technology")]
    check_outputs(planned_outputs(out, formats, techs), overwrite=overwrite)
    written: list[Path] = []
    images: dict[str, bytes] = {}
    if set(formats) & {"png", "svg", "mappdf", "pdf"}:
        report(0.05, "drawing the maps")
        files, images = _write_maps(data, out, formats, options, overwrite)
        written += files
    if "pdf" in formats:
        report(0.5, "writing the PDF report")
        from covplan.report.pdf import build_report_pdf

        written.append(build_report_pdf(data, out / REPORT_NAME, map_images=images,
                                        overwrite=overwrite))
    if "html" in formats:
        report(0.65, "writing the interactive map")
        written.append(_write_html(data, out / HTML_NAME))
    vector = [f for f in formats if f in VECTOR_FORMATS]
    if vector:
        report(0.8, "writing the data files")
        written += export_vectors(data.layers(), out, vector, overwrite=overwrite,
                                  tables={"targets": data.analysis.targets})
    if "cog" in formats:
        report(0.9, "writing the coverage grids")
        written += to_cogs(data.coverage, out, overwrite=overwrite)
    report(1.0, f"{len(written)} files written")
    return written


def _subtitle(data: ReportData) -> str:
    parts = [data.targets.name]
    if data.scenario is not None:
        parts.append(f"scenario {data.scenario_label}")
    return " · ".join(parts)
