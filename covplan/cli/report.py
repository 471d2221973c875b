"""``covplan report DATA``: maps, the PDF report and data files for officials.

Predicts coverage (the dataset's sites, or a scenario's), evaluates the targets and writes
the chosen formats into one folder (default ``maps/``): the offline HTML map, static maps
(PNG, SVG, PDF), the PDF report, gaps and sites as GeoPackage, GeoJSON, CSV and KML, and
the coverage grids as Cloud-Optimised GeoTIFF; ``--commune`` makes the report of one
commune (its sheet and its maps), ``--communes`` the sheets of many (one page each in
``communes.pdf``, one PDF each in ``communes.zip``). Everything people read is in
``--lang`` (default the preset's: Vietnamese for the shipped presets). Existing files are
kept unless ``--overwrite``; the files are written into a staging folder and appear in the
output folder together, when all are written
(:func:`covplan.export.atomic.staged_outputs`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from covplan import settings
from covplan.cli._common import (
    ProgressBar,
    cache_options,
    command_targets,
    dataset_argument,
    lang_option,
    model_option,
    on_air_technologies,
    open_dataset,
    overwrite_option,
    quiet,
    resolution_option,
    site_cache,
    targets_option,
)
from covplan.i18n import said

if TYPE_CHECKING:
    from covplan.io import Dataset

_FORMAT_HELP = ("Comma-separated: html, png, svg, mappdf (maps as PDF), pdf (the report), "
                "gpkg, geojson, csv, kml, cog (GeoTIFF), or all.")


@click.command("report")
@dataset_argument
@targets_option
@click.option("--scenario", "scenario_path", type=click.Path(path_type=Path), default=None,
              help="Scenario file (JSON) whose sites replace the dataset's.")
@click.option("--format", "format_spec", default="all", show_default=True, metavar="LIST",
              help=_FORMAT_HELP)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: maps/].")
@click.option("--commune", default=None, metavar="CODE|NAME",
              help="Make the report of one commune: its sheet (commune_<code>.pdf, every gap "
                   "listed) instead of report.pdf, and its static maps. The data files stay "
                   "the province's. A name may be typed without 'Xã'/'Phường' and without "
                   "diacritics ('Phan Dinh Phung').")
@click.option("--communes", "sheets_spec", default=None, metavar="all|LIST",
              help="Also write commune sheets: all, or comma-separated codes or names. "
                   "communes.pdf holds one page per commune, communes.zip one PDF per "
                   "commune.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Paper size of the static maps (landscape).")
@click.option("--dpi", type=click.IntRange(72, 600), default=200, show_default=True,
              help="Resolution of the PNG maps.")
@resolution_option
@model_option
@cache_options
@lang_option
@overwrite_option
@click.pass_context
def report(ctx: click.Context, data: Path, targets_spec: str, scenario_path: Path | None,
           format_spec: str, out: Path | None, commune: str | None, sheets_spec: str | None,
           paper: str, dpi: int, resolution_m: float | None, model: str,
           cache_dir: Path | None, no_cache: bool, lang_code: str | None,
           overwrite: bool) -> None:
    """Write maps, the PDF report and data files for the dataset DATA.

    Every word people read (the report, the commune sheets, the maps, the CSV headers) is
    in --lang. Each table is written as <name>.csv for people (rounded, headers in --lang)
    and data/<name>.csv for machines (English columns, full precision).
    """
    from covplan.cli.analyze import format_targets
    from covplan.export.atomic import staged_outputs
    from covplan.export.static_map import MapOptions, find_commune
    from covplan.report import parse_formats, planned_outputs, prepare_report, write_outputs

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter
    formats = parse_formats(format_spec)
    targets, lang = command_targets(targets_spec, lang_code)
    if commune and sheets_spec:
        raise click.UsageError("give --commune (the report of one commune) or --communes "
                               "(the sheets of many), not both.")
    dataset = open_dataset(data)
    scenario = None
    if scenario_path is not None:
        from covplan.planning import load_scenario

        if dataset.sites is None:
            raise click.UsageError(f"{data} has no sites layer for the scenario to edit.")
        scenario = load_scenario(scenario_path, dataset.sites, dataset=dataset.name,
                                 area=dataset.area())
        for warning in scenario.warnings:
            click.echo(lang._("Warning: {warning}").format(warning=said(warning, lang)),
                       err=True)
    # fail now, not after the prediction
    code = str(find_commune(dataset, commune)["code"].iloc[0]) if commune else None
    sheets = _sheet_codes(dataset, sheets_spec)
    out = out or settings.maps_dir
    sites = scenario.sites if scenario is not None else dataset.sites
    techs = on_air_technologies(sites)
    planned = planned_outputs(Path(), formats, techs, commune_code=code, sheets=bool(sheets),
                              speed=techs if targets.needs_sinr else ())
    with staged_outputs(out, planned, overwrite=overwrite) as stage, \
            ProgressBar("report", quiet=quiet(ctx)) as bar:
        result = prepare_report(dataset, targets, scenario=scenario, resolution_m=resolution_m,
                                model=model, cache=site_cache(cache_dir, no_cache),
                                progress=lambda f, m: bar(0.7 * f, m))
        options = MapOptions(paper=paper, dpi=dpi, commune=code)
        write_outputs(result, stage.folder, formats, lang=lang, options=options,
                      sheets=sheets, progress=lambda f, m: bar(0.7 + 0.3 * f, m))
    label = lang._(" (SYNTHETIC dataset)") if dataset.synthetic else ""
    title = lang._("{preset}: targets on {dataset}{synthetic}").format(
        preset=targets.name, dataset=dataset.name, synthetic=label)
    click.echo(format_targets(result.analysis.targets, title, lang))
    click.echo("\n" + lang._("Wrote {count} files to {out}:").format(count=len(stage.written),
                                                                      out=out))
    for path in stage.written:
        click.echo(f"  {path.relative_to(out)}")


def _sheet_codes(dataset: Dataset, spec: str | None) -> list[str]:
    """Codes of the communes ``--communes`` names (``all``: every commune), checked now."""
    from covplan.export.static_map import find_commune

    if not spec:
        return []
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if "all" in [n.casefold() for n in names] and len(names) > 1:
        raise click.UsageError("--communes takes all, or a list of codes or names, not both.")
    if [n.casefold() for n in names] == ["all"]:
        communes = dataset.communes
        if communes is None or communes.empty:
            raise click.UsageError(f"--communes all: {dataset.name} has no communes layer.")
        codes: list[str] = communes["code"].astype(str).tolist()
        return codes
    return list(dict.fromkeys(str(find_commune(dataset, n)["code"].iloc[0]) for n in names))
