"""The legend and title box: plain HTML in Leaflet controls (no d3, no CDN).

branca's colour-bar legend needs d3, which streamlit-folium fetches from a CDN (see
:mod:`covplan.mapview.assets`), so the legend here is HTML written by Python and put on the
map by a few lines of Leaflet.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.template import Template

from covplan.i18n import Language, language
from covplan.mapview.style import LegendItem, LegendSection
from covplan.mapview.symbols import symbol_svg

_CSS = """
<style>
.leaflet-container { background: #f2efe9; }
.leaflet-container .leaflet-control-attribution { font-size: 10px; line-height: 16px;
  max-width: 18px; height: 16px; overflow: hidden; white-space: nowrap; cursor: help;
  border-radius: 8px 0 0 0; padding: 0 4px; }
.leaflet-container .leaflet-control-attribution::before { content: "\24D8\00A0"; }
.leaflet-container .leaflet-control-attribution:hover,
.leaflet-container .leaflet-control-attribution:focus-within { max-width: 60%; height: auto;
  white-space: normal; }
.covplan-box { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, sans-serif;
  color: #222; }
.covplan-legend { max-height: 45vh; overflow-y: auto; min-width: 150px; }
.covplan-legend summary { font-weight: 600; cursor: pointer; margin-top: 3px; }
.covplan-legend .row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.covplan-legend .sw { flex: none; width: 16px; height: 11px; border: 1px solid #0003; }
.covplan-legend .sw.line { height: 0; border: 0; border-top: 4px solid; }
.covplan-legend .sw.symbol { width: 14px; height: 14px; border: 0; display: flex; }
.covplan-title b { font-size: 13px; }
.covplan-synthetic { color: #fff; background: #c62828; border-radius: 3px; padding: 0 4px;
  font-weight: 600; }
.covplan-note { display: block; max-width: 340px; margin-top: 3px; color: #5d4037; }
</style>
"""

_CONTROL = Template(
    """
    {% macro script(this, kwargs) %}
    (function() {
        var control = L.control({position: {{ this.position|tojson }}});
        control.onAdd = function () {
            var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
            div.innerHTML = {{ this.content|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        control.addTo({{ this._parent.get_name() }});
    })();
    {% endmacro %}
    """
)


class HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML.

    Parameters
    ----------
    content
        The control's inner HTML (already escaped).
    position
        ``{"topleft", "topright", "bottomleft", "bottomright"}``.
    css_class
        Class names of the control's box.
    """

    _template = _CONTROL

    def __init__(
        self,
        content: str,
        *,
        position: str = "bottomright",
        css_class: str = "covplan-box",
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "HtmlControl"
        self.content = content
        self.position = position
        self.css_class = css_class

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Add the shared stylesheet to the page header once, then render the control."""
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(Element(_CSS), name="covplan_css")
        super().render(**kwargs)  # type: ignore[no-untyped-call]


def legend_html(sections: Sequence[LegendSection]) -> str:
    """The legend's inner HTML: one collapsible block per section."""
    return "".join(_section_html(s) for s in sections if s.items)


def _section_html(section: LegendSection) -> str:
    rows = "".join(_item_html(item) for item in section.items)
    state = " open" if section.open else ""
    return f"<details{state}><summary>{escape(section.title)}</summary>{rows}</details>"


def _item_html(item: LegendItem) -> str:
    colour = escape(item.colour)
    if item.swatch == "line":
        swatch = f'<span class="sw line" style="border-top-color:{colour}"></span>'
    elif item.swatch == "box":
        swatch = f'<span class="sw box" style="background:{colour}"></span>'
    else:
        symbol = symbol_svg(item.swatch, item.colour, size_px=13, outline="#555555")
        swatch = f'<span class="sw symbol">{symbol}</span>'
    return f'<div class="row">{swatch}<span>{escape(item.label)}</span></div>'


def legend(sections: Sequence[LegendSection]) -> HtmlControl:
    """The map legend control (bottom left, above the scale bar)."""
    return HtmlControl(
        legend_html(sections), position="bottomleft", css_class="covplan-box covplan-legend"
    )


def title_box(name: str, *, synthetic: bool, subtitle: str = "", note: str = "",
              lang: Language | None = None) -> HtmlControl:
    """The title control (top left): dataset name, a SYNTHETIC badge for generated data.

    ``note`` is a caveat every reader of the map must see (a terrain that covers the area
    only in part); badge and note are in ``lang`` (default English), ``note`` as given.
    """
    lang = lang or language("en")
    parts = [f"<b>{escape(name)}</b>"]
    if synthetic:
        badge = escape(lang._("SYNTHETIC — not a real place"))
        parts.append(f'<span class="covplan-synthetic">{badge}</span>')
    if subtitle:
        parts.append(f"<span>{escape(subtitle)}</span>")
    if note:
        parts.append(f'<span class="covplan-note">{escape(note)}</span>')
    return HtmlControl(
        "<br>".join(parts), position="topleft", css_class="covplan-box covplan-title"
    )


_ATTRIBUTION = Template(
    """
    {% macro script(this, kwargs) %}
    {%- for text in this.credits %}
    {{ this._parent.get_name() }}.attributionControl.addAttribution({{ text|tojson }});
    {%- endfor %}
    {% endmacro %}
    """
)


class Attribution(MacroElement):
    """Credits added to the map's attribution line, whatever layers are shown.

    Parameters
    ----------
    credits
        HTML snippets (already escaped).
    """

    _template = _ATTRIBUTION

    def __init__(self, credits: Sequence[str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Attribution"
        self.credits = list(credits)


def attribution(credits: Sequence[str]) -> Attribution:
    """The element that adds ``credits`` to the attribution line."""
    return Attribution(credits)
