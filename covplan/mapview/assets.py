"""Leaflet served from this machine: find the vendored files and point maps at them.

Why this module exists — what folium and streamlit-folium load, and from where
-------------------------------------------------------------------------------
* **folium** (0.20) lists its JavaScript and CSS in ``default_js`` / ``default_css`` on each
  :class:`folium.elements.JSCSSMixin` element. ``folium.Map`` asks for Leaflet 1.9.3, jQuery,
  Bootstrap 5, Leaflet.awesome-markers, Font Awesome and Bootstrap glyphicons, all from
  public CDNs (jsdelivr, code.jquery.com, cdnjs, netdna). Rendering writes them as
  ``<script src>`` / ``<link href>`` into the page header. With no internet the page stays
  blank, because ``L`` is never defined.
* **streamlit-folium** (0.27, ``st_folium``) does **not** bundle Leaflet. Its component
  (``streamlit_folium/frontend/build``, React only) receives the map as four strings. The
  ``header`` has every ``<script src>`` and ``<link rel="stylesheet">`` removed. The
  ``script`` and ``html`` come from each element's Jinja macros. The fourth part is two
  lists, ``js_links`` and ``css_links``, collected by walking the map tree for the
  ``default_js`` / ``default_css`` of every JSCSSMixin element. Plugins load the same way.
  The iframe then adds one ``<script src=…>`` per link, in order, and waits for each
  ``onload``. If one link fails, the promise is rejected and **nothing** is drawn. It also
  adds the two d3 CDN scripts for any ``branca.colormap.ColorMap`` in the tree, so a
  branca colour-bar legend alone breaks an offline app. That is why our legend is plain
  HTML.
* Streamlit itself serves its frontend from the Python package, so no CDN is involved. A
  component's iframe can load a script from a ``data:`` URL without any server settings.
  (Streamlit's ``server.enableStaticServing`` would also work. It needs a ``static/``
  folder next to the app and a config entry, and it can serve ``.js`` as text/plain.)

What we do
----------
``scripts/assets.sh`` installs the pinned ``leaflet`` npm package (``package.json`` +
``package-lock.json``) and copies ``dist/`` into ``covplan/assets/vendor/leaflet/``. That
folder is gitignored, so no third-party code is committed. :func:`localize` then rewrites
every ``default_js`` / ``default_css`` in a map tree:

* Leaflet becomes ``data:`` URLs. The CSS has its images inlined. A small shim gives
  ``L.Icon.Default`` inlined marker images, so ``folium.Marker`` still works.
* The Map's unused extras (jQuery, Bootstrap, awesome-markers, Font Awesome) are
  dropped.
* Any other remote asset raises :class:`MapAssetsError`.

The same map object then works offline in ``st_folium`` (the ``data:`` URLs arrive as
``js_links`` / ``css_links``) and in a saved HTML file. :func:`inline_assets` turns the
``data:`` tags of a rendered page into plain ``<script>`` / ``<style>`` blocks, which makes
the standalone export a third smaller.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import branca.colormap
import folium
from branca.element import Element
from folium.elements import JSCSSMixin

from covplan.errors import CovplanError
from covplan.i18n import N_

logger = logging.getLogger(__name__)

#: Where ``scripts/assets.sh`` puts the vendored files.
VENDOR_DIR = Path(__file__).resolve().parents[1] / "assets" / "vendor"

#: folium.Map's default assets that covplan's maps never use; dropped, not fetched.
UNUSED_MAP_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

_ICON_SHIM = """
L.Icon.Default.imagePath = "";
L.Icon.Default.mergeOptions({iconUrl: "%s", iconRetinaUrl: "%s", shadowUrl: "%s"});
"""
_ICON_NAMES = ("marker-icon", "marker-icon-2x", "marker-shadow")
_DATA_SCRIPT = re.compile(r'<script src="data:text/javascript;base64,([A-Za-z0-9+/=]+)"></script>')
_DATA_STYLE = re.compile(r'<link rel="stylesheet" href="data:text/css;base64,([A-Za-z0-9+/=]+)"/>')
_REMOTE = re.compile(
    r"""<(?:script[^>]*\ssrc|link[^>]*\shref)\s*=\s*["']((?:https?:)?//[^"']+)["']""",
    re.IGNORECASE,
)


class MapAssetsError(CovplanError, FileNotFoundError):
    """A map asset (Leaflet or a plugin) is missing locally or would come from the network."""


def vendor_file(relative: str) -> Path:
    """Path of a vendored file, raising :class:`MapAssetsError` with the fix when absent."""
    path = VENDOR_DIR / relative
    if not path.is_file():
        raise MapAssetsError(
            N_("map asset {path} is missing. Fix: run `bash scripts/assets.sh` (or "
               "`bash scripts/setup.sh`) once; it installs Leaflet from the npm registry."),
            path=path,
        )
    return path


def leaflet_version() -> str:
    """Version of the vendored Leaflet."""
    return vendor_file("leaflet/VERSION").read_text(encoding="utf-8").strip()


@functools.cache
def leaflet_js() -> str:
    """Leaflet's JavaScript plus the default-icon shim (marker images inlined)."""
    code = vendor_file("leaflet/leaflet.js").read_text(encoding="utf-8")
    images = [_png_data_url(f"leaflet/images/{n}.png") for n in _ICON_NAMES]
    return code + _ICON_SHIM % tuple(images)


@functools.cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its ``images/*.png`` references inlined."""
    css = vendor_file("leaflet/leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        return f'url("{_png_data_url("leaflet/images/" + match.group(2))}")'

    return re.sub(r"""url\((['"]?)images/([\w.-]+\.png)\1\)""", inline, css)


def _png_data_url(relative: str) -> str:
    return "data:image/png;base64," + base64.b64encode(vendor_file(relative).read_bytes()).decode()


@functools.cache
def local_assets() -> dict[str, str]:
    """``{asset name: data URL}`` for every asset covplan serves locally."""
    return {
        "leaflet": _data_url("text/javascript", leaflet_js()),
        "leaflet_css": _data_url("text/css", leaflet_css()),
    }


def _data_url(mime: str, text: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def localize(fmap: folium.Map) -> folium.Map:
    """Point every JS/CSS asset of ``fmap`` and its children at the local copies.

    Call it after the last element is added. The map is changed in place and returned.

    Raises
    ------
    MapAssetsError
        When the vendored files are missing, or an element needs an asset that covplan does
        not vendor: a folium plugin, a ``folium.Icon`` (awesome-markers), or a branca
        colormap (which makes streamlit-folium fetch d3).
    """
    local = local_assets()
    for element in _walk(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            raise MapAssetsError(
                "branca colormaps make streamlit-folium load d3 from a CDN; use "
                "covplan.mapview.legend.legend() instead"
            )
        if isinstance(element, folium.Icon):
            raise MapAssetsError(
                "folium.Icon needs Leaflet.awesome-markers and Font Awesome, which covplan "
                "does not serve locally; use folium.CircleMarker, folium.DivIcon or the "
                "default marker instead"
            )
        if isinstance(element, JSCSSMixin):
            element.default_js = _rewrite(element, element.default_js, local)
            element.default_css = _rewrite(element, element.default_css, local)
    return fmap


def _rewrite(
    element: Element, links: list[tuple[str, str]], local: dict[str, str]
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in local:
            out.append((name, local[name]))
        elif url.startswith("data:"):
            out.append((name, url))
        elif name in UNUSED_MAP_ASSETS:
            logger.debug("Dropped unused map asset %s (%s)", name, url)
        else:
            raise MapAssetsError(
                N_("{element} needs '{name}' from {url}, which covplan does not serve locally. "
                   "Fix: add its npm package to package.json and copy its files in "
                   "scripts/assets.sh, then map the name in covplan.mapview.assets.local_assets."),
                element=type(element).__name__, name=name, url=url,
            )
    return out


def inline_assets(page: str) -> str:
    """``page`` with ``data:`` script and stylesheet tags turned into inline blocks."""

    def script(match: re.Match[str]) -> str:
        code = base64.b64decode(match.group(1)).decode("utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        return "<style>" + base64.b64decode(match.group(1)).decode("utf-8") + "</style>"

    return _DATA_STYLE.sub(style, _DATA_SCRIPT.sub(script, page))


def remote_assets(page: str) -> list[str]:
    """URLs of scripts and stylesheets that ``page`` would fetch from the network."""
    return _REMOTE.findall(page)
