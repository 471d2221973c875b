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
from covplan.i18n import N_

if TYPE_CHECKING:
    from covplan.i18n import Language
    from covplan.planning import Recommendation

_SHOWN = 15
#: Where a candidate came from, as the plan's table says it.
_SOURCES = {"road": N_("road"), "village": N_("village"), "high ground": N_("high ground"),
            "colocation": N_("co-location"), "user": N_("your candidates")}


def _solver_line(rec: Recommendation, lang: Language) -> str:
    sel, greedy = rec.selection, rec.greedy
    gap = lang._("unknown") if sel.gap is None else lang.percent(100 * sel.gap, 2)
    return lang._(N_("Greedy: {count} sites (cost {cost}) in {seconds} s; final ({method}, "
                     "{status}): {final} sites (cost {final_cost}), optimality gap {gap}, in "
                     "{final_seconds} s")).format(
        count=lang.count(greedy.count), cost=lang.number(greedy.cost, 1),
        seconds=lang.number(greedy.seconds, 2), method=sel.method, status=sel.status,
        final=lang.count(sel.count), final_cost=lang.number(sel.cost, 1), gap=gap,
        final_seconds=lang.number(sel.seconds, 2))


def _report(rec: Recommendation, dataset_label: str, lang: Language) -> str:
    from covplan.cli.analyze import format_targets
    from covplan.export.wording import amount

    unit, lines = rec.demand.unit, []
    sources = rec.candidates.groupby("site_id").head(1)["source"].value_counts()
    lines.append(lang._(N_("Plan for {id}: {label} on {dataset}")).format(
        id=rec.target.id, label=rec.target.label_in(lang.code), dataset=dataset_label))
    lines.append(lang._(N_("Candidates: {count} ({sources}); coverage matrix {candidates} x "
                           "{cells} cells in {seconds} s")).format(
        count=lang.count(len(rec.matrix.candidate_ids)),
        sources=", ".join(f"{lang.count(n)} {lang._(_SOURCES.get(str(s), str(s)))}"
                          for s, n in sources.items()),
        candidates=lang.count(rec.matrix.problem.n_candidates),
        cells=lang.count(rec.matrix.problem.n_demand),
        seconds=lang.number(rec.matrix.seconds, 1)))
    lines.append(_solver_line(rec, lang))
    if not rec.feasible:
        lines.append(lang._(N_("The goal cannot be reached with these candidates: {amount} no "
                               "candidate reaches (layer 'uncoverable'). The sites below reach "
                               "all that the candidates can.")).format(
            amount=amount(rec.unreachable, unit, lang)))
    header = [lang._(N_("rank")), lang._(N_("site")), lang._(N_("source")), lang._(N_("gain")),
              lang._(N_("after"))]
    rows = [[str(r.rank), str(r.site_id), lang._(_SOURCES.get(str(r.source), str(r.source))),
             amount(r.gain, unit, lang), lang.percent(r.predicted_percent, 2)]
            for r in rec.chosen.head(_SHOWN).itertuples()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines.append("")
    for row in [header, *rows]:
        lines.append("  ".join([row[0].rjust(widths[0]), row[1].ljust(widths[1]),
                                row[2].ljust(widths[2]), row[3].rjust(widths[3]),
                                row[4].rjust(widths[4])]).rstrip())
    if len(rec.chosen) > _SHOWN:
        lines.append(lang._(N_("  … and {count} more in chosen_sites.csv")).format(
            count=lang.count(len(rec.chosen) - _SHOWN)))
    lines += ["", format_targets(rec.before, lang._(N_("Before")), lang), "",
              format_targets(rec.after, lang._(N_("After (re-evaluated by the engine)")), lang)]
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
@lang_option
@click.pass_context
def plan(ctx: click.Context, data: Path, target_id: str, targets_spec: str,
         max_sites: int | None, reach: bool, candidates_file: Path | None,
         only_my_candidates: bool, exclusion: Path | None, technology: str | None,
         road_spacing_m: float, time_limit_s: float, mip_rel_gap: float, greedy_only: bool,
         resolution_m: float | None, model: str, cache_dir: Path | None, no_cache: bool,
         out: Path, overwrite: bool, lang_code: str | None) -> None:
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
        targets, lang = command_targets(targets_spec, lang_code)
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
        label = dataset.name + (lang._(N_(" (SYNTHETIC dataset)")) if dataset.synthetic else "")
        click.echo(_report(rec, label, lang))
        written = [stage.final(p) for p in write_plan(rec, stage.folder)]
    click.echo("\n" + lang._(N_("Wrote {count} files to {out}: {names}")).format(
        count=lang.count(len(written)), out=out, names=", ".join(p.name for p in written)))
