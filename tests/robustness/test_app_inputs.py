"""Bad input through the app: the same message as ``covplan validate``, nothing lost or left.

Each case drives ``app.py`` with :class:`streamlit.testing.v1.AppTest` on the small demo
province: a broken dataset is opened as a folder on disk or uploaded as a zip (built in the
test from the valid tiny dataset of ``tests/conftest.py``), or an upload is refused as such.
Each asserts: one ``st.error`` holding the message the command line prints for the same input
(or, for a refused upload, the message :func:`~covplan.app.upload.save_upload` raises), no
traceback and no exception name, the previous dataset still open with the same figures, and
nothing left in the session's upload folder. Then: a failed open leaves nothing cached (a
fixed dataset opens at once), a refused upload leaves the accepted one usable, and the
dataset's warnings are on the page.
"""

from __future__ import annotations

import io
import logging
import re
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.app import compute, upload
from covplan.app.livemap import AFTER_MAP_KEY
from covplan.app.upload import Upload, UploadError, save_upload
from covplan.datasets import ensure_demo
from covplan.io import Dataset, load_dataset
from covplan.targets import load_targets

from .conftest import CliResult, snapshot
from .test_raster_inputs import _west_half

Cli = Callable[..., CliResult]
APP = str(Path(__file__).resolve().parents[2] / "app.py")
SECRET = "site_id,sector,lon,lat\nTOPSECRET-9f3a,1,105.8,21.6\n"
HEADER = "site_id,sector,lon,lat,technology,operator,height_m,azimuth_deg\n"
LAYERS = '[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "{sites}"\n'
#: An exception's class name, as a traceback or "unexpected failure: X" would show it.
TYPE_NAME = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b")


# --- the app ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    """The session's upload folder (set before the first run, so the test can look in it)."""
    return tmp_path / "uploads"


@pytest.fixture
def app(small_demo: Path, uploads: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", small_demo.parent)
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["upload_dir"] = str(uploads)
    at.session_state[AFTER_MAP_KEY] = True  # no browser draws the map here: tables at once
    at.query_params["lang"] = "en"  # the messages compared are the CLI's English ones
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    return at


def plain(markdown: str) -> str:
    """The text of a message as the user reads it (``covplan.app.notices.markdown_text`` undone)."""
    return re.sub(r"\\([\\`*_$~\[\]<>|#])", r"\1", markdown.replace("  \n", "\n"))


def errors(at: AppTest) -> list[str]:
    return [plain(e.value) for e in at.error]


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def open_folder(at: AppTest, folder: Path) -> AppTest:
    at.radio(key="source").set_value("Folder on disk").run()
    at.text_input(key="folder_input").set_value(str(folder))
    return at.button(key="open_folder").click().run()


def send(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="source").set_value("Upload").run()
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream"))
    return at.run()


class Opened:
    """What is open in the app now: the dataset and its figures."""

    def __init__(self, at: AppTest) -> None:
        self.dataset = at.session_state["dataset"]
        self.figures = figures(at)

    def still(self, at: AppTest) -> None:
        assert at.session_state["dataset"] == self.dataset
        assert figures(at) == self.figures


def assert_refused(at: AppTest, before: Opened, head: str, message: str) -> str:
    """One error: ``head`` then ``message`` as written; no exception shown; nothing changed."""
    assert not at.exception, [e.value for e in at.exception]
    shown = errors(at)
    assert len(shown) == 1, shown
    assert shown[0] == f"{head}\n\n{message}", shown[0]
    assert not TYPE_NAME.search(shown[0]), shown[0]
    before.still(at)
    return shown[0]


def validate_message(cli: Cli, path: Path) -> str:
    """What ``covplan validate`` says about ``path``, without its ``Error:`` prefix."""
    result = cli("validate", path)
    assert result.code == 2, result.text
    assert result.err.startswith("Error: "), result.err
    return str(result.err).removeprefix("Error: ").rstrip("\n")


# --- broken datasets, built from the tiny one -----------------------------------------------


def broken_manifest(folder: Path) -> None:
    text = '[dataset]\nname = "x\n' + LAYERS.format(sites="sites.csv")
    (folder / "dataset.toml").write_text(text)


def manifest_not_utf8(folder: Path) -> None:
    (folder / "dataset.toml").write_bytes(b'[dataset]\nname = "Th\xe1i Nguy\xean"\n')


def missing_file(folder: Path) -> None:
    (folder / "dataset.toml").write_text(LAYERS.format(sites="stations.csv"))


def missing_column(folder: Path) -> None:
    (folder / "sites.csv").write_text("site_id,lng,lat,technology\nA,105.8,21.6,4G\n")


def garbage_gpkg(folder: Path) -> None:
    (folder / "roads.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)


def undecodable_csv(folder: Path) -> None:
    # 0x81 and 0x8D are undefined in Windows-1258 and invalid alone in UTF-8
    (folder / "sites.csv").write_bytes(HEADER.encode() + b"TN\x81\x8d1,1,105.8,21.6,4G,a,30,0\n")


def binary_csv(folder: Path) -> None:
    garbage = bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8))
    (folder / "sites.csv").write_bytes(b"SECRET-CONTENT," + garbage)


def no_layers(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    (folder / "notes.txt").write_text("nothing here")


BROKEN = {
    "broken-manifest": broken_manifest,
    "manifest-not-utf8": manifest_not_utf8,
    "manifest-names-missing-file": missing_file,
    "missing-column": missing_column,
    "garbage-gpkg": garbage_gpkg,
    "undecodable-csv": undecodable_csv,
    "binary-csv": binary_csv,
    "no-layers": no_layers,
}
#: Zipped, a folder with no layer is refused as an upload (see REFUSED, "no-geodata").
BROKEN_ZIPPED = {k: v for k, v in BROKEN.items() if k != "no-layers"}


def zip_folder(folder: Path, prefix: str = "prov/") -> bytes:
    """The folder zipped as a user would: its files under ``prefix``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def as_uploaded(tmp_path: Path, name: str, data: bytes) -> Upload:
    """The upload extracted as the app does, outside the app: for the command line to read."""
    return save_upload(name, data, tmp_path / "for-the-cli")


@pytest.mark.parametrize("breaks", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_folder_says_what_validate_says(
    app: AppTest, tiny_dir: Path, cli: Cli, breaks: Callable[[Path], None]
) -> None:
    breaks(tiny_dir)
    expected = validate_message(cli, tiny_dir)
    before = Opened(app)
    shown = assert_refused(open_folder(app, tiny_dir),
                           before, "This dataset cannot be used. The previous dataset stays open.",
                           expected)
    assert "SECRET-CONTENT" not in shown


@pytest.mark.parametrize("breaks", BROKEN_ZIPPED.values(), ids=BROKEN_ZIPPED.keys())
def test_a_broken_zipped_dataset_says_what_validate_says(
    app: AppTest, tiny_dir: Path, cli: Cli, uploads: Path, tmp_path: Path,
    breaks: Callable[[Path], None]
) -> None:
    breaks(tiny_dir)
    data = zip_folder(tiny_dir)
    extracted = as_uploaded(tmp_path, "tn.zip", data)
    expected = extracted.relabel(validate_message(cli, extracted.root))
    assert str(tmp_path) not in expected  # no server folder shown: "tn.zip/prov/…"
    before = Opened(app)
    shown = assert_refused(send(app, "tn.zip", data), before,
                           "This dataset cannot be used. The previous dataset stays open.",
                           expected)
    assert "SECRET-CONTENT" not in shown and str(uploads) not in shown
    assert not snapshot(uploads)  # the refused upload's folder is gone


def test_a_garbage_geopackage_upload_says_what_validate_says(
    app: AppTest, cli: Cli, uploads: Path, tmp_path: Path
) -> None:
    data = b"SQLite format 3\x00" + b"\x13" * 5000
    extracted = as_uploaded(tmp_path, "province.gpkg", data)
    expected = extracted.relabel(validate_message(cli, extracted.root))
    assert expected.startswith("1 problem found in the input:\n  - province.gpkg: ")
    before = Opened(app)
    assert_refused(send(app, "province.gpkg", data), before,
                   "This dataset cannot be used. The previous dataset stays open.", expected)
    assert not snapshot(uploads)


# --- uploads are confined to their folder ---------------------------------------------------


@pytest.mark.parametrize("how", ["dotdot", "absolute", "dotdot-allowed"])
def test_an_upload_naming_a_file_outside_is_refused_unread(
    app: AppTest, tiny_dir: Path, cli: Cli, uploads: Path, tmp_path: Path, how: str
) -> None:
    secret = tmp_path / "x" / "secret.csv"  # where ../../x/secret.csv leads from the upload
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    name = str(secret) if how == "absolute" else "../../x/secret.csv"
    allow = "[dataset]\nallow_files_outside = true\n" if how == "dotdot-allowed" else ""
    (tiny_dir / "dataset.toml").write_text(allow + LAYERS.format(sites=name))
    data = zip_folder(tiny_dir, prefix="")
    before = Opened(app)
    if how == "dotdot-allowed":  # on disk the opt-out is honoured; in an upload, never
        send(app, "tn.zip", data)
        shown = errors(app)
        assert len(shown) == 1 and "leads outside the dataset folder" in shown[0], shown
        before.still(app)
    else:
        extracted = as_uploaded(tmp_path, "tn.zip", data)
        # validate reads a folder on disk, which may opt out: it proposes that; the app not
        expected = extracted.relabel(validate_message(cli, extracted.root)).replace(
            ", or allow it with [dataset] allow_files_outside = true", "")
        assert "leads outside" in expected or "is an absolute path" in expected
        shown = [assert_refused(send(app, "tn.zip", data), before, "This dataset cannot be "
                                "used. The previous dataset stays open.", expected)]
    assert "TOPSECRET" not in shown[0] and "allow_files_outside" not in shown[0]
    assert "covplan reads only files inside tn.zip." in shown[0]
    assert not snapshot(uploads)


# --- zips covplan refuses as such -----------------------------------------------------------


def zipped(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def patch_headers(data: bytes, *, flags: int | None = None, method: int | None = None,
                  size: int | None = None) -> bytes:
    """The zip with every member's header fields overwritten (local and central headers)."""
    out = bytearray(data)
    for signature, at_flags, at_method, at_size in ((b"PK\x03\x04", 6, 8, 22),
                                                    (b"PK\x01\x02", 8, 10, 24)):
        start = out.find(signature)
        while start >= 0:
            if flags is not None:
                struct.pack_into("<H", out, start + at_flags, flags)
            if method is not None:
                struct.pack_into("<H", out, start + at_method, method)
            if size is not None:
                struct.pack_into("<I", out, start + at_size, size)
            start = out.find(signature, start + 4)
    return bytes(out)


def with_link(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sites.csv", HEADER)
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


ZEROS = bytes(4 * 1024**2)
REFUSED = {
    "not-a-zip": ("bad.zip", b"not a zip at all", "not a valid zip file"),
    "encrypted": ("tn.zip", patch_headers(zipped({"sites.csv": HEADER.encode()}), flags=1),
                  "'sites.csv' is password-protected"),
    "deflate64": ("tn.zip", patch_headers(zipped({"sites.csv": HEADER.encode()},
                                                 zipfile.ZIP_STORED), method=9),
                  "'sites.csv' is compressed with Deflate64"),
    "zip-slip": ("tn.zip", zipped({"sites.csv": b"x", "../../evil.csv": b"y"}),
                 "'../../evil.csv' is a '..' path"),
    "absolute-member": ("tn.zip", zipped({"sites.csv": b"x", "/tmp/evil.csv": b"y"}),
                        "'/tmp/evil.csv' is an absolute path"),
    "symlink-member": ("tn.zip", with_link("passwd.csv"), "'passwd.csv' is a symbolic link"),
    "zip-bomb": ("tn.zip", zipped({"sites.csv": ZEROS}), "expands to 4 MB; at most 1 MB"),
    "lying-header": ("tn.zip", patch_headers(zipped({"sites.csv": ZEROS}), size=100),
                     "'sites.csv' cannot be extracted: the zip is damaged"),
    "no-geodata": ("tn.zip", zipped({"readme.md": b"hello"}), "the zip holds no geodata"),
    "nested-zip": ("tn.zip", zipped({"inner.zip": zipped({"sites.csv": b"x"})}),
                   "holds another zip ('inner.zip')"),
    "oversized": ("tn.zip", b"PK" + bytes(2 * 1024**2), "2 MB is larger than the 1 MB limit"),
    "gpkg-not-sqlite": ("tn.gpkg", b"PK\x03\x04 a zip renamed", "not a GeoPackage"),
}


@pytest.mark.parametrize(("name", "data", "named"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_upload_says_why_and_leaves_nothing(
    app: AppTest, uploads: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    name: str, data: bytes, named: str
) -> None:
    monkeypatch.setattr(upload, "MAX_EXPANDED_MB", 1)
    monkeypatch.setattr(upload, "MAX_UPLOAD_MB", 1)
    with pytest.raises(UploadError) as raised:
        save_upload(name, data, tmp_path / "direct")
    message = str(raised.value)
    assert named in message and not snapshot(tmp_path / "direct")
    before = Opened(app)
    shown = assert_refused(send(app, name, data), before,
                           "Upload refused. The previous dataset stays open.", message)
    assert re.search(r"(Fix|[Zz]ip the|[Uu]pload the|Clip the|Unzip it)", shown), shown
    assert not snapshot(uploads)
    assert not (tmp_path / "evil.csv").exists() and not Path("/tmp/evil.csv").exists()


# --- a failed open leaves nothing cached (issue 13, item 3) -------------------------------


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the app's loader read, in order (the dataset cache's misses)."""
    seen: list[str] = []
    def counted(path: Path, **kwargs: bool) -> Dataset:
        seen.append(str(path))
        return load_dataset(path, **kwargs)

    monkeypatch.setattr(compute, "load_dataset", counted)
    return seen


def test_a_fixed_manifest_opens_on_the_next_try(app: AppTest, tiny_dir: Path,
                                                loads: list[str]) -> None:
    broken_manifest(tiny_dir)
    before = Opened(app)
    open_folder(app, tiny_dir)
    assert len(errors(app)) == 1 and "not valid TOML" in errors(app)[0]
    before.still(app)
    (tiny_dir / "dataset.toml").write_text(LAYERS.format(sites="sites.csv")
                                           + '[layers.roads]\nfile = "roads.gpkg"\n')
    open_folder(app, tiny_dir)
    assert not app.exception and not app.error, errors(app)
    assert app.session_state["dataset"].path == str(tiny_dir)
    assert figures(app) != before.figures and loads == [str(tiny_dir)] * 2


def test_a_changed_file_is_read_again_when_opened_again(app: AppTest, tiny_dir: Path,
                                                        loads: list[str]) -> None:
    open_folder(app, tiny_dir)
    first = figures(app)
    open_folder(app, tiny_dir)  # nothing changed: the loaded dataset serves
    assert loads == [str(tiny_dir)] and figures(app) == first
    (tiny_dir / "sites.csv").write_text(HEADER + "TN009,1,105.85,21.625,4G,Viettel,40,\n")
    open_folder(app, tiny_dir)
    assert not app.error, errors(app)
    assert loads == [str(tiny_dir)] * 2 and figures(app) != first


@pytest.mark.parametrize("stage", ["evaluator", "first-evaluation"])
def test_a_failure_after_loading_keeps_nothing_and_a_retry_reads_again(
    app: AppTest, tiny_dir: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, stage: str
) -> None:
    """The crash of issue 13 came after the dataset had loaded; the retry must not reuse it."""
    target, real = (("load_targets", load_targets) if stage == "evaluator"
                    else ("evaluate", compute.evaluate))
    failures: list[int] = []

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        if not failures:
            failures.append(1)
            raise TypeError("sequence item 0: expected str instance, numpy.ndarray found")
        return real(*args, **kwargs)

    monkeypatch.setattr(compute, target, fails_once)
    before = Opened(app)
    with caplog.at_level(logging.ERROR, logger="covplan"):
        open_folder(app, tiny_dir)
    shown = errors(app)
    assert shown == ["Something went wrong while opening this dataset. The details are in the "
                     "server log; please report them. The previous dataset stays open."], shown
    before.still(app)
    assert any(r.exc_info and r.exc_info[0] is TypeError for r in caplog.records)  # logged
    open_folder(app, tiny_dir)  # the same files, tried again
    assert not app.exception and not app.error, errors(app)
    assert app.session_state["dataset"].path == str(tiny_dir)
    assert loads == [str(tiny_dir)] * 2  # read again, not the object of the failed attempt


def test_a_fault_while_drawing_shows_no_exception(app: AppTest, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from covplan.app import page

    def broken(*args: object) -> None:
        raise KeyError("commune_code")

    monkeypatch.setattr(page, "render_tables", broken)
    with caplog.at_level(logging.ERROR, logger="covplan"):
        app.run()
    assert not app.exception
    shown = errors(app)
    assert len(shown) == 1 and shown[0].startswith("Something went wrong while drawing the page. "
                                                   "The details are in the server log"), shown
    assert not TYPE_NAME.search(shown[0]) and "commune_code" not in shown[0]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


# --- a refused upload keeps the accepted one (issue 13, item 5) -----------------------------


@pytest.mark.parametrize("second", ["refused-upload", "refused-dataset"])
def test_a_refused_upload_keeps_the_accepted_one_usable(
    app: AppTest, tiny_dir: Path, uploads: Path, second: str
) -> None:
    send(app, "tn.zip", zip_folder(tiny_dir))
    assert not app.error, errors(app)
    accepted = Opened(app)
    assert accepted.dataset.confined and Path(accepted.dataset.path).is_relative_to(uploads)
    kept = snapshot(uploads)
    assert len([p for p in kept if p.is_file()]) >= 7
    if second == "refused-upload":
        send(app, "bad.zip", b"not a zip at all")
    else:
        missing_column(tiny_dir)
        send(app, "tn2.zip", zip_folder(tiny_dir))
    assert len(errors(app)) == 1 and "previous dataset stays open" in errors(app)[0]
    accepted.still(app)
    assert snapshot(uploads) == kept  # the accepted upload's files, and nothing else
    app.selectbox(key="preset").set_value("bac_ninh_2030").run()  # still usable
    assert not app.exception and not app.error, errors(app)
    assert app.session_state["dataset"] == accepted.dataset


def test_a_new_upload_replaces_the_previous_one_once_open(
    app: AppTest, tiny_dir: Path, uploads: Path
) -> None:
    send(app, "one.zip", zip_folder(tiny_dir))
    first = app.session_state["open_upload"]
    (tiny_dir / "sites.csv").write_text(HEADER + "TN009,1,105.85,21.625,4G,Viettel,40,\n")
    send(app, "two.zip", zip_folder(tiny_dir))
    assert not app.error, errors(app)
    second = app.session_state["open_upload"]
    assert second.folder != first.folder and not first.folder.exists()
    assert {p.parent for p in uploads.iterdir()} == {uploads}
    assert list(uploads.iterdir()) == [second.folder]


# --- warnings -----------------------------------------------------------------------------


def test_the_datasets_warnings_are_on_the_page(app: AppTest, tiny_dir: Path, cli: Cli) -> None:
    _west_half(tiny_dir)
    result = cli("validate", tiny_dir)
    assert result.code == 0, result.text
    warned = [line for line in result.err.splitlines() if line.startswith("Warning: ")]
    assert any("terrain: terrain.tif covers 50 % of the study area" in w for w in warned)
    open_folder(app, tiny_dir)
    assert not app.error, errors(app)
    assert [plain(w.value) for w in app.warning] == warned
    assert not any(plain(c.value).startswith("Terrain:") for c in app.caption)  # said once


def test_a_dataset_without_warnings_states_its_terrain(app: AppTest, tiny_dir: Path) -> None:
    open_folder(app, tiny_dir)
    assert not app.warning
    assert "Terrain: terrain.tif covers 100 % of the study area." in [
        plain(c.value) for c in app.caption]
