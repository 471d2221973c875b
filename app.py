"""covplan — the Streamlit app. All computation lives in the covplan package."""

from __future__ import annotations

import logging

import streamlit as st

st.set_page_config(page_title="covplan — coverage planner", layout="wide")

from covplan.app.page import render  # noqa: E402  (set_page_config must come first)

try:
    render()
except Exception as exc:  # the last guard: never show a traceback to an official
    logging.getLogger("covplan.app").exception("Unexpected error in the app")
    st.error(
        f"Something went wrong: {type(exc).__name__}: {exc}. The details are in the "
        "server log; please report them. Reload the page to continue."
    )
