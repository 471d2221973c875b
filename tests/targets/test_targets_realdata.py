"""Real Thai Nguyen data: 92 communes, WorldPop 2020 1 km, sites made here."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.radio import ModelRangeWarning
from covplan.radio.defaults import SECTOR_DEFAULTS
from covplan.targets import Analysis, load_targets

MANIFEST = Path(__file__).resolve().parents[1] / "realdata_tn" / "dataset.toml"
#: WorldPop 2020 1 km people inside the 2025 province (shared/realdata README).
PROVINCE_PEOPLE = 1_495_114
pytestmark = pytest.mark.realdata

#: Three-sector sites near Thai Nguyen city, Song Cong and Bac Kan (lon, lat, technology).
SITES = [(105.84, 21.59, "4G"), (105.85, 21.47, "4G"), (105.83, 22.15, "4G"),
         (105.84, 21.585, "5G")]


@pytest.fixture(scope="module")
def result(realdata: Path) -> Analysis:
    dataset = load_dataset(MANIFEST)
    to_utm = Transformer.from_crs(4326, dataset.crs, always_xy=True)
    rows = []
    for n, (lon, lat, tech) in enumerate(SITES):
        for sector, azimuth in enumerate((0.0, 120.0, 240.0), start=1):
            rows.append({**SECTOR_DEFAULTS[tech].as_columns(), "site_id": f"T{n}",
                         "sector": sector, "technology": tech, "operator": "Viettel",
                         "status": "existing", "azimuth_deg": azimuth,
                         "geometry": Point(*to_utm.transform(lon, lat))})
    sites = gpd.GeoDataFrame(rows, crs=dataset.crs)
    dataset = replace(dataset, vectors={**dataset.vectors, "sites": sites})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)
        return run_analysis(dataset, load_targets("thai_nguyen_2025"), resolution_m=250.0)


def test_commune_summary_has_the_92_official_communes(realdata: Path, result: Analysis
                                                      ) -> None:
    official = gpd.read_file(realdata / "thai_nguyen" / "communes_2025.geojson")
    summary = result.commune_summary
    assert len(summary) == 92
    assert sorted(summary["code"]) == sorted(official["code"].astype(str))
    assert dict(zip(summary["code"], summary["name"], strict=True)) == dict(
        zip(official["code"].astype(str), official["name"], strict=True))


def test_commune_populations_sum_to_the_province_total(result: Analysis) -> None:
    summary = result.commune_summary
    assert summary["population"].sum() == pytest.approx(PROVINCE_PEOPLE, rel=0.01)
    people = result.targets.set_index("id").loc["people_broadband"]
    assert people["total"] == pytest.approx(summary["population"].sum())
    best = result.population[result.population["operator"] == "best operator"]
    assert best["people_total"].to_numpy() == pytest.approx(people["total"])
    # a few sites in the city: some people have signal, most do not
    assert 0 < summary["population_4g_percent"].max() <= 100
    assert 0 < best.iloc[0]["covered_percent"] < 50


def test_speed_on_real_terrain_and_people(result: Analysis) -> None:
    """People by downlink speed on the real province; one operator: its row is every row."""
    targets = result.targets.set_index("id")
    speed, signal = targets.loc["people_highspeed"], targets.loc["people_broadband"]
    assert speed["total"] == pytest.approx(signal["total"])  # the same people, counted by speed
    assert 0 < speed["covered"] < speed["total"]
    assert "40 Mb/s" in speed["threshold"]
    rows = result.operators[result.operators["id"] == "people_highspeed"]
    shares = dict(zip(rows["network"], rows["measured_percent"], strict=True))
    assert set(shares) == {"Viettel", "at least one operator", "every operator"}
    assert shares["Viettel"] == shares["at least one operator"] == shares["every operator"]
