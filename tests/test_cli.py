"""The command line, run in-process through ``main(argv)``: exit codes and output."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from covplan import __version__
from covplan.cli.main import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_validate_clean_dataset_exits_zero(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-q", "validate", str(tiny_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: tiny is valid (communes: 2, villages: 3, roads: 2, sites: 4")


def test_validate_bad_dataset_exits_two_without_traceback(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (tiny_dir / "sites.csv").read_text().replace("5G", "3G").replace("lon,", "lng,")
    (tiny_dir / "sites.csv").write_text(text)
    assert main(["validate", str(tiny_dir)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "missing required column 'lon'" in captured.err
    assert "rename column 'lng' to 'lon'" in captured.err


def test_problems_are_said_in_the_language_asked_for(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An official checking a dataset with ``--lang vi`` reads every problem in Vietnamese:
    the framing, the problem and the fix; file, column and values stay as written."""
    text = (tiny_dir / "sites.csv").read_text().replace("5G", "3G").replace("lon,", "lng,")
    (tiny_dir / "sites.csv").write_text(text)
    assert main(["validate", str(tiny_dir), "--lang", "vi"]) == 2
    said = capsys.readouterr().err
    # the missing lon and the 3G row (the rows without lon are not also "missing geometry")
    assert said.startswith("Lỗi: Phát hiện 2 lỗi trong dữ liệu đầu vào:\n")
    assert "sites.csv: lớp 'sites': cột 'lon': " in said
    assert "'lng'" in said and "'3G'" in said  # the user's own values, as written
    for english in ("missing required column", "rename column", "Fix:", "problems found"):
        assert english not in said
    assert main(["validate", str(tiny_dir)]) == 2  # English without --lang
    assert "2 problems found in the input:" in capsys.readouterr().err


def test_missing_dataset_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(tmp_path / "absent")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err


def test_info_lists_layers_crs_and_defaults(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(tiny_dir)]) == 0
    out = capsys.readouterr().out
    assert "CRS:     WGS 84 / UTM zone 48N (EPSG:32648)" in out
    first_words = [line.split()[0] for line in out.splitlines() if line.strip()]
    for layer in ("communes", "villages", "roads", "sites", "fibre", "pois", "terrain"):
        assert layer in first_words
    assert "4G: 1 sites / 3 sectors; 5G: 1 sites / 1 sectors" in out
    assert "Defaults applied and repairs made:" in out
    assert "sites: 5G defaults applied: frequency_mhz = 3500 (1 sectors)" in out


def test_info_speaks_vietnamese(tiny_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(tiny_dir), "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert "Hệ tọa độ:  WGS 84 / UTM zone 48N (EPSG:32648)" in out
    assert "4G: 1 trạm / 3 hướng phát sóng; 5G: 1 trạm / 1 hướng phát sóng" in out
    assert "Giá trị mặc định đã áp dụng và các sửa chữa đã thực hiện:" in out
    header = next(line for line in out.splitlines() if "lớp" in line and "phạm vi" in line)
    assert "số đối tượng" in header and "chi tiết" in header
    assert re.search(r"\d+,\d{3}–\d+,\d{3} Đ, \d+,\d{3}–\d+,\d{3} B", out)  # lon/lat the vi way


class _ClosedPipe(io.StringIO):
    """stdout whose reader has gone after the first line (``covplan info DATA | head -1``)."""

    def write(self, text: str) -> int:
        if "\n" in self.getvalue():
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_reader_that_stops_reading_is_not_a_failure(
        tiny_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The pipe closes early: covplan stops quietly with the shell's code for it (128 +
    SIGPIPE), without an "unexpected failure" to report."""
    with capsys.disabled():
        pipe, errors = _ClosedPipe(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", pipe)
        monkeypatch.setattr(sys, "stderr", errors)
        code = main(["info", str(tiny_dir)])
    assert pipe.getvalue().startswith("Dataset: tiny\n")
    assert code == 141 and errors.getvalue() == ""


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "No such command 'frobnicate'" in capsys.readouterr().err


def test_validate_says_the_loading_notes_in_vietnamese(
    tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The defaults applied and the repairs made are said in the reader's language; their
    numbers written the Vietnamese way, codes and column names as they are."""
    assert main(["validate", str(tiny_dir), "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert ("  ghi chú: sites: 5G, giá trị mặc định đã áp dụng: frequency_mhz = 3500 "
            "(1 sector)") in out, out
    assert "defaults applied" not in out and "note:" not in out
    assert main(["validate", str(tiny_dir)]) == 0  # English by default, as before
    assert "  note: sites: 5G defaults applied: frequency_mhz = 3500 (1 sectors)" in (
        capsys.readouterr().out)
