"""Planning fixtures: a hand-made sites table, and the small demo province on a coarse grid."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from covplan.io import Dataset, load_dataset, load_sites
from covplan.predict import SiteCache
from covplan.targets import TargetSet, load_targets

SITES_CSV = (
    "site_id,sector,lon,lat,technology,operator,height_m,azimuth_deg\n"
    "TN001,1,105.805,21.605,4G,Viettel,30,0\n"
    "TN001,2,105.805,21.605,4G,Viettel,30,120\n"
    "TN001,3,105.805,21.605,4G,Viettel,30,240\n"
    "TN002,1,105.83,21.62,5G,VinaPhone,25,\n"
    "TN003,1,105.85,21.63,4G,MobiFone,35,90\n"
)

#: Grid of the engine-backed tests: coarse enough to keep them fast.
RESOLUTION_M = 150.0


@pytest.fixture
def sites(tmp_path: Path) -> gpd.GeoDataFrame:
    """Five sectors on three sites, loaded (and defaulted) by covplan.io, in UTM 48N."""
    path = tmp_path / "sites.csv"
    path.write_text(SITES_CSV, encoding="utf-8")
    return load_sites(path)


@pytest.fixture(scope="session")
def demo_small(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The small synthetic demo province, generated once per session."""
    from covplan.datasets import ensure_demo

    folder = ensure_demo("small", data_dir=tmp_path_factory.mktemp("demo"))
    return load_dataset(folder)


@pytest.fixture(scope="session")
def targets() -> TargetSet:
    return load_targets("thai_nguyen_2025")


@pytest.fixture(scope="session")
def shared_cache() -> SiteCache:
    """One per-site cache for the session, as the app keeps one."""
    return SiteCache()
