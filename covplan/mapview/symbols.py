"""Point symbols: circles, squares, diamonds and stars, on the map and in its legend.

Sites and points of interest are canvas ``CircleMarker`` layers whose options carry a
``symbol`` (:data:`covplan.mapview.style.Swatch`); ``covplan/assets/map_symbols.js``
teaches Leaflet's canvas to draw them, so every symbol costs what a circle costs. The
legend draws the same shapes as inline SVG (:func:`symbol_svg`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Final

from branca.element import MacroElement
from folium.template import Template

from covplan.mapview.style import Swatch

#: The canvas drawing of the symbols, shipped with the package.
SYMBOLS_JS: Final = Path(__file__).resolve().parents[1] / "assets" / "map_symbols.js"

#: Each symbol's shape in a 100 × 100 box (SVG).
_SHAPES: Final[dict[str, str]] = {
    "dot": '<circle cx="50" cy="50" r="40"/>',
    "square": '<rect x="14" y="14" width="72" height="72"/>',
    "diamond": '<polygon points="50,6 94,50 50,94 6,50"/>',
    "star": '<polygon points="50,4 61,35 94,36 68,56 77,88 50,69 23,88 32,56 6,36 39,35"/>',
}

_INSTALL = Template(
    """
    {% macro script(this, kwargs) %}
    {{ this.library }}
    {% endmacro %}
    """
)


class SymbolRenderer(MacroElement):
    """Installs the canvas symbols (:data:`SYMBOLS_JS`); add it to the map before its layers."""

    _template = _INSTALL

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SymbolRenderer"
        self.library = SYMBOLS_JS.read_text(encoding="utf-8")


def symbol_svg(symbol: Swatch, colour: str, *, size_px: int = 12,
               outline: str = "#ffffff") -> str:
    """``symbol`` filled with ``colour`` as inline SVG (a box for non-point swatches).

    Examples
    --------
    >>> symbol_svg("star", "#ffc400").startswith("<svg")
    True
    """
    shape = _SHAPES.get(symbol, '<rect x="0" y="0" width="100" height="100"/>')
    filled = shape.replace("/>", f' fill="{escape(colour)}" stroke="{escape(outline)}" '
                                  'stroke-width="12"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}" '
            f'viewBox="0 0 100 100" aria-hidden="true">{filled}</svg>')
