"""Typed module-level settings; functions that take ``None`` read these when they run.

Attributes
----------
data_dir : pathlib.Path
    Where generated datasets (the demo province) live. Default ``./data``, or the
    ``COVPLAN_DATA_DIR`` environment variable.
maps_dir : pathlib.Path
    Default output folder for exports. Default ``./maps``.
demo_seed : int
    Seed of the embedded demo province. Default 57 (for Resolution 57-NQ/TW).
demo_size : str
    Size of the demo province the app opens on, ``{"full", "small"}``. Default ``full``, or
    the ``COVPLAN_DEMO_SIZE`` environment variable (tests use ``small``).
resolution_m : float
    Default prediction grid resolution in metres. Default 30.
rx_height_m : float
    Receiver height above ground in metres. Default 1.5.
"""

from __future__ import annotations

import os
from pathlib import Path

data_dir: Path = Path(os.environ.get("COVPLAN_DATA_DIR", "data"))
maps_dir: Path = Path(os.environ.get("COVPLAN_MAPS_DIR", "maps"))
demo_seed: int = 57
demo_size: str = os.environ.get("COVPLAN_DEMO_SIZE", "full")
resolution_m: float = 30.0
rx_height_m: float = 1.5
