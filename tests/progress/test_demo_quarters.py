"""The demo province as quarterly snapshots, and covplan compare on them."""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from covplan.cli.main import main
from covplan.io import load_dataset
from covplan.metrics.villages import fibre_reached
from covplan.progress.outputs import output_names


def _sites(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "sites.csv")


def test_four_quarters_of_2025_each_a_dated_dataset(demo_quarters: list[Path]) -> None:
    assert [f.name for f in demo_quarters] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    days = [tomllib.loads((f / "dataset.toml").read_text(encoding="utf-8"))["dataset"]["as_of"]
            for f in demo_quarters]
    assert days == [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30),
                    dt.date(2025, 12, 31)]
    for folder in demo_quarters[:-1]:  # what does not grow is the same, byte for byte
        for name in ("terrain.tif", "roads.gpkg", "communes.gpkg", "population.tif"):
            assert (folder / name).read_bytes() == (demo_quarters[-1] / name).read_bytes()


def test_the_network_and_fibre_grow_quarter_by_quarter(demo_quarters: list[Path]) -> None:
    tables = [_sites(f) for f in demo_quarters]
    ids = [set(t["site_id"]) for t in tables]
    assert all(a < b for a, b in itertools.pairwise(ids))  # sites only added
    five = [set(t.loc[t["technology"] == "5G", "site_id"]) for t in tables]
    upgraded = {s for s in five[-1] if s in ids[0] and s not in five[0]}
    assert upgraded  # a 4G site in Q1 is a 5G site in Q4
    first = tables[0].set_index(["site_id", "sector"]).loc[sorted(upgraded)[0]]
    assert set(first["frequency_mhz"]) == {1800.0}
    reached = []
    for folder in demo_quarters:
        dataset = load_dataset(folder)
        reached.append(int(fibre_reached(dataset.villages, dataset.layer("fibre")).sum()))
    assert reached == sorted(reached) and reached[0] < reached[-1]


def test_the_same_seed_gives_the_same_snapshots(demo_quarters: list[Path],
                                                tmp_path: Path) -> None:
    from covplan.demo.snapshots import generate_snapshots

    again = generate_snapshots(tmp_path / "again", count=4, size="small")
    for old, new in zip(demo_quarters, again, strict=True):
        for name in ("sites.csv", "villages.gpkg", "fibre.gpkg", "dataset.toml"):
            assert (old / name).read_bytes() == (new / name).read_bytes(), (old.name, name)


def test_covplan_demo_writes_the_snapshots(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "quarters"
    assert main(["-q", "demo", "--size", "small", "--snapshots", "2", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "2025-Q3", "2025-Q4"]
    assert "2 quarterly snapshots" in capsys.readouterr().out
    assert main(["-q", "demo", "--snapshots", "2", "--country", "2", "--out",
                 str(tmp_path / "x")]) == 2


def test_compare_prints_the_table_over_time_and_writes_the_report(
        demo_quarters: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "progress"
    code = main(["-q", "compare", *(str(f) for f in demo_quarters), "--targets",
                 "thai_nguyen_2025", "--out", str(out), "--resolution", "120",
                 "--cache-dir", str(tmp_path / "cache"), "--lang", "en"])
    text = capsys.readouterr().out
    assert code == 0
    header = next(line for line in text.splitlines() if line.startswith("Target"))
    for label in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "Change 2025-Q3 → 2025-Q4"):
        assert label in header
    assert "2025-Q1 → 2025-Q2" in text and "sites: " in text
    assert "linear extrapolation of the observed pace, not a forecast" in text
    labels = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert sorted(p.name for p in out.iterdir()) == sorted(output_names(labels))
    assert (out / "progress.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "change_map_2025-Q3_to_2025-Q4.png").read_bytes()[:4] == b"\x89PNG"
    table = pd.read_csv(out / "progress_targets.csv", encoding="utf-8-sig")
    assert {"2025-Q1", "2025-Q4", "change_2025-Q3_to_2025-Q4", "pace"} <= set(table.columns)
    sites = pd.read_csv(out / "changes_sites.csv", encoding="utf-8-sig")
    added = set(sites.loc[sites["change"] == "added", "site_id"])
    q1, q4 = (set(_sites(f)["site_id"]) for f in (demo_quarters[0], demo_quarters[-1]))
    assert added == q4 - q1
    layers = {name for name, _ in pyogrio.list_layers(out / "progress.gpkg")}
    assert layers == {"commune_progress", "site_changes", "road_changes", "village_changes",
                      "poi_changes", "commune_changes"}
