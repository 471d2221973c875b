"""covplan — the Streamlit app. All computation lives in the covplan package."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="covplan — coverage planner", layout="wide")

from covplan.app.page import render  # noqa: E402  (set_page_config must come first)

render()
