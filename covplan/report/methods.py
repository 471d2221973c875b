"""The methods page: model, thresholds, targets' measures and data sources."""

from __future__ import annotations

import pandas as pd
from reportlab.platypus import Flowable, PageBreak, Paragraph

from covplan import __version__, settings
from covplan.report.data import ReportData
from covplan.report.styles import styles, text
from covplan.report.tables import key_value_table
from covplan.targets.schema import MEASURES

#: Dataset notes listed before "and N more".
MAX_NOTES = 12
_THRESHOLD_LABELS = {
    "rsrp_4g_dbm": ("4G signal", "dBm"),
    "rsrp_5g_dbm": ("5G signal", "dBm"),
    "village_covered_percent": ("Village covered from", "% of its people"),
    "fibre_drop_m": ("Fibre reach", "m from a route or node"),
}


def _site_counts(data: ReportData) -> str:
    sites = data.dataset.sites
    if sites is None or sites.empty:
        return "no sites"
    if "status" not in sites.columns:
        sites = sites.assign(status="on air")
    table = sites.groupby(["technology", "status"]).agg(
        sites=("site_id", "nunique"), sectors=("site_id", "size"))
    return "; ".join(f"{tech} {status}: {int(r.sites):,} sites, {int(r.sectors):,} sectors"
                     for (tech, status), r in table.iterrows())


def prediction_rows(data: ReportData) -> list[tuple[str, str]]:
    """Model, grid and sites, as label / value rows."""
    rows = [("Grid", f"{data.resolution_m:g} m cells in {data.dataset.crs.name}; receiver "
                     f"{settings.rx_height_m:g} m above ground"),
            ("Sites", _site_counts(data) + ". Candidate sites are not predicted.")]
    for tech, grid in sorted(data.coverage.items()):
        raster = getattr(grid, "rsrp_dbm", grid)
        notes = "; ".join(raster.notes) or "no site on air"
        rows.append((f"{tech} prediction", f"Best-server RSRP per cell; {notes}"))
    return rows


def threshold_rows(data: ReportData) -> list[tuple[str, str]]:
    """Every threshold with its value and source."""
    thresholds = data.targets.thresholds
    rows = []
    for key, (label, unit) in _THRESHOLD_LABELS.items():
        value = float(getattr(thresholds, key))
        source = thresholds.sources.get(key, "")
        rows.append((label, f"{value:g} {unit}" + (f" — {source}" if source else "")))
    return rows


def data_rows(data: ReportData) -> list[tuple[str, str]]:
    """Source, credits and the layers with their counts."""
    dataset = data.dataset
    layers = ", ".join(f"{name} ({len(frame):,})" for name, frame in dataset.vectors.items())
    rasters = [name for name, r in (("terrain", dataset.terrain),
                                    ("population", dataset.population)) if r is not None]
    rows = [("Dataset", f"{dataset.name} ({dataset.path})"),
            ("Credits", dataset.attribution or "not stated in the dataset"),
            ("Layers", layers + (f"; rasters: {', '.join(rasters)}" if rasters else "")),
            ("Terrain", dataset.terrain_statement())]
    rows += [("Warning", warning) for warning in dataset.warnings]
    if dataset.synthetic:
        rows.append(("Synthetic", "Yes: generated data, not a real place."))
    return rows


def methods_section(data: ReportData) -> list[Flowable]:
    """The methods page (and the dataset's loading notes)."""
    st = styles()
    flow: list[Flowable] = [
        PageBreak(), Paragraph("Methods and data", st.h1),
        Paragraph("Signal is predicted, not measured: each site's received power (RSRP) is "
                  "computed from its antenna, power and height over the terrain, and every "
                  "grid cell takes its strongest site. Targets count a place as covered when "
                  "the predicted RSRP reaches the threshold below. Drive tests should confirm "
                  "the gaps before sites are built.", st.body),
        Paragraph("Prediction", st.h2), key_value_table(prediction_rows(data)),
        Paragraph("Thresholds", st.h2), key_value_table(threshold_rows(data)),
        Paragraph("Measures", st.h2),
        key_value_table([(name, meaning) for name, meaning in MEASURES.items()
                         if name in set(pd.Series([t.measure for t in data.targets.targets]))]),
        Paragraph("Data", st.h2), key_value_table(data_rows(data)),
    ]
    notes = list(data.dataset.notes)
    if notes:
        flow.append(Paragraph("What loading did", st.h2))
        flow += [Paragraph(f"• {text(note)}", st.small) for note in notes[:MAX_NOTES]]
        if len(notes) > MAX_NOTES:
            flow.append(Paragraph(f"… and {len(notes) - MAX_NOTES} more (covplan info DATA "
                                  "lists them all).", st.small))
    flow.append(Paragraph(f"Made with covplan {text(__version__)} on "
                          f"{data.created.isoformat()}. Targets: {text(data.targets.name)} "
                          f"({text(data.targets.path or 'preset')}).", st.small))
    return flow
