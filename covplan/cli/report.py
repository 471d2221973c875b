"""``covplan report DATA``: maps, the PDF report and data files for officials.

Predicts coverage (the dataset's sites, or a scenario's), evaluates the targets and writes
the chosen formats into one folder (default ``maps/``): the offline HTML map, static maps
(PNG, SVG, PDF), the PDF report, gaps and sites as GeoPackage, GeoJSON, CSV and KML, and
the coverage grids as Cloud-Optimised GeoTIFF. Existing files are kept unless
``--overwrite``; every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click
import geopandas as gpd

from covplan import settings
from covplan.cli._common import ProgressBar, dataset_argument, open_dataset, quiet
from covplan.targets import load_targets, preset_names
from covplan.targets.run import DEFAULT_STATUSES

_FORMAT_HELP = ("Comma-separated: html, png, svg, mappdf (maps as PDF), pdf (the report), "
                "gpkg, geojson, csv, kml, cog (GeoTIFF), or all.")


def _technologies(sites: gpd.GeoDataFrame | None) -> list[str]:
    """Technologies with sectors on air (what the prediction will produce)."""
    if sites is None or sites.empty:
        return []
    if "status" in sites.columns:
        sites = sites[sites["status"].isna() | sites["status"].isin(list(DEFAULT_STATUSES))]
    return sorted(set(sites["technology"].astype(str)))


@click.command("report")
@dataset_argument
@click.option("--targets", "targets_spec", default="thai_nguyen_2025", show_default=True,
              metavar="PRESET|FILE",
              help=f"Target preset ({', '.join(preset_names())}) or a targets .toml file.")
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
@click.option("--resolution", "resolution_m", type=click.FloatRange(min=1.0), default=None,
              help="Grid resolution in metres [default: 30].")
@click.option("--model", default="auto", show_default=True, help="Propagation model.")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Keep per-site predictions here between runs [default: data/cache/predict].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the prediction cache.")
@click.option("--overwrite", is_flag=True, help="Replace output files that already exist.")
@click.pass_context
def report(ctx: click.Context, data: Path, targets_spec: str, scenario_path: Path | None,
           format_spec: str, out: Path | None, commune: str | None, paper: str, dpi: int,
           resolution_m: float | None, model: str, cache_dir: Path | None, no_cache: bool,
           overwrite: bool) -> None:
    """Write maps, the PDF report and data files for the dataset DATA."""
    from covplan.cli.analyze import format_targets
    from covplan.export.atomic import check_outputs
    from covplan.export.static_map import MapOptions, commune_bounds
    from covplan.predict import SiteCache
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
    check_outputs(planned_outputs(out, formats, _technologies(sites)), overwrite=overwrite)
    cache = None if no_cache else SiteCache(
        directory=cache_dir or settings.data_dir / "cache" / "predict")
    with ProgressBar("report", disable=quiet(ctx)) as bar:
        result = prepare_report(dataset, targets, scenario=scenario, resolution_m=resolution_m,
                                model=model, cache=cache,
                                progress=lambda f, m: bar(0.7 * f, m))
        options = MapOptions(paper=paper, dpi=dpi, commune=commune)
        written = write_outputs(result, out, formats, overwrite=overwrite, options=options,
                                progress=lambda f, m: bar(0.7 + 0.3 * f, m))
    label = " (SYNTHETIC dataset)" if dataset.synthetic else ""
    click.echo(format_targets(result.analysis.targets,
                              f"{targets.name}: targets on {dataset.name}{label}"))
    click.echo(f"\nWrote {len(written)} files to {out}:")
    for path in written:
        click.echo(f"  {path.name}")
