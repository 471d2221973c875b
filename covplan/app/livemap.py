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

import base64
import functools
import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium as stf
from branca.element import Element
from folium.elements import JSCSSMixin

from covplan.i18n import N_
from covplan.mapview import MapAssetsError

logger = logging.getLogger(__name__)

#: What the map returns to Python: only clicks (panning must not rerun the app).
RETURNED = ["last_clicked"]


@dataclass(frozen=True)
class BaseMap:
    """A folium map serialised for the ``st_folium`` component.

    ``code`` is everything the map needs to run (Leaflet, then the map's script), named by
    ``digest``; the page sends it once per browser tab (see :func:`loader`).
    """

    code: str
    digest: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]


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
    libraries = [_inline_script(link) for link in dict.fromkeys(js)]
    code = ";\n".join([*libraries, script])
    return BaseMap(
        code=code,
        digest=hashlib.blake2b(code.encode("utf-8"), digest_size=12).hexdigest(),
        header=header,
        html=html,
        map_id=stf.get_full_id(fmap),
        css_links=tuple(dict.fromkeys(css)),
    )


def _inline_script(link: str) -> str:
    """The JavaScript of a ``data:`` script link (covplan serves every script that way)."""
    prefix = "data:text/javascript;base64,"
    if not link.startswith(prefix):
        raise MapAssetsError(
            N_("the map would load a script from {link}; only covplan's local assets can go "
               "into the app's map"),
            link=link[:80],
        )
    return base64.b64decode(link[len(prefix) :]).decode("utf-8")


#: Where the map's code ends in the script that sends it (followed by its digest).
_END = "\n/*covplan-map-code-end "
#: First time in a browser tab: run the code, then keep its text in the page (outside the
#: map's frame). streamlit-folium runs the script as an inline ``<script>``, whose own text
#: (``document.currentScript.text``) holds the code as it came: no string literal of it.
_KEEP = """*/
(function () {
  try {
    var text = document.currentScript.text, end = text.indexOf(%(end)s);
    if (end > 0) {
      var page = window.parent;
      page.__covplanMaps = page.__covplanMaps || {};
      page.__covplanMaps[%(digest)s] = text.slice(0, end);
    }
  } catch (e) {}
})();
"""
#: Later: run the code kept in the page; if it is gone, ask the app to send it again.
_REUSE = """(function () {
  var code = null;
  try { code = window.parent.__covplanMaps[%(digest)s]; } catch (e) {}
  if (code) {
    (0, eval)(code);
  } else {
    window.Streamlit.setComponentValue(
      {last_clicked: null, covplan_resend: %(digest)s + ":" + Date.now()});
  }
})();
"""


def loader(base: BaseMap, *, send_code: bool) -> str:
    """The component's ``script``: the map's code itself, or a line that reuses it.

    The component runs its script only when its frame is new (the first run, or after a
    dataset switch), and Streamlit re-sends a component's arguments on every run. Sending
    the 4 MB province each time would cost every click about 0.2 s on this machine, and
    far more on a slow provincial network, so the code travels once per browser tab and is
    kept in the page; a new frame evaluates it from there.

    The first time, the script *is* the code, followed by a few lines that keep its text.
    It used to carry the code as a string literal to evaluate: escaped once more inside
    the component's arguments, the full demo's 3.7 MB became a 5.2 MB message, which the
    page reads with ``JSON.parse`` (about 0.1 s) and the frame parsed twice.
    """
    digest = json.dumps(base.digest)
    if not send_code:
        return _REUSE % {"digest": digest}
    end = f"{_END}{base.digest}"
    return base.code + end + _KEEP % {"digest": digest, "end": json.dumps(end)}


def code_in(script: str) -> str | None:
    """The map's code a :func:`loader` script carries; None for one that reuses it."""
    end = script.find(_END)
    return script[:end] if end >= 0 else None


def map_key(dataset_key: str, legend: str, lang: str) -> str:
    """Session key of the map component of a dataset, legend and language.

    The component's value is the last click. ``dataset_key`` names one version of a dataset's files
    (:attr:`covplan.app.compute.DatasetRef.key`), loaded once per process, so the base map
    under a key never changes; ``legend`` names the thresholds the legend states
    (:func:`covplan.app.compute.legend_key`: presets that state the same share the map, and
    a switch between them keeps it drawn), the language (``lang``, a code) is there for
    every word on the map.
    """
    return f"covplan-map:{dataset_key}|{legend}|{lang}"


def show(base: BaseMap, scenario_script: str, *, key: str, height: int,
         returned: Sequence[str] = RETURNED) -> dict[str, Any] | None:
    """Draw ``base`` with ``scenario_script`` applied; the component's value (clicks).

    ``key`` names the component for the whole session (see :func:`map_key`), so a new
    scenario script updates the drawn map in place, and the last click can be read from
    ``st.session_state[key]`` before the map is drawn. ``returned`` lists what the map
    reports to Python (nothing: a map to look at, whose clicks never rerun the app).
    """
    sent: set[str] = st.session_state.setdefault("covplan_maps_sent", set())
    request = st.session_state.get(key)
    resend = request.get("covplan_resend") if isinstance(request, dict) else None
    if resend and resend != st.session_state.get("covplan_resend_done"):
        st.session_state["covplan_resend_done"] = resend  # the page lost the code
        sent.discard(base.digest)
        logger.info("The browser asked for the map's code again (%s)", resend)
    value: dict[str, Any] | None = stf._component_func(
        script=loader(base, send_code=base.digest not in sent),
        header=base.header,
        html=base.html,
        id=base.map_id,
        key=key,
        height=height,
        width=None,
        returned_objects=list(returned),
        default={name: None for name in returned},
        zoom=None,
        center=None,
        feature_group=scenario_script,
        return_on_hover=False,
        layer_control="",
        pixelated=False,
        css_links=list(base.css_links),
        js_links=[],
        wrap_longitude=False,
    )
    sent.add(base.digest)
    return value


#: Session key set once the page's map has been drawn (:func:`after_map`).
AFTER_MAP_KEY = "covplan_after_map"
#: Runs in the page (Streamlit's v2 component: no frame of its own). Reports ``drawn`` once
#: the map has applied a scenario (``live_map.js`` says so to the page), at once when the
#: page drew its map already, and otherwise :data:`AFTER_MAP_WAIT_MS` after the map's frame
#: has loaded (a map whose script failed) or :data:`AFTER_MAP_CAP_MS` after the watcher came
#: (a frame that never loads). The wait counts from the frame's load, not from the watcher:
#: on a busy machine the frame's 3.7 MB of code may take longer than the wait. A frame not
#: in the page yet is waited for: Streamlit loads each kind of element's code on first use,
#: so on a first visit this watcher may mount before the map's frame does.
_AFTER_MAP_JS = """
export default function ({ setTriggerValue }) {
  let done = false;
  let timer = null;
  let frame = null;
  let look = null;
  const stopLooking = () => { if (look) { look.disconnect(); look = null; } };
  const fire = () => {
    if (done) return;
    done = true;
    window.removeEventListener("covplan:map-drawn", fire);
    if (frame) frame.removeEventListener("load", loaded);
    stopLooking();
    clearTimeout(timer);
    clearTimeout(cap);
    setTriggerValue("drawn", true);
  };
  const loaded = () => { if (!done && timer === null) timer = setTimeout(fire, %(wait)d); };
  const follow = (found) => {
    frame = found;
    frame.addEventListener("load", loaded);
    const doc = frame.contentDocument;
    if (doc && doc.readyState === "complete" && doc.URL !== "about:blank") loaded();
  };
  const cap = setTimeout(fire, %(cap)d);
  window.addEventListener("covplan:map-drawn", fire);
  if (window.__covplanMapDrawn) {
    fire();
  } else {
    const found = document.querySelector(%(frame)s);
    if (found) {
      follow(found);
    } else {
      look = new MutationObserver(() => {
        const late = document.querySelector(%(frame)s);
        if (late) { stopLooking(); follow(late); }
      });
      look.observe(document, {childList: true, subtree: true});
    }
  }
  return () => {
    window.removeEventListener("covplan:map-drawn", fire);
    if (frame) frame.removeEventListener("load", loaded);
    stopLooking();
    clearTimeout(timer);
    clearTimeout(cap);
  };
}
"""
#: How long the tables wait for a map whose frame has loaded but that never says it is drawn.
AFTER_MAP_WAIT_MS = 5000
#: The longest a page waits for its map in any case.
AFTER_MAP_CAP_MS = 30000
#: The map component's frame in the page.
MAP_FRAME_SELECTOR = 'iframe[title="streamlit_folium.st_folium"]'


def after_map_js() -> str:
    """The watcher's code (:data:`_AFTER_MAP_JS` with its waits and the map's frame)."""
    return _AFTER_MAP_JS % {"wait": AFTER_MAP_WAIT_MS, "cap": AFTER_MAP_CAP_MS,
                            "frame": json.dumps(MAP_FRAME_SELECTOR)}


@functools.cache
def _after_map_component() -> Any:
    return st.components.v2.component("covplan_after_map", js=after_map_js())


def _map_drawn() -> None:
    st.session_state[AFTER_MAP_KEY] = True


def after_map() -> bool:
    """Whether the page may draw what comes below the map now; if not, it asks for it.

    A new page's map (3.7 MB of code on the full demo) and the first table below it were
    drawn by the browser in one go: the table held the map back by 0.3–0.5 s on this
    machine. Until the session's map has been drawn once, this places a small watcher that
    reports when it has, and returns False; call it inside a fragment (``st.fragment``),
    which the report then runs again, alone, to draw the rest. Later runs (clicks, other
    presets) return True at once.
    """
    if st.session_state.get(AFTER_MAP_KEY):
        return True
    result = _after_map_component()(key="covplan_after_map_watch", height=0,
                                    on_drawn_change=_map_drawn)
    return bool(getattr(result, "drawn", False))
