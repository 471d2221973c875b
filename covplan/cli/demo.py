"""``covplan demo``: write the synthetic demo province, or a synthetic country of them."""

from __future__ import annotations

from pathlib import Path

import click

from covplan import settings
from covplan.cli._common import ProgressBar, quiet


@click.command("demo")
@click.option(
    "--size",
    type=click.Choice(["small", "full", "mixed"]),
    default=None,
    help="full: a province the size of Thai Nguyen; small: one or two communes; mixed (with "
         "--country): one full province, then two small ones, in turn [default: full; "
         "mixed with --country].",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder [default: data/demo-SIZE, data/country-N with --country].",
)
@click.option("--seed", type=int, default=None,
              help="Random seed [default: 57]; province i of a country has seed + i.")
@click.option("--country", "count", type=click.IntRange(min=1), default=None, metavar="N",
              help="Write N synthetic provinces side by side, one folder each, and a "
                   "country.toml listing them (for covplan national).")
@click.option("--snapshots", "quarters", type=click.IntRange(min=1), default=None,
              metavar="N", help="Write the province as N quarterly snapshots ending 2025-Q4, "
                                "OUT/2025-Q1 … OUT/2025-Q4 for 4 (for covplan compare).")
@click.pass_context
def demo(ctx: click.Context, size: str | None, out: Path | None, seed: int | None,
         count: int | None, quarters: int | None) -> None:
    """Generate the SYNTHETIC demo province (deterministic for a given seed)."""
    seed = settings.demo_seed if seed is None else seed
    if quarters is not None:
        _snapshots(ctx, quarters, size, out, seed, country=count)
        return
    if count is not None:
        from covplan.scale.synthetic import generate_country

        out = out or settings.data_dir / f"country-{count}"
        with ProgressBar(f"country ({count})", quiet=quiet(ctx)) as bar:
            path = generate_country(out, count, size=size or "mixed",  # type: ignore[arg-type]
                                    seed=seed, progress=bar)
        click.echo(f"Wrote a synthetic country of {count} provinces to {path} "
                   f"(country.toml lists them)")
        return
    if size == "mixed":
        raise click.UsageError("--size mixed is for a country: add --country N.")
    from covplan.demo import generate_demo

    size = size or "full"
    out = out or settings.data_dir / f"demo-{size}"
    with ProgressBar(f"demo ({size})", quiet=quiet(ctx)) as bar:
        path = generate_demo(
            out,
            size=size,  # type: ignore[arg-type]
            seed=seed,
            progress=bar,
        )
    click.echo(f"Wrote the synthetic demo province ({size}) to {path}")


def _snapshots(ctx: click.Context, quarters: int, size: str | None, out: Path | None,
               seed: int, *, country: int | None) -> None:
    """``--snapshots N``: the province as N quarterly snapshot folders."""
    if country is not None or size == "mixed":
        raise click.UsageError("--snapshots is for one province: leave out --country and "
                               "--size mixed.")
    from covplan.demo.snapshots import generate_snapshots

    size = size or "full"
    out = out or settings.data_dir / f"demo-{size}-snapshots"
    with ProgressBar(f"demo ({size}, {quarters} quarters)", quiet=quiet(ctx)) as bar:
        folders = generate_snapshots(out, count=quarters, size=size,  # type: ignore[arg-type]
                                     seed=seed, progress=bar)
    click.echo(f"Wrote the synthetic demo province ({size}) as {quarters} quarterly snapshots "
               f"to {out}: {', '.join(f.name for f in folders)}")
