"""``covplan validate DATA``: exit 0 when every layer is valid, 2 with every problem listed."""

from __future__ import annotations

from pathlib import Path

import click

from covplan.cli._common import dataset_argument, open_dataset


@click.command("validate")
@dataset_argument
def validate(data: Path) -> None:
    """Check the dataset DATA against covplan's data contract."""
    dataset = open_dataset(data)
    counts = ", ".join(f"{len(f):,} {n}" for n, f in dataset.vectors.items())
    rasters = [
        n
        for n, r in (("terrain", dataset.terrain), ("population", dataset.population))
        if r is not None
    ]
    click.echo(
        f"OK: {dataset.name} is valid ({counts}"
        f"{'; rasters: ' + ', '.join(rasters) if rasters else ''})."
    )
    click.echo(f"Terrain: {dataset.terrain_statement()}")
    for note in dataset.notes:
        click.echo(f"  note: {note}")
