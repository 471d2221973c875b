"""``covplan analyze DATA``: predict coverage, check the targets, write the gap tables.

Prints the target table and writes ``gaps.gpkg`` (layers ``road_gaps``, ``village_gaps``,
``poi_gaps``, ``commune_summary``) and the same tables, plus the target, population and
road tables, as UTF-8-with-BOM CSV. Exits 0 whether or not the targets are met.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import click
import pandas as pd

from covplan import settings
from covplan.cli._common import (
    ProgressBar,
    cache_options,
    dataset_argument,
    model_option,
    open_dataset,
    overwrite_option,
    quiet,
    resolution_option,
    site_cache,
    targets_option,
)
from covplan.export.atomic import staged_outputs
from covplan.planning.evaluate import run_analysis
from covplan.schema import ON_AIR_STATUSES, SITE_STATUSES
from covplan.targets import Analysis, TargetSet, load_targets
from covplan.targets.analyze import TABLE_NAMES

GPKG_NAME = "gaps.gpkg"


def _nfc(text: object) -> str:
    """NFC text, so that composed Vietnamese letters are one column wide."""
    return unicodedata.normalize("NFC", str(text))


_SINGULAR = {"villages": "village", "people": "person", "POIs": "POI"}


def _amount(value: float, unit: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if unit == "km":
        return f"{value:,.1f} km"
    if unit == "km²":
        return f"{value:,.2f} km²"
    return f"{value:,.0f} {_SINGULAR.get(unit, unit) if round(value) == 1 else unit}"


def format_targets(table: pd.DataFrame, title: str) -> str:
    """The target table as aligned text, then what each result was measured on."""
    from covplan.targets.schema import status_label

    header = ("Target", "Measured", "Goal", "Status", "Shortfall")
    rows = [header]
    for r in table.to_dict("records"):
        value = float(r["measured_percent"])
        measured = "-" if math.isnan(value) else f"{value:.1f} %"
        rows.append((_nfc(r["target"]), measured, f"{float(r['goal_percent']):g} %",
                     status_label(r["status"]),
                     _amount(float(r["shortfall"]), str(r["unit"]))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [_nfc(title), ""]
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                        strict=True)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", "Measured on:"]
    for r in table.to_dict("records"):
        lines.append(f"  {r['id']}: {r['measure']} of {_nfc(r['denominator'])}; counted when "
                     f"{_nfc(r['threshold'])}")
    return "\n".join(lines)


def _population_lines(population: pd.DataFrame) -> list[str]:
    from covplan.metrics.population import NO_POPULATION
    from covplan.targets.schema import STATUS_NO_DATA, status_label

    best = population[population["operator"] == "best operator"]
    lines = ["", "People with signal (SDG 9.c.1, best operator):"]
    if (best["basis"] == NO_POPULATION).all():
        return [*lines, f"  {status_label(STATUS_NO_DATA)}: {NO_POPULATION} (give a population "
                        "raster, or a population column on the villages or communes)"]
    for r in best.to_dict("records"):
        tech, basis, percent = str(r["technology"]), str(r["basis"]), float(r["covered_percent"])
        if math.isnan(percent):
            lines.append(f"  {tech:<9} {status_label(STATUS_NO_DATA)} (nobody in the study "
                         f"area, {basis})")
            continue
        lines.append(f"  {tech:<9} {percent:5.1f} % ({float(r['people_covered']):,.0f} of "
                     f"{float(r['people_total']):,.0f}, {basis})")
    return lines


def output_names() -> list[str]:
    """The files :func:`write_outputs` writes: ``gaps.gpkg`` and one CSV per table."""
    return [GPKG_NAME, *(f"{name}.csv" for name in TABLE_NAMES)]


def write_outputs(result: Analysis, out: Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``gaps.gpkg`` and one CSV per table into the folder ``out``."""
    from covplan.export.tables import to_csv, to_gpkg

    written = [to_gpkg(result.layers(), out / GPKG_NAME, overwrite=overwrite)]
    for name, table in result.tables().items():
        written.append(to_csv(table, out / f"{name}.csv", overwrite=overwrite))
    return written


@click.command("analyze")
@dataset_argument
@targets_option
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: maps/analyze-<DATA folder name>].")
@resolution_option
@model_option
@click.option("--status", "statuses", multiple=True, default=ON_AIR_STATUSES,
              type=click.Choice(SITE_STATUSES), show_default=True,
              help="Site statuses to predict (repeat the option for several).")
@cache_options
@overwrite_option
@click.pass_context
def analyze(ctx: click.Context, data: Path, targets_spec: str, out: Path | None,
            resolution_m: float | None, model: str, statuses: tuple[str, ...],
            cache_dir: Path | None, no_cache: bool, overwrite: bool) -> None:
    """Check coverage targets on the dataset DATA and write the gaps.

    Predicts 4G/5G coverage from the sites, prints each target's measured value, goal,
    status and shortfall, and writes gaps.gpkg (layers road_gaps, village_gaps, poi_gaps,
    commune_summary) and every table as CSV (UTF-8 with BOM, so Excel shows Vietnamese)
    into --out. The files appear together when all are written. Exits 0 whether or not
    the targets are met, 2 on bad input.
    """
    targets: TargetSet = load_targets(targets_spec)
    dataset = open_dataset(data)
    out = out or settings.maps_dir / f"analyze-{Path(data).resolve().name}"
    # locked and checked before the long prediction
    with staged_outputs(out, output_names(), overwrite=overwrite) as stage:
        with ProgressBar("analyze", quiet=quiet(ctx)) as bar:
            result = run_analysis(dataset, targets, resolution_m=resolution_m,
                                  statuses=statuses, model=model,
                                  cache=site_cache(cache_dir, no_cache), progress=bar)
        label = " (SYNTHETIC dataset)" if dataset.synthetic else ""
        click.echo(format_targets(result.targets,
                                  f"{targets.name}: targets on {dataset.name}{label}"))
        click.echo(f"Terrain: {dataset.terrain_statement()}")
        click.echo("\n".join(_population_lines(result.population)))
        write_outputs(result, stage.folder)
    click.echo(f"\nWrote {len(stage.written)} files to {out}: {GPKG_NAME} "
               f"({', '.join(result.layers())}) and CSV tables.")
