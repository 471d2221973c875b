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
max_file_mb : float
    Largest vector or table file read, in MB (checked before reading). Default 512, or
    ``COVPLAN_MAX_FILE_MB``.
max_raster_cells : int
    Most cells read from one raster (after windowing to the study area). Default 200
    million (800 MB as float32), or ``COVPLAN_MAX_RASTER_CELLS``.
max_grid_cells : int
    Most cells of the prediction grid (the province at the chosen resolution). Default 50
    million (the 8,400 km² demo province is 12.8 million at 30 m), or
    ``COVPLAN_MAX_GRID_CELLS``.

Limits are read from the environment when this module is imported; code that checks
them reads the attribute when it runs, so tests and embedding programs can set them.
"""

from __future__ import annotations

import os
from pathlib import Path


def _number(name: str, default: float) -> float:
    """A positive number from the environment variable ``name``, else ``default``."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


data_dir: Path = Path(os.environ.get("COVPLAN_DATA_DIR", "data"))
maps_dir: Path = Path(os.environ.get("COVPLAN_MAPS_DIR", "maps"))
demo_seed: int = 57
demo_size: str = os.environ.get("COVPLAN_DEMO_SIZE", "full")
resolution_m: float = 30.0
rx_height_m: float = 1.5
max_file_mb: float = _number("COVPLAN_MAX_FILE_MB", 512.0)
max_raster_cells: int = int(_number("COVPLAN_MAX_RASTER_CELLS", 200_000_000))
max_grid_cells: int = int(_number("COVPLAN_MAX_GRID_CELLS", 50_000_000))

#: Environment variable of each limit, named in the messages that refuse an input.
LIMIT_VARIABLES: dict[str, str] = {
    "max_file_mb": "COVPLAN_MAX_FILE_MB",
    "max_raster_cells": "COVPLAN_MAX_RASTER_CELLS",
    "max_grid_cells": "COVPLAN_MAX_GRID_CELLS",
}
