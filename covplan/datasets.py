"""Where the embedded demo province lives, generated on first use."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Literal

from covplan import __version__, settings
from covplan._progress import ProgressFn

logger = logging.getLogger(__name__)

DemoSize = Literal["small", "full"]

#: Version of the demo's contents, part of the stamp beside the package version: raise it
#: whenever the generator writes something new, so that older demo folders are generated
#: again (2: the land-cover layer and the drive test with its truth).
DEMO_FORMAT = 2


def demo_stamp() -> str:
    """The text of a current demo folder's ``.covplan-version``."""
    return f"{__version__}+demo{DEMO_FORMAT}"


def demo_path(size: DemoSize = "full", data_dir: Path | None = None) -> Path:
    """Folder of the demo province of ``size`` under ``data_dir`` (default the setting)."""
    return (data_dir or settings.data_dir) / f"demo-{size}"


def demo_is_current(size: DemoSize = "full", *, data_dir: Path | None = None,
                    seed: int | None = None) -> bool:
    """Whether the demo province of ``size`` is there, from this version of covplan.

    Cheap (two small files read, nothing heavy imported): ``scripts/app.sh`` asks this
    before it imports the generator.
    """
    seed = settings.demo_seed if seed is None else seed
    return _is_current(demo_path(size, data_dir), size, seed)


def _is_current(folder: Path, size: DemoSize, seed: int) -> bool:
    manifest = folder / "dataset.toml"
    stamp = folder / ".covplan-version"
    if not manifest.is_file() or not stamp.is_file():
        return False
    meta = tomllib.loads(manifest.read_text(encoding="utf-8")).get("dataset", {})
    same = meta.get("seed") == seed and meta.get("size") == size
    return bool(same and stamp.read_text().strip() == demo_stamp())


def ensure_demo(
    size: DemoSize = "full",
    *,
    data_dir: Path | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
) -> Path:
    """The demo province folder, generated first if it is missing or from another version.

    Parameters
    ----------
    size
        ``{"small", "full"}``.
    data_dir
        Parent folder; default :data:`covplan.settings.data_dir`.
    seed
        Generator seed; default :data:`covplan.settings.demo_seed`.
    progress
        Called with (fraction, message) while generating.
    """
    from covplan.demo import generate_demo

    seed = settings.demo_seed if seed is None else seed
    folder = demo_path(size, data_dir)
    if _is_current(folder, size, seed):
        return folder
    logger.info("Generating the synthetic demo province (%s) in %s", size, folder)
    generate_demo(folder, size=size, seed=seed, progress=progress)
    (folder / ".covplan-version").write_text(demo_stamp() + "\n")
    return folder
