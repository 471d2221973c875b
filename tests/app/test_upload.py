"""Uploads: size limit, not-geodata, zip slip, and finding the dataset inside a zip."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from covplan.app import upload
from covplan.app.upload import UploadError, save_upload
from covplan.i18n import language


def zipped(files: dict[str, bytes], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_too_large_upload_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_UPLOAD_MB", 1)
    with pytest.raises(UploadError, match=r"big\.zip: 2 MB is larger than the 1 MB limit"):
        save_upload("big.zip", b"0" * (2 * 1024**2), tmp_path / "u")


def test_not_geodata_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match=r"notes\.docx: not a dataset\. Upload a GeoPackage"):
        save_upload("notes.docx", b"hello", tmp_path / "u")
    with pytest.raises(UploadError, match=r"fake\.gpkg: not a GeoPackage"):
        save_upload("fake.gpkg", b"hello", tmp_path / "u")
    with pytest.raises(UploadError, match=r"broken\.zip: not a valid zip file"):
        save_upload("broken.zip", b"PK\x03\x04garbage", tmp_path / "u")


@pytest.mark.parametrize("member", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv"])
def test_zip_slip_is_refused_and_nothing_escapes(tmp_path: Path, member: str) -> None:
    with pytest.raises(UploadError, match="unsafe paths in the zip"):
        save_upload("d.zip", zipped({"sites.csv": b"x", member: b"y"}), tmp_path / "u")
    assert not (tmp_path / "evil.csv").exists()


def test_symlink_in_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="'passwd' is a symbolic link"):
        save_upload("d.zip", zipped({"sites.csv": b"x"}, link="passwd"), tmp_path / "u")


def test_a_refused_zip_is_explained_in_the_readers_language(tmp_path: Path) -> None:
    data = zipped({"sites.csv": b"x", "../evil.csv": b"y"}, link="passwd")
    with pytest.raises(UploadError) as caught:
        save_upload("d.zip", data, tmp_path / "u")
    assert caught.value.text(language("vi")) == (
        "d.zip: bị từ chối, tệp zip có đường dẫn không an toàn: '../evil.csv' là một đường dẫn "
        "'..' trỏ ra ngoài thư mục; 'passwd' là một liên kết tượng trưng. Hãy nén chính thư mục "
        "bộ dữ liệu, chỉ với đường dẫn tương đối.")
    assert str(caught.value) == (
        "d.zip: refused, unsafe paths in the zip: '../evil.csv' is a '..' path that points "
        "outside the folder; 'passwd' is a symbolic link. Zip the dataset folder itself, with "
        "relative paths only.")


def test_zip_without_geodata(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="the zip holds no geodata"):
        save_upload("d.zip", zipped({"readme.md": b"hi"}), tmp_path / "u")


def test_dataset_root_is_the_manifest_folder(tmp_path: Path) -> None:
    data = zipped(
        {"prov/dataset.toml": b"[dataset]\n", "prov/sites.csv": b"x", "prov/extra/other.csv": b"y"}
    )
    saved = save_upload("d.zip", data, tmp_path / "u")
    assert saved.folder.parent == tmp_path / "u"
    assert saved.root == saved.folder / "prov"


def test_dataset_root_without_manifest(tmp_path: Path) -> None:
    data = zipped({"export/layers/communes.geojson": b"{}", "export/layers/sites.csv": b"x"})
    saved = save_upload("d.zip", data, tmp_path / "u")
    assert saved.root == saved.folder / "export" / "layers"


def _patched(data: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """The zip with the flags or compression method of every member's headers overwritten."""
    import struct

    out = bytearray(data)
    for signature, at_flags, at_method in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = out.find(signature)
        while start >= 0:
            if flags is not None:
                struct.pack_into("<H", out, start + at_flags, flags)
            if method is not None:
                struct.pack_into("<H", out, start + at_method, method)
            start = out.find(signature, start + 4)
    return bytes(out)


def test_encrypted_and_deflate64_members_are_refused_with_a_fix(tmp_path: Path) -> None:
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("sites.csv", "site_id,lon,lat\n")
    with pytest.raises(UploadError, match=r"'sites\.csv' is password-protected.*without a "
                                          r"password"):
        save_upload("d.zip", _patched(stored.getvalue(), flags=1), tmp_path / "u")
    with pytest.raises(UploadError, match=r"'sites\.csv' is compressed with Deflate64, which "
                                          r"covplan cannot read.*method Deflate"):
        save_upload("d.zip", _patched(stored.getvalue(), method=9), tmp_path / "u")
    assert not list((tmp_path / "u").iterdir())


def test_extraction_counts_the_bytes_it_writes(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The sizes a zip declares are checked first, but extraction does not rely on them."""
    monkeypatch.setattr(upload, "MAX_EXPANDED_MB", 1)
    monkeypatch.setattr(upload, "check_zip", lambda archive, name: archive.infolist())
    data = zipped({"a.csv": bytes(700_000), "b.csv": bytes(700_000)})
    with pytest.raises(UploadError, match=r"expands to more than 1 MB \(more than its headers "
                                          r"declare\)"):
        save_upload("d.zip", data, tmp_path / "u")
    assert not list((tmp_path / "u").iterdir())


def test_a_full_disk_is_an_upload_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(archive: zipfile.ZipFile, members: object, folder: Path, name: str) -> None:
        (folder / "half.csv").write_bytes(b"x" * 100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(upload, "_extract", no_space)
    with pytest.raises(UploadError, match=r"d\.zip: could not be stored on the server \(No "
                                          r"space left on device\)"):
        save_upload("d.zip", zipped({"sites.csv": b"x"}), tmp_path / "u")
    assert not list((tmp_path / "u").iterdir())


def test_each_upload_has_a_folder_of_its_own(tmp_path: Path) -> None:
    first = save_upload("one.zip", zipped({"sites.csv": b"x"}), tmp_path / "u")
    with pytest.raises(UploadError):
        save_upload("two.zip", zipped({"readme.md": b"hi"}), tmp_path / "u")
    assert list((tmp_path / "u").iterdir()) == [first.folder]
    assert (first.root / "sites.csv").read_bytes() == b"x"  # the refusal touched nothing
    upload.discard_upload(first)
    assert not list((tmp_path / "u").iterdir())


def test_macos_resource_forks_are_not_extracted(tmp_path: Path) -> None:
    data = zipped({"prov/sites.csv": b"x", "__MACOSX/prov/._sites.csv": b"\x00\x05",
                   "prov/._roads.gpkg": b"\x00"})
    saved = save_upload("d.zip", data, tmp_path / "u")
    assert saved.root == saved.folder / "prov"
    assert sorted(p.name for p in saved.folder.rglob("*")) == ["prov", "sites.csv"]


def test_messages_name_the_upload_not_the_server_folder(tmp_path: Path) -> None:
    zipped_upload = save_upload("tn.zip", zipped({"prov/sites.csv": b"x"}), tmp_path / "u")
    text = f"{zipped_upload.root / 'sites.csv'}: bad; read only inside {zipped_upload.root}."
    assert zipped_upload.relabel(text) == (
        "tn.zip/prov/sites.csv: bad; read only inside tn.zip/prov."
    )
    gpkg = save_upload("../my province.gpkg", b"SQLite format 3\x00", tmp_path / "u")
    assert gpkg.root == gpkg.folder / "my province.gpkg"
    assert gpkg.relabel(f"{gpkg.root}: not readable") == "my province.gpkg: not readable"


def test_windows_member_names_make_folders(tmp_path: Path) -> None:
    data = zipped({"prov\\": b"", "prov\\sites.csv": b"x", "prov\\dataset.toml": b""})
    saved = save_upload("d.zip", data, tmp_path / "u")
    assert saved.root == saved.folder / "prov"
    assert (saved.root / "sites.csv").read_bytes() == b"x"


def test_the_session_folder_is_made_once() -> None:
    from covplan.app.upload import session_folder

    state: dict[str, object] = {}
    first = session_folder(state)
    try:
        assert first.is_dir() and session_folder(state) == first  # no second folder
    finally:
        first.rmdir()
