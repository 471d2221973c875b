"""The app page: the demo province (or a chosen dataset) at a glance."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from covplan.datasets import ensure_demo
from covplan.errors import CovplanError
from covplan.io import Dataset, load_dataset
from covplan.io.describe import layer_table


@st.cache_resource(show_spinner=False)
def _dataset(path: str) -> Dataset:
    return load_dataset(Path(path))


def _demo_folder() -> Path:
    bar = st.progress(0.0, text="Preparing the demo province…")

    def report(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    folder = ensure_demo("full", progress=report)
    bar.empty()
    return folder


def render() -> None:
    """Draw the page."""
    st.title("covplan — digital-infrastructure coverage planner")
    try:
        dataset = _dataset(str(_demo_folder()))
    except CovplanError as exc:
        st.error(str(exc))
        return
    if dataset.synthetic:
        st.warning(
            f"**{dataset.name}** — SYNTHETIC demo data, not a real place. {dataset.description}"
        )
    else:
        st.subheader(dataset.name)
    st.caption(f"Working CRS: {dataset.crs.name}")
    st.dataframe(layer_table(dataset), hide_index=True, use_container_width=True)
    if dataset.notes:
        with st.expander("Defaults applied and repairs made"):
            for note in dataset.notes:
                st.write(f"- {note}")
