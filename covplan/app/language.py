"""The page's language: a switch in the sidebar, remembered for the session.

Until the user switches, the page speaks the target preset's language
(:func:`covplan.i18n.default_language`: Vietnamese for the shipped presets); a ``?lang=en``
in the address opens the page in that language, and the switch writes its choice there, so
a reload or a shared link keeps it.
"""

from __future__ import annotations

import streamlit as st

from covplan.errors import CovplanError
from covplan.i18n import LANGUAGE_NAMES, LANGUAGES, Language, default_language, language
from covplan.targets import load_targets

#: Session key of the language switch (a code of :data:`covplan.i18n.LANGUAGES`).
LANG_KEY = "lang"
#: Session key set once the user has chosen a language.
CHOSEN_KEY = "lang_chosen"


def page_language() -> Language:
    """The language the page speaks now (Vietnamese before anything is chosen)."""
    code = st.session_state.get(LANG_KEY)
    return language(code if code in LANGUAGES else "vi")


def _preset_language(preset: str) -> str:
    try:
        return default_language(load_targets(preset).language)
    except CovplanError:  # the sidebar reports a preset that does not load
        return "vi"


def _chosen() -> None:
    """Switch callback: the user's choice holds from now on, and goes into the address."""
    st.session_state[CHOSEN_KEY] = True
    st.query_params["lang"] = st.session_state[LANG_KEY]


def choose_language(preset: str) -> Language:
    """Draw the language switch at the top of the sidebar; the language chosen.

    ``preset`` is the target preset the sidebar shows: its language is the default until
    the user switches (or the address asks for one).
    """
    state = st.session_state
    asked = st.query_params.get("lang")
    if not state.get(CHOSEN_KEY):
        if asked in LANGUAGES:
            state[CHOSEN_KEY] = True
            state[LANG_KEY] = asked
        else:
            state[LANG_KEY] = _preset_language(preset)
    current = language(state[LANG_KEY])
    with st.sidebar:
        st.radio(
            current._("Language"),
            LANGUAGES,
            format_func=lambda code: LANGUAGE_NAMES[code],
            key=LANG_KEY,
            horizontal=True,
            on_change=_chosen,
        )
    return language(state[LANG_KEY])
