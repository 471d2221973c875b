"""``covplan analyze DATA``: predict coverage, check the targets, write the gap tables.

Prints the target table and writes ``gaps.gpkg`` (layers ``road_gaps``, ``village_gaps``,
``poi_gaps``, ``commune_summary``) and the same tables, plus the target, population and
road tables, as CSV twice: ``<table>.csv`` for people (headers in ``--lang``, figures
rounded, UTF-8 with BOM) and ``data/<table>.csv`` for machines (English columns, full
precision). Exits 0 whether or not the targets are met.
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
    command_targets,
    dataset_argument,
    lang_option,
    model_option,
    open_dataset,
    overwrite_option,
    quiet,
    resolution_option,
    site_cache,
    targets_option,
)
from covplan.export.atomic import staged_outputs
from covplan.export.wording import amount
from covplan.i18n import N_, Language, language
from covplan.planning.evaluate import run_analysis
from covplan.schema import ON_AIR_STATUSES, SITE_STATUSES
from covplan.targets import Analysis
from covplan.targets.analyze import TABLE_NAMES
from covplan.targets.schema import STATUS_NO_DATA, localized, status_label

GPKG_NAME = "gaps.gpkg"


def _nfc(text: object) -> str:
    """NFC text, so that composed Vietnamese letters are one column wide."""
    return unicodedata.normalize("NFC", str(text))


def format_targets(table: pd.DataFrame, title: str, lang: Language | None = None) -> str:
    """The target table as aligned text in ``lang``, then what each result was measured on."""
    lang = lang or language("en")
    header = (lang._("Target"), lang._("Measured"), lang._("Goal"), lang._("Status"),
              lang._("Shortfall"))
    rows = [header]
    for r in table.to_dict("records"):
        rows.append((_nfc(localized(r, "target", lang)),
                     lang.percent(float(r["measured_percent"])),
                     lang.percent(float(r["goal_percent"])),
                     status_label(r["status"], lang),
                     amount(float(r["shortfall"]), str(r["unit"]), lang)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [_nfc(title), ""]
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                        strict=True)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", lang._("Measured on:")]
    for r in table.to_dict("records"):
        template = lang._(N_("{id}: {quantity}; not measured: {denominator}; counted when "
                             "{threshold}") if r["status"] == STATUS_NO_DATA else
                          N_("{id}: {quantity}, out of {denominator}; counted when {threshold}"))
        lines.append("  " + template.format(
            id=r["id"], quantity=_nfc(localized(r, "quantity", lang)),
            denominator=_nfc(localized(r, "denominator", lang)),
            threshold=_nfc(localized(r, "threshold", lang))))
    return "\n".join(lines)


def format_operators(table: pd.DataFrame, lang: Language) -> str:
    """Each target's measured share per operator, at least one and every one ("" if none)."""
    if not len(table):
        return ""
    networks = list(dict.fromkeys(table["network"].astype(str)))
    header = (lang._("Target"), *(lang._(n) for n in networks))
    rows = [header]
    for ident, group in table.groupby("id", sort=False):
        shares = dict(zip(group["network"].astype(str), group["measured_percent"], strict=True))
        rows.append((str(ident), *(lang.percent(float(shares[n])) if n in shares else ""
                                   for n in networks)))
    widths = [max(len(_nfc(row[i])) for row in rows) for i in range(len(header))]
    lines = ["", lang._("Per operator (measured share; \"at least one\" is the targets' "
                        "figure):")]
    for k, row in enumerate(rows):
        cells = [_nfc(row[0]).ljust(widths[0])] + [_nfc(c).rjust(w) for c, w in
                                                   zip(row[1:], widths[1:], strict=True)]
        lines.append("  " + "  ".join(cells).rstrip())
        if k == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _population_lines(population: pd.DataFrame, lang: Language) -> list[str]:
    from covplan.metrics.population import NO_POPULATION

    best = population[population["operator"] == "best operator"]
    lines = ["", lang._("People with signal (SDG 9.c.1, best operator):")]
    no_data = status_label(STATUS_NO_DATA, lang)
    if (best["basis"] == NO_POPULATION).all():
        return [*lines, "  " + lang._("{no_data}: no population data (give a population raster, "
                                      "or a population column on the villages or communes)"
                                      ).format(no_data=no_data)]
    for r in best.to_dict("records"):
        tech = str(r["technology"]).replace(" or ", lang._(" or "))
        basis, percent = str(r["basis"]), float(r["covered_percent"])
        if math.isnan(percent):
            lines.append(f"  {tech:<9} " + lang._("{no_data} (nobody in the study area, "
                                                  "{basis})").format(no_data=no_data,
                                                                     basis=lang._(basis)))
            continue
        lines.append(f"  {tech:<9} " + lang._("{percent} ({covered} of {total}, {basis})").format(
            percent=lang.percent(percent), covered=lang.count(float(r["people_covered"])),
            total=lang.count(float(r["people_total"])), basis=lang._(basis)))
    return lines


def output_names() -> list[str]:
    """The files :func:`write_outputs` writes: ``gaps.gpkg`` and two CSV per table.

    ``<table>.csv`` is for people, ``data/<table>.csv`` for machines
    (:func:`covplan.export.tables.to_csv_pair`).
    """
    from covplan.export.tables import csv_pairs_paths

    return [GPKG_NAME, *(str(p) for p in csv_pairs_paths(Path(), TABLE_NAMES))]


def write_outputs(result: Analysis, out: Path, lang: Language, *,
                  overwrite: bool = False) -> list[Path]:
    """Write ``gaps.gpkg`` and each table as CSV for people (in ``lang``) and for machines.

    Parameters
    ----------
    result
        The analysis.
    out
        The output folder.
    lang
        The language of the CSV for people (headers, words, decimal mark).
    overwrite
        Replace existing files.
    """
    from covplan.export.tables import to_csv_pair, to_gpkg

    written = [to_gpkg(result.layers(), out / GPKG_NAME, overwrite=overwrite)]
    for name, table in result.tables().items():
        written += to_csv_pair(table, out, name, lang, overwrite=overwrite)
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
@lang_option
@overwrite_option
@click.pass_context
def analyze(ctx: click.Context, data: Path, targets_spec: str, out: Path | None,
            resolution_m: float | None, model: str, statuses: tuple[str, ...],
            cache_dir: Path | None, no_cache: bool, lang_code: str | None,
            overwrite: bool) -> None:
    """Check coverage targets on the dataset DATA and write the gaps.

    Predicts 4G/5G coverage from the sites, prints each target's measured value, goal,
    status and shortfall, and writes gaps.gpkg (layers road_gaps, village_gaps, poi_gaps,
    commune_summary) and every table as CSV into --out: <table>.csv for people (headers in
    --lang, rounded, UTF-8 with BOM so Excel shows Vietnamese) and data/<table>.csv for
    machines (English columns, full precision). The files appear together when all are
    written. Exits 0 whether or not the targets are met, 2 on bad input.
    """
    targets, lang = command_targets(targets_spec, lang_code)
    dataset = open_dataset(data)
    out = out or settings.maps_dir / f"analyze-{Path(data).resolve().name}"
    # locked and checked before the long prediction
    with staged_outputs(out, output_names(), overwrite=overwrite) as stage:
        with ProgressBar("analyze", quiet=quiet(ctx)) as bar:
            result = run_analysis(dataset, targets, resolution_m=resolution_m,
                                  statuses=statuses, model=model,
                                  cache=site_cache(cache_dir, no_cache), progress=bar)
        label = lang._(" (SYNTHETIC dataset)") if dataset.synthetic else ""
        title = lang._("{preset}: targets on {dataset}{synthetic}").format(
            preset=targets.name, dataset=dataset.name, synthetic=label)
        click.echo(format_targets(result.targets, title, lang))
        click.echo(lang._("Terrain: {statement}").format(
            statement=dataset.terrain_statement(lang)))
        click.echo(lang._("Calibration: {statement}").format(
            statement=dataset.calibration_statement(lang)))
        click.echo("\n".join(_population_lines(result.population, lang)))
        if len(result.operators):
            click.echo(format_operators(result.operators, lang))
        write_outputs(result, stage.folder, lang)
    click.echo("\n" + lang._("Wrote {count} files to {out}: {gpkg} ({layers}) and CSV "
                             "tables.").format(count=len(stage.written), out=out, gpkg=GPKG_NAME,
                                               layers=", ".join(result.layers())))
