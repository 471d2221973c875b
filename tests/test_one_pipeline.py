"""``covplan analyze``, ``covplan report`` and the app give the same target table.

All three go through :class:`covplan.planning.ScenarioEvaluator`; this checks it from the
outside, on the tiny dataset and on a scenario that adds a site, with nothing shared
between the three runs (no cache, separate processes' worth of state).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from covplan.cli.main import main
from covplan.io import load_dataset
from covplan.planning import Scenario, save_scenario

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")

COLUMNS = ["id", "measured_percent", "covered", "total", "status", "shortfall"]


def _table(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path.parent / "data" / path.name)  # the CSV for machines
    return table[COLUMNS].sort_values("id").reset_index(drop=True)


def _app_table(data: Path, scenario: Scenario | None) -> pd.DataFrame:
    from covplan.app.compute import DatasetRef, evaluate, evaluator_for

    evaluator = evaluator_for(DatasetRef.at(data), "thai_nguyen_2025")
    if scenario is None:
        scenario = evaluator.baseline()
    result = evaluate(evaluator, scenario, lambda f, m: None)
    table = result.analysis.targets
    return table[COLUMNS].sort_values("id").reset_index(drop=True)


@pytest.mark.parametrize("with_scenario", [False, True], ids=["baseline", "one-site-added"])
def test_analyze_report_and_app_agree(tiny_dir: Path, tmp_path: Path,
                                      with_scenario: bool) -> None:
    resolution = ["--no-cache"]  # the default 30 m grid, as in the app
    scenario = None
    extra: list[str] = []
    if with_scenario:
        ds = load_dataset(tiny_dir)
        x, y = Transformer.from_crs(4326, ds.crs, always_xy=True).transform(105.88, 21.63)
        scenario = Scenario(ds.sites, dataset=ds.name).add_site(
            "NEW-1", x, y, technology="4G", height_m=35.0,
            sectors=[{"azimuth_deg": a} for a in (0.0, 120.0, 240.0)])
        path = save_scenario(scenario, tmp_path / "scenario.json")
        extra = ["--scenario", str(path)]
    else:
        assert main(["-q", "analyze", str(tiny_dir), "--out", str(tmp_path / "analyze"),
                     *resolution]) == 0
    assert main(["-q", "report", str(tiny_dir), "--format", "csv", "--out",
                 str(tmp_path / "report"), *resolution, *extra]) == 0
    report = _table(tmp_path / "report" / "targets.csv")
    app = _app_table(tiny_dir, scenario)  # the app's default grid, as the CLI's
    # the CSV for machines holds full precision
    pd.testing.assert_frame_equal(app, report, check_dtype=False, check_exact=False,
                                  rtol=0.0, atol=1e-9)
    if not with_scenario:
        pd.testing.assert_frame_equal(_table(tmp_path / "analyze" / "targets.csv"), report,
                                      check_exact=True)
    else:  # the added site changes the figures (else the comparison proves little)
        assert main(["-q", "report", str(tiny_dir), "--format", "csv", "--out",
                     str(tmp_path / "base"), *resolution]) == 0
        assert not _table(tmp_path / "base" / "targets.csv").equals(report)
