"""Map furniture for the static maps: page layout, legend, scale bar, north arrow, texts.

Sizes are in millimetres and points, so a map prints the same at any resolution. The
legend is drawn row by row from :class:`covplan.mapview.style.LegendSection` blocks, the
same blocks the web map's legend uses.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Rectangle
from pyproj import CRS, Transformer

from covplan.i18n import Language, language
from covplan.mapview.style import LegendItem, LegendSection

MM_PER_INCH = 25.4
PT_PER_MM = 72.0 / MM_PER_INCH
#: Paper sizes (portrait width, height) in millimetres.
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#555555"


def nfc(text: object) -> str:
    """Composed (NFC) text, so each Vietnamese letter is one glyph with its marks."""
    return unicodedata.normalize("NFC", str(text))


@dataclass(frozen=True)
class Layout:
    """Where the parts of a map page go, as figure fractions ``(left, bottom, width, height)``.

    Parameters
    ----------
    size_mm
        Page (figure) width and height in millimetres.
    legend_below
        Whether the legend sits under the map (portrait) rather than beside it.
    """

    size_mm: tuple[float, float]
    legend_below: bool
    margin_mm: float = 9.0
    title_mm: float = 17.0
    footer_mm: float = 9.0
    legend_mm: float = 62.0

    def _box(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        width, height = self.size_mm
        return (x / width, y / height, w / width, h / height)

    def map_box_mm(self) -> tuple[float, float, float, float]:
        """The map frame (x, y, width, height) in millimetres from the lower-left corner."""
        width, height = self.size_mm
        m = self.margin_mm
        bottom, top = self.footer_mm + m * 0.5, height - m - self.title_mm
        if self.legend_below:
            bottom += self.legend_mm * 0.75
            return (m, bottom, width - 2 * m, top - bottom)
        return (m, bottom, width - 2 * m - self.legend_mm - 4.0, top - bottom)

    def map_axes(self) -> tuple[float, float, float, float]:
        """The map frame as figure fractions."""
        return self._box(*self.map_box_mm())

    def legend_axes(self) -> tuple[float, float, float, float]:
        """The legend panel as figure fractions."""
        x, y, w, h = self.map_box_mm()
        width = self.size_mm[0]
        if self.legend_below:
            return self._box(x, self.footer_mm + self.margin_mm * 0.5, w, y
                             - self.footer_mm - self.margin_mm * 0.5 - 3.0)
        return self._box(x + w + 4.0, y, width - self.margin_mm - (x + w + 4.0), h)


def page_layout(paper: str = "A4", orientation: str = "landscape",
                size_mm: tuple[float, float] | None = None, *, titled: bool = True) -> Layout:
    """The layout of a map on ``paper`` (``{"A4", "A3"}``) or on a page of ``size_mm``.

    ``titled=False`` leaves no room for a title (a map inside a page that has one).
    """
    if size_mm is None:
        if paper not in PAPER_MM:
            raise ValueError(f"paper should be one of {sorted(PAPER_MM)}, got {paper!r}")
        if orientation not in ("landscape", "portrait"):
            raise ValueError(f"orientation should be 'landscape' or 'portrait', got "
                             f"{orientation!r}")
        short, long_ = PAPER_MM[paper]
        size_mm = (long_, short) if orientation == "landscape" else (short, long_)
    return Layout(size_mm, legend_below=size_mm[1] > size_mm[0],
                  title_mm=17.0 if titled else 3.0)


def fit_extent(bounds: tuple[float, float, float, float], box_mm: tuple[float, float],
               pad: float = 0.03) -> tuple[float, float, float, float]:
    """``bounds`` padded and widened in one direction to the frame's aspect ratio."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0) * (1 + 2 * pad), max(maxy - miny, 1.0) * (1 + 2 * pad)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    aspect = box_mm[0] / box_mm[1]
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def nice_length_m(max_m: float) -> float:
    """The longest 1, 2 or 5 x 10^n metres not above ``max_m``.

    Examples
    --------
    >>> nice_length_m(23_400.0), nice_length_m(730.0)
    (20000.0, 500.0)
    """
    unit = 10.0 ** math.floor(math.log10(max_m))
    for step in (5.0, 2.0, 1.0):
        if step * unit <= max_m:
            return step * unit
    return unit / 2.0


def _distance_text(metres: float, lang: Language) -> str:
    if metres >= 1000:
        return lang.km(metres / 1000, 0 if (metres / 1000).is_integer() else 1)
    return f"{lang.number(metres)} m"


def _tick_text(metres: float, length_m: float, lang: Language) -> str:
    """A tick of the scale bar: the end with its unit, the others bare (in km from 1 km)."""
    if metres == length_m:
        return _distance_text(metres, lang)
    value = metres / 1000 if length_m >= 1000 else metres
    return lang.number(value, 0 if float(value).is_integer() else 1)


def draw_scale_bar(ax: Axes, bounds: tuple[float, float, float, float], *,
                   font_pt: float = 7.0, lang: Language | None = None) -> None:
    """A two-tone scale bar in the lower-left corner (the map's units are metres)."""
    lang = lang or language("en")
    width = bounds[2] - bounds[0]
    height = bounds[3] - bounds[1]
    length = nice_length_m(width * 0.22)
    x0, y0 = bounds[0] + 0.03 * width, bounds[1] + 0.035 * height
    bar_h = 0.008 * height
    ax.add_patch(Rectangle((x0 - 0.012 * width, y0 - 0.022 * height), length + 0.045 * width,
                           0.072 * height, facecolor="white", edgecolor="none", alpha=0.8,
                           zorder=20))
    for k in range(4):
        ax.add_patch(Rectangle((x0 + k * length / 4, y0), length / 4, bar_h, zorder=21,
                               facecolor=TEXT_COLOUR if k % 2 == 0 else "white",
                               edgecolor=TEXT_COLOUR, linewidth=0.6))
    for value in (0.0, length / 2, length):
        ax.text(x0 + value, y0 + bar_h * 1.8, _tick_text(value, length, lang), ha="center",
                va="bottom", fontsize=font_pt, color=TEXT_COLOUR, zorder=22)


def true_north_deg(crs: CRS, x: float, y: float) -> float:
    """Angle of true north from the map's up direction at (x, y), clockwise, in degrees."""
    to_geo = Transformer.from_crs(crs, 4326, always_xy=True)
    to_map = Transformer.from_crs(4326, crs, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    x1, y1 = to_map.transform(lon, lat + 0.01)
    angle: float = math.degrees(math.atan2(float(x1) - x, float(y1) - y))
    return angle


def draw_north_arrow(ax: Axes, rotation_deg: float, *, font_pt: float = 9.0,
                     letter: str = "N") -> None:
    """A north arrow in the upper-right corner, turned to true north, under ``letter``."""
    cx, cy, length = 0.95, 0.885, 0.06
    dx = length * math.sin(math.radians(rotation_deg))
    dy = length * math.cos(math.radians(rotation_deg))
    ax.add_patch(Rectangle((cx - 0.035, cy - 0.05), 0.07, 0.145, transform=ax.transAxes,
                           facecolor="white", edgecolor="none", alpha=0.8, zorder=20))
    ax.add_patch(FancyArrow(cx - dx / 2, cy - dy / 2, dx, dy, width=0.004,
                            head_width=0.022, head_length=0.028, length_includes_head=True,
                            transform=ax.transAxes, color=TEXT_COLOUR, zorder=21))
    ax.text(cx + dx * 0.6, cy + dy * 0.6 + 0.012, letter, transform=ax.transAxes, ha="center",
            va="bottom", fontsize=font_pt, fontweight="bold", color=TEXT_COLOUR, zorder=22)


#: matplotlib markers of the web map's legend symbols (:data:`covplan.mapview.style.Swatch`).
_MARKERS: Final[dict[str, str]] = {"dot": "o", "diamond": "D", "star": "*", "square": "s"}


def _swatch(ax: Axes, item: LegendItem, x: float, y: float, w: float, h: float) -> None:
    """The swatch of a legend row: a line, a marker (the map's own, see ``marker``), a box."""
    colour = item.colour
    if item.swatch == "line":
        ax.add_line(Line2D([x, x + w], [y + h / 2, y + h / 2], color=colour, linewidth=2.2,
                           transform=ax.transAxes, solid_capstyle="butt"))
    elif item.swatch in _MARKERS:
        drawn = getattr(item, "marker", None)  # a MarkerItem: the map's marker and area
        marker = drawn.marker if drawn is not None else _MARKERS[item.swatch]
        size = math.sqrt(drawn.size_pt2) * 1.25 if drawn is not None else 5.5
        ax.add_line(Line2D([x + w / 2], [y + h / 2], marker=marker, markersize=max(size, 5.0),
                           color=colour, markeredgecolor="#333333" if marker == "*" else "white",
                           markeredgewidth=0.5, linestyle="none", transform=ax.transAxes))
    else:
        ax.add_patch(Rectangle((x, y), w, h, facecolor=colour, edgecolor="#666666",
                               linewidth=0.4, transform=ax.transAxes))


def _section_rows(section: LegendSection) -> int:
    return 1 + len(section.items)


def _legend_height_pt(sections: Sequence[LegendSection], columns: int, row_pt: float
                      ) -> float:
    """Height of ``sections`` laid into ``columns`` columns (each into the shortest)."""
    heights = [0.0] * columns
    for section in sections:
        column = heights.index(min(heights))
        heights[column] += row_pt * (_section_rows(section) + 0.6)
    return max(heights, default=0.0)


def draw_legend(ax: Axes, fig: Figure, sections: Sequence[LegendSection], *, columns: int = 1,
                font_pt: float = 7.5, min_font_pt: float = 5.0) -> None:
    """Draw legend ``sections`` top-down in ``columns`` columns of the panel ``ax``.

    A legend taller than its panel is set in smaller type (down to ``min_font_pt``).
    """
    ax.set_axis_off()
    box = ax.get_position()
    width_pt = box.width * fig.get_figwidth() * 72.0
    height_pt = box.height * fig.get_figheight() * 72.0
    needed = _legend_height_pt(sections, columns, font_pt * 1.65)
    if needed > height_pt > 0:
        font_pt = max(min_font_pt, font_pt * height_pt / needed)
    row_pt = font_pt * 1.65
    heights = [0.0] * columns
    for section in sections:
        column = heights.index(min(heights)) if columns > 1 else 0
        x = column / columns
        y_pt = heights[column]
        ax.text(x, 1 - (y_pt + row_pt * 0.5) / height_pt, nfc(section.title), fontsize=font_pt,
                fontweight="bold", va="center", ha="left", transform=ax.transAxes,
                color=TEXT_COLOUR)
        for number, item in enumerate(section.items, start=1):
            top = 1 - (y_pt + row_pt * (number + 0.5)) / height_pt
            sw, sh = 16.0 / width_pt, font_pt * 0.95 / height_pt
            _swatch(ax, item, x, top - sh / 2, sw, sh)
            ax.text(x + sw + 5.0 / width_pt, top, nfc(item.label), fontsize=font_pt * 0.93,
                    va="center", ha="left", transform=ax.transAxes, color=TEXT_COLOUR)
        heights[column] = y_pt + row_pt * (_section_rows(section) + 0.6)


def draw_texts(fig: Figure, layout: Layout, title: str, subtitle: str, footer: str) -> None:
    """Title and subtitle above the map, the attribution footer under it."""
    width, height = layout.size_mm
    m = layout.margin_mm
    fig.text(m / width, 1 - (m + 6.0) / height, nfc(title), fontsize=15, fontweight="bold",
             color=TEXT_COLOUR, va="baseline")
    fig.text(m / width, 1 - (m + 12.5) / height, nfc(subtitle), fontsize=8.5,
             color=MUTED_COLOUR, va="baseline")
    fig.text(m / width, (layout.footer_mm * 0.45) / height, nfc(footer), fontsize=6.2,
             color=MUTED_COLOUR, va="baseline", wrap=True)
