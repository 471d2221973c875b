"""``covplan validate DATA``: exit 0 when every layer is valid, 2 with every problem listed."""

from __future__ import annotations

from pathlib import Path

import click

from covplan.cli._common import dataset_argument, lang_option, open_dataset
from covplan.i18n import N_, language, said


@click.command("validate")
@dataset_argument
@lang_option(default_help="English")
def validate(data: Path, lang_code: str | None) -> None:
    """Check the dataset DATA against covplan's data contract."""
    lang = language(lang_code or "en")
    dataset = open_dataset(data)
    # layers by their dataset.toml names ([layers.communes]): "communes: 92"
    counts = ", ".join(f"{n}: {lang.count(len(f))}" for n, f in dataset.vectors.items())
    rasters = [
        n
        for n, r in (("terrain", dataset.terrain), ("population", dataset.population))
        if r is not None
    ]
    if rasters:
        counts += lang._(N_("; rasters: {names}")).format(names=", ".join(rasters))
    click.echo(lang._(N_("OK: {name} is valid ({counts}).")).format(name=dataset.name,
                                                                    counts=counts))
    click.echo(lang._(N_("Terrain: {statement}")).format(
        statement=dataset.terrain_statement(lang)))
    for note in dataset.notes:
        click.echo("  " + lang._(N_("note: {note}")).format(note=said(note, lang)))
