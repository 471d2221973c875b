"""``covplan plan DATA --target ID``: recommend the fewest new sites that close a target's gaps.

Writes ``plan.gpkg`` (layers ``chosen_sites``, ``candidates``, ``uncoverable``),
``chosen_sites.csv``, ``targets_before.csv``, ``targets_after.csv``, the scenario
(``scenario.json``, loadable with :func:`covplan.planning.load_scenario`) and
``plan_summary.json``. A goal the candidates cannot reach is reported (exit 0), with the
demand no candidate reaches in the ``uncoverable`` layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

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
from covplan.targets import load_targets

if TYPE_CHECKING:
    from covplan.planning import Recommendation

_SHOWN = 15


def _amount(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}" if unit in ("km", "km²") else f"{value:,.1f} {unit}"


def _solver_line(rec: Recommendation) -> str:
    sel, greedy = rec.selection, rec.greedy
    gap = "unknown" if sel.gap is None else f"{100 * sel.gap:.2f} %"
    return (f"Greedy: {greedy.count} sites (cost {greedy.cost:g}) in {greedy.seconds:.2f} s; "
            f"final ({sel.method}, {sel.status}): {sel.count} sites (cost {sel.cost:g}), "
            f"optimality gap {gap}, in {sel.seconds:.2f} s")


def _report(rec: Recommendation, dataset_label: str) -> str:
    from covplan.cli.analyze import format_targets

    unit, lines = rec.demand.unit, []
    sources = rec.candidates.groupby("site_id").head(1)["source"].value_counts()
    lines.append(f"Plan for {rec.target.id}: {rec.target.label} on {dataset_label}")
    lines.append(f"Candidates: {len(rec.matrix.candidate_ids):,} ("
                 + ", ".join(f"{n:,} {s}" for s, n in sources.items()) + "); coverage "
                 f"matrix {rec.matrix.problem.n_candidates:,} x {rec.matrix.problem.n_demand:,}"
                 f" cells in {rec.matrix.seconds:.1f} s")
    lines.append(_solver_line(rec))
    if not rec.feasible:
        lines.append("The goal cannot be reached with these candidates: "
                     f"{_amount(rec.unreachable, unit)}"
                     " no candidate reaches (layer 'uncoverable'). The sites below reach all "
                     "that the candidates can.")
    lines.append("")
    lines.append(f"{'rank':>4}  {'site':<14} {'source':<12} {'gain':>12} {'after':>9}")
    for r in rec.chosen.head(_SHOWN).itertuples():
        lines.append(f"{r.rank:>4}  {r.site_id:<14} {r.source:<12} "
                     f"{_amount(r.gain, unit):>12} {r.predicted_percent:>8.2f}%")
    if len(rec.chosen) > _SHOWN:
        lines.append(f"  … and {len(rec.chosen) - _SHOWN} more in chosen_sites.csv")
    lines += ["", format_targets(rec.before, "Before"), "",
              format_targets(rec.after, "After (re-evaluated by the engine)")]
    return "\n".join(lines)


@click.command("plan")
@dataset_argument
@click.option("--target", "target_id", required=True, metavar="ID",
              help="The target to close, by id (e.g. roads_4g5g).")
@targets_option
@click.option("--max-sites", type=click.IntRange(min=1), default=None, metavar="K",
              help="Cover the most with at most K new sites.")
@click.option("--reach", is_flag=True,
              help="Fewest new sites (least cost) that reach the goal [the default].")
@click.option("--candidates", "candidates_file", type=click.Path(path_type=Path),
              default=None, help="Your candidate points (CSV lon/lat, GeoPackage, …); "
              "optional columns site_id, technology, height_m, cost.")
@click.option("--only-my-candidates", is_flag=True,
              help="Do not generate candidates (roads, villages, high ground, co-location).")
@click.option("--exclusion", type=click.Path(path_type=Path), default=None,
              help="Polygons where no candidate may stand.")
@click.option("--technology", type=click.Choice(["4G", "5G"]), default=None,
              help="Technology of new-build candidates [default: the target's first].")
@click.option("--road-spacing", "road_spacing_m", type=click.FloatRange(min=50.0),
              default=1500.0, show_default=True, help="Metres between road candidates.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=0.1), default=60.0,
              show_default=True, help="Seconds for the integer program.")
@click.option("--gap", "mip_rel_gap", type=click.FloatRange(0.0, 1.0), default=0.01,
              show_default=True, help="Relative optimality gap at which to stop.")
@click.option("--greedy-only", is_flag=True, help="Skip the integer program.")
@resolution_option
@model_option
@cache_options
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@overwrite_option
@click.pass_context
def plan(ctx: click.Context, data: Path, target_id: str, targets_spec: str,
         max_sites: int | None, reach: bool, candidates_file: Path | None,
         only_my_candidates: bool, exclusion: Path | None, technology: str | None,
         road_spacing_m: float, time_limit_s: float, mip_rel_gap: float, greedy_only: bool,
         resolution_m: float | None, model: str, cache_dir: Path | None, no_cache: bool,
         out: Path, overwrite: bool) -> None:
    """Recommend new sites for target ID on the dataset DATA.

    The files appear in --out together, when all are written.
    """
    from covplan.export.atomic import staged_outputs
    from covplan.planning import (
        CandidateOptions,
        PlanOptions,
        ScenarioEvaluator,
        load_candidates,
        recommend_sites,
    )
    from covplan.planning.candidates import load_exclusion
    from covplan.planning.output import OUTPUTS, write_plan
    from covplan.planning.recommend import find_target

    if max_sites is not None and reach:
        raise click.UsageError("--reach and --max-sites exclude each other; give one.")
    if only_my_candidates and candidates_file is None:
        raise click.UsageError("--only-my-candidates needs --candidates FILE.")
    with staged_outputs(out, OUTPUTS, overwrite=overwrite) as stage:
        targets = load_targets(targets_spec)
        find_target(targets, target_id)  # fail before any loading
        dataset = open_dataset(data)
        user = load_candidates(candidates_file, dataset.crs) if candidates_file else None
        zones = load_exclusion(exclusion, dataset.crs) if exclusion else None
        generate = not only_my_candidates
        options = PlanOptions(
            mode="max" if max_sites is not None else "reach", max_sites=max_sites,
            solver="greedy" if greedy_only else "milp", time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
            candidates=CandidateOptions(technology=technology, road_spacing_m=road_spacing_m,
                                        roads=generate, villages=generate,
                                        high_ground=generate, colocation=generate))
        evaluator = ScenarioEvaluator(dataset, targets, resolution_m=resolution_m, model=model,
                                      cache=site_cache(cache_dir, no_cache, memory=True))
        with ProgressBar("plan", quiet=quiet(ctx)) as bar:
            rec = recommend_sites(dataset, targets, target_id, options=options,
                                  user_candidates=user, exclusion=zones, evaluator=evaluator,
                                  progress=bar)
        label = f"{dataset.name}{' (SYNTHETIC dataset)' if dataset.synthetic else ''}"
        click.echo(_report(rec, label))
        written = [stage.final(p) for p in write_plan(rec, stage.folder)]
    click.echo(f"\nWrote {len(written)} files to {out}: {', '.join(p.name for p in written)}")
