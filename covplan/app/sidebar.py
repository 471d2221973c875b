"""The sidebar: which dataset (demo, folder, upload) and which target preset."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import streamlit as st

from covplan import settings
from covplan.app.compute import bar_progress, cached_dataset
from covplan.app.upload import MAX_UPLOAD_MB, save_upload
from covplan.datasets import DemoSize, ensure_demo
from covplan.errors import CovplanError
from covplan.targets import preset_names

logger = logging.getLogger(__name__)

SOURCES = ("Demo province (synthetic)", "Folder on disk", "Upload")


def demo_path() -> str:
    """The demo province folder, generated with a progress bar on first use."""
    bar = st.progress(0.0, text="Preparing the demo province (first run only)…")
    size: DemoSize = "small" if settings.demo_size == "small" else "full"
    folder = ensure_demo(size, progress=bar_progress(bar))
    bar.empty()
    return str(folder)


def _try(path: str) -> bool:
    """Load ``path``; on failure show why and keep the current dataset."""
    try:
        with st.spinner("Loading and validating the dataset…"):
            cached_dataset(path)
    except CovplanError as exc:
        st.error(f"This dataset cannot be used; the previous one stays open.\n\n{exc}")
        return False
    return True


def _from_folder() -> str | None:
    folder = st.text_input("Dataset folder (or dataset.toml / GeoPackage)", key="folder_input")
    if st.button("Open folder", key="open_folder") and folder:
        return folder if _try(folder) else None
    return None


def _from_upload() -> str | None:
    upload = st.file_uploader(
        f"GeoPackage or zipped dataset folder (max {MAX_UPLOAD_MB} MB)",
        type=["gpkg", "zip"],
        key="upload",
    )
    if upload is None or st.session_state.get("upload_done") == upload.file_id:
        return None
    st.session_state["upload_done"] = upload.file_id
    dest = Path(st.session_state.setdefault("upload_dir", tempfile.mkdtemp(prefix="covplan-")))
    try:
        path = save_upload(upload.name, upload.getvalue(), dest / "current")
    except CovplanError as exc:
        st.error(f"Upload refused; the previous dataset stays open.\n\n{exc}")
        return None
    return str(path) if _try(str(path)) else None


def render_sidebar() -> tuple[str, str]:
    """Draw the sidebar and return (dataset path, preset name)."""
    with st.sidebar:
        st.header("Data and targets")
        source = st.radio("Dataset", SOURCES, key="source")
        chosen = None
        if source == SOURCES[1]:
            chosen = _from_folder()
        elif source == SOURCES[2]:
            chosen = _from_upload()
        if chosen:
            st.session_state["dataset_path"] = chosen
        if "dataset_path" not in st.session_state:
            st.session_state["dataset_path"] = demo_path()
        presets = preset_names()
        preset = st.selectbox(
            "Target preset",
            presets,
            key="preset",
            index=presets.index("thai_nguyen_2025") if "thai_nguyen_2025" in presets else 0,
        )
    return str(st.session_state["dataset_path"]), str(preset)
