"""Independent random streams per generator stage.

Each stage draws from its own generator derived from the user's seed and the stage name,
so changing one stage never shifts the random numbers another stage sees.
"""

from __future__ import annotations

import zlib

import numpy as np


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """A generator for ``stage`` derived from ``seed``.

    Parameters
    ----------
    seed
        The dataset seed.
    stage
        Stage name, such as ``"terrain"`` or ``"roads"``.

    Returns
    -------
    numpy.random.Generator
        The same stream for the same seed and stage, on every platform.
    """
    key = zlib.crc32(stage.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed), key]))
