"""``covplan info DATA``: layers, CRS, counts, extents and the defaults applied."""

from __future__ import annotations

from pathlib import Path

import click

from covplan.cli._common import dataset_argument, lang_option, open_dataset
from covplan.i18n import N_, language, said
from covplan.io.describe import layer_table


@click.command("info")
@dataset_argument
@lang_option(default_help="English")
def info(data: Path, lang_code: str | None) -> None:
    """Describe the dataset DATA (folder, dataset.toml or GeoPackage)."""
    lang = language(lang_code or "en")
    dataset = open_dataset(data)
    rows = [(N_("Dataset:"), dataset.name + (lang._(N_(" (SYNTHETIC dataset)"))
                                             if dataset.synthetic else "")),
            (N_("Source:"), str(dataset.path)),
            (N_("CRS:"), f"{dataset.crs.name} (EPSG:{dataset.crs.to_epsg()})"),
            (N_("Terrain:"), dataset.terrain_statement(lang))]
    if dataset.attribution:
        rows.append((N_("Credit:"), dataset.attribution))
    width = max(len(lang._(label)) for label, _ in rows) + 1
    lines = [f"{lang._(label):<{width}}{value}" for label, value in rows]
    if dataset.description:  # under the dataset's name
        lines.insert(1, f"  {dataset.description}")
    click.echo("\n".join(lines))
    click.echo("")
    click.echo(layer_table(dataset, lang).to_string(index=False))
    if dataset.notes:
        click.echo("\n" + lang._(N_("Defaults applied and repairs made:")))
        for note in dataset.notes:
            click.echo(f"  - {said(note, lang)}")
