"""Safe handling of datasets uploaded through the app (no streamlit import here).

An upload is a GeoPackage, or a zip of a dataset folder (layer files and an optional
``dataset.toml``). Uploads are refused, with a message, when they are larger than
:data:`MAX_UPLOAD_MB`, are not geodata, or are zips with unsafe member paths (absolute,
``..``, links) or that expand beyond :data:`MAX_EXPANDED_MB` (zip bombs).
"""

from __future__ import annotations

import logging
import shutil
import stat
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Final

from covplan.errors import CovplanError
from covplan.io.manifest import MANIFEST_NAME, RASTER_SUFFIXES, VECTOR_SUFFIXES

logger = logging.getLogger(__name__)

#: Largest upload accepted, in MB (also Streamlit's ``server.maxUploadSize``).
MAX_UPLOAD_MB: Final = 200
#: Largest total size of a zip's members once extracted, in MB.
MAX_EXPANDED_MB: Final = 2048
#: Most members a zip may hold.
MAX_MEMBERS: Final = 5000


class UploadError(CovplanError, ValueError):
    """An uploaded file that covplan refuses, with the reason and what to upload instead."""


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in path.parts:
        return "a '..' path that points outside the folder"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return None


def check_zip(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The members to extract; raises :class:`UploadError` for anything unsafe."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadError(f"{name}: holds {len(members):,} files; at most {MAX_MEMBERS:,} allowed.")
    problems = [f"'{m.filename}' is {why}" for m in members if (why := _unsafe(m))]
    if problems:
        raise UploadError(
            f"{name}: refused, unsafe paths in the zip: {'; '.join(problems[:5])}. "
            "Zip the dataset folder itself, with relative paths only."
        )
    expanded = sum(m.file_size for m in members)
    if expanded > MAX_EXPANDED_MB * 1024**2:
        raise UploadError(
            f"{name}: expands to {expanded / 1024**2:,.0f} MB; at most "
            f"{MAX_EXPANDED_MB:,} MB allowed."
        )
    return [m for m in members if not m.is_dir()]


def dataset_root(folder: Path) -> Path:
    """The folder holding ``dataset.toml``, else the shallowest one holding layer files."""
    manifests = sorted(folder.rglob(MANIFEST_NAME), key=lambda p: len(p.parts))
    if manifests:
        return manifests[0].parent
    suffixes = set(VECTOR_SUFFIXES + RASTER_SUFFIXES) - {".zip", ".txt"}
    files = sorted(
        (p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes),
        key=lambda p: len(p.parts),
    )
    if not files:
        raise UploadError(
            "the zip holds no geodata (expected GeoPackage, GeoJSON, shapefile, CSV with lon/lat, "
            "GeoTIFF or .hgt files, and optionally a dataset.toml)."
        )
    return files[0].parent


def save_upload(name: str, data: bytes, dest: Path) -> Path:
    """Store an upload under ``dest`` and return the dataset path to load.

    Parameters
    ----------
    name
        The uploaded file's name (only its suffix is trusted).
    data
        Its content.
    dest
        An empty folder of the session's; created if needed, emptied first.

    Raises
    ------
    UploadError
        Too large, not geodata, or an unsafe zip.
    """
    size_mb = len(data) / 1024**2
    if size_mb > MAX_UPLOAD_MB:
        raise UploadError(
            f"{name}: {size_mb:,.0f} MB is larger than the {MAX_UPLOAD_MB} MB limit. "
            "Clip the data to the province, or load the folder from disk instead."
        )
    suffix = Path(name).suffix.lower()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if suffix == ".gpkg":
        if not data.startswith(b"SQLite format 3\x00"):
            raise UploadError(f"{name}: not a GeoPackage (it is not an SQLite file).")
        target = dest / "upload.gpkg"
        target.write_bytes(data)
        return target
    if suffix != ".zip":
        raise UploadError(
            f"{name}: not a dataset. Upload a GeoPackage (.gpkg) or a .zip of a "
            "dataset folder (layer files and an optional dataset.toml)."
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            archive.extractall(dest, members=check_zip(archive, name))
    except zipfile.BadZipFile:
        raise UploadError(f"{name}: not a valid zip file.") from None
    root = dataset_root(dest)
    logger.info("Upload %s extracted to %s", name, root)
    return root
