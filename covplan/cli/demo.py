"""``covplan demo``: write the synthetic demo province."""

from __future__ import annotations

from pathlib import Path

import click

from covplan import settings
from covplan.cli._common import ProgressBar, quiet


@click.command("demo")
@click.option(
    "--size",
    type=click.Choice(["small", "full"]),
    default="full",
    show_default=True,
    help="full: a province the size of Thai Nguyen; small: one or two communes.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder [default: data/demo-SIZE].",
)
@click.option("--seed", type=int, default=None, help="Random seed [default: 57].")
@click.pass_context
def demo(ctx: click.Context, size: str, out: Path | None, seed: int | None) -> None:
    """Generate the SYNTHETIC demo province (deterministic for a given seed)."""
    from covplan.demo import generate_demo

    out = out or settings.data_dir / f"demo-{size}"
    with ProgressBar(f"demo ({size})", quiet=quiet(ctx)) as bar:
        path = generate_demo(
            out,
            size=size,  # type: ignore[arg-type]
            seed=settings.demo_seed if seed is None else seed,
            progress=bar,
        )
    click.echo(f"Wrote the synthetic demo province ({size}) to {path}")
