"""Fixtures of the national-run tests: a synthetic country of three small provinces and one
local Dask cluster (two worker processes) per test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client

from covplan.scale import RunSettings, generate_country, open_client

#: Coarse grids keep the provinces quick (about 10,000 cells each).
RESOLUTION_M = 200.0


@pytest.fixture(scope="session")
def run_settings() -> RunSettings:
    """The settings of the runs: a coarse grid."""
    return RunSettings(RESOLUTION_M)


@pytest.fixture(scope="session")
def country_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small synthetic provinces (two on one preset, one on the other), written once."""
    return generate_country(tmp_path_factory.mktemp("country") / "vn", 3, size="small", seed=71)


@pytest.fixture
def country(country_source: Path, tmp_path: Path) -> Path:
    """A copy of the country that a test may change."""
    return Path(shutil.copytree(country_source, tmp_path / "country"))


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A local cluster of two single-threaded worker processes, shared by a test module."""
    with open_client(workers=2) as client:
        yield client
