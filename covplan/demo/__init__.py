"""The synthetic demo province: a dataset that looks like a northern Vietnamese province.

:func:`generate_demo` writes "Tỉnh Minh Sơn", a fictional province labelled synthetic
everywhere it appears: terrain (a river plain rising to karst mountains), population,
communes, villages, roads, 4G/5G sites, fibre and points of interest, plus a
``dataset.toml`` manifest. The same seed and size always give byte-identical files.

Stages, one module each: :mod:`~covplan.demo.outline`, :mod:`~covplan.demo.terrain` and
:mod:`~covplan.demo.rivers` (with :mod:`~covplan.demo.noise`, bundled by
:mod:`~covplan.demo.landscape`), :mod:`~covplan.demo.settlements`,
:mod:`~covplan.demo.communes` and :mod:`~covplan.demo.names` (bundled by
:mod:`~covplan.demo.villages`), :mod:`~covplan.demo.roads` (over
:mod:`~covplan.demo.routing`), :mod:`~covplan.demo.population`, :mod:`~covplan.demo.pois`,
:mod:`~covplan.demo.network`, :mod:`~covplan.demo.fibre` and :mod:`~covplan.demo.writer`;
:mod:`~covplan.demo.province` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from covplan.demo._config import size_config
from covplan.demo.province import STAGE_COUNT, Stages, build_demo, write_demo

__all__ = ["generate_demo"]


def generate_demo(
    out_dir: str | Path,
    *,
    size: Literal["small", "full"] = "full",
    seed: int = 57,
    progress: Callable[[float, str], None] | None = None,
) -> Path:
    """Write the demo dataset folder and return its path.

    Parameters
    ----------
    out_dir
        Folder to write into; created when missing. Existing demo files are replaced,
        each one atomically.
    size
        ``"full"`` is a province of about 8,400 km², 90 communes and 1.8 million people;
        ``"small"`` is a two-commune slice of about 160 km² for fast tests.
    seed
        Random seed; the same seed and size give byte-identical files.
    progress
        Called as ``progress(fraction_done, message)`` at the start of each stage and
        with 1.0 at the end.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    ValueError
        When ``size`` is not one of {"small", "full"}.

    Examples
    --------
    >>> from covplan.demo import generate_demo
    >>> folder = generate_demo("demo-small", size="small")  # doctest: +SKIP
    """
    config = size_config(size)
    target = Path(out_dir)
    stages = Stages(progress, STAGE_COUNT)
    data = build_demo(config, int(seed), stages)
    write_demo(data, target, stages)
    stages.finish()
    return target
