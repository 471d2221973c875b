"""Snapshots for the progress tests: the tiny dataset before and after one site, and the
small demo province as four quarterly snapshots (made once per session).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

LON0, LAT0 = 105.80, 21.60  # the tiny province's south-west corner (tests/conftest.py)
#: The site the later snapshot adds: 5G, three sectors, by the village Bản Pác and QL.3.
NEW_SITE = "NEW-5G-1"
NEW_SITE_ROWS = "".join(
    f"{NEW_SITE},{sector},{LON0 + 0.085:.3f},{LAT0 + 0.031:.3f},5G,Viettel,50,{azimuth}\n"
    for sector, azimuth in ((1, 0), (2, 120), (3, 240)))


def dated(folder: Path, as_of: str) -> Path:
    """``folder`` with a manifest naming its layers and ``as_of``."""
    layers = {"communes": "communes.gpkg", "villages": "villages.gpkg", "roads": "roads.gpkg",
              "pois": "pois.gpkg", "fibre": "fibre.gpkg", "sites": "sites.csv",
              "terrain": "terrain.tif"}
    lines = ["[dataset]", f'name = "{folder.name}"', f"as_of = {as_of}"]
    for name, file in layers.items():
        lines += ["", f"[layers.{name}]", f'file = "{file}"']
    (folder / "dataset.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def new_site() -> str:
    """The site_id the later snapshot of :func:`before_after` adds."""
    return NEW_SITE


@pytest.fixture
def before_after(tiny_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The tiny dataset as of 2025-06-30, and as of 2025-09-30 with :data:`NEW_SITE` added."""
    before = shutil.copytree(tiny_dir, tmp_path / "snap-before")
    after = shutil.copytree(tiny_dir, tmp_path / "snap-after")
    sites = (tiny_dir / "sites.csv").read_text(encoding="utf-8")
    (after / "sites.csv").write_text(sites + NEW_SITE_ROWS, encoding="utf-8")
    return dated(before, "2025-06-30"), dated(after, "2025-09-30")


@pytest.fixture(scope="session")
def demo_quarters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The small demo province as four quarterly snapshots, 2025-Q1 … 2025-Q4."""
    from covplan.demo.snapshots import generate_snapshots

    return generate_snapshots(tmp_path_factory.mktemp("quarters"), count=4, size="small")
