"""Comparing snapshots: zero change against itself; one site added, checked directly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from covplan.io import load_dataset
from covplan.planning import Evaluation, ScenarioEvaluator
from covplan.progress import compare_snapshots, load_snapshots
from covplan.progress.changes import GAINED
from covplan.progress.communes import commune_measures
from covplan.targets import TargetSet, load_targets

RESOLUTION_M = 90.0


@pytest.fixture(scope="module")
def targets() -> TargetSet:
    return load_targets("thai_nguyen_2025")


def test_a_snapshot_compared_with_itself_changes_nothing(tiny_dir: Path,
                                                         targets: TargetSet) -> None:
    comparison = compare_snapshots(load_snapshots([tiny_dir, tiny_dir]), targets,
                                   resolution_m=RESOLUTION_M)
    assert comparison.labels == ["tiny", "tiny (2)"]
    (changes,) = comparison.changes
    for frame in (changes.sites, changes.site_summary, changes.roads, changes.villages,
                  changes.pois, changes.communes):
        assert frame.empty
    assert changes.site_counts() == {"added": 0, "removed": 0, "changed": 0}
    for table in (comparison.target_table(), comparison.commune_table()):
        change = [c for c in table.columns if c.startswith("change_")
                  and not c.startswith("change_points_")]
        points = [c for c in table.columns if c.startswith("change_points_")]
        assert change and points
        shares = table["tiny"].to_numpy(float)
        measured = np.isfinite(shares)
        assert (table[change[0]].to_numpy(float)[measured] == 0.0).all()
        assert np.isnan(table[change[0]].to_numpy(float)[~measured]).all()  # not "0 villages"
        moved = table[points[0]].to_numpy(float)
        assert (moved[measured] == 0.0).all()  # NaN only where there is no data
        assert (table["status_tiny"] == table["status_tiny (2)"]).all()


def _evaluate(folder: Path, targets: TargetSet) -> Evaluation:
    return ScenarioEvaluator(load_dataset(folder), targets,
                             resolution_m=RESOLUTION_M).evaluate()


def test_one_site_added_gives_what_a_direct_computation_gives(
        before_after: tuple[Path, Path], new_site: str, targets: TargetSet) -> None:
    comparison = compare_snapshots(load_snapshots(list(before_after)), targets,
                                   resolution_m=RESOLUTION_M)
    assert comparison.labels == ["2025-Q2", "2025-Q3"]
    (changes,) = comparison.changes
    # the change list names exactly that site, added, with its three sectors
    assert set(changes.sites["site_id"]) == {new_site}
    assert set(changes.sites["change"]) == {"added"} and len(changes.sites) == 3
    assert changes.site_summary[["site_id", "change"]].values.tolist() == [[new_site, "added"]]
    # direct: each snapshot on its own through the one pipeline
    before, after = (_evaluate(folder, targets) for folder in before_after)
    rows = [e.analysis.targets.set_index("id") for e in (before, after)]
    roads = changes.roads[changes.roads["target"] == "roads_4g5g"]
    gained_km = roads.loc[roads["change"] == GAINED, "counted_km"].sum()
    direct_km = rows[1].loc["roads_4g5g", "covered"] - rows[0].loc["roads_4g5g", "covered"]
    assert direct_km > 0.5  # the site covers a stretch of QL.3
    assert gained_km == pytest.approx(direct_km, abs=1e-9)
    assert set(roads["change"]) == {GAINED} and set(roads["road"]) == {"QL.3"}
    table = comparison.target_table().set_index("id")
    assert table.loc["roads_4g5g", "change_2025-Q2_to_2025-Q3"] == pytest.approx(direct_km)
    # villages newly covered by 5G: the villages whose 5G share reaches the threshold now
    thresholds = targets.targets[-1].thresholds
    was, now = (e.context.village_signal(["5G"], thresholds)["covered"].to_numpy(bool)
                for e in (before, after))
    ids = before.context.villages["village_id"].to_numpy()
    villages = changes.villages[changes.villages["target"] == "residential_5g"]
    assert sorted(villages["village_id"]) == sorted(ids[now & ~was]) == ["V3"]
    assert set(villages["change"]) == {GAINED}
    assert changes.amounts("residential_5g") == (1.0, 0.0, "villages")


def test_commune_figures_add_up_to_the_province(tiny_dir: Path, targets: TargetSet) -> None:
    evaluation = _evaluate(tiny_dir, targets)
    communes = commune_measures(evaluation.context, targets)
    assert len(communes) == 2 * len(targets.targets)
    sums = communes.groupby("id")[["covered", "total"]].sum()
    province = evaluation.analysis.targets.set_index("id")
    for key in province.index:
        assert sums.loc[key, "total"] == pytest.approx(province.loc[key, "total"], rel=1e-9)
        assert sums.loc[key, "covered"] == pytest.approx(province.loc[key, "covered"],
                                                         rel=1e-9)


def test_tables_over_time_have_a_column_per_snapshot(before_after: tuple[Path, Path],
                                                     targets: TargetSet) -> None:
    comparison = compare_snapshots(load_snapshots(list(reversed(before_after))), targets,
                                   resolution_m=RESOLUTION_M)
    assert comparison.labels == ["2025-Q2", "2025-Q3"]  # ordered by date
    table = comparison.target_table()
    for column in ("2025-Q2", "2025-Q3", "covered_2025-Q3", "status_2025-Q2",
                   "change_2025-Q2_to_2025-Q3", "change_points_2025-Q2_to_2025-Q3", "pace"):
        assert column in table.columns
    over_time = comparison.over_time()
    assert list(over_time["snapshot"].unique()) == ["2025-Q2", "2025-Q3"]
    assert isinstance(over_time, pd.DataFrame) and len(over_time) == 2 * len(targets.targets)
    communes = comparison.commune_table()
    assert set(communes["code"]) == {"99001", "99002"}
    assert len(communes) == 2 * len(targets.targets)


def test_a_plan_compares_with_the_dataset_it_edits(before_after: tuple[Path, Path],
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from covplan.cli.main import main

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"covplan_scenario": 1, "name": "plan", "edits": [
        {"op": "add", "site_id": "PLAN-1", "lon": 105.885, "lat": 21.631, "technology": "5G",
         "height_m": 50}], "baseline": {"dataset": "another", "sites_sha256": "0" * 64}}),
        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["-q", "compare", str(before_after[0]), str(plan), "--out", str(out),
                 "--resolution", "90", "--no-cache", "--lang", "en"]) == 0
    printed = capsys.readouterr()
    text = printed.out
    # the plan was saved on other sites: said, as report --scenario says it
    assert ("Warning: plan: plan.json was made on other sites (dataset another)"
            in printed.err), printed.err
    assert "2025-Q2 → plan" in text and "sites: 1 added, 0 removed, 0 changed" in text
    assert "plan: undated (a plan)" in text
    sites = pd.read_csv(out / "changes_sites.csv", encoding="utf-8-sig")
    assert sites[["from", "to", "site_id", "change"]].values.tolist() == [
        ["2025-Q2", "plan", "PLAN-1", "added"]]


CALIBRATION = """[calibration]
format = 1
created = "2025-10-01"
dataset = "snap-after"
measurements = "drive.csv"
points = 120
clutter = false

[technology.4G]
model = "hata-suburban"
offset_db = 6.0
slope_db_per_decade = 0.0
distance_m = [100.0, 5000.0]
points = 120
class_offsets_db = {}
"""


def test_a_snapshot_calibrated_unlike_the_first_is_said_so(
        before_after: tuple[Path, Path], targets: TargetSet) -> None:
    """Coverage that rises because only the later quarter is calibrated is not progress of
    the network: the comparison says so with the snapshot (CLI, PDF, app show its
    warnings), naming both calibrations."""
    from covplan.i18n import language, said

    before, after = before_after
    (after / "calibration.toml").write_text(CALIBRATION, encoding="utf-8")
    manifest = after / "dataset.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "[dataset]\n", '[dataset]\ncalibration = "calibration.toml"\n', 1), encoding="utf-8")
    comparison = compare_snapshots(load_snapshots([before, after]), targets,
                                   resolution_m=RESOLUTION_M)
    first, later = comparison.snapshots
    assert not any("calibration" in w for w in first.warnings)
    (warning,) = [w for w in later.warnings if "calibration" in w]
    assert warning.startswith("2025-Q3 is predicted with another calibration than 2025-Q2 "
                              "(calibration.toml against no calibration)")
    assert "(calibration.toml so với không hiệu chỉnh)" in said(warning, language("vi"))
