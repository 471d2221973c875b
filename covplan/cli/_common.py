"""Options shared by several commands, and the tqdm progress bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import click
from tqdm import tqdm

if TYPE_CHECKING:
    from covplan.io import Dataset

F = TypeVar("F", bound=Callable[..., Any])


def dataset_argument(func: F) -> F:
    """The ``DATA`` argument: a dataset folder, ``dataset.toml`` or GeoPackage."""
    return click.argument("data", type=click.Path(path_type=Path), metavar="DATA")(func)


class ProgressBar:
    """A tqdm bar driven by the core's ``progress(fraction, message)`` callback.

    Writes to stderr and disappears when stderr is not a terminal-friendly stream
    (``--quiet``).
    """

    def __init__(self, description: str, *, disable: bool = False) -> None:
        self._bar = tqdm(
            total=1000,
            desc=description,
            disable=disable,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} {postfix}",
        )
        self._done = 0

    def __call__(self, fraction: float, message: str) -> None:
        step = round(min(max(fraction, 0.0), 1.0) * 1000)
        if step > self._done:
            self._bar.update(step - self._done)
            self._done = step
        self._bar.set_postfix_str(message, refresh=True)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.close()


def open_dataset(data: Path) -> Dataset:
    """Load the dataset DATA and print its warnings on stderr (every command does this)."""
    from covplan.io import load_dataset

    dataset = load_dataset(data)
    for warning in dataset.warnings:
        click.echo(f"Warning: {warning}", err=True)
    return dataset


def quiet(ctx: click.Context) -> bool:
    """Whether ``--quiet`` was given on the main command."""
    return bool(ctx.find_root().params.get("quiet"))
