"""The methods page: model, thresholds, targets' measures and data sources, in one language.

The dataset's own texts (its name, credits, loading notes and warnings) and the sources
cited by the target preset are shown as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from reportlab.platypus import Flowable, PageBreak, Paragraph

from covplan import __version__, settings
from covplan.export import wording
from covplan.i18n import N_, Language, Phrase, said
from covplan.metrics.thresholds import source_phrase
from covplan.report.data import ReportData
from covplan.report.styles import styles, text
from covplan.report.tables import key_value_table
from covplan.targets.schema import MEASURES

if TYPE_CHECKING:
    import geopandas as gpd

#: Dataset notes listed before "and N more".
MAX_NOTES: Final = 12
#: Each threshold: its label and how its value reads (both marked for translation).
_THRESHOLD_LABELS: Final = {
    "rsrp_4g_dbm": (N_("4G signal"), N_("{value} dBm")),
    "rsrp_5g_dbm": (N_("5G signal"), N_("{value} dBm")),
    "village_covered_percent": (N_("Village covered from"), N_("{percent} of its people")),
    "fibre_drop_m": (N_("Fibre reach"), N_("{value} m from a route or node")),
}


def _site_counts(data: ReportData, lang: Language) -> str:
    sites = data.dataset.sites
    if sites is None or sites.empty:
        return lang._("no sites")
    if "status" not in sites.columns:
        sites = sites.assign(status=N_("on air"))
    table = sites.groupby(["technology", "status"]).agg(
        sites=("site_id", "nunique"), sectors=("site_id", "size"))
    return "; ".join(
        lang._("{tech} {status}: {sites} sites, {sectors} sectors").format(
            tech=tech, status=wording.word(status, lang), sites=lang.count(int(r.sites)),
            sectors=lang.count(int(r.sectors)))
        for (tech, status), r in table.iterrows())


def _metres(value: float, lang: Language) -> str:
    return lang.number(value, 0 if float(value).is_integer() else 1)


def prediction_rows(data: ReportData, lang: Language) -> list[tuple[str, str]]:
    """Model, grid and sites, as label / value rows."""
    rows = [(lang._("Grid"), lang._("{resolution} m cells in {crs}; receiver {height} m above "
                                    "ground").format(resolution=_metres(data.resolution_m, lang),
                                                     crs=data.dataset.crs.name,
                                                     height=_metres(settings.rx_height_m, lang))),
            (lang._("Sites"), _site_counts(data, lang) + ". "
             + lang._("Candidate sites are not predicted."))]
    for tech, grid in sorted(data.coverage.items()):
        raster = getattr(grid, "rsrp_dbm", grid)
        notes = "; ".join(said(note, lang) for note in raster.notes) or lang._("no site on air")
        rows.append((lang._("{tech} prediction").format(tech=tech),
                     lang._("Best-server RSRP per cell; {notes}").format(notes=notes)))
    return rows


def threshold_rows(data: ReportData, lang: Language) -> list[tuple[str, str]]:
    """Every threshold with its value and source."""
    thresholds = data.targets.thresholds
    rows = []
    for key, (label, reads) in _THRESHOLD_LABELS.items():
        value = float(getattr(thresholds, key))
        cited = thresholds.sources.get(key, "")
        source = Phrase.of("{source}", source=source_phrase(cited))(lang) if cited else ""
        decimals = 0 if value.is_integer() else 1
        shown = lang._(reads).format(value=lang.number(value, decimals),
                                     percent=lang.percent(value, decimals))
        rows.append((lang._(label), shown + (f" — {source}" if source else "")))
    return rows


def data_rows(data: ReportData, lang: Language) -> list[tuple[str, str]]:
    """Source, credits and the layers with their counts."""
    dataset = data.dataset
    layers = "; ".join(_layer_count(name, frame, lang) for name, frame in dataset.vectors.items())
    rasters = [lang._(word) for word, r in ((N_("terrain"), dataset.terrain),
                                            (N_("population"), dataset.population))
               if r is not None]
    if rasters:
        layers += "; " + lang._("rasters: {names}").format(names=", ".join(rasters))
    rows = [(lang._("Dataset"), f"{dataset.name} ({dataset.path})"),
            (lang._("Credits"), dataset.attribution or lang._("not stated in the dataset")),
            (lang._("Layers"), layers),
            (lang._("Terrain"), dataset.terrain_statement(lang))]
    rows += [(lang._("Warning"), warning) for warning in dataset.warnings_in(lang)]
    if dataset.synthetic:
        rows.append((lang._("Synthetic"), lang._("Yes: generated data, not a real place.")))
    return rows


def _layer_count(name: str, frame: gpd.GeoDataFrame, lang: Language) -> str:
    """A layer's features in words: ``92 xã, phường``; sites and their sectors."""
    n = len(frame)
    if name == "sites" and "site_id" in frame.columns:
        sites = int(frame["site_id"].astype(str).nunique())
        return lang.n_("{count} site ({sectors} sectors)", "{count} sites ({sectors} sectors)",
                       sites).format(count=lang.count(sites), sectors=lang.count(n))
    words = {
        "communes": lang.n_("{count} commune", "{count} communes", n),
        "villages": lang.n_("{count} village", "{count} villages", n),
        "roads": lang.n_("{count} road line", "{count} road lines", n),
        "fibre": lang.n_("{count} fibre line or node", "{count} fibre lines or nodes", n),
        "pois": lang.n_("{count} point of interest", "{count} points of interest", n),
    }
    return words.get(name, "{count} " + name).format(count=lang.count(n))


def methods_section(data: ReportData, lang: Language) -> list[Flowable]:
    """The methods page (and the dataset's loading notes)."""
    st = styles()
    measured = {t.measure for t in data.targets.targets}
    flow: list[Flowable] = [
        PageBreak(), Paragraph(text(lang._("Methods and data")), st.h1),
        Paragraph(text(lang._(
            "Signal is predicted, not measured: each site's received power (RSRP) is computed "
            "from its antenna, power and height over the terrain, and every grid cell takes "
            "its strongest site. Targets count a place as covered when the predicted RSRP "
            "reaches the threshold below. Drive tests should confirm the gaps before sites "
            "are built.")), st.body),
        Paragraph(text(lang._("Prediction")), st.h2),
        key_value_table(prediction_rows(data, lang)),
        Paragraph(text(lang._("Thresholds")), st.h2),
        key_value_table(threshold_rows(data, lang)),
        Paragraph(text(lang._("Measures")), st.h2),
        key_value_table([(name, lang._(meaning)) for name, meaning in MEASURES.items()
                         if name in measured]),
        Paragraph(text(lang._("Data")), st.h2), key_value_table(data_rows(data, lang)),
    ]
    notes = list(data.dataset.notes)
    if notes:
        flow.append(Paragraph(text(lang._("What loading did")), st.h2))
        flow += [Paragraph(f"• {text(said(note, lang))}", st.small) for note in notes[:MAX_NOTES]]
        if len(notes) > MAX_NOTES:
            flow.append(Paragraph(text(lang._(
                "… and {count} more (covplan info DATA lists them all).").format(
                count=lang.count(len(notes) - MAX_NOTES))), st.small))
    flow.append(Paragraph(text(lang._(
        "Made with covplan {version} on {date}. Targets: {preset} ({path}).").format(
        version=__version__, date=lang.date(data.created), preset=data.targets.name,
        path=data.targets.path or lang._("preset"))), st.small))
    return flow
