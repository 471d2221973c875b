"""Safe handling of datasets uploaded through the app (no streamlit import here).

An upload is a GeoPackage, or a zip of a dataset folder (layer files and an optional
``dataset.toml``). Each upload is stored in a new folder of its own under the session's
upload folder, so a refused upload never touches the dataset that is open: the app makes
an upload current only once it has loaded, removes the previous one after that, and
removes a refused one completely (:func:`discard_upload`).

Uploads are refused, with a message saying what to upload instead, when they are larger
than :data:`MAX_UPLOAD_MB`, are not geodata, or are zips that covplan cannot open safely:
unsafe member paths (absolute, ``..``, links), password-protected members, compression
methods Python cannot read (Deflate64), zips inside the zip, damaged data, or more than
:data:`MAX_EXPANDED_MB` once extracted (zip bombs). Extraction counts the bytes actually
written against that budget; it does not trust the sizes the zip declares.
"""

from __future__ import annotations

import logging
import lzma
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

from covplan.errors import CovplanError
from covplan.i18n import N_, Name, Num, Phrase, joined
from covplan.io.manifest import MANIFEST_NAME, RASTER_SUFFIXES, VECTOR_SUFFIXES

logger = logging.getLogger(__name__)

#: Largest upload accepted, in MB (also Streamlit's ``server.maxUploadSize``).
MAX_UPLOAD_MB: Final = 200
#: Largest total size of a zip's members once extracted, in MB.
MAX_EXPANDED_MB: Final = 2048
#: Most members a zip may hold.
MAX_MEMBERS: Final = 5000

_CHUNK_BYTES: Final = 1 << 20
_SQLITE_HEADER: Final = b"SQLite format 3\x00"
_READABLE_METHODS: Final = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_METHOD_NAMES: Final = {6: "Implode", 9: "Deflate64", 93: "Zstandard", 95: "XZ", 98: "PPMd",
                        99: "AES encryption"}
#: What reading a damaged or unusual member raises (zipfile, zlib, bz2, lzma).
_DAMAGED: Final = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
                   NotImplementedError, RuntimeError)
#: Templates for "not <what>" (:func:`save_file`), by what the caller asks for and how many
#: suffixes it accepts; others are said in English only.
_NOT_THE_FILE: Final = {
    ("a measurement file (CSV or G-NetTrack log)", 2): N_(
        "{name}: not a measurement file (CSV or G-NetTrack log). Upload a {first} or {second} "
        "file."),
    ("a saved scenario (JSON)", 1): N_("{name}: not a saved scenario (JSON). Upload a {first} "
                                       "file."),
}


def session_folder(state: MutableMapping[Any, Any]) -> Path:
    """The session's folder for uploaded files, made the first time it is asked for."""
    if "upload_dir" not in state:
        state["upload_dir"] = tempfile.mkdtemp(prefix="covplan-")
    return Path(state["upload_dir"])


class UploadError(CovplanError, ValueError):
    """An uploaded file that covplan refuses, with the reason and what to upload instead."""


@dataclass(frozen=True)
class Upload:
    """An upload stored on the server.

    Parameters
    ----------
    name
        The file name as uploaded.
    folder
        The upload's own folder; removing it removes everything the upload stored.
    root
        The dataset to load: the GeoPackage, or the folder of the zip that holds the
        manifest (else the layer files).
    """

    name: str
    folder: Path
    root: Path

    def relabel(self, text: str) -> str:
        """``text`` with the server's folder replaced by the upload's name, for the user.

        A zip's files read ``prov.zip/prov/dataset.toml``; a GeoPackage reads by its name.
        """
        zipped = Path(self.name).suffix.lower() == ".zip"
        folders = sorted({str(self.folder.resolve()), str(self.folder)}, key=len, reverse=True)
        for folder in folders:
            text = text.replace(folder + "/", f"{self.name}/" if zipped else "")
            text = text.replace(folder, self.name)
        return text


def _member_parts(info: zipfile.ZipInfo) -> tuple[str, ...]:
    """The member's path inside the zip, as folder names and a file name."""
    return tuple(p for p in PurePosixPath(info.filename.replace("\\", "/")).parts if p != ".")


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why a member's path is refused (marked for translation), or None."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return N_("an absolute path")
    if ".." in _member_parts(info):
        return N_("a '..' path that points outside the folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        return N_("a symbolic link")
    return None


def _unreadable(info: zipfile.ZipInfo) -> Phrase | None:
    """Why a member cannot be read, or None."""
    if info.flag_bits & 0x1:
        return Phrase(N_("is password-protected; covplan cannot open encrypted zips"))
    if info.compress_type not in _READABLE_METHODS:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        return Phrase.of(N_("is compressed with {method}, which covplan cannot read"),
                         method=Name(method))
    return None


def _skipped(info: zipfile.ZipInfo) -> bool:
    """Whether a member is a macOS resource fork (``__MACOSX/``, ``._name``): never extracted."""
    parts = _member_parts(info)
    return not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._")


def check_zip(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The members to extract; raises :class:`UploadError` for anything covplan refuses.

    Parameters
    ----------
    archive
        The uploaded zip, opened.
    name
        Its name as uploaded, for the messages.

    Raises
    ------
    UploadError
        Too many members, unsafe paths, password-protected or unreadable members, a zip
        inside the zip, or more than :data:`MAX_EXPANDED_MB` declared.
    """
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadError(
            N_("{name}: holds {count} files; at most {limit} allowed. Zip only the dataset's "
               "layer files and its dataset.toml."),
            name=name, count=Num(len(members)), limit=Num(MAX_MEMBERS),
        )
    unsafe = [Phrase.of(N_("'{member}' is {why}"), member=Name(m.filename), why=why)
              for m in members if (why := _unsafe(m))]
    if unsafe:
        raise UploadError(
            N_("{name}: refused, unsafe paths in the zip: {members}. Zip the dataset folder "
               "itself, with relative paths only."),
            name=name, members=joined(unsafe[:5], N_("; ")),
        )
    members = [m for m in members if not _skipped(m)]
    unreadable = [Phrase.of(N_("'{member}' {why}"), member=Name(m.filename), why=reason)
                  for m in members if (reason := _unreadable(m))]
    if unreadable:
        raise UploadError(
            N_("{name}: {members}. Fix: zip the dataset folder again without a password and "
               "with the ordinary Deflate method (Windows: right-click the folder, Send to, "
               "Compressed (zipped) folder; 7-Zip: format zip, method Deflate)."),
            name=name, members=joined(unreadable[:5], N_("; ")),
        )
    nested = [m.filename for m in members if m.filename.lower().endswith(".zip")]
    if nested:
        raise UploadError(
            N_("{name}: holds another zip ('{member}'); covplan does not open zips inside zips. "
               "Fix: unzip it, put its files in the dataset folder, and zip that folder."),
            name=name, member=nested[0],
        )
    declared = sum(m.file_size for m in members)
    if declared > MAX_EXPANDED_MB * 1024**2:
        raise UploadError(
            N_("{name}: expands to {size} MB; at most {limit} MB allowed. Clip the data to the "
               "province, or load the folder from disk instead."),
            name=name, size=Num(declared / 1024**2), limit=Num(MAX_EXPANDED_MB),
        )
    return members


def _chunks(source: IO[bytes], name: str, member: str) -> Iterator[bytes]:
    """The member's bytes; a damaged member becomes an :class:`UploadError`."""
    while True:
        try:
            chunk = source.read(_CHUNK_BYTES)
        except _DAMAGED:
            raise UploadError(
                N_("{name}: '{member}' cannot be extracted: the zip is damaged (its data do not "
                   "match its headers). Zip the dataset folder again (Windows: right-click the "
                   "folder, Send to, Compressed (zipped) folder) and upload the new zip."),
                name=name, member=member,
            ) from None
        if not chunk:
            return
        yield chunk


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path,
             name: str) -> None:
    """Write ``members`` under ``folder``, counting the bytes written against the budget."""
    budget = MAX_EXPANDED_MB * 1024**2
    inside = folder.resolve()
    for info in members:
        target = folder.joinpath(*_member_parts(info))
        if not target.resolve().is_relative_to(inside):  # belt and braces: check_zip did it
            raise UploadError(N_("{name}: refused, '{member}' points outside the folder."),
                              name=name, member=info.filename)
        if info.filename.replace("\\", "/").endswith("/"):  # a folder (also as Windows writes it)
            target.mkdir(parents=True, exist_ok=True)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.open(info)
        except _DAMAGED:
            raise UploadError(
                N_("{name}: '{member}' cannot be extracted: the zip is damaged. Zip the dataset "
                   "folder again (Windows: right-click the folder, Send to, Compressed (zipped) "
                   "folder) and upload the new zip."),
                name=name, member=info.filename,
            ) from None
        with source, target.open("wb") as sink:
            for chunk in _chunks(source, name, info.filename):
                budget -= len(chunk)
                if budget < 0:
                    raise UploadError(
                        N_("{name}: expands to more than {limit} MB (more than its headers "
                           "declare); refused. Zip the dataset folder again (Windows: "
                           "right-click the folder, Send to, Compressed (zipped) folder) and "
                           "upload the new zip."),
                        name=name, limit=Num(MAX_EXPANDED_MB),
                    )
                sink.write(chunk)


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
            N_("the zip holds no geodata (expected GeoPackage, GeoJSON, shapefile, CSV with "
               "lon/lat, GeoTIFF or .hgt files, and optionally a dataset.toml). Zip the dataset "
               "folder itself and upload that.")
        )
    return files[0].parent


def _file_name(name: str) -> str:
    """The uploaded name, reduced to a safe file name (no folders, no leading dot)."""
    safe = re.sub(r"[^\w.\- ]", "_", PurePosixPath(name.replace("\\", "/")).name)
    return safe.lstrip(".") or "upload.gpkg"


def _store(name: str, data: bytes, folder: Path) -> Path:
    """Write the upload into ``folder`` (empty) and return the dataset path to load."""
    if Path(name).suffix.lower() == ".gpkg":
        if not data.startswith(_SQLITE_HEADER):
            raise UploadError(
                N_("{name}: not a GeoPackage (it is not an SQLite file). Upload the .gpkg your "
                   "GIS exported, or a .zip of the dataset folder."),
                name=name,
            )
        target = folder / _file_name(name)
        target.write_bytes(data)
        return target
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
            NotImplementedError):
        raise UploadError(
            N_("{name}: not a valid zip file (damaged, or another format renamed to .zip). Zip "
               "the dataset folder again (Windows: right-click the folder, Send to, Compressed "
               "(zipped) folder) and upload the new zip."),
            name=name,
        ) from None
    with archive:
        _extract(archive, check_zip(archive, name), folder, name)
    return dataset_root(folder)


def save_upload(name: str, data: bytes, uploads: Path) -> Upload:
    """Store an upload in a new folder of its own under ``uploads``.

    Parameters
    ----------
    name
        The uploaded file's name (only its suffix is trusted).
    data
        Its content.
    uploads
        The session's upload folder; created if needed. Nothing in it is touched.

    Returns
    -------
    Upload
        Where it is stored and which path to load.

    Raises
    ------
    UploadError
        Too large, not geodata, or a zip covplan refuses. Nothing is left behind.
    """
    size_mb = len(data) / 1024**2
    if size_mb > MAX_UPLOAD_MB:
        raise UploadError(
            N_("{name}: {size} MB is larger than the {limit} MB limit. Clip the data to the "
               "province, or load the folder from disk instead."),
            name=name, size=Num(size_mb), limit=MAX_UPLOAD_MB,
        )
    if Path(name).suffix.lower() not in (".gpkg", ".zip"):
        raise UploadError(
            N_("{name}: not a dataset. Upload a GeoPackage (.gpkg) or a .zip of a dataset "
               "folder (layer files and an optional dataset.toml)."),
            name=name,
        )
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
    try:
        root = _store(name, data, folder)
    except OSError as exc:  # the server's disk, not the upload (damaged zips are handled)
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadError(
            N_("{name}: could not be stored on the server ({reason}). Try again later, or ask "
               "the administrator to free disk space."),
            name=name, reason=exc.strerror or exc,
        ) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    logger.info("Upload %s stored in %s (dataset at %s)", name, folder, root)
    return Upload(name=name, folder=folder, root=root)


def save_file(name: str, data: bytes, uploads: Path, *, suffixes: tuple[str, ...],
              what: str) -> Upload:
    """Store one uploaded file as it is (a measurement log, a scenario) in a folder of its own.

    Parameters
    ----------
    name
        The uploaded file's name (only its suffix is trusted; the stored name is made safe).
    data
        Its content.
    uploads
        The session's upload folder; created if needed. Nothing in it is touched.
    suffixes
        The suffixes accepted (lower case, with the dot).
    what
        What the file should be, for the messages ("a measurement file (CSV or G-NetTrack
        log)").

    Returns
    -------
    Upload
        Its folder, and the stored file as ``root``.

    Raises
    ------
    UploadError
        Too large, another kind of file, or the server's disk refused it. Nothing is left
        behind.
    """
    size_mb = len(data) / 1024**2
    if size_mb > MAX_UPLOAD_MB:
        raise UploadError(
            N_("{name}: {size} MB is larger than the {limit} MB limit. Split the file, or read "
               "it from disk with the command line."),
            name=name, size=Num(size_mb), limit=MAX_UPLOAD_MB,
        )
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        template = _NOT_THE_FILE.get((what, len(suffixes)))
        if template is None:  # a kind of file no template says: English only
            raise UploadError(f"{name}: not {what}. Upload a {' or '.join(suffixes)} file.")
        raise UploadError(template, name=name, first=suffixes[0], second=suffixes[-1])
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
    target = folder / _file_name(name)
    if target.suffix.lower() != suffix:
        target = target.with_name(target.name + suffix)
    try:
        target.write_bytes(data)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadError(
            N_("{name}: could not be stored on the server ({reason}). Try again later, or ask "
               "the administrator to free disk space."),
            name=name, reason=exc.strerror or exc,
        ) from None
    logger.info("Upload %s stored as %s", name, target)
    return Upload(name=name, folder=folder, root=target)


def discard_upload(upload: Upload) -> None:
    """Remove everything ``upload`` stored (a refused upload, or one replaced by another)."""
    shutil.rmtree(upload.folder, ignore_errors=True)
    logger.info("Upload %s removed from %s", upload.name, upload.folder)
