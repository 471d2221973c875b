"""How the app tells people what went wrong, and what to keep in mind about the data.

covplan's own errors (:class:`~covplan.errors.CovplanError`) carry a message written for
the user, the same the command line prints: it is shown as written. Any other exception is
a fault of covplan's, not of the data: the user reads a plain sentence saying what was being
done and that the details are in the server log, where the traceback goes. No exception
name or traceback ever reaches the page.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from covplan.app.language import page_language
from covplan.i18n import N_, Language, language
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


def unexpected_message(action: str, lang: Language | None = None) -> str:
    """The plain sentence shown for a fault of covplan's while doing ``action``.

    ``action`` is marked with :func:`~covplan.i18n.N_` where it is written ("drawing the
    page") and said in ``lang`` (default English).
    """
    lang = lang or language("en")
    return lang._(
        "Something went wrong while {action}. The details are in the server log; please "
        "report them."
    ).format(action=lang._(action))


def show_unexpected(action: str, then: str = "", *, lang: Language | None = None) -> None:
    """Log the exception being handled with its traceback; show a plain message instead.

    Parameters
    ----------
    action
        What was being done, as in "while loading the dataset" (marked with ``N_``).
    then
        What the user can do now (already in ``lang``), appended to the message.
    lang
        The page's language (default English).
    """
    logger.exception("Unexpected error while %s", action)
    st.error(f"{unexpected_message(action, lang)}{' ' + then if then else ''}")


def show_page_fault(lang: Language) -> None:
    """:func:`show_unexpected` for a fault while drawing the page, and what to do then."""
    show_unexpected(
        N_("drawing the page"),
        lang._("Open another dataset in the sidebar, or reload the page, to continue."),
        lang=lang,
    )


P = ParamSpec("P")


def guarded(part: Callable[P, None]) -> Callable[P, None]:
    """``part`` behind the page's last guard: for the body of a fragment (``st.fragment``).

    A fragment's own run (a report from the page, a chosen tab, a timer) does not pass
    through ``app.py``'s guard, and Streamlit shows a fragment's exception itself,
    traceback and all. Here a fault is logged and shown in the fragment's place with
    :func:`show_page_fault`, as it would be for the whole page.
    """

    @functools.wraps(part)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            part(*args, **kwargs)
        except Exception:
            show_page_fault(page_language())

    return run


def show_dataset_notes(dataset: Dataset, lang: Language) -> None:
    """The dataset's name and sources, what the prediction stands on, and its warnings.

    "What the prediction stands on" is the terrain and the calibration (or none) the
    predictions use.
    """
    if dataset.synthetic:
        st.info(lang._("**{name}** — SYNTHETIC demo data, not a real place.").format(
            name=markdown_text(dataset.name)))
    else:
        credit = f" — {dataset.attribution}" if dataset.attribution else ""
        st.caption(markdown_text(f"{dataset.name}{credit}"))
    coverage = dataset.terrain_coverage
    if coverage is None or not coverage.partial:  # a partial terrain is a warning, said once
        st.caption(markdown_text(lang._("Terrain: {statement}").format(
            statement=dataset.terrain_statement(lang)) + "."))
    st.caption(markdown_text(lang._("Calibration: {statement}").format(
        statement=dataset.calibration_statement(lang)) + "."))
    for warning in dataset.warnings_in(lang):
        st.warning(markdown_text(lang._("Warning: {warning}").format(warning=warning)))
