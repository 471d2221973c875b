"""The sidebar: which dataset (demo, folder, upload) and which target preset.

A dataset chosen here becomes the open one only once it has loaded and its baseline has
been evaluated (:func:`covplan.app.compute.open_dataset`); otherwise the sidebar says why
and the previous dataset stays open. Each upload is stored in a folder of its own; the
previous upload's folder is removed only after the new dataset is open, and a refused
upload's folder at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from covplan import settings
from covplan.app.compute import DatasetRef, bar_progress, forget, open_dataset
from covplan.app.notices import show_refusal, show_unexpected
from covplan.app.upload import MAX_UPLOAD_MB, Upload, discard_upload, save_upload
from covplan.datasets import DemoSize, ensure_demo
from covplan.errors import CovplanError
from covplan.i18n import N_, Language
from covplan.targets import preset_names

#: Where a dataset comes from: the radio's values (English; shown translated).
SOURCES = (N_("Demo province (synthetic)"), N_("Folder on disk"), N_("Upload"))
#: What the user reads when a chosen dataset is not opened.
KEPT = N_("The previous dataset stays open.")
#: The preset shown first.
DEFAULT_PRESET = "thai_nguyen_2025"


@dataclass(frozen=True)
class Opened:
    """A dataset that has just opened, and the upload that holds it (None for a folder)."""

    ref: DatasetRef
    upload: Upload | None = None


def demo_path(lang: Language) -> str:
    """The demo province folder, generated with a progress bar on first use."""
    bar = st.progress(0.0, text=lang._("Preparing the demo province (first run only)…"))
    size: DemoSize = "small" if settings.demo_size == "small" else "full"
    folder = ensure_demo(size, progress=bar_progress(bar))
    bar.empty()
    return str(folder)


def _same(text: str) -> str:
    return text


def _open(ref: DatasetRef, preset: str, lang: Language,
          relabel: Callable[[str], str] = _same) -> bool:
    """Open ``ref`` (load, evaluator, baseline); on failure say why and keep the current one."""
    place = st.empty()
    try:
        with st.spinner(lang._("Loading and validating the dataset…")):
            open_dataset(ref, preset, st.session_state, bar_progress(place))
    except CovplanError as exc:
        head = lang._("This dataset cannot be used.") + " " + lang._(KEPT)
        show_refusal(head, relabel(str(exc)))
        return False
    except Exception:
        show_unexpected(N_("opening this dataset"), lang._(KEPT), lang=lang)
        return False
    finally:
        place.empty()
    return True


def _from_folder(preset: str, lang: Language) -> Opened | None:
    folder = st.text_input(lang._("Dataset folder (or dataset.toml / GeoPackage)"),
                           key="folder_input")
    if st.button(lang._("Open folder"), key="open_folder") and folder:
        ref = DatasetRef.at(folder)  # the files as they are now: a fixed folder is read again
        return Opened(ref) if _open(ref, preset, lang) else None
    return None


def _from_upload(preset: str, lang: Language) -> Opened | None:
    upload = st.file_uploader(
        lang._("GeoPackage or zipped dataset folder (max {size} MB)").format(
            size=MAX_UPLOAD_MB),
        type=["gpkg", "zip"],
        key="upload",
    )
    if upload is None or st.session_state.get("upload_done") == upload.file_id:
        return None
    st.session_state["upload_done"] = upload.file_id
    uploads = Path(st.session_state.setdefault("upload_dir", tempfile.mkdtemp(prefix="covplan-")))
    try:
        saved = save_upload(upload.name, upload.getvalue(), uploads)
    except CovplanError as exc:
        show_refusal(lang._("Upload refused.") + " " + lang._(KEPT), str(exc))
        return None
    except Exception:
        show_unexpected(N_("storing the upload"), lang._(KEPT), lang=lang)
        return None
    ref = DatasetRef.at(saved.root, confined=True)  # an upload reads only its own files
    if not _open(ref, preset, lang, saved.relabel):
        discard_upload(saved)
        return None
    return Opened(ref, saved)


def _make_current(opened: Opened) -> None:
    """Show ``opened`` from now on; the upload it replaces, if any, is removed."""
    state = st.session_state
    previous_ref: DatasetRef | None = state.get("dataset")
    previous_upload: Upload | None = state.get("open_upload")
    state["dataset"] = opened.ref
    state["open_upload"] = opened.upload
    if previous_upload is not None and previous_upload != opened.upload:
        if previous_ref is not None and previous_ref != opened.ref:
            forget(previous_ref, state)
        discard_upload(previous_upload)


def relabel(text: str) -> str:
    """``text`` as the user should read it: an upload's server folder named by the upload."""
    upload: Upload | None = st.session_state.get("open_upload")
    return upload.relabel(text) if upload is not None else text


def shown_preset() -> str:
    """The preset the sidebar shows (before it is drawn in this run: the last one chosen)."""
    return str(st.session_state.get("preset") or DEFAULT_PRESET)


def render_sidebar(lang: Language) -> tuple[DatasetRef, str]:
    """Draw the sidebar and return (the open dataset, preset name)."""
    with st.sidebar:
        st.header(lang._("Data and targets"))
        data = st.container()  # above the preset on the page, filled once the preset is known
        presets = preset_names()
        preset = str(
            st.selectbox(
                lang._("Target preset"),
                presets,
                key="preset",
                index=presets.index(DEFAULT_PRESET) if DEFAULT_PRESET in presets else 0,
            )
        )
        with data:
            source = st.radio(lang._("Dataset"), SOURCES, key="source", format_func=lang._)
            opened = None
            if source == SOURCES[1]:
                opened = _from_folder(preset, lang)
            elif source == SOURCES[2]:
                opened = _from_upload(preset, lang)
        if opened is not None:
            _make_current(opened)
        if "dataset" not in st.session_state:
            st.session_state["dataset"] = DatasetRef.at(demo_path(lang))
    ref: DatasetRef = st.session_state["dataset"]
    return ref, preset
