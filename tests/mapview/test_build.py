"""build_map and to_html on hand-made provinces."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from covplan.io import Dataset
from covplan.mapview import build_map, to_html, to_html_string
from covplan.mapview._geo import lonlat_bounds
from covplan.mapview.assets import MapAssetsError, remote_assets

from .conftest import FakeCoverage, coverage_grid, make_dataset, road_gaps, road_samples

Roads = tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]


@pytest.fixture(scope="module")
def full_map(
    tiny_dataset: Dataset,
    tiny_coverage: dict[str, FakeCoverage],
    tiny_roads: Roads,
    tiny_status: pd.Series,
) -> folium.Map:
    samples, gaps = tiny_roads
    candidates = tiny_dataset.sites.head(3).assign(site_id="C1", status="candidate")  # type: ignore[union-attr]
    return build_map(
        tiny_dataset,
        coverage=tiny_coverage,
        road_samples=samples,
        road_gaps=gaps,
        village_status=tiny_status,
        candidate_sites=candidates,
    )


def _layer_names(fmap: folium.Map) -> list[str]:
    return [
        child.layer_name
        for child in fmap._children.values()
        if getattr(child, "control", False) and hasattr(child, "layer_name")
    ]


def _geojson_data(fmap: folium.Map) -> list[dict]:
    found = []

    def walk(element: folium.Element) -> None:
        if isinstance(element, folium.GeoJson):
            found.append(element.data)
        for child in element._children.values():
            walk(child)

    walk(fmap)
    return found


def _coordinates(value: object) -> list[tuple[float, float]]:
    if isinstance(value, list | tuple) and value and isinstance(value[0], int | float):
        return [(float(value[0]), float(value[1]))]
    if isinstance(value, list | tuple):
        return [c for item in value for c in _coordinates(item)]
    return []


def test_every_layer_is_in_the_layer_control(full_map: folium.Map) -> None:
    assert _layer_names(full_map) == [
        "Terrain (offline)",
        "4G coverage (RSRP)",
        "5G coverage (RSRP)",
        "Village areas",
        "Commune boundaries",
        "Roads",
        "Road coverage",
        "Road coverage gaps",
        "Fibre network",
        "4G sites",
        "5G sites",
        "Candidate sites",
        "Points of interest",
    ]


def test_vector_data_are_lonlat_inside_the_dataset(
    full_map: folium.Map, tiny_dataset: Dataset
) -> None:
    (south, west), (north, east) = lonlat_bounds(tiny_dataset.bounds(), tiny_dataset.crs)
    margin = 0.005  # sector wedges reach 300 m past a site near the edge
    layers = _geojson_data(full_map)
    assert len(layers) >= 10
    for data in layers:
        xy = np.array(
            [c for f in data["features"] for c in _coordinates(f["geometry"]["coordinates"])]
        )
        assert len(xy), data
        assert (xy[:, 0] > west - margin).all() and (xy[:, 0] < east + margin).all()
        assert (xy[:, 1] > south - margin).all() and (xy[:, 1] < north + margin).all()


def test_popups_and_tooltips_carry_what_a_planner_asks(full_map: folium.Map) -> None:
    page = full_map.get_root().render()
    for label in ("Site", "Technology", "Operator", "Height", "Azimuths", "Gap length"):
        assert f'"{label}"' in page
    assert "omni" in page and "km 0.0" in page


def test_standalone_html_fetches_nothing_when_offline(full_map: folium.Map, tmp_path: Path) -> None:
    path = to_html(full_map, tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert remote_assets(page) == []
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", page)
    assert "tile.openstreetmap.org" not in page
    assert "SYNTHETIC" in page and "covplan-legend" in page
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temp file left behind


def test_to_html_refuses_to_overwrite_when_asked(full_map: folium.Map, tmp_path: Path) -> None:
    path = tmp_path / "map.html"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        to_html(full_map, path, overwrite=False)
    assert path.read_text(encoding="utf-8") == "old"


def test_web_tiles_are_optional_and_still_need_no_remote_script(tiny_dataset: Dataset) -> None:
    fmap = build_map(tiny_dataset, tiles="osm")
    names = _layer_names(fmap)
    assert names[:2] == ["OpenStreetMap (web)", "Terrain (offline)"]
    page = to_html_string(fmap)
    assert "tile.openstreetmap.org" in page and "OpenStreetMap\\u003c/a\\u003e contributors" in page
    assert remote_assets(page) == []
    with pytest.raises(ValueError, match="'offline' or 'osm'"):
        build_map(tiny_dataset, tiles="google")  # type: ignore[arg-type]


def test_village_status_kinds_pick_the_legend(tiny_dataset: Dataset) -> None:
    villages = tiny_dataset.villages
    assert villages is not None
    fibre = pd.Series(np.arange(len(villages)) % 3 > 0, index=villages.index)
    page = build_map(tiny_dataset, village_status=fibre).get_root().render()
    assert "Villages: fibre reach" in page and "fibre: no" in page
    plain = Dataset(
        name="no fibre column",
        path=Path("."),
        crs=tiny_dataset.crs,
        vectors={"villages": villages.drop(columns="fibre")},
    )
    page = build_map(plain).get_root().render()
    assert "Villages:" not in page and "SYNTHETIC" not in page


def test_a_dataset_with_only_sites_still_maps(tiny_dataset: Dataset) -> None:
    only_sites = Dataset(
        name="sites", path=Path("."), crs=tiny_dataset.crs, vectors={"sites": tiny_dataset.sites}
    )
    fmap = build_map(only_sites)
    assert _layer_names(fmap) == ["4G sites", "5G sites"]


def test_html_size_stays_small_for_a_mid_size_province(tmp_path: Path) -> None:
    dataset = make_dataset(
        size_m=40_000.0, villages=500, sites=160, roads=60, road_km=600.0, terrain_cells=800
    )
    assert dataset.roads is not None
    samples = road_samples(dataset.roads, piece_m=250.0)
    coverage = {"4G": coverage_grid("4G", 1300, 30.0, seed=1)}
    fmap = build_map(
        dataset, coverage=coverage, road_samples=samples, road_gaps=road_gaps(samples, 40)
    )
    size_mb = to_html(fmap, tmp_path / "mid.html").stat().st_size / 1e6
    assert 0.3 < size_mb < 1.5


@pytest.mark.slow
def test_html_size_for_a_full_province_is_a_few_megabytes(tmp_path: Path) -> None:
    """~2,000 villages, ~1,950 sectors (750 sites), ~3,000 km of roads, two 30 m grids of 3,400²."""
    dataset = make_dataset(
        size_m=100_000.0, villages=2000, sites=750, roads=300, road_km=3000.0, terrain_cells=3400
    )
    assert dataset.roads is not None and dataset.sites is not None
    assert len(dataset.sites) > 1800
    samples = road_samples(dataset.roads)
    coverage = {t: coverage_grid(t, 3400, 30.0, seed=i) for i, t in enumerate(("4G", "5G"))}
    status = pd.Series(np.linspace(0, 1, len(dataset.villages)), index=dataset.villages.index)  # type: ignore[union-attr]
    fmap = build_map(
        dataset,
        coverage=coverage,
        road_samples=samples,
        road_gaps=road_gaps(samples, 200),
        village_status=status,
    )
    size_mb = to_html(fmap, tmp_path / "full.html").stat().st_size / 1e6
    assert size_mb < 5.0


def test_feature_ids_let_style_tables_stay_short(full_map: folium.Map) -> None:
    page = full_map.get_root().render()
    assert "case 0:" in page
    assert json.dumps("Thôn 0") not in re.findall(r"case ([^:]+):", page)


def test_to_html_writes_nothing_when_the_map_would_need_the_network(tmp_path: Path) -> None:
    fmap = folium.Map(tiles=None)
    folium.plugins.MiniMap().add_to(fmap)
    with pytest.raises(MapAssetsError, match="MiniMap needs"):
        to_html(fmap, tmp_path / "map.html")
    assert list(tmp_path.iterdir()) == []


def test_the_view_is_set_before_any_layer_is_added(full_map: folium.Map) -> None:
    """A view fitted after the layers makes Leaflet project and draw every feature again."""
    script = full_map.get_root().render()
    name = full_map.get_name()
    fit = script.index(f"{name}.fitBounds(")
    layer = r"(?:geo_json|image_overlay|tile_layer|feature_group)_\w+"
    added = [m.start() for m in re.finditer(rf"{layer}\.addTo\({name}\)", script)]
    assert len(added) >= 5  # the hillshade, villages, roads, sites, ...
    assert fit < min(added)
    assert '"animate": false' in script[fit : fit + 400]
