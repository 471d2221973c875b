"""``covplan plan``: in-process through ``main(argv)``, on the small demo province."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from covplan.cli.main import main
from covplan.planning import load_scenario

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from covplan.datasets import ensure_demo

    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Per-site predictions shared by the runs of this module, as between real runs."""
    return tmp_path_factory.mktemp("cache")


def _run(demo: Path, out: Path, *extra: str, cache: Path | None = None) -> int:
    where = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    return main(["-q", "plan", str(demo), "--target", "roads_4g5g", "--resolution", "90",
                 *where, "--out", str(out), *extra])


def test_plan_writes_the_sites_and_both_tables(demo: Path, tmp_path: Path, cache_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    assert _run(demo, out, "--time-limit", "10", cache=cache_dir) == 0
    text = capsys.readouterr().out  # in the preset's language, Vietnamese
    assert "Quy hoạch cho roads_4g5g: Phủ sóng 4G/5G 100 % các tuyến cao tốc" in text
    assert "khoảng cách tối ưu" in text and "Sau (tính lại bằng mô hình dự báo)" in text
    assert "thứ tự  trạm" in text and "Plan for" not in text
    chosen = gpd.read_file(out / "plan.gpkg", layer="chosen_sites")
    candidates = gpd.read_file(out / "plan.gpkg", layer="candidates")
    assert len(chosen) > 0 and candidates["chosen"].sum() == len(chosen)
    table = pd.read_csv(out / "chosen_sites.csv", encoding="utf-8-sig")
    assert table["site_id"].tolist() == chosen["site_id"].tolist()
    assert {"lon", "lat", "gain", "predicted_percent"} <= set(table.columns)
    before = pd.read_csv(out / "targets_before.csv", encoding="utf-8-sig").set_index("id")
    after = pd.read_csv(out / "targets_after.csv", encoding="utf-8-sig").set_index("id")
    assert after.loc["roads_4g5g", "covered"] > before.loc["roads_4g5g", "covered"]
    summary = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    assert summary["sites"] == len(chosen) and summary["feasible"] is True
    assert summary["after_covered"] == pytest.approx(summary["predicted_covered"], rel=1e-9)
    from covplan.io import load_dataset

    scenario = load_scenario(out / "scenario.json", load_dataset(demo).sites)
    assert sorted(scenario.diff()["site_id"].unique()) == sorted(chosen["site_id"])
    assert _run(demo, out, "--lang", "en") == 2  # refuses to overwrite
    assert "already exist" in capsys.readouterr().err


def test_plan_with_at_most_k_sites_and_greedy(demo: Path, tmp_path: Path, cache_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "k"
    assert _run(demo, out, "--max-sites", "2", "--greedy-only", "--lang", "en",
                cache=cache_dir) == 0
    text = capsys.readouterr().out
    assert "Plan for roads_4g5g" in text and "optimality gap" in text
    assert "Before" in text and "After (re-evaluated by the engine)" in text
    assert len(gpd.read_file(out / "plan.gpkg", layer="chosen_sites")) <= 2


def test_plan_usage_errors(demo: Path, tmp_path: Path, cache_dir: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(demo, tmp_path / "a", "--max-sites", "2", "--reach") == 2
    assert "exclude each other" in capsys.readouterr().err
    code = main(["plan", str(demo), "--target", "nope", "--no-cache", "--out",
                 str(tmp_path / "b"), "--lang", "en"])
    assert code == 2
    assert "no target 'nope'" in capsys.readouterr().err
    assert _run(demo, tmp_path / "c", "--candidates", str(tmp_path / "missing.csv")) == 2
    assert "missing.csv" in capsys.readouterr().err
    assert main(["-q", "plan", str(demo), "--target", "fibre_villages", "--resolution", "90",
                 "--cache-dir", str(cache_dir), "--out", str(tmp_path / "d")]) == 2
    assert "không thể đạt bằng trạm vô tuyến mới" in capsys.readouterr().err  # preset language
