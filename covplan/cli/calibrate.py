"""``covplan calibrate DATA MEASUREMENTS``: fit the prediction to drive-test measurements.

Reads the measurements (a plain CSV or a G-NetTrack log, see
:mod:`covplan.calibration.measurements`), compares them with the uncalibrated prediction of
DATA, fits per technology an offset, a log-distance slope and land-cover class offsets
(:mod:`covplan.calibration.fit`), prints the error before and after with spatially blocked
cross-validation, and writes the calibration file that DATA's manifest can then name.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from covplan.cli._common import (
    ProgressBar,
    dataset_argument,
    model_option,
    open_dataset,
    overwrite_option,
    quiet,
    resolution_option,
)
from covplan.export.atomic import staged_outputs

if TYPE_CHECKING:
    from covplan.calibration.calibrate import CalibrationResult
    from covplan.io import Dataset


def _db(value: float, sign: bool = False) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:+.1f}" if sign else f"{value:.1f}"


def format_table(table: pd.DataFrame, class_names: dict[int, str]) -> str:
    """The before/after error table as aligned text."""
    header = ("technology", "land cover", "points", "mean", "std", "RMSE", "mean", "std", "RMSE")
    rows = [header]
    for r in table.to_dict("records"):
        code = int(r["landcover"])
        label = "all" if code == 0 else f"{code} {class_names.get(code, '')}".strip()
        rows.append((str(r["technology"]), label, f"{int(r['points']):,}",
                     _db(r["before_mean_db"], True), _db(r["before_std_db"]),
                     _db(r["before_rmse_db"]), _db(r["after_mean_db"], True),
                     _db(r["after_std_db"]), _db(r["after_rmse_db"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    group = " " * (sum(widths[:3]) + 6)
    before = "before".center(sum(widths[3:6]) + 4, "-")
    after = "after (held out)".center(sum(widths[6:9]) + 4, "-")
    lines.append(f"{group}  {before}  {after}")
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.command("calibrate")
@dataset_argument
@click.argument("measurements", type=click.Path(path_type=Path), metavar="MEASUREMENTS")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="The calibration file to write [default: calibration.toml in DATA].")
@model_option
@resolution_option
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True,
              help="Cross-validation folds.")
@click.option("--block-km", type=click.FloatRange(0.1, 100.0), default=2.0, show_default=True,
              help="Side of the square blocks held out together in cross-validation.")
@click.option("--by-route", is_flag=True,
              help="Hold out whole drive routes (the 'route' column) instead of blocks.")
@click.option("--min-class-points", type=click.IntRange(min=10), default=100,
              show_default=True, help="Fewest measurements for a land-cover class offset.")
@overwrite_option
@click.pass_context
def calibrate(ctx: click.Context, data: Path, measurements: Path, out: Path | None, model: str,
              resolution_m: float | None, folds: int, block_km: float, by_route: bool,
              min_class_points: int, overwrite: bool) -> None:
    """Calibrate the prediction of DATA to the measurements in MEASUREMENTS.

    MEASUREMENTS is a CSV with lon, lat (WGS 84) and rsrp_dbm columns, optionally
    technology, site_id and sector, cell_id, pci, operator, time and route; or a
    G-NetTrack log. Bad rows are reported with their line numbers and dropped. Prints the
    error (measured minus predicted RSRP) before and after, the "after" measured on
    held-out spatial blocks, and writes the calibration. Name it in DATA's dataset.toml
    ([dataset] calibration = "calibration.toml") and every command uses it.
    """
    from covplan.calibration.calibrate import calibrate as fit
    from covplan.calibration.measurements import read_measurements

    dataset = open_dataset(data)
    folder = data if data.is_dir() else data.parent
    out = out or folder / "calibration.toml"
    with staged_outputs(out.parent, [out.name], overwrite=overwrite) as stage:
        found = read_measurements(measurements)
        click.echo(f"Measurements: {found.summary()}")
        for problem in found.problems:
            click.echo(f"Warning: dropped: {problem}", err=True)
        with ProgressBar("calibrate", quiet=quiet(ctx)) as bar:
            result = fit(dataset, found, model=model, resolution_m=resolution_m, folds=folds,
                         block_m=block_km * 1000.0, by_route=by_route,
                         min_class_points=min_class_points, progress=bar)
        (stage.folder / out.name).write_text(result.calibration.to_toml(), encoding="utf-8")
        click.echo(_report(result, dataset, block_km))
    _tell_how_to_use(out, folder)


def _report(result: CalibrationResult, dataset: Dataset, block_km: float) -> str:
    from covplan.calibration.compare import NAMED_BUT_MISSING

    comparison, calibration = result.comparison, result.calibration
    models = ", ".join(f"{t} {m}" for t, m in comparison.models.items())
    clutter = (f"land-cover clutter by ITU-R P.2108, {dataset.clutter.source}"
               if dataset.clutter is not None else "no land cover")
    held = "whole drive routes" if result.by_route else f"{block_km:g} km blocks"
    names = {c.code: c.name for c in dataset.clutter.classes} if dataset.clutter else {}
    lines = [""]
    for why, count in comparison.dropped.items():
        lines.append(f"Not compared: {count:,} {why}")
    attribution = comparison.points["attribution"].value_counts()
    lines += [
        f"Compared {len(comparison.points):,} measurements with the prediction of "
        f"{dataset.name} ({models}; {clutter}); serving sector by "
        + ", ".join(f"{how} {n:,}" for how, n in attribution.items()) + ".",
        f"Error = measured - predicted RSRP (dB); 'after' from {result.folds}-fold "
        f"cross-validation, {held} held out.", "",
        format_table(result.table, names), "",
    ]
    if (missing := int(attribution.get(NAMED_BUT_MISSING, 0))):
        lines.insert(1, f"Warning: {missing:,} measurements name a serving cell the sites "
                        "layer does not have (a drive test of another network state?); they "
                        "are compared with the predicted best server instead. Check that the "
                        "measurements and the sites are of the same time.")
    for tech, c in calibration.corrections.items():
        if c.before is not None and c.after is not None:
            lines.append(f"{tech}: RMSE {c.before.rmse_db:.1f} dB -> {c.after.rmse_db:.1f} dB "
                         f"on held-out data ({c.after.rmse_db - c.before.rmse_db:+.1f} dB); "
                         f"correction: {c.summary().split(': ', 1)[1]}")
    lines.append(f"Fit and cross-validation {result.seconds:.2f} s, prediction at the points "
                 f"{result.prediction_seconds:.1f} s.")
    return "\n".join(lines)


def _tell_how_to_use(out: Path, folder: Path) -> None:
    inside = out.resolve().parent == folder.resolve()
    name = out.name if inside else str(out)
    click.echo(f"\nWrote {out}.")
    if inside:
        click.echo(f"To use it, add under [dataset] in {folder / 'dataset.toml'}:\n"
                   f'    calibration = "{name}"')
    else:
        click.echo(f"To use it, copy it into {folder} and name it in dataset.toml under "
                   f'[dataset]: calibration = "{out.name}"')
