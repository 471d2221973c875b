"""How the app tells people what went wrong, and what to keep in mind about the data.

covplan's own errors (:class:`~covplan.errors.CovplanError`) carry a message written for
the user, the same the command line prints: it is shown as written. Any other exception is
a fault of covplan's, not of the data: the user reads a plain sentence saying what was being
done and that the details are in the server log, where the traceback goes. No exception
name or traceback ever reaches the page.
"""

from __future__ import annotations

import logging
import re

import streamlit as st

from covplan.io import Dataset

logger = logging.getLogger(__name__)

#: Characters Streamlit's markdown would act on (emphasis, code, math, links, HTML).
_MARKDOWN = re.compile(r"([\\`*_$~\[\]<>|#])")


def markdown_text(text: str) -> str:
    """``text`` escaped so that ``st.error`` and friends show it as written, line by line."""
    return "  \n".join(_MARKDOWN.sub(r"\\\1", line) for line in text.split("\n"))


def show_refusal(head: str, message: str) -> None:
    """``st.error`` with ``head`` (what happens now) above covplan's ``message``."""
    st.error(f"{head}\n\n{markdown_text(message)}")


def unexpected_message(action: str) -> str:
    """The plain sentence shown for a fault of covplan's while doing ``action``."""
    return (
        f"Something went wrong while {action}. The details are in the server log; please "
        "report them."
    )


def show_unexpected(action: str, then: str = "") -> None:
    """Log the exception being handled with its traceback; show a plain message instead.

    Parameters
    ----------
    action
        What was being done, as in "while loading the dataset".
    then
        What the user can do now, appended to the message.
    """
    logger.exception("Unexpected error while %s", action)
    st.error(f"{unexpected_message(action)}{' ' + then if then else ''}")


def show_dataset_notes(dataset: Dataset) -> None:
    """The dataset's name and sources, what the prediction stands on, and its warnings."""
    if dataset.synthetic:
        st.info(f"**{markdown_text(dataset.name)}** — SYNTHETIC demo data, not a real place.")
    else:
        credit = f" — {dataset.attribution}" if dataset.attribution else ""
        st.caption(markdown_text(f"{dataset.name}{credit}"))
    terrain = dataset.terrain_statement()
    if terrain not in dataset.warnings:  # a partial terrain is a warning, said once
        st.caption(markdown_text(f"Terrain: {terrain}."))
    for warning in dataset.warnings:
        st.warning(markdown_text(f"Warning: {warning}"))
