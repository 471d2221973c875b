"""What the map says and how it draws: languages, symbols, commune names, partial terrain."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import folium
import pytest
import shapely

from covplan.i18n import language
from covplan.io import Dataset
from covplan.mapview import build_map, style
from covplan.mapview.build import terrain_note
from covplan.mapview.layers import terrain_footprint
from covplan.mapview.live import ScenarioView, base_map, scenario_script

from .conftest import FLAT_M, FakeCoverage


def shown(text: str, page: str) -> bool:
    """Whether ``text`` is in ``page``, as written or as JSON escapes it."""
    return text in page or json.dumps(text)[1:-1] in page


def _geojson(fmap: folium.Map, name: str) -> folium.GeoJson:
    """The GeoJson layer ``name`` of ``fmap`` (directly or inside a feature group)."""
    def walk(element: folium.Element) -> folium.GeoJson | None:
        if isinstance(element, folium.GeoJson) and element.layer_name == name:
            return element
        for child in element._children.values():
            found = walk(child)
            if found is not None:
                return found
        return None

    found = walk(fmap)
    assert found is not None, name
    return found


@pytest.fixture(scope="module")
def with_codes(tiny_dataset: Dataset) -> Dataset:
    """The tiny province with villages that name their commune by its code."""
    villages = tiny_dataset.villages
    communes = tiny_dataset.communes
    assert villages is not None and communes is not None
    codes = communes["code"].to_numpy()
    coded = villages.assign(commune=[codes[i % len(codes)] for i in range(len(villages))])
    return replace(tiny_dataset, vectors={**tiny_dataset.vectors, "villages": coded})


def test_village_tooltips_name_the_commune_not_its_code(with_codes: Dataset) -> None:
    fmap = build_map(with_codes)
    layer = _geojson(fmap, "Village areas")
    names = {f["properties"]["commune_name"] for f in layer.data["features"]}
    communes = with_codes.communes
    assert communes is not None
    assert names <= set(communes["name"]) and not names & set(communes["code"])


def test_sites_and_points_of_interest_draw_their_own_symbols(tiny_dataset: Dataset) -> None:
    candidates = tiny_dataset.sites.head(3).assign(site_id="C1")  # type: ignore[union-attr]
    page = build_map(tiny_dataset, candidate_sites=candidates).get_root().render()
    assert "__covplanSymbols" in page  # the canvas learns the symbols before any layer
    for symbol in ("diamond", "star", "square"):
        assert re.search(rf'"symbol":\s*"{symbol}"', page), symbol
    assert f'"fillColor": "{style.CANDIDATE_COLOUR}"' in page
    assert style.POI_COLOURS["school"] != style.CANDIDATE_COLOUR


def test_the_map_speaks_vietnamese(tiny_dataset: Dataset,
                                   tiny_coverage: dict[str, FakeCoverage]) -> None:
    vi = language("vi")
    page = build_map(tiny_dataset, coverage=tiny_coverage, lang=vi).get_root().render()
    for said in ("Thôn, xóm, bản", "Trạm BTS 4G", "Điểm trọng yếu", "Cường độ sóng (RSRP, dBm)",
                 "GIẢ LẬP — không phải địa danh thật", "Vùng phủ sóng 4G (RSRP)"):
        assert shown(said, page), said


def test_a_scenario_in_vietnamese_finds_the_layers_of_a_vietnamese_base_map(
    tiny_dataset: Dataset, tiny_coverage: dict[str, FakeCoverage]
) -> None:
    vi = language("vi")
    base = base_map(tiny_dataset, lang=vi).get_root().render()
    villages = tiny_dataset.villages
    assert villages is not None
    view = ScenarioView(coverage=tiny_coverage,
                        village_status=villages.index.to_series().astype(float) * 0 + 0.5)
    script = scenario_script(tiny_dataset, view, lang=vi)
    found = re.search(r"window\.covplan\.apply\(map, \[.*\], (\{.*\})\);", script)
    assert found is not None
    settings = json.loads(found.group(1))
    assert shown(settings["villages"], base)
    assert all(shown(name, base) for name in settings["siteLayers"])
    assert settings["texts"][0] == "50 % có sóng"


def test_partial_terrain_is_outlined_and_said(partial: Dataset, tiny_dataset: Dataset) -> None:
    assert partial.terrain is not None
    footprint = terrain_footprint(partial.terrain, FLAT_M)
    assert footprint is not None
    west, _, east, _ = shapely.bounds(footprint)
    minx, _, maxx, _ = partial.terrain.grid.bounds
    assert west == pytest.approx(minx, abs=60) and east == pytest.approx((minx + maxx) / 2,
                                                                          abs=120)
    note = terrain_note(partial, language("vi"))
    assert "50 %" in note and "155 m" in note and "đường viền nét đứt" in note
    page = build_map(partial, lang=language("vi")).get_root().render()
    assert shown("Phạm vi dữ liệu địa hình", page)
    assert shown("bên ngoài: mặt đất phẳng", page) and shown("đường viền nét đứt", page)
    whole = build_map(tiny_dataset).get_root().render()  # no coverage record: nothing said
    assert "Terrain extent" not in whole and "dashed outline" not in whole


def test_road_labels_join_ref_name_and_class_once_each() -> None:
    import pandas as pd

    from covplan.mapview.layers import road_label

    roads = pd.DataFrame({
        "ref": ["QL.3", None, "ĐT.261", "QL.37", ""],
        "name": ["Quốc lộ 3", "Đường Lương Ngọc Quyến", "ĐT.261", None, None],
        "road_class": ["national", "primary", "provincial", None, "tertiary"],
    }, index=[5, 6, 7, 8, 9])
    vi = road_label(roads, language("vi"))
    assert vi.index.tolist() == [5, 6, 7, 8, 9]
    assert vi[5] == f"QL.3 · Quốc lộ 3 · {language('vi')._('national')}"
    assert vi[6] == f"Đường Lương Ngọc Quyến · {language('vi')._('primary')}"
    assert vi[7] == f"ĐT.261 · {language('vi')._('provincial')}"  # the ref given as name too
    assert vi[8] == "QL.37" and vi[9] == language("vi")._("tertiary")
    assert language("vi")._("national") != "national"  # the class is in the reader's words
    en = road_label(roads[["ref"]], language("en"))
    assert en.tolist() == ["QL.3", "", "ĐT.261", "QL.37", ""]
    assert road_label(roads.iloc[:0], language("en")).empty
    assert road_label(roads[[]], language("en")).tolist() == ["road"] * 5
