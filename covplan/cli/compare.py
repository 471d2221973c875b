"""``covplan compare SNAP...``: the targets over time, what changed, and the pace.

Each SNAP is a dataset folder (a snapshot as of its manifest's ``as_of``) or a scenario
file (``.json``) on the dataset named before it. Prints the target table over time, what
changed between consecutive snapshots and the pace, and writes the tables (CSV), the
GeoPackage, the chart, the change maps and the PDF (see :mod:`covplan.progress.outputs`).
"""

from __future__ import annotations

from pathlib import Path

import click

from covplan import settings
from covplan.cli._common import (
    ProgressBar,
    cache_options,
    command_targets,
    lang_option,
    model_option,
    overwrite_option,
    quiet,
    resolution_option,
    site_cache,
    targets_option,
)
from covplan.export.atomic import staged_outputs
from covplan.i18n import said
from covplan.schema import ON_AIR_STATUSES, SITE_STATUSES


@click.command("compare")
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="SNAP...")
@targets_option
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: maps/compare-<last snapshot>].")
@resolution_option
@model_option
@click.option("--status", "statuses", multiple=True, default=ON_AIR_STATUSES,
              type=click.Choice(SITE_STATUSES), show_default=True,
              help="Site statuses to predict (repeat the option for several).")
@cache_options
@lang_option
@overwrite_option
@click.pass_context
def compare(ctx: click.Context, snapshots: tuple[Path, ...], targets_spec: str,
            out: Path | None, resolution_m: float | None, model: str,
            statuses: tuple[str, ...], cache_dir: Path | None, no_cache: bool,
            lang_code: str | None, overwrite: bool) -> None:
    """Compare snapshots of a province against the same targets, over time.

    Each SNAP is a dataset folder (dated by its manifest's as_of = 2025-09-30, or a folder
    named 2025-Q3) or a scenario file (.json) applied to the dataset named before it.
    Prints the target table over time with the change between consecutive snapshots in
    each target's unit, what changed (sites, road stretches, villages, communes) and the
    quarter each goal would be met at the observed pace (a linear extrapolation), and
    writes the CSV tables, progress.gpkg, the chart, the change maps and progress.pdf into
    --out. Unchanged sites are predicted once (the per-site cache). Exits 2 on bad input:
    a snapshot that does not load, or snapshots of different study areas or CRSs.
    """
    from covplan.progress import (
        check_comparable,
        compare_snapshots,
        format_progress,
        load_snapshots,
        output_names,
        write_outputs,
    )

    if len(snapshots) < 2:
        raise click.UsageError("give two or more snapshots to compare (dataset folders, or "
                               "a dataset folder and a scenario .json).")
    targets, lang = command_targets(targets_spec, lang_code)
    loaded = load_snapshots(snapshots)
    check_comparable(loaded)
    labels = [s.label for s in loaded]
    out = out or settings.maps_dir / f"compare-{labels[-1]}"
    cache = site_cache(cache_dir, no_cache, memory=True)
    with staged_outputs(out, output_names(labels), overwrite=overwrite) as stage:
        with ProgressBar("compare", quiet=quiet(ctx)) as bar:
            comparison = compare_snapshots(loaded, targets, resolution_m=resolution_m,
                                           model=model, statuses=statuses, cache=cache,
                                           progress=bar)
        for result in comparison.snapshots:  # the datasets', the plans', the calibrations'
            for warning in result.warnings:
                click.echo(lang._("Warning: {warning}").format(
                    warning=f"{result.label}: {said(warning, lang)}"), err=True)
        click.echo(format_progress(comparison, lang))
        write_outputs(comparison, stage.folder, lang)
    click.echo("\n" + lang._("Wrote {count} progress files to {out}.").format(
        count=len(stage.written), out=out))
