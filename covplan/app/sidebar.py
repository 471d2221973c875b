"""The sidebar: which dataset (demo, folder, upload), which targets, counted where.

The targets (:func:`render_targets`: the preset, and the switch that counts every signal
target outdoors or indoors behind a building's entry loss) are drawn on every page, so the
choice holds across pages.

A dataset chosen here becomes the open one only once it has loaded and its baseline has
been evaluated (:func:`covplan.app.compute.open_dataset`); otherwise the sidebar says why
and the previous dataset stays open. Each upload is stored in a folder of its own; the
previous upload's folder is removed only after the new dataset is open, and a refused
upload's folder at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import streamlit as st

from covplan import datasets, settings
from covplan.app.compute import (
    ENVIRONMENTS,
    DatasetRef,
    Environment,
    TargetChoice,
    bar_progress,
    forget,
    open_dataset,
    preset_environment,
)
from covplan.app.notices import markdown_text, show_refusal, show_unexpected
from covplan.app.upload import MAX_UPLOAD_MB, Upload, discard_upload, save_upload, session_folder
from covplan.datasets import DemoSize, ensure_demo
from covplan.errors import CovplanError
from covplan.i18n import N_, Language
from covplan.radio.indoor import BUILDING_TYPES, BuildingType
from covplan.targets import TargetSet, load_targets, preset_names
from covplan.targets.schema import BUILDING_WORDS

#: Where a dataset comes from: the radio's values (English; shown translated).
SOURCES = (N_("Demo province (synthetic)"), N_("Folder on disk"), N_("Upload"))
#: What the user reads when a chosen dataset is not opened.
KEPT = N_("The previous dataset stays open.")
#: The preset shown first.
DEFAULT_PRESET = "thai_nguyen_2025"
#: Where the targets count signal: the switch's words.
ENVIRONMENT_WORDS: dict[str, str] = {"outdoor": N_("Outdoor"), "indoor": N_("Indoor")}
#: Session keys of the preset, the switch and the building type.
PRESET_KEY = "preset"
ENVIRONMENT_KEY = "environment"
BUILDING_KEY = "building"


@dataclass(frozen=True)
class Opened:
    """A dataset that has just opened, and the upload that holds it (None for a folder)."""

    ref: DatasetRef
    upload: Upload | None = None


def demo_path(lang: Language) -> str:
    """The demo province folder, generated with a progress bar on first use."""
    bar = st.progress(0.0, text=lang._("Preparing the demo province (first run only)…"))
    size: DemoSize = "small" if settings.demo_size == "small" else "full"
    folder = ensure_demo(size, progress=bar_progress(
        bar, lang._("Preparing the demo province (first run only)…")))
    bar.empty()
    return str(folder)


def _demo_is_open() -> bool:
    """Whether the open dataset is the demo province (or none is open yet)."""
    current: DatasetRef | None = st.session_state.get("dataset")
    if current is None:
        return True
    size: DemoSize = "small" if settings.demo_size == "small" else "full"
    return current.path == str(datasets.demo_path(size))  # as demo_path() opened it


def _same(text: str) -> str:
    return text


def _open(ref: DatasetRef, targets: TargetChoice, lang: Language,
          relabel: Callable[[str], str] = _same) -> bool:
    """Open ``ref`` (load, evaluator, baseline); on failure say why and keep the current one."""
    place = st.empty()
    try:
        with st.spinner(lang._("Loading and validating the dataset…")):
            open_dataset(ref, targets, st.session_state,
                         bar_progress(place, lang._("Loading and validating the dataset…")))
    except CovplanError as exc:
        head = lang._("This dataset cannot be used.") + " " + lang._(KEPT)
        show_refusal(head, relabel(exc.text(lang)))
        return False
    except Exception:
        show_unexpected(N_("opening this dataset"), lang._(KEPT), lang=lang)
        return False
    finally:
        place.empty()
    return True


def _from_folder(targets: TargetChoice, lang: Language) -> Opened | None:
    folder = st.text_input(lang._("Dataset folder (or dataset.toml / GeoPackage)"),
                           key="folder_input", persist_state="session")
    if st.button(lang._("Open folder"), key="open_folder") and folder:
        ref = DatasetRef.at(folder)  # the files as they are now: a fixed folder is read again
        return Opened(ref) if _open(ref, targets, lang) else None
    return None


def _from_upload(targets: TargetChoice, lang: Language) -> Opened | None:
    upload = st.file_uploader(
        lang._("GeoPackage or zipped dataset folder (max {size} MB)").format(
            size=MAX_UPLOAD_MB),
        type=["gpkg", "zip"],
        key="upload",
    )
    if upload is None or st.session_state.get("upload_done") == upload.file_id:
        return None
    st.session_state["upload_done"] = upload.file_id
    uploads = session_folder(st.session_state)
    try:
        saved = save_upload(upload.name, upload.getvalue(), uploads)
    except CovplanError as exc:
        show_refusal(lang._("Upload refused.") + " " + lang._(KEPT), exc.text(lang))
        return None
    except Exception:
        show_unexpected(N_("storing the upload"), lang._(KEPT), lang=lang)
        return None
    ref = DatasetRef.at(saved.root, confined=True)  # an upload reads only its own files
    if not _open(ref, targets, lang, saved.relabel):
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
    return str(st.session_state.get(PRESET_KEY) or DEFAULT_PRESET)


def _preset(preset: str) -> TargetSet | None:
    """The shipped preset ``preset``, None if it does not load (the page reports why).

    Read again only when its file changes (an edited preset counts at the next run): a
    read takes about 3 ms, and the box asks for every preset at every run.
    """
    try:
        stat = Path(str(resources.files("covplan").joinpath("presets", f"{preset}.toml"))).stat()
    except OSError:  # not a file on disk (a zipped install): it cannot change
        return _read_preset(preset, None)
    return _read_preset(preset, (stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=32)
def _read_preset(preset: str, version: tuple[int, int] | None) -> TargetSet | None:
    """:func:`_preset` once per ``version`` of its file."""
    try:
        return load_targets(preset)
    except CovplanError:
        return None


def preset_title(preset: str) -> str:
    """What the preset box shows: the preset's own name ("Thái Nguyên 2025"), else its id."""
    loaded = _preset(preset)
    return loaded.name if loaded is not None and loaded.name else preset


def preset_help(preset: str, lang: Language) -> str | None:
    """The preset's description in ``lang`` (Vietnamese where it has one) and its id."""
    loaded = _preset(preset)
    if loaded is None:
        return None
    text = loaded.description_vi if lang.code == "vi" and loaded.description_vi else (
        loaded.description)
    return markdown_text(f"{text} ({preset})" if text else preset)


def _written(preset: str) -> tuple[Environment | None, BuildingType]:
    """Where the preset's own targets count signal (None: some outdoors, some indoors)."""
    loaded = _preset(preset)
    return preset_environment(loaded) if loaded is not None else ("outdoor", "traditional")


def _carry(key: str, default: str, options: Sequence[str]) -> None:
    """Give the widget under ``key`` the value chosen last, on whichever page drew it.

    Each page of ``st.navigation`` has widgets of its own: the preset drawn on the Progress
    page is another widget than the planner's, and the value of the one left behind is
    dropped after the first run of the other page (which would draw the default). Written
    back under its key before the widget is drawn, the choice goes on to the next page's
    widget, and an unknown value (a preset file removed) falls back to ``default``.
    """
    state = st.session_state
    value = state.get(key)
    state[key] = value if value in options else default


def render_targets(lang: Language) -> TargetChoice:
    """The target preset and the outdoor/indoor switch (in the sidebar); the choice.

    The switch starts where the preset's targets count signal; indoors, the building type
    (ITU-R P.2109) starts as the preset's.
    """
    presets = preset_names()
    _carry(PRESET_KEY, DEFAULT_PRESET if DEFAULT_PRESET in presets else presets[0], presets)
    preset = str(st.selectbox(lang._("Target preset"), presets, key=PRESET_KEY,
                              format_func=preset_title,
                              help=preset_help(str(st.session_state[PRESET_KEY]), lang)))
    written, building_written = _written(preset)
    building = building_written
    _carry(ENVIRONMENT_KEY, written or "outdoor", ENVIRONMENTS)
    environment = st.radio(
        lang._("Coverage counted"), ENVIRONMENTS, key=ENVIRONMENT_KEY, horizontal=True,
        format_func=lambda e: lang._(ENVIRONMENT_WORDS[str(e)]),
        help=lang._("Indoor: every signal target is counted inside buildings, where the "
                    "outdoor signal must also overcome the building entry loss of ITU-R "
                    "P.2109."))
    if environment == "indoor":
        _carry(BUILDING_KEY, building, BUILDING_TYPES)
        picked = st.selectbox(lang._("Buildings (ITU-R P.2109)"), BUILDING_TYPES,
                              key=BUILDING_KEY, persist_state="session",
                              format_func=lambda b: lang._(BUILDING_WORDS[str(b)]))
        building = "thermally-efficient" if picked == "thermally-efficient" else "traditional"
    if written is None:
        st.caption(lang._("This preset counts some targets outdoors and others indoors; the "
                          "switch counts every target the same way."))
    return TargetChoice.of(preset, "indoor" if environment == "indoor" else "outdoor", building,
                           written=(written, building_written))


def counted_where(targets: TargetSet, lang: Language) -> str:
    """Where ``targets`` count signal, in a sentence (indoors: the entry loss added)."""
    indoor = [t for t in targets.targets if t.indoor]
    if not indoor:
        return lang._("Coverage counted outdoors: a target is met where the predicted outdoor "
                      "signal reaches its threshold.")
    first = indoor[0]
    losses = ", ".join(f"{tech} +{lang.number(loss, 1)} dB" for tech, loss in first.indoor_loss_db)
    every = len(indoor) == len([t for t in targets.targets if t.technologies])
    template = (lang._("Coverage counted indoors: the outdoor signal must also overcome the "
                       "building entry loss of ITU-R P.2109 ({building} building, {probability} "
                       "probability: {losses}).") if every else
                lang._("Coverage counted indoors for some targets: their outdoor signal must "
                       "also overcome the building entry loss of ITU-R P.2109 ({building} "
                       "building, {probability} probability: {losses})."))
    return template.format(building=lang._(BUILDING_WORDS.get(first.building, first.building)),
                           probability=lang.percent(first.indoor_probability_percent, 0),
                           losses=losses)


def show_counted_where(targets: TargetSet, lang: Language) -> None:
    """Say on the page where the targets count signal: indoors stands out."""
    where = markdown_text(counted_where(targets, lang))
    if any(t.indoor for t in targets.targets):
        st.info(where)
    else:
        st.caption(where)


def render_sidebar(lang: Language) -> tuple[DatasetRef, TargetChoice]:
    """Draw the sidebar and return (the open dataset, the targets chosen)."""
    with st.sidebar:
        st.header(lang._("Data and targets"))
        data = st.container()  # above the targets on the page, filled once they are known
        targets = render_targets(lang)
        with data:
            source = st.radio(lang._("Dataset"), SOURCES, key="source", format_func=lang._,
                              persist_state="session")
            opened = None
            if source == SOURCES[1]:
                opened = _from_folder(targets, lang)
            elif source == SOURCES[2]:
                opened = _from_upload(targets, lang)
            elif not _demo_is_open():  # back to the demo after a folder or an upload
                demo = DatasetRef.at(demo_path(lang))
                opened = Opened(demo) if _open(demo, targets, lang) else None
        if opened is not None:
            _make_current(opened)
        if "dataset" not in st.session_state:
            st.session_state["dataset"] = DatasetRef.at(demo_path(lang))
    ref: DatasetRef = st.session_state["dataset"]
    return ref, targets
