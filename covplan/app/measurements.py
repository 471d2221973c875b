"""Measurements in the app: a drive test or log compared with the prediction, on the map.

The sidebar picks the file: none, the open dataset's own ``drive_test.csv`` (the demo has
one), or an upload (a plain CSV or a G-NetTrack log, stored in a folder of its own like a
dataset upload). The file is read (:func:`covplan.calibration.measurements.read_measurements`:
bad rows are dropped, each reported with its line) and every measurement is compared with
the prediction of the dataset's sites at its place
(:func:`covplan.calibration.compare.compare_measurements`), once per dataset and version of
the file. The page then shows the points on the map coloured by the error, the error table,
and the bad rows, counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from covplan.app.compute import DatasetRef, scenario_result
from covplan.app.notices import markdown_text, show_refusal, show_unexpected
from covplan.app.upload import Upload, discard_upload, save_file, session_folder
from covplan.calibration.compare import Comparison, compare_measurements
from covplan.calibration.measurements import Measurements, read_measurements
from covplan.errors import CovplanError
from covplan.i18n import N_, Language
from covplan.io import Dataset

#: Where the measurements come from: the radio's values (English; shown translated).
SOURCES: Final = (N_("None"), N_("The dataset's drive test (drive_test.csv)"),
                  N_("A file (CSV or G-NetTrack log)"))
#: The measurement file a dataset folder may hold (the demo writes one).
DATASET_FILE: Final = "drive_test.csv"
#: Suffixes of measurement files accepted for upload.
SUFFIXES: Final = (".csv", ".txt")
#: Session key of the stored upload (kept until another file replaces it).
UPLOADED: Final = "measure_uploaded"
#: Session bucket of the compared measurements (keys start with the dataset's key).
BUCKET: Final = "measurements"
#: Problems listed on the page (each names every line it concerns).
SHOWN_PROBLEMS: Final = 10


@dataclass(frozen=True)
class MeasurementFile:
    """A measurement file to compare, and how the page names it."""

    path: Path
    name: str

    def key(self) -> str:
        """Names this version of the file: its path, size and modification time."""
        try:
            info = self.path.stat()
            return f"{self.path}#{info.st_size}#{info.st_mtime_ns}"
        except OSError:
            return f"{self.path}#missing"


@dataclass(frozen=True, eq=False)
class Measured:
    """A measurement file read and compared with the prediction."""

    file: MeasurementFile
    measurements: Measurements
    comparison: Comparison
    key: str


def _uploaded(lang: Language) -> MeasurementFile | None:
    """The uploaded file: a new upload is stored (the previous one removed), else the last."""
    state = st.session_state
    upload = st.file_uploader(lang._("Measurement file (CSV or G-NetTrack .txt log)"),
                              type=[s.lstrip(".") for s in SUFFIXES], key="measure_upload")
    if upload is not None and state.get("measure_upload_done") != upload.file_id:
        state["measure_upload_done"] = upload.file_id
        uploads = session_folder(state)
        try:
            stored = save_file(upload.name, upload.getvalue(), uploads, suffixes=SUFFIXES,
                               what="a measurement file (CSV or G-NetTrack log)")
        except CovplanError as exc:
            show_refusal(lang._("Upload refused."), exc.text(lang))
            return None
        previous: Upload | None = state.get(UPLOADED)
        if previous is not None:
            discard_upload(previous)
        state[UPLOADED] = stored
    stored_upload: Upload | None = state.get(UPLOADED)
    if stored_upload is None:
        return None
    return MeasurementFile(stored_upload.root, stored_upload.name)


def choose_measurements(dataset: Dataset, lang: Language) -> MeasurementFile | None:
    """Draw the measurement choice (in the sidebar); the file chosen, if any."""
    st.subheader(lang._("Measurements"))
    source = st.radio(lang._("Compare the prediction with"), SOURCES, key="measure_source",
                      format_func=lang._, persist_state="session")
    if source == SOURCES[1]:
        folder = Path(dataset.path)
        path = (folder if folder.is_dir() else folder.parent) / DATASET_FILE
        if not path.is_file():
            st.caption(lang._("This dataset has no {file}.").format(file=DATASET_FILE))
            return None
        return MeasurementFile(path, DATASET_FILE)
    if source == SOURCES[2]:
        return _uploaded(lang)
    return None


def measure(ref: DatasetRef, dataset: Dataset, file: MeasurementFile, lang: Language
            ) -> Measured | None:
    """``file`` read and compared with the dataset's prediction (once per version of both).

    A file covplan cannot use is said on the page (with every problem found); None then.
    """
    key = f"{ref.key}|{file.key()}"

    def make() -> Measured:
        with st.spinner(lang._("Comparing the measurements with the prediction…")):
            measurements = read_measurements(file.path)
            return Measured(file, measurements, compare_measurements(dataset, measurements),
                            key)

    try:
        return scenario_result(st.session_state, key, make, bucket=BUCKET)
    except CovplanError as exc:
        text = exc.text(lang).replace(str(file.path), file.name)
        show_refusal(lang._("These measurements cannot be used."), text)
    except Exception:
        show_unexpected(N_("comparing the measurements"), lang=lang)
    return None


def error_table(comparison: Comparison, lang: Language) -> pd.DataFrame:
    """The error statistics per technology, with headers and figures for people."""
    table = comparison.errors()
    every = lang._("all")
    return pd.DataFrame({
        lang._("Technology"): [every if t == "all" else str(t) for t in table["technology"]],
        lang._("Points"): [lang.count(n) for n in table["points"]],
        lang._("Mean error (dB)"): [lang.number(v, 1) for v in table["mean_db"]],
        lang._("Standard deviation (dB)"): [lang.number(v, 1) for v in table["std_db"]],
        lang._("RMSE (dB)"): [lang.number(v, 1) for v in table["rmse_db"]],
    })


def _problems(measured: Measured, lang: Language) -> None:
    """The bad rows, counted, each problem with its lines (as the command line says them)."""
    m = measured.measurements
    problems = m.problems
    bad = m.dropped - sum(m.skipped.values())
    if bad <= 0 and not problems:
        return
    lines = [str(p).replace(str(measured.file.path), measured.file.name)
             for p in problems[:SHOWN_PROBLEMS]]
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        lines.append(lang._("… and {count} more problems.").format(count=lang.count(more)))
    head = lang.n_("{count} bad row was dropped:", "{count} bad rows were dropped:",
                   bad).format(count=lang.count(bad))
    st.warning(markdown_text("\n".join([head, *(f"• {line}" for line in lines)])))


def render_measurements(measured: Measured, calibration: str, lang: Language) -> None:
    """What the comparison found: rows used, bad rows, points not compared, the errors.

    ``calibration`` is the dataset's calibration statement in ``lang``.
    """
    m, comparison = measured.measurements, measured.comparison
    st.markdown(lang._("**Measurements against the prediction** — {file}").format(
        file=markdown_text(measured.file.name)))
    st.caption(lang._("{used} of {rows} rows used ({format}); {points} points compared with "
                      "the prediction of the dataset's sites at their place. Error = measured − "
                      "predicted RSRP: red on the map where the signal measured was weaker "
                      "than predicted, blue where it was stronger.").format(
        used=lang.count(len(m.frame)), rows=lang.count(m.rows), format=m.format,
        points=lang.count(len(comparison.points))))
    _problems(measured, lang)
    for why, count in {**m.skipped, **comparison.dropped}.items():
        st.caption(lang._("{count} not compared: {reason}").format(
            count=lang.count(count), reason=markdown_text(why)))
    st.dataframe(error_table(comparison, lang), hide_index=True, width="stretch")
    models = ", ".join(f"{t}: {model}" for t, model in sorted(comparison.models.items()))
    st.caption(lang._("Models: {models}. Calibration: {calibration}.").format(
        models=markdown_text(models), calibration=markdown_text(calibration)))
