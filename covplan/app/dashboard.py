"""The target dashboard: one metric per target, the commune table and the gap lists."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import streamlit as st

from covplan.targets import Analysis

_SINGULAR = {"villages": "village", "people": "person", "POIs": "POI"}

#: Rows of a gap list shown on the page (largest gaps first); the CSV always has every row.
#: Every rerun sends the shown rows to the browser: the full demo's road and village gap
#: lists were 470 kB per click, parsed by the same browser thread that redraws the map.
SHOWN_GAP_ROWS = 200


def _amount(value: float, unit: str) -> str:
    if math.isnan(value):
        return "–"
    if unit == "km":
        return f"{value:,.1f} km"
    return f"{value:,.0f} {_SINGULAR.get(unit, unit) if round(value) == 1 else unit}"


def render_targets(analysis: Analysis, baseline: Analysis | None) -> None:
    """One tile per target: measured value, goal, delta against the baseline, shortfall."""
    table = analysis.targets
    before = baseline.targets.set_index("id") if baseline is not None else None
    columns = st.columns(min(len(table), 3) or 1)
    for i, row in enumerate(table.to_dict("records")):
        value = float(row["measured_percent"])
        met = str(row["status"]) == "met"
        delta = None
        if before is not None and row["id"] in before.index:
            change = value - float(before.loc[row["id"], "measured_percent"])
            delta = f"{change:+.2f} pts vs baseline" if abs(change) >= 0.005 else None
        with columns[i % len(columns)]:
            st.metric(
                label=f"{':green[**MET**]' if met else ':red[**NOT MET**]'} — {row['target']}",
                value="–" if math.isnan(value) else f"{value:.1f} %",
                delta=delta,
                help=f"Goal {float(row['goal_percent']):g} %. Measured: {row['measure']} of "
                f"{row['denominator']}; counted when {row['threshold']}.",
            )
            shortfall = _amount(float(row["shortfall"]), str(row["unit"]))
            status = ":green[met]" if met else f":red[short by {shortfall}]"
            st.caption(f"Goal {float(row['goal_percent']):g} % — {status}")


def _csv(frame: pd.DataFrame) -> bytes:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame.to_csv(index=False).encode("utf-8-sig")


def _table(
    title: str, frame: pd.DataFrame, file_name: str, key: str, limit: int | None = None
) -> None:
    shown = (
        frame.drop(columns=frame.geometry.name) if isinstance(frame, gpd.GeoDataFrame) else frame
    )
    if limit is not None and len(shown) > limit:
        st.markdown(
            f"**{title}** (the first {limit:,} of {len(shown):,} rows; "
            f"the CSV has all {len(shown):,})"
        )
        shown = shown.iloc[:limit]
    else:
        st.markdown(f"**{title}** ({len(shown):,} rows)")
    st.dataframe(shown, hide_index=True, width="stretch", height=280)
    st.download_button(  # the CSV is written when the button is clicked, not every run
        f"Download {file_name}",
        lambda: _csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
    )


def render_tables(analysis: Analysis) -> None:
    """Commune summary and gap lists, each sortable and downloadable as CSV (UTF-8 BOM)."""
    tabs = st.tabs(
        [
            "Communes",
            "Road gaps",
            "Villages without coverage or fibre",
            "POIs without 5G",
            "Targets",
        ]
    )
    with tabs[0]:
        _table("Commune summary", analysis.commune_summary, "commune_summary.csv", "dl_communes")
    with tabs[1]:
        _table(
            "Uncovered road stretches (longest first)",
            analysis.road_gaps,
            "road_gaps.csv",
            "dl_roads",
            SHOWN_GAP_ROWS,
        )
    with tabs[2]:
        _table(
            "Village gaps (largest population first)",
            analysis.village_gaps,
            "village_gaps.csv",
            "dl_villages",
            SHOWN_GAP_ROWS,
        )
    with tabs[3]:
        _table(
            "Points of interest without signal",
            analysis.poi_gaps,
            "poi_gaps.csv",
            "dl_pois",
            SHOWN_GAP_ROWS,
        )
    with tabs[4]:
        _table("Target table", analysis.targets, "targets.csv", "dl_targets")
