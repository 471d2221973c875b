"""Resuming a national run: a content hash per province and a folder of finished results.

:func:`province_digest` hashes what a province's result depends on: the bytes of every file
its manifest names (the manifest, its layers, a calibration), the target preset's text,
the run's settings, the covplan version and the prediction kernels' version.
:class:`ResultCache` keeps each finished province's result under its key, with that hash;
a rerun takes a province from it when the hash is unchanged and computes it again
otherwise. Each entry is written atomically when its province finishes, so a run that is
interrupted keeps what it did.

A change to covplan's code that alters results without changing its version or the
kernels' version is not noticed: run with ``--no-cache`` (or remove the folder) then.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
from importlib import resources
from pathlib import Path
from typing import Final

from covplan import __version__
from covplan.errors import DataFileNotFoundError
from covplan.export.atomic import atomic_file
from covplan.i18n import N_
from covplan.io.manifest import MANIFEST_NAME, Manifest
from covplan.predict._compute import KERNEL_VERSION
from covplan.scale.province import ProvinceJob, ProvinceResult, RunSettings

logger = logging.getLogger(__name__)

#: Version of the cache entries' layout; entries of another layout are computed again.
CACHE_FORMAT: Final = 1
_CHUNK: Final = 1 << 20


def _targets_text(spec: str) -> bytes:
    """The bytes of a preset (by name) or of a targets file."""
    preset = resources.files("covplan").joinpath("presets", f"{spec}.toml")
    if preset.is_file():
        return preset.read_bytes()
    return Path(spec).read_bytes()


def province_digest(manifest: Manifest, targets: str, settings: RunSettings) -> str:
    """The content hash of a province's inputs and the run's settings (hex).

    Parameters
    ----------
    manifest
        The province's manifest (:func:`covplan.io.manifest.discover`).
    targets
        Its preset name or targets file.
    settings
        The run's settings (their :meth:`~covplan.scale.province.RunSettings.fingerprint`).

    Raises
    ------
    covplan.errors.DataFileNotFoundError
        When a file the manifest names cannot be read.
    """
    digest = hashlib.blake2b(digest_size=20)
    header = {"covplan": __version__, "kernels": KERNEL_VERSION, "format": CACHE_FORMAT,
              "settings": settings.fingerprint()}
    digest.update(json.dumps(header, sort_keys=True).encode())
    files = {p for spec in manifest.layers.values() for p in spec.files}
    calibration = getattr(manifest, "calibration", None)  # a fitted calibration, when named
    for extra in (manifest.root / MANIFEST_NAME, calibration):
        if extra is not None and Path(extra).is_file():
            files.add(Path(extra))
    try:
        digest.update(hashlib.blake2b(_targets_text(targets)).digest())
        for path in sorted(files):
            digest.update(f"\0{path.name}\0{path.stat().st_size}\0".encode())
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
    except OSError as exc:
        raise DataFileNotFoundError(
            N_("{path}: cannot be read to hash the province's inputs ({reason}). Fix: check "
               "that the file exists and can be read."),
            path=exc.filename or targets, reason=exc.strerror) from None
    return digest.hexdigest()


def cache_name(key: str) -> str:
    """A file-name stem for a province key (a relative path) that no two keys share."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("._") or "province"
    return f"{slug[:60]}-{hashlib.blake2b(key.encode(), digest_size=4).hexdigest()}"


class ResultCache:
    """Finished province results in a folder, one file per province.

    Parameters
    ----------
    folder
        Where the results are kept (created when the first is stored).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{cache_name(key)}.pickle"

    def get(self, job: ProvinceJob) -> ProvinceResult | None:
        """The stored result of ``job``'s province if its hash is ``job.digest``, else None."""
        path = self._path(job.key)
        if not job.digest or not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                fmt, digest, result = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                ValueError, TypeError) as exc:
            logger.warning("Ignoring the unreadable cached result %s (%s)", path, exc)
            return None
        if fmt != CACHE_FORMAT or digest != job.digest or not isinstance(result,
                                                                           ProvinceResult):
            return None
        logger.info("%s: unchanged since the last run, taken from %s", job.name, path)
        return result

    def put(self, result: ProvinceResult) -> None:
        """Store a province's result (only results that ran, with a known hash)."""
        if not result.ok or not result.digest:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps((CACHE_FORMAT, result.digest, result),
                               protocol=pickle.HIGHEST_PROTOCOL)

        def write(tmp: Path) -> None:
            tmp.write_bytes(payload)

        atomic_file(self._path(result.key), write)
        logger.debug("Stored the result of %s", result.name)
