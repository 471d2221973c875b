"""``covplan national ROOT``: every province of a country in one run, on Dask.

ROOT is a folder of province folders (each a dataset whose ``dataset.toml`` names its
preset: ``[dataset] targets = "bac_ninh_2030"``) or a ``country.toml`` listing them
(:mod:`covplan.scale.country`). The provinces run on a local Dask cluster (one worker
process per core, ``--workers N``) or on an existing one (``--scheduler ADDRESS``); big
provinces are predicted in tiles. The national outputs (:mod:`covplan.scale.outputs`) are
written into ``--out`` together. A province that fails is reported with its problems, the
others finish and the outputs are written for them; the exit code is then 2 (1 when a
province failed for another reason than its inputs). A rerun takes every province whose
inputs and settings are unchanged from the cache (``--cache-dir``; ``--no-cache``).
"""

from __future__ import annotations

import importlib.util
import logging
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from covplan import settings
from covplan.cli._common import (
    ProgressBar,
    lang_option,
    model_option,
    overwrite_option,
    quiet,
    resolution_option,
    targets_option,
)
from covplan.export.atomic import staged_outputs
from covplan.i18n import LANGUAGES, Language, language, said

if TYPE_CHECKING:
    from covplan.scale import NationalRun

#: Exit codes, as :mod:`covplan.cli.main`'s: a province with bad inputs, an unexpected failure.
EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def default_cache_dir(out: Path) -> Path:
    """Where finished provinces are kept by default: beside the output folder."""
    return out.parent / f".{out.name}.covplan-cache"


def _print_run(run: NationalRun, lang: Language) -> None:
    from covplan.scale.summary import province_status

    width = max([len(r.name) for r in run.results] + [8])
    for result in run.results:
        cached = lang._(" (unchanged, from the cache)") if result.key in run.cached else ""
        click.echo(f"  {result.name.ljust(width)}  {lang._(province_status(result))}{cached}")
    done = sum(1 for r in run.results if r.ok and r.key in run.computed)
    click.echo(lang._("{computed} provinces computed, {cached} from the cache, {failed} failed, "
                      "{seconds:.0f} s").format(computed=done,
                                                cached=len(run.cached),
                                                failed=len(run.failed), seconds=run.wall_s))


def _report_failures(run: NationalRun, lang: Language) -> None:
    for result in run.failed:
        click.echo(lang._("{name} ({folder}) did not run:").format(
            name=result.name, folder=result.key), err=True)
        for problem in result.problems:
            click.echo(f"  - {said(problem, lang)}", err=True)


def _quiet_dask() -> None:
    """Dask's INFO lines only with -vv (covplan at DEBUG)."""
    import distributed  # noqa: F401 - its import sets its loggers' levels: set them after

    debug = logging.getLogger("covplan").getEffectiveLevel() <= logging.DEBUG
    logging.getLogger("distributed").setLevel(logging.INFO if debug else logging.WARNING)


@click.command("national")
@click.argument("root", type=click.Path(path_type=Path), metavar="ROOT")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: maps/national-<ROOT folder name>].")
@targets_option(default=None, purpose=" for the provinces whose dataset.toml names none")
@resolution_option
@model_option
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes of the local Dask cluster [default: one per core].")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on an existing Dask cluster (tcp://host:8786) instead of a local one.")
@click.option("--tile-cells", type=click.IntRange(min=1), default=None,
              help="Most grid cells one task predicts; bigger provinces are tiled (results "
                   "are the same) [default: 16,000,000].")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Keep finished provinces here; unchanged ones are not computed again "
                   "[default: .<OUT name>.covplan-cache beside OUT].")
@click.option("--no-cache", is_flag=True,
              help="Compute every province, and keep none.")
@lang_option
@overwrite_option
@click.pass_context
def national(ctx: click.Context, root: Path, out: Path | None, targets_spec: str | None,
             resolution_m: float | None, model: str, workers: int | None,
             scheduler: str | None, tile_cells: int | None, cache_dir: Path | None,
             no_cache: bool, lang_code: str | None, overwrite: bool) -> None:
    """Evaluate every province of the country ROOT on Dask and write the national outputs.

    ROOT holds one dataset folder per province (each dataset.toml naming its target
    preset: targets = "bac_ninh_2030"), or a country.toml listing them. Writes
    national_summary.csv/.gpkg (province x target), national_gaps.gpkg, national_map.png
    and .html (provinces by status), national_report.pdf and national_failures.csv into
    --out, together. A province that fails is reported and the others finish; the exit code
    is then 2.
    """
    from covplan.scale import (
        MAX_TILE_CELLS,
        OUTPUT_NAMES,
        ResultCache,
        RunSettings,
        open_client,
        plan_jobs,
        read_country,
        run_national,
        write_national,
    )
    from covplan.scale.national import pending
    from covplan.targets import load_targets

    if scheduler is not None and workers is not None:
        raise click.UsageError("--workers sets up a local cluster; with --scheduler the "
                               "existing cluster's workers are used. Give one of them.")
    if targets_spec is not None:
        load_targets(targets_spec)  # a wrong --targets is refused before any work
    lang = language(lang_code or LANGUAGES[0])
    out = out or settings.maps_dir / f"national-{root.resolve().name}"
    run_settings = RunSettings(resolution_m or settings.resolution_m, model,
                               max_tile_cells=tile_cells or MAX_TILE_CELLS)
    country = read_country(root, exclude=[out])
    plan = plan_jobs(country, run_settings, targets=targets_spec)
    cache = None if no_cache else ResultCache(cache_dir or default_cache_dir(out))
    _quiet_dask()
    with staged_outputs(out, OUTPUT_NAMES, overwrite=overwrite) as stage:
        work = bool(pending(plan, cache))
        with (open_client(scheduler=scheduler, workers=workers) if work
              else nullcontext(None)) as client:
            if client is not None:
                workers_up = len(client.scheduler_info().get("workers", {}))
                click.echo(lang._("{country}: {count} provinces on {workers} Dask workers; "
                                  "dashboard: {link}").format(country=country.name,
                                                              count=len(plan.order),
                                                              workers=workers_up,
                                                              link=client.dashboard_link))
                if importlib.util.find_spec("bokeh") is None:
                    click.echo(lang._("  (the dashboard's pages need the bokeh package)"))
            else:
                click.echo(lang._("{country}: every province is unchanged since the last run; "
                                  "no cluster needed").format(country=country.name))
            with ProgressBar("national", quiet=quiet(ctx)) as bar:
                run = run_national(plan, client, cache=cache, progress=bar)
        _print_run(run, lang)
        write_national(run.results, stage.folder, title=country.name, lang=lang)
    click.echo(lang._("Wrote {count} files to {out}.").format(count=len(stage.written), out=out))
    if run.failed:
        _report_failures(run, lang)
        names = ", ".join(r.name for r in run.failed)
        click.echo(lang._("Error: {count} province(s) did not run: {names}").format(
            count=len(run.failed), names=names), err=True)
        ctx.exit(EXIT_FAILURE if any(r.unexpected for r in run.failed) else EXIT_BAD_INPUT)
