"""Every problem of every layer, file and edit in one run, not in rounds.

The project's rule: bad input gets one clear error listing ALL problems (exit 2). Each case
breaks two or more things at once in the valid tiny dataset of ``tests/conftest.py`` (two
layers, a layer and a raster, a manifest's missing files, a scenario edit's fields) and
checks that ONE ``covplan`` run names every one of them, with no file read that cannot be:
a missing file is one problem among the others, a file over the size limit is refused
before it is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from covplan import settings

from .conftest import (
    CliResult,
    assert_nothing_new,
    assert_refused,
    snapshot,
    with_peak_memory,
)

Cli = Callable[..., CliResult]
HEADER = "site_id,sector,lon,lat,technology,operator,height_m,azimuth_deg\n"
#: Line 3 of this table has a height that is not a number.
SITES_BAD_HEIGHT = (HEADER + "TN001,1,105.805,21.605,4G,Viettel,30,0\n"
                    "TN001,2,105.805,21.605,4G,Viettel,ba mươi,120\n")
TRUNCATED_GEOJSON = b'{"type": "FeatureCollection", "features": [{"type": "Feat'
GARBAGE_TIFF = b"II*\x00" + bytes(range(256)) * 4


def bad_height(folder: Path) -> None:
    (folder / "sites.csv").write_text(SITES_BAD_HEIGHT, encoding="utf-8")


# --- (a) vector problems do not stop the raster checks -------------------------------------


def test_a_bad_sites_height_and_a_truncated_tile_in_one_run(tiny_dir: Path, cli: Cli) -> None:
    bad_height(tiny_dir)
    (tiny_dir / "terrain.tif").unlink()
    (tiny_dir / "N21E105.hgt").write_bytes(b"\x00\x01" * 1000)  # 2,000 bytes of 2,884,802
    before = snapshot(tiny_dir)
    result = cli("validate", tiny_dir)
    assert_refused(result, "2 problems found in the input",
                   "sites.csv", "column 'height_m'", "line 3", "expected a number",
                   "N21E105.hgt", "expected 2,884,802 bytes", fix="re-download it")
    assert_nothing_new(before, tiny_dir)


# --- (b) every missing file of a manifest at once ------------------------------------------


def test_a_manifests_missing_csv_and_tile_in_one_run(tiny_dir: Path, cli: Cli) -> None:
    (tiny_dir / "dataset.toml").write_text(
        '[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "stations.csv"\n'
        '[layers.terrain]\nfile = "N21E105.hgt"\n', encoding="utf-8")
    result = cli("validate", tiny_dir)
    assert_refused(result, "2 problems found in the input",
                   "stations.csv: file not found", "N21E105.hgt: terrain file not found",
                   fix="check the name in dataset.toml")


def test_every_missing_tile_and_csv_in_one_run(tiny_dir: Path, cli: Cli) -> None:
    (tiny_dir / "dataset.toml").write_text(
        '[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "stations.csv"\n'
        '[layers.terrain]\nfile = ["N21E105.hgt", "N21E106.hgt"]\n', encoding="utf-8")
    result = cli("validate", tiny_dir)
    assert_refused(result, "3 problems found in the input", "stations.csv: file not found",
                   "N21E105.hgt: terrain file not found", "N21E106.hgt: terrain file not found")


# --- (c) one unreadable or oversized file does not stop the others --------------------------


def test_a_truncated_communes_file_and_a_corrupt_population_raster(tiny_dir: Path,
                                                                   cli: Cli) -> None:
    (tiny_dir / "communes.gpkg").unlink()
    (tiny_dir / "communes.geojson").write_bytes(TRUNCATED_GEOJSON)
    (tiny_dir / "population.tif").write_bytes(GARBAGE_TIFF)
    result = cli("validate", tiny_dir)
    assert_refused(result, "2 problems found in the input",
                   "communes.geojson: cannot be read as a vector file",
                   "export it again from your GIS",
                   "population.tif", "GDAL cannot read it", fix="re-export the raster")


def test_an_oversized_communes_file_and_a_bad_sites_height(
        tiny_dir: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "max_file_mb", 512.0)
    with (tiny_dir / "communes.gpkg").open("r+b") as handle:  # sparse: nothing is written
        handle.truncate(600 * 1024**2)
    bad_height(tiny_dir)
    result, peak = with_peak_memory(cli, "validate", tiny_dir)
    assert_refused(result, "2 problems found in the input",
                   "communes.gpkg: the communes file is 600 MB", "more than covplan reads (512 MB)",
                   "COVPLAN_MAX_FILE_MB", "sites.csv", "column 'height_m'", "line 3",
                   fix="write plain numbers")
    assert peak < 100 * 1024**2  # the 600 MB file was not read


def test_a_lone_missing_file_keeps_its_own_error(tiny_dir: Path) -> None:
    """One problem alone is raised as it always was (a missing file: FileNotFoundError)."""
    from covplan.errors import DataFileNotFoundError
    from covplan.io import load_dataset

    (tiny_dir / "dataset.toml").write_text(
        '[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "stations.csv"\n',
        encoding="utf-8")
    with pytest.raises(DataFileNotFoundError, match=r"stations\.csv: file not found"):
        load_dataset(tiny_dir)


def test_without_a_sound_vector_layer_the_raster_files_are_still_checked(
        tmp_path: Path, cli: Cli) -> None:
    """No layer to place the study area by: the tiles' names and sizes are checked alone."""
    (tmp_path / "sites.csv").write_text(SITES_BAD_HEIGHT, encoding="utf-8")
    (tmp_path / "N21E105.hgt").write_bytes(b"\x00\x01" * 1000)
    result = cli("validate", tmp_path)
    assert_refused(result, "2 problems found in the input", "column 'height_m'",
                   "N21E105.hgt", "expected 2,884,802 bytes")


# --- (d) every problem of every scenario edit at once --------------------------------------


def test_every_problem_of_every_edit_in_one_run(tiny_dir: Path, cli: Cli,
                                                tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"covplan_scenario": 1, "edits": [
        # eirp_dbm is a column of a sites file, not a value an edit sets (tx_power_dbm is)
        {"op": "add", "site_id": "NEW-1", "lon": 21.61, "lat": 105.81, "technology": "6G",
         "height_m": -5, "eirp_dbm": 60},
        {"op": "modify", "site_id": "TN009", "hieght_m": 30, "tilt_deg": 99},
    ]}), encoding="utf-8")
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    result = cli("report", tiny_dir, "--scenario", scenario, "--format", "csv", "--out", out)
    assert_refused(result, "7 problems found in the input", str(scenario),
                   "edit 1: lon/lat 21.61, 105.81 are not degrees (lon and lat look swapped)",
                   "edit 1: unknown field eirp_dbm",
                   "column 'technology': edit 1: unknown technology '6G'",
                   "column 'height_m': edit 1: negative height_m (-5)",
                   "edit 2: unknown field hieght_m",
                   "site 'TN009' does not exist",
                   "column 'tilt_deg': edit 2: tilt_deg 99 is outside the plausible range")
    assert_nothing_new(before, tmp_path)
    lines = [line for line in result.text.splitlines() if line.startswith("  - ")]
    assert [("edit 1" in line, "edit 2" in line) for line in lines] == \
        [(True, False)] * 4 + [(False, True)] * 3  # edit by edit


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_problems_found_together_are_said_in_the_readers_language(
        tiny_dir: Path, cli: Cli, lang: str) -> None:
    """A missing file listed among other problems is said as its own error is."""
    (tiny_dir / "dataset.toml").write_text(
        '[layers.communes]\nfile = "communes.gpkg"\n[layers.sites]\nfile = "stations.csv"\n'
        '[layers.roads]\nfile = "roads.gpkg"\n', encoding="utf-8")
    (tiny_dir / "roads.gpkg").write_bytes(b"\x07\x00garbage" * 500)
    result = cli("validate", tiny_dir, "--lang", lang)
    assert result.code == 2, result.text
    lines = [line for line in result.text.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2, result.text
    if lang == "vi":
        assert not any("file not found" in line or "cannot be read" in line for line in lines)
    else:
        assert any("stations.csv: file not found" in line for line in lines)
        assert any("roads.gpkg: cannot be read as a vector file" in line for line in lines)


def test_a_problem_is_said_once(tiny_dir: Path, cli: Cli) -> None:
    """The rasters checked beside a layer's problem add none of their own when sound."""
    bad_height(tiny_dir)
    result = cli("validate", tiny_dir)
    assert_refused(result, "1 problem found in the input", "column 'height_m'")
    assert sum("height_m" in line for line in result.text.splitlines()) == 1
