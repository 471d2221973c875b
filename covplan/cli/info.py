"""``covplan info DATA``: layers, CRS, counts, extents and the defaults applied."""

from __future__ import annotations

from pathlib import Path

import click

from covplan.cli._common import dataset_argument, open_dataset
from covplan.io.describe import layer_table


@click.command("info")
@dataset_argument
def info(data: Path) -> None:
    """Describe the dataset DATA (folder, dataset.toml or GeoPackage)."""
    dataset = open_dataset(data)
    label = " (SYNTHETIC)" if dataset.synthetic else ""
    click.echo(f"Dataset: {dataset.name}{label}")
    if dataset.description:
        click.echo(f"  {dataset.description}")
    click.echo(f"Source:  {dataset.path}")
    click.echo(f"CRS:     {dataset.crs.name} (EPSG:{dataset.crs.to_epsg()})")
    click.echo(f"Terrain: {dataset.terrain_statement()}")
    if dataset.attribution:
        click.echo(f"Credit:  {dataset.attribution}")
    click.echo("")
    click.echo(layer_table(dataset).to_string(index=False))
    if dataset.notes:
        click.echo("\nDefaults applied and repairs made:")
        for note in dataset.notes:
            click.echo(f"  - {note}")
