"""Snapshots: dates and labels, the manifest's as_of, and input covplan compare refuses."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import affinity

from covplan.cli.main import main
from covplan.i18n import language
from covplan.io import load_dataset
from covplan.progress import SnapshotError, check_comparable, load_snapshots
from covplan.progress.snapshots import date_from_name, date_label


@pytest.mark.parametrize(("day", "label"), [(dt.date(2025, 9, 30), "2025-Q3"),
                                            (dt.date(2025, 12, 31), "2025-Q4"),
                                            (dt.date(2025, 8, 15), "2025-08-15")])
def test_a_date_labels_a_snapshot_as_a_quarter_when_it_ends_one(day: dt.date,
                                                                 label: str) -> None:
    assert date_label(day) == label


@pytest.mark.parametrize(("name", "day"), [("2025-Q3", dt.date(2025, 9, 30)),
                                           ("2024q1", dt.date(2024, 3, 31)),
                                           ("2025-08-15", dt.date(2025, 8, 15)),
                                           ("tiny", None)])
def test_a_folder_name_may_date_a_snapshot(name: str, day: dt.date | None) -> None:
    assert date_from_name(name) == day


def test_the_manifest_as_of_dates_the_dataset(before_after: tuple[Path, Path]) -> None:
    assert load_dataset(before_after[0]).as_of == dt.date(2025, 6, 30)
    (snapshot,) = load_snapshots([before_after[1]])
    assert (snapshot.label, snapshot.as_of) == ("2025-Q3", dt.date(2025, 9, 30))


def test_an_as_of_in_quotes_is_refused_with_the_fix(before_after: tuple[Path, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    manifest = before_after[0] / "dataset.toml"
    text = manifest.read_text(encoding="utf-8").replace("as_of = 2025-06-30",
                                                        'as_of = "30/06/2025"')
    manifest.write_text(text, encoding="utf-8")
    assert main(["validate", str(before_after[0])]) == 2
    err = capsys.readouterr().err
    assert "as_of" in err and "write as_of = 2025-09-30" in err


def _compare(*snaps: Path, out: Path) -> int:
    return main(["-q", "compare", *(str(s) for s in snaps), "--out", str(out),
                 "--resolution", "90", "--no-cache", "--lang", "en"])


def test_snapshots_that_fail_to_load_are_each_reported(
        before_after: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "2025-Q4"
    empty.mkdir()
    broken = shutil.copytree(before_after[1], tmp_path / "broken")
    (broken / "sites.csv").write_text("site_id,sector,lon,lat,technology\n"
                                      "X1,1,105.8,21.6,3G\n", encoding="utf-8")
    assert _compare(before_after[0], empty, broken, out=tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "2 of 3 snapshot(s) could not be loaded" in err
    assert f"snapshot {empty}" in err and "no vector layer found" in err
    assert f"snapshot {broken}" in err and "technology" in err and "3G" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(SnapshotError) as caught:  # each snapshot's problem in Vietnamese
        load_snapshots([before_after[0], empty, broken])
    said = caught.value.text(language("vi")).splitlines()
    assert said[0] == "không nạp được 2 trong 3 kỳ số liệu:"
    assert said[1] == f"kỳ số liệu {empty}: Phát hiện 1 lỗi trong dữ liệu đầu vào:"
    assert "Cách sửa" in said[2]
    at = next(k for k, line in enumerate(said) if line.startswith(f"kỳ số liệu {broken}: "))
    assert "'3G'" in " ".join(said[at:]) and "công nghệ" in " ".join(said[at:])
    assert "could not be loaded" not in "\n".join(said)


def test_snapshots_of_another_study_area_are_refused(before_after: tuple[Path, Path],
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = shutil.copytree(before_after[1], tmp_path / "elsewhere")
    communes = gpd.read_file(elsewhere / "communes.gpkg")
    communes["geometry"] = [affinity.translate(g, xoff=0.03) for g in communes.geometry]
    communes.to_file(elsewhere / "communes.gpkg")
    with pytest.raises(SnapshotError, match="covers another study area"):
        check_comparable(load_snapshots([before_after[0], elsewhere]))
    assert _compare(before_after[0], elsewhere, out=tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "covers another study area" in err and "same communes layer" in err


def test_snapshots_in_other_crss_are_refused(before_after: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    other = shutil.copytree(before_after[1], tmp_path / "vn2000")
    manifest = other / "dataset.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "[dataset]\n", '[dataset]\ncrs = "EPSG:3405"\n'), encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"EPSG:3405.*same working CRS") as caught:
        check_comparable(load_snapshots([before_after[0], other]))
    said = caught.value.text(language("vi"))
    assert said.startswith("không so sánh được các kỳ số liệu:\n") and "EPSG:3405" in said
    assert "đặt cùng một hệ tọa độ làm việc cho cả hai" in said


def test_one_snapshot_is_not_a_comparison(before_after: tuple[Path, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert _compare(before_after[0], out=tmp_path / "out") == 2
    assert "two or more snapshots" in capsys.readouterr().err


def test_a_scenario_before_any_dataset_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{}", encoding="utf-8")
    with pytest.raises(SnapshotError, match="comes before any dataset"):
        load_snapshots([plan])


def test_a_scenario_is_a_snapshot_of_its_dataset(before_after: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"covplan_scenario": 1, "name": "Q4 plan", "edits": [
        {"op": "remove", "site_id": "TN002"}]}), encoding="utf-8")
    first, second = load_snapshots([before_after[0], plan])
    assert (second.label, second.as_of) == ("Q4 plan", None)
    assert second.dataset is first.dataset
    assert second.sites is not None and "TN002" not in set(second.sites["site_id"])
