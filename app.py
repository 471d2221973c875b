"""covplan — the Streamlit app. All computation lives in the covplan package."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="covplan — coverage planner", layout="wide")

from covplan.app.notices import show_unexpected  # noqa: E402  (set_page_config comes first)
from covplan.app.page import render  # noqa: E402

try:
    render()
except Exception:  # the last guard: never show a traceback or an exception's name
    show_unexpected(
        "drawing the page",
        "Open another dataset in the sidebar, or reload the page, to continue.",
    )
