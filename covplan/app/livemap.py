"""The map component: the base map sent unchanged, the scenario as a script.

``streamlit_folium.st_folium`` renders and re-serialises the whole folium map on every
rerun, and keys its component by a hash of the map's script. Any change to a layer (a
new site, a recoloured village) therefore made a *new* component: the browser rebuilt the
map from 4 MB of script, the view jumped back to the whole province, and a click made
while that happened was lost (its value belonged to the old component).

Here the base map (:func:`covplan.mapview.live.base_map`) is serialised once per dataset,
with streamlit-folium's own helpers, and the component is called with that fixed script
and the scenario's layers as its ``feature_group`` script, which the component evaluates
in place (``streamlit_folium`` 0.27 frontend: ``finalizeOnRender``). The component key
stays the same for the whole session, so the map keeps its zoom and its clicks.

This talks to ``streamlit_folium``'s internals (``_component_func`` and the string
helpers behind ``st_folium``), pinned in ``requirements.lock``; the browser test
(``tests/app/test_browser.py``) exercises the whole path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import folium
import streamlit_folium as stf
from branca.element import Element
from folium.elements import JSCSSMixin

logger = logging.getLogger(__name__)

#: What the map returns to Python: only clicks (panning must not rerun the app).
RETURNED = ["last_clicked"]


@dataclass(frozen=True)
class BaseMap:
    """A folium map serialised for the ``st_folium`` component."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def serialise(fmap: folium.Map) -> BaseMap:
    """``fmap`` as the strings ``st_folium`` would send (done once, not per rerun)."""
    fmap.get_root().render()
    fmap.render()  # type: ignore[no-untyped-call]
    html = stf._get_html(fmap)
    header = stf._get_header(fmap)
    script = stf._get_map_string(fmap)
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fmap):
        if isinstance(element, JSCSSMixin):
            css.extend(href for _, href in element.default_css)
            js.extend(src for _, src in element.default_js)
    return BaseMap(
        script=script,
        header=header,
        html=html,
        map_id=stf.get_full_id(fmap),
        css_links=tuple(dict.fromkeys(css)),
        js_links=tuple(dict.fromkeys(js)),
    )


def map_key(dataset_path: str, preset: str) -> str:
    """Session key of the map component of a dataset and preset (its value: the last click).

    The app loads the dataset at a path once per process (``cached_dataset``), so the base
    map under a key never changes; the preset is in the key for the legend's thresholds.
    """
    return f"covplan-map:{dataset_path}|{preset}"


def show(base: BaseMap, scenario_script: str, *, key: str, height: int) -> dict[str, Any] | None:
    """Draw ``base`` with ``scenario_script`` applied; the component's value (clicks).

    ``key`` names the component for the whole session (see :func:`map_key`), so a new
    scenario script updates the drawn map in place, and the last click can be read from
    ``st.session_state[key]`` before the map is drawn.
    """
    value: dict[str, Any] | None = stf._component_func(
        script=base.script,
        header=base.header,
        html=base.html,
        id=base.map_id,
        key=key,
        height=height,
        width=None,
        returned_objects=RETURNED,
        default={name: None for name in RETURNED},
        zoom=None,
        center=None,
        feature_group=scenario_script,
        return_on_hover=False,
        layer_control="",
        pixelated=False,
        css_links=list(base.css_links),
        js_links=list(base.js_links),
        wrap_longitude=False,
    )
    return value
