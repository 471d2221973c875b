"""``covplan predict DATA``: best-server RSRP and serving-site grids as Cloud-Optimised GeoTIFFs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
import numpy as np

from covplan import settings
from covplan.cli._common import ProgressBar, dataset_argument, open_dataset, quiet
from covplan.errors import OutputExistsError


@click.command("predict")
@dataset_argument
@click.option("--technology", type=click.Choice(["4G", "5G"]), multiple=True,
              help="Technology to predict (repeat for both) [default: every one with sites].")
@click.option("--resolution", "resolution_m", type=click.FloatRange(min=5, max=1000),
              default=None, help="Grid cell size in metres [default: 30].")
@click.option("--model", default="auto", show_default=True,
              help="Propagation model (see covplan.predict).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: maps/].")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.pass_context
def predict(ctx: click.Context, data: Path, technology: tuple[str, ...],
            resolution_m: float | None, model: str, out: Path | None, overwrite: bool) -> None:
    """Predict coverage of the dataset DATA and write GeoTIFFs (RSRP dBm, serving sector)."""
    from covplan.predict import write_coverage_cog
    from covplan.targets import load_targets
    from covplan.targets.run import predict_dataset

    out = out or settings.maps_dir
    dataset = open_dataset(data)
    if technology and dataset.sites is not None:
        keep = dataset.sites["technology"].isin(technology).to_numpy()
        dataset = replace(dataset, vectors={**dataset.vectors, "sites": dataset.sites[keep]})
    grid = dataset.grid(resolution_m or settings.resolution_m)
    with ProgressBar("predict", disable=quiet(ctx)) as bar:
        coverage = predict_dataset(dataset, grid, targets=load_targets("thai_nguyen_2025"),
                                   model=model, progress=bar)
    if not coverage:
        raise click.ClickException("the dataset has no on-air sites to predict")
    for tech, cov in coverage.items():
        targets = [out / f"rsrp_{tech}.tif", out / f"server_{tech}.tif", out / f"server_{tech}.csv"]
        existing = [str(p) for p in targets if p.exists()]
        if existing and not overwrite:
            raise OutputExistsError(f"{', '.join(existing)} exist; use --overwrite to replace.")
        paths = write_coverage_cog(cov, out)
        values = cov.rsrp_dbm.data
        share = float(np.isfinite(values).mean()) * 100
        click.echo(f"{tech}: {len(cov.site_keys):,} sectors, signal on {share:.1f} % of "
                   f"{values.size:,} cells -> {', '.join(str(p) for p in paths)}")
