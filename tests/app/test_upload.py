"""Uploads: size limit, not-geodata, zip slip, and finding the dataset inside a zip."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from covplan.app import upload
from covplan.app.upload import UploadError, save_upload


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


def test_zip_without_geodata(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="the zip holds no geodata"):
        save_upload("d.zip", zipped({"readme.md": b"hi"}), tmp_path / "u")


def test_dataset_root_is_the_manifest_folder(tmp_path: Path) -> None:
    data = zipped(
        {"prov/dataset.toml": b"[dataset]\n", "prov/sites.csv": b"x", "prov/extra/other.csv": b"y"}
    )
    assert save_upload("d.zip", data, tmp_path / "u") == tmp_path / "u" / "prov"


def test_dataset_root_without_manifest(tmp_path: Path) -> None:
    data = zipped({"export/layers/communes.geojson": b"{}", "export/layers/sites.csv": b"x"})
    assert save_upload("d.zip", data, tmp_path / "u") == tmp_path / "u" / "export" / "layers"
