"""Leaflet from the local copy: rewriting folium's CDN links, inlining, refusing the rest."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import pytest

from covplan.mapview import assets
from covplan.mapview.assets import MapAssetsError, inline_assets, localize, remote_assets

MAPVIEW = Path(assets.__file__).parent


def _links(fmap: folium.Map) -> list[str]:
    """Every JS/CSS link streamlit-folium would hand to its iframe (its own walk)."""
    found: list[str] = []

    def walk(element: folium.Element) -> None:
        found.extend(url for _, url in getattr(element, "default_js", []))
        found.extend(url for _, url in getattr(element, "default_css", []))
        for child in element._children.values():
            walk(child)

    walk(fmap)
    return found


def test_localize_points_folium_at_inlined_leaflet_and_drops_unused_extras() -> None:
    fmap = localize(folium.Map(tiles=None))
    assert [name for name, _ in fmap.default_js] == ["leaflet"]
    assert [name for name, _ in fmap.default_css] == ["leaflet_css"]
    assert all(url.startswith("data:") for url in _links(fmap))
    js = base64.b64decode(fmap.default_js[0][1].split(",", 1)[1]).decode()
    assert assets.leaflet_version() in js and "L.Icon.Default.mergeOptions" in js
    css = base64.b64decode(fmap.default_css[0][1].split(",", 1)[1]).decode()
    assert "images/" not in css and css.count("data:image/png;base64,") == 3
    assert folium.Map.default_js[0][1].startswith("https://")  # the class is untouched


def test_vendored_leaflet_is_the_pinned_version() -> None:
    lock = (Path(__file__).parents[2] / "package-lock.json").read_text(encoding="utf-8")
    pinned = re.search(r'"node_modules/leaflet":\s*{\s*"version":\s*"([^"]+)"', lock)
    assert pinned is not None and assets.leaflet_version() == pinned.group(1)


def test_branca_colormap_is_refused_because_streamlit_folium_fetches_d3() -> None:
    fmap = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["red", "green"], vmin=0, vmax=1).add_to(fmap)
    with pytest.raises(MapAssetsError, match="d3 from a CDN"):
        localize(fmap)


def test_plugin_with_remote_assets_is_refused_with_the_fix() -> None:
    fmap = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(fmap)
    with pytest.raises(MapAssetsError, match=r"Fullscreen needs .* package\.json"):
        localize(fmap)


def test_missing_vendor_folder_says_how_to_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path)
    for cached in (assets.leaflet_js, assets.leaflet_css, assets.local_assets):
        cached.cache_clear()
    try:
        with pytest.raises(MapAssetsError, match=r"bash scripts/assets.sh"):
            localize(folium.Map(tiles=None))
    finally:
        monkeypatch.undo()
        for cached in (assets.leaflet_js, assets.leaflet_css, assets.local_assets):
            cached.cache_clear()


def test_inline_assets_turns_data_tags_into_blocks() -> None:
    page = localize(folium.Map(tiles=None)).get_root().render()
    inlined = inline_assets(page)
    assert "data:text/javascript" not in inlined and "data:text/css" not in inlined
    assert "<script>/* @preserve" in inlined and ".leaflet-pane" in inlined
    assert remote_assets(inlined) == []


def test_remote_assets_finds_scripts_and_stylesheets_only() -> None:
    page = (
        '<script src="https://cdn.example/a.js"></script>'
        "<link rel='stylesheet' href='//cdn.example/b.css'/>"
        '<a href="https://leafletjs.com">Leaflet</a>'
        '<script src="data:text/javascript;base64,AA=="></script>'
    )
    assert remote_assets(page) == ["https://cdn.example/a.js", "//cdn.example/b.css"]


def test_mapview_never_imports_streamlit() -> None:
    for path in MAPVIEW.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+streamlit", text, re.M), path.name
    code = "import sys, covplan.mapview; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_assets_script_does_nothing_when_the_vendor_folder_is_current() -> None:
    root = Path(__file__).parents[2]
    files = sorted(p for p in assets.VENDOR_DIR.rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    done = subprocess.run(
        ["bash", "scripts/assets.sh"], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout == ""
    assert (assets.VENDOR_DIR / "leaflet" / "LICENSE").is_file()
    after = {p: p.stat().st_mtime_ns for p in assets.VENDOR_DIR.rglob("*") if p.is_file()}
    assert after == before  # nothing fetched, unpacked or rewritten


def test_awesome_marker_icons_are_refused_but_default_markers_work() -> None:
    fmap = folium.Map(tiles=None)
    folium.Marker([21.6, 105.8], icon=folium.Icon(color="red")).add_to(fmap)
    with pytest.raises(MapAssetsError, match="awesome-markers"):
        localize(fmap)
    plain = folium.Map(tiles=None)
    folium.Marker([21.6, 105.8]).add_to(plain)
    assert remote_assets(inline_assets(localize(plain).get_root().render())) == []
