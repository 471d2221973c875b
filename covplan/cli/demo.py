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
@click.option("--overwrite", is_flag=True,
              help="Write into an --out folder that holds other files than an earlier demo.")
@click.pass_context
def demo(ctx: click.Context, size: str | None, out: Path | None, seed: int | None,
         count: int | None, quarters: int | None, overwrite: bool) -> None:
    """Generate the SYNTHETIC demo province (deterministic for a given seed).

    An --out folder that exists must be empty or hold an earlier demo (or --overwrite):
    the demo writes its own dataset.toml, which would replace a dataset's.
    """
    seed = settings.demo_seed if seed is None else seed
    if out is not None:
        check_demo_folder(out, overwrite=overwrite)
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


def check_demo_folder(out: Path, *, overwrite: bool = False) -> None:
    """Refuse an ``--out`` that is a file, or a folder of other files than a demo's.

    A folder counts as an earlier demo when its ``dataset.toml`` (or each province's or
    snapshot's) says ``synthetic = true``; ``--overwrite`` writes into any folder.

    Raises
    ------
    covplan.errors.OutputError
        ``out`` is a file.
    covplan.errors.OutputExistsError
        ``out`` holds other files and ``overwrite`` is false.
    """
    from covplan.errors import OutputExistsError
    from covplan.export.atomic import refuse_a_file
    from covplan.i18n import N_

    refuse_a_file(out)
    if overwrite or not out.is_dir():
        return
    entries = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if not entries or _is_synthetic(out):
        return
    raise OutputExistsError(
        N_("the output folder {out} holds files that are not a covplan demo ({names}); the "
           "demo would replace its dataset.toml and mix its synthetic layers with them. Fix: "
           "choose a new or empty folder (--out), or pass --overwrite to write there anyway."),
        out=out, names=", ".join(entries[:5]) + (", …" if len(entries) > 5 else ""))


def _is_synthetic(folder: Path) -> bool:
    """Whether ``folder`` holds an earlier demo.

    Every dataset.toml there and one level down (a country's provinces, a province's
    snapshots) says ``synthetic = true``.
    """
    import tomllib

    found = [m for m in (folder / "dataset.toml", *sorted(folder.glob("*/dataset.toml")))
             if m.is_file()]
    for manifest in found:
        try:
            table = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return False
        head = table.get("dataset")
        if not (isinstance(head, dict) and head.get("synthetic") is True):
            return False
    return bool(found)
