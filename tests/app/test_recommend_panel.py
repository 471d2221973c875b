"""The "Recommend sites" panel through AppTest, on the small demo (in Vietnamese).

The panel's answer is checked against ``covplan plan`` run on the same dataset and target
(same sites, same objective), and against the engine: the scenario it leaves on the map
measures what the solver promised.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from covplan.cli.main import main

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


def _percent(value: str) -> float:
    """``"72,1 %"`` (the page's Vietnamese) as 72.1."""
    return float(value.rstrip(" %").replace(".", "").replace(",", "."))


def _tile(at: AppTest, label: str) -> float:
    (value,) = [m.value for m in at.metric if label in m.label]
    return _percent(value)


def _summary(at: AppTest) -> pd.DataFrame:
    (frame,) = [f.value for f in at.dataframe if "Hứa hẹn" in f.value.columns]
    return frame


@pytest.fixture
def recommended(app: AppTest) -> AppTest:
    """The app after a recommendation for the roads target, the fewest sites."""
    app.toggle(key="rec_open").set_value(True).run()
    app.multiselect(key="rec_targets").set_value(["roads_4g5g"])
    app.button(key="rec_run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def test_the_panel_answers_as_covplan_plan_does(recommended: AppTest, small_demo: Path,
                                                tmp_path: Path) -> None:
    scenario = recommended.session_state["scenario"]
    added = scenario.diff()
    assert len(added) and set(added["change"]) == {"added"}
    app_sites = sorted(added["site_id"].astype(str).unique())
    out = tmp_path / "plan"
    assert main(["-q", "plan", str(small_demo), "--target", "roads_4g5g", "--no-cache",
                 "--time-limit", "20", "--out", str(out)]) == 0
    cli = pd.read_csv(out / "chosen_sites.csv", encoding="utf-8-sig")
    assert app_sites == sorted(cli["site_id"].astype(str))
    summary = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    row = _summary(recommended).iloc[0]
    assert int(row["Số trạm mới"]) == summary["sites"] == len(app_sites)
    total = summary["total"]
    assert _percent(row["Hứa hẹn"]) == pytest.approx(
        100 * summary["predicted_covered"] / total, abs=0.051)


def test_the_scenario_measures_what_the_solver_promised(recommended: AppTest) -> None:
    row = _summary(recommended).iloc[0]
    assert row["Đo được"] == row["Hứa hẹn"]  # the engine, re-run with the sites
    assert _tile(recommended, "Phủ sóng 4G/5G 100 %") == _percent(row["Đo được"])
    assert _percent(row["Đo được"]) > _percent(row["Trước"])
    assert not recommended.button(key="undo").disabled  # an ordinary scenario: editable


def test_removing_a_proposed_site_lowers_the_target(recommended: AppTest) -> None:
    from covplan.app.state import edits_key

    scenario = recommended.session_state["scenario"]
    before = _tile(recommended, "Phủ sóng 4G/5G 100 %")
    site = str(scenario.diff()["site_id"].iloc[0])
    recommended.session_state["scenario"] = scenario.remove_site(site)
    recommended.run()
    assert not recommended.exception, [e.value for e in recommended.exception]
    assert _tile(recommended, "Phủ sóng 4G/5G 100 %") < before
    assert edits_key(recommended.session_state["scenario"]) != edits_key(scenario)


def test_at_most_k_sites_for_two_targets(app: AppTest) -> None:
    app.toggle(key="rec_open").set_value(True).run()
    app.multiselect(key="rec_targets").set_value(["roads_4g5g", "residential_5g"])
    app.radio(key="rec_how").set_value("At most, per target").run()
    app.number_input(key="rec_k").set_value(2)
    app.button(key="rec_run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    frame = _summary(app)
    assert len(frame) == 2
    assert all(int(n) <= 2 for n in frame["Số trạm mới"])
    added = app.session_state["scenario"].diff()["site_id"].unique()
    assert len(added) == sum(int(n) for n in frame["Số trạm mới"])


def test_a_finished_run_takes_its_cancel_button_away(recommended: AppTest) -> None:
    """"Cancel" belongs to the run: once the sites are proposed it is gone (a late click said
    "cancelled, the scenario is as it was" while the proposed sites stayed), and the
    scenario is named in the page's language."""
    assert not [b for b in recommended.button if b.key == "rec_cancel"]
    assert not any("Đã hủy" in i.value for i in recommended.info)
    assert recommended.session_state["scenario"].name == "đề xuất"
    from covplan.app.recommend import RUNNING

    assert RUNNING not in recommended.session_state


def test_back_to_baseline_takes_the_recommendations_summary_away(recommended: AppTest
                                                                ) -> None:
    """The summary describes the scenario on the map: after "back to baseline" it is gone
    (it stayed, with its warnings, beside a baseline); the scenario it made is described
    by the targets' names, not their ids."""
    scenario = recommended.session_state["scenario"]
    assert scenario.description == "Phủ sóng 4G/5G 100 % các tuyến cao tốc, quốc lộ"
    assert [f for f in recommended.dataframe if "Hứa hẹn" in f.value.columns]
    recommended.button(key="reset").click().run()
    assert not recommended.session_state["scenario"].edits
    assert not [f for f in recommended.dataframe if "Hứa hẹn" in f.value.columns]
