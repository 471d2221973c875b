"""The download area: the scenario on screen as report files, built on request.

"Prepare downloads" evaluates the scenario the page shows (through the app's evaluator,
whose grids are already laid out) and hands the writing of the files
(:func:`covplan.app.exports.build_exports`: the PDF report, the static maps, the offline
HTML map, the GeoPackage, KML, GeoTIFF and a zip of all) to a worker thread of its own. The
page does not wait for it: a small fragment polls the worker and shows its progress, so the
map, the planner and the tables stay usable meanwhile, and the whole page is redrawn with
the download buttons once the files are written. The sheet of the commune selected
(:func:`covplan.report.build_commune_pdf`) is made the same way, on request, from the same
evaluation. The files are kept per scenario and language (:data:`MAX_JOBS` of them per
session, each in its own temporary folder, removed with it), so reruns never rebuild them;
an edit or another language asks for new ones.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import streamlit as st

from covplan._progress import scaled
from covplan.app.compute import bar_progress
from covplan.app.exports import ExportFiles, Stamp, build_exports, commune_sheet
from covplan.app.notices import guarded, markdown_text, show_refusal, unexpected_message
from covplan.errors import CovplanError
from covplan.i18n import N_, Language
from covplan.io import Dataset
from covplan.planning import Scenario, ScenarioEvaluator

if TYPE_CHECKING:  # the report (matplotlib) loads when a download is made
    from covplan.report import ReportData

logger = logging.getLogger(__name__)

#: Session bucket of the prepared downloads, by scenario key and language.
BUCKET: Final = "exports"
#: Prepared downloads kept per session (each a folder of files).
MAX_JOBS: Final = 2
#: Seconds between two looks at a running export.
POLL_S: Final = 0.5

#: What the download choice offers, by kind (see :class:`~covplan.app.exports.ExportFiles`).
_MAPS: Final = {"coverage_4g": N_("4G coverage map"), "coverage_5g": N_("5G coverage map"),
                "gaps": N_("Coverage gaps map"),
                "speed_4g": N_("4G downlink speed map"), "speed_5g": N_("5G downlink speed map"),
                "sinr_4g": N_("4G SINR map"), "sinr_5g": N_("5G SINR map")}
_FILES: Final = {
    "html": N_("Interactive map, works offline (HTML)"),
    "gpkg": N_("Gaps, communes and sites (GeoPackage)"),
    "kml": N_("Gaps, communes and sites (KML, Google Earth)"),
    "zip": N_("Everything (zip)"),
}
_MIME: Final = {".pdf": "application/pdf", ".png": "image/png", ".html": "text/html",
                ".gpkg": "application/geopackage+sqlite3", ".tif": "image/tiff",
                ".kml": "application/vnd.google-earth.kml+xml", ".zip": "application/zip"}


@dataclass(eq=False)
class ExportJob:
    """One scenario's downloads, being written or written.

    ``progress`` is the worker's latest (fraction, message); ``folder`` holds the files and
    is removed when the job is dropped (garbage-collected). ``data`` is the evaluation the
    files come from, kept while the job is the session's latest (commune sheets are made
    from it); ``sheets`` the commune sheets asked for, by commune code: (file name, PDF
    bytes).
    """

    stamp: Stamp
    future: Future[ExportFiles]
    folder: Path
    progress: list[object] = field(default_factory=lambda: [0.0, ""])
    data: ReportData | None = None
    sheets: dict[str, Future[tuple[str, bytes]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def busy(self) -> bool:
        """Whether the worker is still writing some of this job's files."""
        return not self.future.done() or any(not f.done() for f in self.sheets.values())


@st.cache_resource(show_spinner=False)
def export_worker() -> ThreadPoolExecutor:
    """The process's thread for writing downloads (apart from the map's overlay worker)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="covplan-export")


def _jobs() -> OrderedDict[str, ExportJob]:
    jobs: OrderedDict[str, ExportJob] = st.session_state.setdefault(BUCKET, OrderedDict())
    return jobs


def _label(kind: str, lang: Language) -> str:
    """What a file is, for the download choice."""
    what, _, name = kind.partition(":")
    if what in ("png", "mappdf"):
        shown = lang._(_MAPS[name]) if name in _MAPS else name
        return f"{shown} ({'PNG' if what == 'png' else 'PDF'})"
    if what == "tif":
        return lang._("{technology} coverage, RSRP in dBm (GeoTIFF)").format(technology=name)
    return lang._(_FILES.get(kind, kind))


def _start(key: str, stamp: Stamp, dataset: Dataset, evaluator: ScenarioEvaluator,
           scenario: Scenario, scenario_json: bytes) -> ExportJob:
    """Evaluate the scenario here (with a bar), then write its files in the worker."""
    from covplan.report import prepare_report  # with matplotlib: not on every app start

    lang = stamp.lang
    bar = st.progress(0.0, text=lang._("Evaluating the scenario for the report…"))
    data = prepare_report(dataset, evaluator.targets,
                          scenario=scenario if scenario.edits else None, evaluator=evaluator,
                          progress=scaled(bar_progress(
                              bar, lang._("Evaluating the scenario for the report…")), 0.0, 1.0))
    bar.empty()
    folder = Path(tempfile.mkdtemp(prefix="covplan-downloads-"))
    progress: list[object] = [0.0, lang._("Writing the files…")]

    def report(fraction: float, message: str) -> None:
        progress[:] = [fraction, message]

    future = export_worker().submit(build_exports, data, stamp, folder,
                                    scenario_json=scenario_json, progress=report)
    job = ExportJob(stamp, future, folder, progress, data)
    jobs = _jobs()
    for older in jobs.values():
        older.data = None  # about 200 MB of grids on the full demo: the latest keeps them
    jobs[key] = job
    while len(jobs) > MAX_JOBS:
        _, old = jobs.popitem(last=False)
        old.future.cancel()  # a queued one never starts; its folder goes with it
    logger.info("Preparing the downloads of %s", stamp.line())
    return job


@st.fragment(run_every=POLL_S)
@guarded
def _watch(key: str) -> None:
    """Show a running export's progress; redraw the page once it is done."""
    job = _jobs().get(key)
    if job is None or not job.busy():
        st.rerun()
        return
    lang = job.stamp.lang
    if job.future.done():
        st.progress(1.0, text=lang._("Making the commune sheet…"))
    else:
        fraction, message = job.progress
        step = lang._("Preparing the downloads: {step}").format(step=lang._(str(message)))
        st.progress(min(max(float(fraction), 0.0), 1.0), text=step)  # type: ignore[arg-type]
    st.caption(lang._("The map and the planner can be used meanwhile."))


def _buttons(files: ExportFiles, lang: Language) -> None:
    """The download buttons of written files (the files as the page showed when asked)."""
    report = files.files["report"]
    st.download_button(lang._("PDF report"), files.read("report"), file_name=report.name,
                       mime=_MIME[".pdf"], key="dl_report", type="primary", on_click="ignore")
    kinds = [k for k in files.files if k != "report"]
    kind = str(st.selectbox(lang._("Other files"), kinds, key="dl_choice",
                            format_func=lambda k: _label(k, lang)))
    if kind not in files.files:  # a choice of other files, from before
        kind = kinds[0]
    chosen = files.files[kind]
    st.download_button(lang._("Download {file}").format(file=_label(kind, lang)),
                       files.read(kind), file_name=chosen.name,
                       mime=_MIME.get(chosen.suffix, "application/octet-stream"),
                       key="dl_file", on_click="ignore")


def _communes(data: ReportData) -> dict[str, str]:
    """``{code: "name (code)"}`` of the communes a sheet can be made for."""
    summary = data.analysis.commune_summary
    return {str(c): f"{n} ({c})" for c, n in zip(summary["code"], summary["name"], strict=True)}


def _sheet(key: str, job: ExportJob, lang: Language) -> None:
    """The sheet of the commune selected: made on request, then downloaded."""
    if job.data is None:
        st.caption(lang._("Commune sheets: prepare the downloads again to make them."))
        return
    communes = _communes(job.data)
    if not communes:
        return
    code = str(st.selectbox(lang._("Commune sheet"), list(communes), key="dl_commune",
                            format_func=lambda c: communes.get(c, c)))
    future = job.sheets.get(code)
    if future is None:
        if st.button(lang._("Make the sheet of this commune"), key="make_sheet"):
            job.sheets[code] = export_worker().submit(commune_sheet, job.data, code, job.stamp)
            _watch(key)
        return
    if not future.done():
        _watch(key)
        return
    error = future.exception()
    if error is not None:
        del job.sheets[code]
        _failed(error, lang)
        return
    name, pdf = future.result()
    st.download_button(lang._("Download the sheet of {commune}").format(commune=communes[code]),
                       pdf, file_name=name, mime=_MIME[".pdf"], key="dl_sheet", on_click="ignore")


def _failed(error: BaseException, lang: Language) -> None:
    """Say that writing a download failed: covplan's message, or a plain sentence."""
    if isinstance(error, CovplanError):
        show_refusal(lang._("The downloads cannot be prepared."), error.text(lang))
    else:
        logger.error("Writing the downloads failed", exc_info=error)
        st.error(unexpected_message(N_("writing the downloads"), lang))


def render_downloads(*, key: str, stamp: Stamp, dataset: Dataset,
                     evaluator: ScenarioEvaluator, scenario: Scenario,
                     scenario_json: bytes) -> None:
    """The download area of the scenario on screen.

    Parameters
    ----------
    key
        Names the scenario and the page's language: downloads made for another key are
        not offered for this one.
    stamp
        What the files state (dataset, preset, baseline or scenario, date, language).
    dataset, evaluator, scenario
        The open dataset, its evaluator and the scenario the page shows.
    scenario_json
        The scenario file, packed into the zip.
    """
    lang = stamp.lang
    st.subheader(lang._("Downloads"))
    st.caption(markdown_text(lang._("For what the page shows: {state}.").format(
        state=stamp.line())))
    job = _jobs().get(key)
    if job is None:
        st.caption(lang._("The PDF report, the maps (PNG, PDF and an HTML map that works "
                          "offline), the gaps (GeoPackage, KML), the coverage (GeoTIFF) "
                          "and a zip of everything. Writing them takes a while; the map "
                          "stays usable meanwhile."))
        if not st.button(lang._("Prepare downloads"), key="prepare_downloads"):
            return
        try:
            job = _start(key, stamp, dataset, evaluator, scenario, scenario_json)
        except CovplanError as exc:
            show_refusal(lang._("The downloads cannot be prepared."), exc.text(lang))
            return
    if not job.future.done():
        _watch(key)
        return
    error = job.future.exception()
    if error is None:
        _buttons(job.future.result(), lang)
        _sheet(key, job, lang)
        return
    _failed(error, lang)
    del _jobs()[key]  # the next click tries again
