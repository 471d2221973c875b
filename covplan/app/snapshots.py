"""Choosing the snapshots the Progress page compares (in its sidebar).

Snapshots come from one of three places: the demo province's quarters of 2025 (generated
on first use, :func:`covplan.demo.snapshots.ensure_demo_snapshots`), dataset folders on
disk (one a line, as ``covplan compare`` takes them), or uploads (GeoPackages or zipped
dataset folders, each stored in a folder of its own and read confined to it, as the
planner's dataset uploads are: :mod:`covplan.app.upload`). Saved scenarios (the planner's
JSON files) join as plans on the last dataset. An upload that is refused is said at once
and left out; uploads stay with the session when the page is left (the uploader forgets
its files on another page) until they are replaced or forgotten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import streamlit as st

from covplan import settings
from covplan.app.compute import Shared, bar_progress, dataset_fingerprint
from covplan.app.notices import show_refusal
from covplan.app.upload import (
    MAX_UPLOAD_MB,
    Upload,
    discard_upload,
    save_file,
    save_upload,
    session_folder,
)
from covplan.datasets import DemoSize
from covplan.demo.snapshots import ensure_demo_snapshots
from covplan.errors import CovplanError
from covplan.i18n import N_, Language

#: Where the snapshots come from: the radio's values (English; shown translated).
SOURCES: Final = (N_("Demo quarters (synthetic)"), N_("Folders on disk"), N_("Uploads"))
#: Session buckets of the stored uploads, by the uploader's file id.
DATASET_UPLOADS: Final = "snapshot_uploads"
SCENARIO_UPLOADS: Final = "snapshot_scenarios"


@dataclass(frozen=True)
class SnapshotChoice:
    """The snapshots chosen, as ``covplan compare`` would take them.

    Parameters
    ----------
    paths
        Dataset folders (or GeoPackages), each saved scenario (``.json``) after the dataset
        it edits.
    fingerprints
        Per path, the version of its files (:func:`covplan.app.compute.dataset_fingerprint`,
        or a scenario file's size and time).
    names
        Per path, the uploaded file's name for an upload ("" for a path on disk).
    confined
        Read every dataset confined to its folder (uploads).
    uploads
        The uploads the paths lie in (their server folders are named by their names in
        messages).
    """

    paths: tuple[str, ...]
    fingerprints: tuple[str, ...]
    names: tuple[str, ...]
    confined: bool = False
    uploads: tuple[Upload, ...] = ()

    @property
    def key(self) -> str:
        """Names these snapshots as their files are now."""
        text = repr((self.paths, self.fingerprints, self.confined))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def relabel(self, text: str) -> str:
        """``text`` with every upload's server folder named by the upload, for the user."""
        for upload in self.uploads:
            text = upload.relabel(text)
        return text


def _version(path: Path, *, confined: bool) -> str:
    if path.suffix.lower() == ".json":
        try:
            info = path.stat()
            return f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            return "missing"
    return dataset_fingerprint(path, confined=confined)


def snapshot_choice(paths: Sequence[Path], *, names: Sequence[str] = (), confined: bool = False,
                    uploads: Sequence[Upload] = ()) -> SnapshotChoice:
    """The choice of ``paths`` as their files are now (``names``: per path, for uploads)."""
    shown = tuple(names) or ("",) * len(paths)
    return SnapshotChoice(tuple(str(p) for p in paths),
                          tuple(_version(p, confined=confined) for p in paths), shown,
                          confined, tuple(uploads))


@st.cache_resource(show_spinner=False)
def _demo_slot(size: DemoSize, data_dir: str) -> Shared[tuple[Path, ...]]:
    """Where the demo's quarters are kept, once per process (see :class:`Shared`)."""
    return Shared()


def _demo_folders(size: DemoSize, data_dir: str, progress: Callable[[float, str], None]
                  ) -> tuple[Path, ...]:
    """The demo's quarters, generated once per process (not twice by two sessions at once).

    The generation draws a progress bar, so it runs outside ``st.cache_resource`` (a cache
    hit could not replay the bar): the cache keeps the slot.
    """
    return _demo_slot(size, data_dir).get(lambda: tuple(
        ensure_demo_snapshots(size, data_dir=Path(data_dir), progress=progress)))


def _demo(lang: Language) -> list[Path]:
    """The demo quarters picked (all four at first)."""
    size: DemoSize = "small" if settings.demo_size == "small" else "full"
    bar = st.empty()
    progress = bar_progress(bar, lang._("Preparing the demo's quarters (first run only)…"),
                            every_s=0.5)
    folders = _demo_folders(size, str(settings.data_dir), progress)
    bar.empty()
    labels = [f.name for f in folders]
    picked = st.multiselect(lang._("Quarters"), labels, default=labels, key="snap_demo",
                            persist_state="session")
    return [f for f in folders if f.name in picked]


def _folders(lang: Language) -> list[Path]:
    text = st.text_area(
        lang._("Dataset folders, one a line"), key="snap_folders", persist_state="session",
        help=lang._("Each line a dataset folder, its dataset.toml or a GeoPackage, dated by "
                    "as_of in its manifest or by its name (2025-Q3). A scenario file (.json) "
                    "on the line after a folder is a plan on that folder's dataset."))
    return [Path(line.strip()) for line in str(text or "").splitlines() if line.strip()]


def _stored(files: Sequence[Any], bucket: str, store: Callable[[str, bytes], Upload],
            lang: Language) -> list[Upload]:
    """The uploads of ``files``, each stored once; the stored ones when the uploader is empty.

    A file removed from the uploader is removed from the server. The uploader forgets its
    files when the page is left: the uploads stored stay compared until the user forgets
    them (a button) or uploads others.
    """
    state = st.session_state
    stored: dict[str, Upload | None] = state.setdefault(bucket, {})
    if not files:
        kept = [u for u in stored.values() if u is not None]
        if kept:
            st.caption(lang._("Uploaded before: {files}.").format(
                files=", ".join(u.name for u in kept)))
            if st.button(lang._("Forget these uploads"), key=f"forget_{bucket}"):
                for upload in kept:
                    discard_upload(upload)
                stored.clear()
                return []
        return kept
    ids = [f.file_id for f in files]
    for file in files:
        if file.file_id in stored:
            continue
        try:
            stored[file.file_id] = store(file.name, file.getvalue())
        except CovplanError as exc:
            stored[file.file_id] = None  # refused once; said once
            show_refusal(lang._("Upload refused."), exc.text(lang))
    for gone in [i for i in stored if i not in ids]:
        removed = stored.pop(gone)
        if removed is not None:
            discard_upload(removed)
    return [u for i in ids if (u := stored.get(i)) is not None]


def _session_uploads() -> Path:
    return session_folder(st.session_state)


def _uploads(lang: Language) -> list[Upload]:
    files = st.file_uploader(
        lang._("GeoPackages or zipped dataset folders, one per snapshot (max {size} MB "
               "each)").format(size=MAX_UPLOAD_MB),
        type=["gpkg", "zip"], accept_multiple_files=True, key="snap_uploads")
    return _stored(files or [], DATASET_UPLOADS,
                   lambda name, data: save_upload(name, data, _session_uploads()), lang)


def _scenarios(lang: Language) -> list[Upload]:
    files = st.file_uploader(
        lang._("Saved scenarios (JSON), compared as plans on the last snapshot"),
        type=["json"], accept_multiple_files=True, key="snap_scenarios")
    return _stored(files or [], SCENARIO_UPLOADS,
                   lambda name, data: save_file(name, data, _session_uploads(),
                                                suffixes=(".json",),
                                                what="a saved scenario (JSON)"), lang)


def choose_snapshots(lang: Language) -> SnapshotChoice | None:
    """Draw the snapshot choice (in the sidebar); None (said) with fewer than two."""
    source = st.radio(lang._("Snapshots"), SOURCES, key="snap_source", format_func=lang._,
                      persist_state="session")
    names: list[str] = []
    uploads: list[Upload] = []
    confined = False
    if source == SOURCES[0]:
        paths = _demo(lang)
    elif source == SOURCES[1]:
        paths = _folders(lang)
    else:
        uploads = _uploads(lang)
        paths, names, confined = [u.root for u in uploads], [u.name for u in uploads], True
    scenarios = _scenarios(lang)
    if paths and scenarios:
        paths = [*paths, *(u.root for u in scenarios)]
        names = [*(names or [""] * (len(paths) - len(scenarios))), *(u.name for u in scenarios)]
        uploads = [*uploads, *scenarios]
    if len(paths) < 2:
        st.info(lang._("Pick two or more snapshots to compare."))
        return None
    return snapshot_choice(paths, names=names, confined=confined, uploads=uploads)
