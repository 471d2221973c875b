"""``covplan report DATA``: maps, the PDF report and data files for officials.

Predicts coverage (the dataset's sites, or a scenario's), evaluates the targets and writes
the chosen formats into one folder (default ``maps/``): the offline HTML map, static maps
(PNG, SVG, PDF), the PDF report, gaps and sites as GeoPackage, GeoJSON, CSV and KML, and
the coverage grids as Cloud-Optimised GeoTIFF. Existing files are kept unless
``--overwrite``; the files are written into a staging folder and appear in the output
folder together, when all are written (:func:`covplan.export.atomic.staged_outputs`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from covplan import settings
from covplan.cli._common import (
    ProgressBar,
    cache_options,
    dataset_argument,
    model_option,
    on_air_technologies,
    open_dataset,
    overwrite_option,
    quiet,
    resolution_option,
    site_cache,
    targets_option,
)
from covplan.targets import load_targets

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
              help="Draw the static maps of one commune instead of the whole province.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Paper size of the static maps (landscape).")
@click.option("--dpi", type=click.IntRange(72, 600), default=200, show_default=True,
              help="Resolution of the PNG maps.")
@resolution_option
@model_option
@cache_options
@overwrite_option
@click.pass_context
def report(ctx: click.Context, data: Path, targets_spec: str, scenario_path: Path | None,
           format_spec: str, out: Path | None, commune: str | None, paper: str, dpi: int,
           resolution_m: float | None, model: str, cache_dir: Path | None, no_cache: bool,
           overwrite: bool) -> None:
    """Write maps, the PDF report and data files for the dataset DATA."""
    from covplan.cli.analyze import format_targets
    from covplan.export.atomic import staged_outputs
    from covplan.export.static_map import MapOptions, commune_bounds
    from covplan.report import parse_formats, planned_outputs, prepare_report, write_outputs

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter
    formats = parse_formats(format_spec)
    targets = load_targets(targets_spec)
    dataset = open_dataset(data)
    scenario = None
    if scenario_path is not None:
        from covplan.planning import load_scenario

        if dataset.sites is None:
            raise click.UsageError(f"{data} has no sites layer for the scenario to edit.")
        scenario = load_scenario(scenario_path, dataset.sites, dataset=dataset.name,
                                 area=dataset.area())
        for warning in scenario.warnings:
            click.echo(f"Warning: {warning}", err=True)
    if commune:
        commune_bounds(dataset, commune)  # fail now, not after the prediction
    out = out or settings.maps_dir
    sites = scenario.sites if scenario is not None else dataset.sites
    planned = planned_outputs(Path(), formats, on_air_technologies(sites))
    with staged_outputs(out, planned, overwrite=overwrite) as stage, \
            ProgressBar("report", quiet=quiet(ctx)) as bar:
        result = prepare_report(dataset, targets, scenario=scenario, resolution_m=resolution_m,
                                model=model, cache=site_cache(cache_dir, no_cache),
                                progress=lambda f, m: bar(0.7 * f, m))
        options = MapOptions(paper=paper, dpi=dpi, commune=commune)
        written = write_outputs(result, stage.folder, formats, options=options,
                                progress=lambda f, m: bar(0.7 + 0.3 * f, m))
    label = " (SYNTHETIC dataset)" if dataset.synthetic else ""
    click.echo(format_targets(result.analysis.targets,
                              f"{targets.name}: targets on {dataset.name}{label}"))
    click.echo(f"\nWrote {len(written)} files to {out}:")
    for path in written:
        click.echo(f"  {path.name}")
