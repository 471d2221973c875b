"""``covplan predict DATA``: best-server RSRP and serving-site grids as Cloud-Optimised GeoTIFFs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
import numpy as np

from covplan import settings
from covplan.cli._common import (
    ProgressBar,
    dataset_argument,
    model_option,
    on_air_technologies,
    open_dataset,
    overwrite_option,
    quiet,
    resolution_option,
    targets_option,
)


@click.command("predict")
@dataset_argument
@click.option("--technology", type=click.Choice(["4G", "5G"]), multiple=True,
              help="Technology to predict (repeat for both) [default: every one with sites].")
@resolution_option
@model_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: maps/].")
@targets_option(default=None, purpose="; each site is predicted down to the lowest "
                "threshold its targets use [default: the radio defaults, -105 dBm]")
@click.option("--floor-dbm", type=click.FloatRange(-160.0, -40.0), default=None,
              help="Predict each site down to this RSRP instead (overrides --targets).")
@click.option("--sinr", is_flag=True, default=False,
              help="Also write each operator's downlink SINR (sinr_<tech>.tif) and speed "
              "(dl_mbps_<tech>.tif, one band per operator and the best of any).")
@click.option("--edge-probability", type=click.FloatRange(0.5, 0.99), default=0.5,
              show_default=True,
              help="With --sinr: the speed reached at this probability under log-normal "
              "shadowing (0.9: the FCC's cell-edge probability); 0.5 is the median.")
@overwrite_option
@click.pass_context
def predict(ctx: click.Context, data: Path, technology: tuple[str, ...],
            resolution_m: float | None, model: str, out: Path | None,
            targets_spec: str | None, floor_dbm: float | None, sinr: bool,
            edge_probability: float, overwrite: bool) -> None:
    """Predict coverage of the dataset DATA and write GeoTIFFs (RSRP dBm, serving sector).

    With --sinr, each operator's network is also predicted on its own, for its downlink
    SINR and speed (the link-level model of covplan.radio.linklevel). The files appear in
    --out together, when all are written.
    """
    from covplan.export.atomic import staged_outputs
    from covplan.export.rasters import cog_paths, to_cogs
    from covplan.predict import SiteCache, predict_network
    from covplan.predict.export import link_paths, write_link_cogs
    from covplan.predict.operators import predict_operators
    from covplan.radio.linklevel import SHADOW_SIGMA_DB, fade_margin_db
    from covplan.targets import load_targets

    out = out or settings.maps_dir
    dataset = open_dataset(data)
    if technology and dataset.sites is not None:
        keep = dataset.sites["technology"].isin(technology).to_numpy()
        dataset = replace(dataset, vectors={**dataset.vectors, "sites": dataset.sites[keep]})
    techs = on_air_technologies(dataset.sites)
    if not techs:
        raise click.ClickException("the dataset has no on-air sites to predict")
    grid = dataset.grid(resolution_m or settings.resolution_m)
    floors: dict[str, float] | None = None
    if floor_dbm is not None:
        floors = dict.fromkeys(techs, floor_dbm)
    elif targets_spec is not None:
        floors = load_targets(targets_spec).floors_dbm()
    names = cog_paths(Path(), techs) + (link_paths(Path(), techs) if sinr else [])
    fade = fade_margin_db(edge_probability) if sinr else 0.0
    cache = SiteCache()
    with staged_outputs(out, names, overwrite=overwrite) as stage:
        with ProgressBar("predict", quiet=quiet(ctx)) as bar:
            coverage = predict_network(dataset.sites, dataset.terrain, grid,
                                       floors_dbm=floors, model=model, progress=bar,
                                       environment=dataset.environment(), cache=cache)
        written = [stage.final(p) for p in to_cogs(coverage, stage.folder)]
        if sinr:
            with ProgressBar("SINR per operator", quiet=quiet(ctx)) as bar:
                networks = predict_operators(dataset.sites, dataset.terrain, grid,
                                             floors_dbm=floors, model=model, progress=bar,
                                             environment=dataset.environment(), cache=cache)
            written += [stage.final(p) for p in write_link_cogs(networks, stage.folder, fade)]
    for tech, cov in coverage.items():
        paths = [p for p in written if p.stem.endswith(f"_{tech}")]
        values = cov.rsrp_dbm.data
        share = float(np.isfinite(values).mean()) * 100
        click.echo(f"{tech}: {len(cov.site_keys):,} sectors, signal on {share:.1f} % of "
                   f"{values.size:,} cells -> {', '.join(str(p) for p in paths)}")
    if sinr:
        edge = (f" at {edge_probability:.0%} probability (fade margin {fade:.1f} dB, "
                f"sigma {SHADOW_SIGMA_DB:g} dB)" if edge_probability > 0.5 else " (median)")
        for path in (p for p in written if p.name.startswith(("sinr_", "dl_mbps_"))):
            what = "SINR" if path.name.startswith("sinr") else "speed" + edge
            click.echo(f"{path.stem.split('_')[-1]} {what} per operator -> {path}")
