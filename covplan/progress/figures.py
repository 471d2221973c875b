"""The progress chart and the change maps (matplotlib, object-oriented, no pyplot).

:func:`progress_chart` draws one panel per target: the measured share at each snapshot,
the goal, and the pace's linear extrapolation to the quarter the goal would be met in
(dotted, labelled as an extrapolation). :func:`change_map` draws what changed between two
consecutive snapshots: road stretches, villages and communes gained in green and lost in
red, sites added, removed and changed. Both return a :class:`~matplotlib.figure.Figure`;
:func:`figure_png` renders one to PNG bytes. DejaVu Sans (matplotlib's default) prints
Vietnamese.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from covplan.i18n import Language
from covplan.progress.changes import GAINED, LOST, NO_LONGER_MET, NOW_MET, Changes
from covplan.progress.compare import Comparison
from covplan.progress.pace import PACE_ON, quarter_time
from covplan.progress.summary import amount, goal_text
from covplan.targets.schema import STATUS_MET, localized

GAIN: Final = "#1a9850"
LOSS: Final = "#d73027"
CHANGED: Final = "#f08c00"
MEASURED: Final = "#2c5d8f"
MUTED: Final = "#8a8f94"
#: How far (quarters) past the last snapshot the chart draws the extrapolation.
CHART_AHEAD_QUARTERS: Final = 4.0
#: Line widths of the background roads per class.
ROAD_WIDTHS: Final = {"expressway": 1.1, "national": 0.9, "provincial": 0.6, "local": 0.3}


def figure_png(fig: Figure, *, dpi: int = 150) -> bytes:
    """``fig`` as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _times(comparison: Comparison) -> tuple[np.ndarray, bool]:
    """Each snapshot's position on the time axis (quarters when all are dated)."""
    dates = [s.as_of for s in comparison.snapshots]
    if all(d is not None for d in dates):
        return np.array([quarter_time(d) for d in dates if d is not None]), True
    return np.arange(len(dates), dtype=float), False


def _panel(ax: Any, comparison: Comparison, row: dict[Any, Any], times: np.ndarray,
           dated: bool, lang: Language) -> None:
    labels = comparison.labels
    values = np.array([float(row[label]) for label in labels])
    statuses = [str(row[f"status_{label}"]) for label in labels]
    goal = float(row["goal_percent"])
    pace = comparison.pace()[str(row["id"])]
    ticks, names = list(times), list(labels)
    ax.plot(times, values, color=MEASURED, lw=1.8, zorder=3)
    ax.scatter(times, values, zorder=4, s=28, edgecolors="white", linewidths=0.6,
               c=[GAIN if s == STATUS_MET else LOSS for s in statuses])
    ax.axhline(goal, color=MUTED, ls="--", lw=1.0, zorder=1)
    right = times[-1] + 0.3
    if dated and pace.status == PACE_ON and pace.quarter_end is not None:
        end = quarter_time(pace.quarter_end)
        shown = min(end, times[-1] + CHART_AHEAD_QUARTERS)
        reach = values[-1] + (goal - values[-1]) * (shown - times[-1]) / max(end - times[-1],
                                                                              1e-9)
        ax.plot([times[-1], shown], [values[-1], reach], color=CHANGED, ls=":", lw=1.6,
                zorder=2)
        arrow = " →" if end > shown else ""
        ax.annotate(lang._("{quarter} (extrapolation)").format(quarter=pace.quarter) + arrow,
                    (shown, reach), xytext=(0, 6), textcoords="offset points", fontsize=7,
                    color=CHANGED, ha="right")
        if end <= shown:
            ticks.append(end)
            names.append(pace.quarter)
        right = shown + 0.3
    ax.annotate(lang._("goal {goal}").format(goal=goal_text(goal, lang)), (right, goal),
                xytext=(-2, -10), textcoords="offset points", fontsize=7, color=MUTED,
                ha="right")
    ax.set_xlim(times[0] - 0.3, right)
    finite = values[np.isfinite(values)]
    low = min([goal, *finite.tolist()]) if len(finite) else goal
    ax.set_ylim(max(0.0, low - max(2.0, 0.15 * (100.0 - low))), 100.5)
    crowded = len(ticks) > 5 or right - times[0] > 1.6 * len(ticks)
    ax.set_xticks(ticks, names, fontsize=7, rotation=30 if crowded else 0)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel("%", fontsize=7)
    ax.grid(True, color="#e5e5e5", lw=0.6)
    title = textwrap.fill(str(localized(row, "target", lang)), 44)
    ax.set_title(title, fontsize=8, loc="left")
    ax.spines[["top", "right"]].set_visible(False)


def progress_chart(comparison: Comparison, lang: Language) -> Figure:
    """One panel per target: measured share per snapshot, goal, extrapolated pace."""
    table = comparison.target_table()
    count = len(table)
    columns = min(3, max(count, 1))
    rows = math.ceil(count / columns)
    fig = Figure(figsize=(3.6 * columns, 2.7 * rows + 0.8), layout="constrained")
    times, dated = _times(comparison)
    axes = fig.subplots(rows, columns, squeeze=False)
    for k, row in enumerate(table.to_dict("records")):
        _panel(axes[k // columns][k % columns], comparison, row, times, dated, lang)
    for k in range(count, rows * columns):
        axes[k // columns][k % columns].set_visible(False)
    synthetic = lang._(" (SYNTHETIC dataset)") if comparison.synthetic else ""
    fig.suptitle(lang._("{preset}: targets over time{synthetic}").format(
        preset=comparison.targets.name, synthetic=synthetic), fontsize=10)
    handles = [Line2D([], [], color=MEASURED, marker="o", label=lang._("measured")),
               Line2D([], [], color=MUTED, ls="--", label=lang._("goal")),
               Line2D([], [], color=CHANGED, ls=":", label=lang._("linear extrapolation of "
                                                                  "the pace, not a forecast"))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=7, frameon=False)
    return fig


def _lines(frame: gpd.GeoDataFrame | None) -> list[np.ndarray]:
    if frame is None or not len(frame):
        return []
    parts = shapely.get_parts(np.asarray(frame.geometry.values))
    parts = parts[np.isin(shapely.get_type_id(parts), [1, 2])]
    return [shapely.get_coordinates(p) for p in parts]


def _polygons(frame: gpd.GeoDataFrame | None) -> list[np.ndarray]:
    if frame is None or not len(frame):
        return []
    parts = shapely.get_parts(np.asarray(frame.geometry.values))
    parts = parts[shapely.get_type_id(parts) == 3]
    return [shapely.get_coordinates(shapely.get_exterior_ring(p)) for p in parts]


def _points(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    points = shapely.point_on_surface(np.asarray(frame.geometry.values))
    return shapely.get_x(points), shapely.get_y(points)


def _background(ax: Any, comparison: Comparison) -> None:
    communes = comparison.communes
    if communes is not None and len(communes):
        ax.add_collection(PolyCollection(_polygons(communes), facecolors="#f4f4f1",
                                         edgecolors="#b9b9b4", linewidths=0.4, zorder=0))
    roads = comparison.roads
    if roads is not None and len(roads):
        for road_class, width in ROAD_WIDTHS.items():
            part = roads[roads["road_class"] == road_class]
            ax.add_collection(LineCollection(_lines(part), colors="#c4c4c4", linewidths=width,
                                             zorder=1))


def _draw_changes(ax: Any, changes: Changes) -> None:
    for change, colour in ((NOW_MET, GAIN), (NO_LONGER_MET, LOSS)):
        part = changes.communes[changes.communes["change"] == change] \
            if len(changes.communes) else changes.communes
        ax.add_collection(PolyCollection(_polygons(part), facecolors="none", edgecolors=colour,
                                         linewidths=1.6, zorder=2))
    for change, colour in ((GAINED, GAIN), (LOST, LOSS)):
        villages = changes.villages[changes.villages["change"] == change] \
            if len(changes.villages) else changes.villages
        ax.add_collection(PolyCollection(_polygons(villages), facecolors=colour, alpha=0.55,
                                         edgecolors=colour, linewidths=0.4, zorder=3))
        roads = changes.roads[changes.roads["change"] == change] \
            if len(changes.roads) else changes.roads
        ax.add_collection(LineCollection(_lines(roads), colors=colour, linewidths=2.6,
                                         zorder=4))
        pois = changes.pois[changes.pois["change"] == change] if len(changes.pois) \
            else changes.pois
        if len(pois):
            ax.scatter(*_points(pois), marker="*", s=70, color=colour, edgecolors="black",
                       linewidths=0.4, zorder=6)
    sites = changes.site_summary
    for change, marker, colour in (("added", "^", GAIN), ("removed", "X", LOSS),
                                   ("changed", "D", CHANGED)):
        part = sites[sites["change"] == change] if len(sites) else sites
        if len(part):
            ax.scatter(*_points(part), marker=marker, s=36, color=colour, edgecolors="black",
                       linewidths=0.5, zorder=5)


def _legend(changes: Changes, lang: Language) -> list[Any]:
    counts = changes.site_counts()
    gained_km = float(changes.roads.loc[changes.roads["change"] == GAINED, "counted_km"].sum()) \
        if len(changes.roads) else 0.0
    lost_km = float(changes.roads.loc[changes.roads["change"] == LOST, "counted_km"].sum()) \
        if len(changes.roads) else 0.0
    villages = (changes.villages.drop_duplicates(["village_id", "change"])["change"]
                .value_counts() if len(changes.villages) else {})
    communes = (changes.communes.drop_duplicates(["code", "change"])["change"].value_counts()
                if len(changes.communes) else {})
    return [
        Line2D([], [], color=GAIN, lw=2.6, label=lang._("road newly covered ({km})").format(
            km=amount(gained_km, "km", lang))),
        Line2D([], [], color=LOSS, lw=2.6, label=lang._("road coverage lost ({km})").format(
            km=amount(lost_km, "km", lang))),
        Patch(color=GAIN, alpha=0.55, label=lang._("village gained ({count})").format(
            count=lang.count(int(villages.get(GAINED, 0))))),
        Patch(color=LOSS, alpha=0.55, label=lang._("village lost ({count})").format(
            count=lang.count(int(villages.get(LOST, 0))))),
        Patch(facecolor="none", edgecolor=GAIN, lw=1.6,
              label=lang._("commune now meets a target ({count})").format(
                  count=lang.count(int(communes.get(NOW_MET, 0))))),
        Patch(facecolor="none", edgecolor=LOSS, lw=1.6,
              label=lang._("commune no longer meets a target ({count})").format(
                  count=lang.count(int(communes.get(NO_LONGER_MET, 0))))),
        Line2D([], [], ls="", marker="^", color=GAIN, markeredgecolor="black",
               label=lang._("site added ({count})").format(count=counts["added"])),
        Line2D([], [], ls="", marker="X", color=LOSS, markeredgecolor="black",
               label=lang._("site removed ({count})").format(count=counts["removed"])),
        Line2D([], [], ls="", marker="D", color=CHANGED, markeredgecolor="black",
               label=lang._("site changed ({count})").format(count=counts["changed"])),
    ]


def _extent(comparison: Comparison, changes: Changes) -> tuple[float, float, float, float]:
    frames = [f for f in (comparison.communes, comparison.roads, changes.roads,
                          changes.villages, changes.site_summary) if f is not None and len(f)]
    if not frames:
        return 0.0, 0.0, 1.0, 1.0
    boxes = np.array([f.total_bounds for f in frames])
    x0, y0, x1, y1 = boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()
    pad = 0.02 * max(x1 - x0, y1 - y0, 1.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def scale_km(width_m: float) -> float:
    """A round length (1, 2 or 5 times a power of ten, km) near a fifth of ``width_m``."""
    target = max(width_m / 5.0 / 1000.0, 1e-3)
    magnitude = 10.0 ** math.floor(math.log10(target))
    return next(step * magnitude for step in (5, 2, 1) if step * magnitude <= target)


def _scale_bar(ax: Any, extent: tuple[float, float, float, float]) -> None:
    x0, y0, x1, _ = extent
    width = x1 - x0
    length = scale_km(width)
    bx, by = x0 + 0.04 * width, y0 + 0.04 * width
    ax.plot([bx, bx + length * 1000], [by, by], color="black", lw=2, zorder=7)
    ax.annotate(f"{length:g} km", (bx + length * 500, by), xytext=(0, 3),
                textcoords="offset points", ha="center", fontsize=7)


def change_map(comparison: Comparison, index: int, lang: Language) -> Figure:
    """What changed from snapshot ``index`` to ``index + 1`` (:attr:`Comparison.changes`)."""
    changes = comparison.changes[index]
    fig = Figure(figsize=(8.3, 7.0), layout="constrained")
    ax = fig.add_subplot()
    _background(ax, comparison)
    _draw_changes(ax, changes)
    extent = _extent(comparison, changes)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    _scale_bar(ax, extent)
    synthetic = lang._(" (SYNTHETIC dataset)") if comparison.synthetic else ""
    ax.set_title(lang._("What changed: {before} → {after}{synthetic}").format(
        before=changes.before, after=changes.after, synthetic=synthetic), fontsize=11,
        loc="left")
    fig.legend(handles=_legend(changes, lang), loc="outside right center", fontsize=7,
               frameon=False)
    return fig
