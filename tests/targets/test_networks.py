"""Targets per operator ("any", "all", a list) and targets of downlink speed.

References: each operator's network predicted on its own (the engine's best-server grid of
its sectors only), its covered cells taken at the threshold here, then the union ("at
least one operator") or the intersection ("every operator") of those cells, and the
people on them summed here over the grid cells inside the communes.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from covplan.errors import CovplanError
from covplan.io import load_dataset
from covplan.planning import ScenarioEvaluator
from covplan.predict import predict_network
from covplan.predict.engine import dl_mbps
from covplan.predict.operators import operator_sites, predict_operators
from covplan.targets import load_targets
from covplan.targets.analyze import TABLE_NAMES

#: Two operators, one three-sector site each, 3 km apart, and one site they share.
SITES = (
    "site_id,sector,lon,lat,technology,operator,height_m,azimuth_deg\n"
    "R1,1,105.855,21.615,4G,Red,30,0\n"
    "R1,2,105.855,21.615,4G,Red,30,120\n"
    "R1,3,105.855,21.615,4G,Red,30,240\n"
    "B1,1,105.875,21.615,4G,Blue,30,0\n"
    "B1,2,105.875,21.615,4G,Blue,30,120\n"
    "B1,3,105.875,21.615,4G,Blue,30,240\n"
)

TARGETS = """
[preset]
name = "networks"
[thresholds]
rsrp_4g_dbm = -105
[[target]]
id = "merged"
label = "people, merged network"
layer = "population"
measure = "population_share"
technologies = ["4G"]
goal_percent = 50
[[target]]
id = "any"
label = "people, at least one operator"
layer = "population"
measure = "population_share"
technologies = ["4G"]
operators = "any"
goal_percent = 50
[[target]]
id = "all"
label = "people, every operator"
layer = "population"
measure = "population_share"
technologies = ["4G"]
operators = "all"
goal_percent = 50
[[target]]
id = "red"
label = "people, Red's network"
layer = "population"
measure = "population_share"
technologies = ["4G"]
operators = ["Red"]
goal_percent = 50
[[target]]
id = "speed"
label = "people at 20 Mb/s, at least one operator"
layer = "population"
measure = "speed_share"
technologies = ["4G"]
min_dl_mbps = 20
goal_percent = 50
[[target]]
id = "speed_edge"
label = "people at 20 Mb/s at 90 %, every operator"
layer = "population"
measure = "speed_share"
technologies = ["4G"]
operators = "all"
min_dl_mbps = 20
edge_probability_percent = 90
shadow_sigma_db = 8
goal_percent = 50
[[target]]
id = "roads_all"
label = "national road, every operator"
layer = "roads"
measure = "length_share"
filter = { road_class = ["national"] }
technologies = ["4G"]
operators = "all"
goal_percent = 100
"""


@pytest.fixture
def evaluated(tiny_dir: Path) -> tuple[ScenarioEvaluator, dict[str, dict[str, object]]]:
    (tiny_dir / "sites.csv").write_text(SITES, encoding="utf-8")
    path = tiny_dir / "networks.toml"
    path.write_text(TARGETS, encoding="utf-8")
    evaluator = ScenarioEvaluator(load_dataset(tiny_dir), load_targets(str(path)),
                                  resolution_m=100.0)
    result = evaluator.evaluate()
    rows = {str(r["id"]): r for r in result.analysis.targets.to_dict("records")}
    return evaluator, rows


def _people(evaluator: ScenarioEvaluator, covered: np.ndarray) -> tuple[float, float]:
    ctx = evaluator.evaluate().context
    inside = ctx.province.ids >= 0
    people = np.asarray(ctx.people.people)
    return float(people[covered & inside].sum()), float(people[inside].sum())


def _masks(evaluator: ScenarioEvaluator, threshold: float) -> dict[str, np.ndarray]:
    sites = evaluator.dataset.sites
    assert sites is not None
    out = {}
    for name in ("Red", "Blue"):
        grid = predict_network(operator_sites(sites, name), evaluator.dataset.terrain,
                               evaluator.grid, floors_dbm={"4G": -105.0})["4G"]
        out[name] = np.nan_to_num(grid.rsrp_dbm.data, nan=-np.inf) >= threshold
    return out


def test_any_is_the_union_and_all_the_intersection(evaluated: tuple) -> None:
    evaluator, rows = evaluated
    masks = _masks(evaluator, -105.0)
    red, blue = masks["Red"], masks["Blue"]
    assert (red & ~blue).any() and (blue & ~red).any() and (red & blue).any()
    for ident, cells in (("any", red | blue), ("all", red & blue), ("red", red)):
        covered, total = _people(evaluator, cells)
        assert rows[ident]["covered"] == pytest.approx(covered, rel=1e-9), ident
        assert rows[ident]["total"] == pytest.approx(total, rel=1e-9)
    assert rows["merged"]["covered"] == rows["any"]["covered"]
    assert rows["all"]["covered"] <= rows["red"]["covered"] < rows["any"]["covered"]
    assert "every operator" in str(rows["all"]["threshold"])


def test_speed_counts_where_an_operators_downlink_reaches_the_speed(evaluated: tuple) -> None:
    evaluator, rows = evaluated
    networks = predict_operators(evaluator.dataset.sites, evaluator.dataset.terrain,
                                 evaluator.grid, floors_dbm={"4G": -105.0})
    signal = {n: np.nan_to_num(g["4G"].rsrp_dbm.data, nan=-np.inf) >= -105.0
              for n, g in networks.items()}
    fast = {n: (np.nan_to_num(dl_mbps(g["4G"]).data, nan=-1.0) >= 20.0) & signal[n]
            for n, g in networks.items()}
    edge = {n: (np.nan_to_num(dl_mbps(g["4G"], fade_db=1.2816 * 8.0).data, nan=-1.0) >= 20.0)
            & signal[n] for n, g in networks.items()}
    covered, _ = _people(evaluator, fast["Red"] | fast["Blue"])
    assert rows["speed"]["covered"] == pytest.approx(covered, rel=1e-9)
    covered_edge, _ = _people(evaluator, edge["Red"] & edge["Blue"])
    assert rows["speed_edge"]["covered"] == pytest.approx(covered_edge, rel=1e-6)
    assert 0 < rows["speed_edge"]["covered"] < rows["speed"]["covered"]
    assert "20 Mb/s" in str(rows["speed"]["threshold"])
    assert "90" in str(rows["speed_edge"]["threshold"])


def test_every_operator_on_a_road_is_at_most_each_operator(evaluated: tuple) -> None:
    evaluator, rows = evaluated
    table = evaluator.evaluate().analysis.operators
    roads = table[table["id"] == "roads_all"].set_index("network")["measured_percent"]
    assert set(roads.index) == {"Blue", "Red", "at least one operator", "every operator"}
    assert roads["every operator"] <= min(roads["Red"], roads["Blue"]) + 1e-9
    assert roads["at least one operator"] >= max(roads["Red"], roads["Blue"]) - 1e-9
    assert roads["every operator"] == pytest.approx(rows["roads_all"]["measured_percent"])


def test_a_shared_site_serves_both_operators(tiny_dir: Path) -> None:
    (tiny_dir / "sites.csv").write_text(SITES.replace("B1,1,105.875,21.615,4G,Blue",
                                                      "B1,1,105.875,21.615,4G,Blue;Red"),
                                        encoding="utf-8")
    sites = load_dataset(tiny_dir).sites
    assert sites is not None
    assert set(operator_sites(sites, "Red")["site_id"] + "/" +
               operator_sites(sites, "Red")["sector"].astype(str)) == {
        "R1/1", "R1/2", "R1/3", "B1/1"}


def test_an_unknown_operator_is_a_clear_error(tiny_dir: Path) -> None:
    path = tiny_dir / "bad.toml"
    path.write_text(TARGETS.replace('operators = ["Red"]', 'operators = ["Mobi"]'),
                    encoding="utf-8")
    evaluator = ScenarioEvaluator(load_dataset(tiny_dir), load_targets(str(path)),
                                  resolution_m=100.0)
    with pytest.raises(CovplanError, match=r"'Mobi'.*Viettel"):
        evaluator.evaluate()


@pytest.mark.parametrize(("old", "new", "message"), [
    ('operators = ["Red"]', "operators = 7", "operators should be"),
    ("min_dl_mbps = 20\ngoal_percent = 50\n[[target]]\nid = \"speed_edge\"",
     "goal_percent = 50\n[[target]]\nid = \"speed_edge\"", "needs min_dl_mbps"),
    ('operators = "all"\ngoal_percent = 50', 'operators = "all"\nmin_dl_mbps = 5\n'
     'goal_percent = 50', "apply only to measure 'speed_share'"),
    ("edge_probability_percent = 90", "edge_probability_percent = 0.9", "from 50"),
])
def test_bad_network_keys_are_reported(tmp_path: Path, old: str, new: str,
                                       message: str) -> None:
    assert old in TARGETS
    path = tmp_path / "bad.toml"
    path.write_text(TARGETS.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CovplanError, match=message):
        load_targets(str(path))


def test_sharing_a_site_in_a_scenario_raises_the_other_operators_coverage(
        evaluated: tuple) -> None:
    """Blue shares its site with Red (national roaming): Red's people grow to the union."""
    evaluator, rows = evaluated
    shared = evaluator.baseline().modify_site("B1", operator="Blue;Red")
    after = {str(r["id"]): r for r in evaluator.evaluate(shared).analysis.targets.to_dict(
        "records")}
    assert after["red"]["covered"] == pytest.approx(rows["any"]["covered"])
    assert after["red"]["covered"] > rows["red"]["covered"]
    assert after["any"]["covered"] == rows["any"]["covered"]  # the union did not change


def test_operator_targets_after_each_edit_equal_a_fresh_evaluation(evaluated: tuple) -> None:
    """Edits one after another: each operator's margins and the views are redone only where
    the networks changed, and give exactly what a new evaluator computes from scratch."""
    import pandas as pd

    from covplan.targets.networks import _Margin

    evaluator, _ = evaluated
    sites = evaluator.dataset.sites
    x, y = sites.geometry.x.mean(), sites.geometry.y.mean()
    scenario = evaluator.baseline()
    steps = [
        lambda s: s.add_site("N1", x, y - 1_500, technology="4G", operator="Red",
                             height_m=30, sectors=[{"azimuth_deg": a} for a in (0, 120, 240)]),
        lambda s: s.move_site("B1", x + 500, y + 800),
        lambda s: s.modify_site("R1", 1, load=0.9),  # a link changed: Red redone in full
        lambda s: s.remove_site("N1"),
    ]
    windowed = 0
    for step in steps:
        scenario = step(scenario)
        followed = evaluator.evaluate(scenario)
        fresh = ScenarioEvaluator(evaluator.dataset, evaluator.targets,
                                  resolution_m=100.0).evaluate(scenario)
        for table in ("targets", "operators", "population"):
            pd.testing.assert_frame_equal(getattr(followed.analysis, table),
                                          getattr(fresh.analysis, table))
        margins = [v for v in followed.context._cache.values() if isinstance(v, _Margin)]
        assert margins
        windowed += sum(m.window is not None for m in margins)
    assert windowed > 0  # the margins were followed on, not all made again


def test_a_new_operators_first_site_is_computed_where_it_reaches(
        evaluated: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first site of an operator no site had: its network, and its margins, are made only
    where the site reaches (the rest is one shared block per grid), and every table equals
    what the whole-grid computation gives."""
    import pandas as pd

    from covplan.predict import engine
    from covplan.targets import networks
    from covplan.targets.networks import _Margin

    evaluator, _ = evaluated
    sites = evaluator.dataset.sites
    x, y = sites.geometry.x.mean(), sites.geometry.y.mean()
    scenario = evaluator.baseline().add_site(
        "G1", x, y + 1_000, technology="4G", operator="Green", height_m=15, tx_power_dbm=30,
        sectors=[{"azimuth_deg": a} for a in (0, 120, 240)])
    followed = evaluator.evaluate(scenario)
    green = followed.context.networks["Green"]["4G"]
    rows, cols = evaluator.grid.shape
    reach = green.merged.windows[0]
    assert (reach[1] - reach[0]) * (reach[3] - reach[2]) < rows * cols / 2
    assert green.rsrp_tiles.values._full is None  # patched into tiles, not filled whole
    operators = followed.analysis.operators
    margins = [v for v in followed.context._cache.values()
               if isinstance(v, _Margin) and v.network is followed.context.networks["Green"]]
    assert margins and all(m.values._full is None for m in margins)

    monkeypatch.setattr(engine, "_empty_start", lambda *args: None)
    monkeypatch.setattr(networks, "_reach", lambda techs, network, shape: (0, *shape[:1], 0,
                                                                           shape[1]))
    whole = ScenarioEvaluator(evaluator.dataset, evaluator.targets,
                              resolution_m=100.0).evaluate(scenario)
    assert whole.context.networks["Green"]["4G"].rsrp_tiles.values._full is not None
    np.testing.assert_array_equal(green.rsrp_dbm.data,
                                  whole.context.networks["Green"]["4G"].rsrp_dbm.data)
    assert "Green" in set(operators["network"])
    for table in ("targets", "operators", "population"):
        pd.testing.assert_frame_equal(getattr(followed.analysis, table),
                                      getattr(whole.analysis, table))


def test_the_operator_table_is_made_on_first_use_and_kept_made(evaluated: tuple) -> None:
    """The app shows a click's targets and map first: the per-operator table is made when
    read (once), and a pickled analysis (the app's page kept on disk) holds it made."""
    import pickle

    import pandas as pd

    from covplan.targets.networks import operator_table

    evaluator, _ = evaluated
    sites = evaluator.dataset.sites
    scenario = evaluator.baseline().move_site("B1", sites.geometry.x.mean() + 300,
                                              sites.geometry.y.mean())
    result = evaluator.evaluate(scenario)
    assert not result.analysis.per_operator.made
    kept = pickle.loads(pickle.dumps(result.analysis))
    assert result.analysis.per_operator.made and kept.per_operator.made
    expected = operator_table(evaluator.targets, result.context)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(kept.operators, expected)
    assert result.analysis.operators is result.analysis.operators  # made once


def test_the_per_operator_table_is_made_only_when_asked(evaluated: tuple) -> None:
    """The app asks whether the per-operator tab exists before anyone opens it: answering
    must not make the table (every target once per operator)."""
    evaluator, _ = evaluated
    analysis = evaluator.evaluate(evaluator.dataset.sites.iloc[:-1]).analysis  # a new one
    assert not analysis.per_operator.made
    assert analysis.has_operators and not analysis.per_operator.made
    commune = analysis.table("targets")
    assert commune is analysis.targets and not analysis.per_operator.made
    table = analysis.table("operator_targets")
    assert analysis.per_operator.made and table is analysis.operators and len(table)
    assert set(analysis.tables()) == set(TABLE_NAMES)
    with pytest.raises(KeyError, match="operator_targets"):
        analysis.table("operators")


def test_without_operator_networks_the_table_is_known_empty(tiny_dir: Path) -> None:
    """No per-operator networks predicted (no target counts one operator): the table is
    empty, made at once, and the app shows no per-operator tab."""
    analysis = ScenarioEvaluator(load_dataset(tiny_dir), load_targets("bac_ninh_2030"),
                                 resolution_m=100.0).evaluate().analysis
    assert analysis.per_operator.made and analysis.operators.empty
    assert not analysis.has_operators


def test_the_networks_of_the_sites_just_evaluated_are_not_merged_again(
    evaluated: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's map asks for the operators' networks right after the evaluation: the
    evaluation's own are handed back; other sites (even an equal copy) are predicted."""
    evaluator, _ = evaluated
    module = importlib.import_module("covplan.planning.evaluate")
    sites = evaluator.dataset.sites
    evaluation = evaluator.evaluate(sites)
    calls: list[int] = []
    real = module.predict_operators

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "predict_operators", counted)
    again = evaluator.networks(sites)
    assert calls == []
    assert again["Red"]["4G"] is evaluation.context.networks["Red"]["4G"]
    copy = evaluator.networks(sites.copy())
    assert calls == [len(sites)]
    assert np.array_equal(copy["Red"]["4G"].rsrp_dbm.data, again["Red"]["4G"].rsrp_dbm.data,
                          equal_nan=True)


def test_speed_counts_only_where_the_signal_counts(tiny_dir: Path) -> None:
    """Sites predicted down to -120 dBm for another target: the 20 Mb/s target still
    counts only cells whose RSRP reaches its own -105 dBm, so its share never exceeds the
    signal share of the same operators (a fast cell below the coverage threshold is the
    prediction's reach, not coverage)."""
    (tiny_dir / "sites.csv").write_text(SITES, encoding="utf-8")
    path = tiny_dir / "deep.toml"
    path.write_text("""
[preset]
name = "deep"
[thresholds]
rsrp_4g_dbm = -105
[[target]]
id = "deep"
label = "people at -120 dBm"
layer = "population"
measure = "population_share"
technologies = ["4G"]
thresholds = { rsrp_4g_dbm = -120 }
goal_percent = 50
[[target]]
id = "signal"
label = "people at -105 dBm"
layer = "population"
measure = "population_share"
technologies = ["4G"]
goal_percent = 50
[[target]]
id = "speed"
label = "people at 20 Mb/s"
layer = "population"
measure = "speed_share"
technologies = ["4G"]
min_dl_mbps = 20
goal_percent = 50
""", encoding="utf-8")
    evaluator = ScenarioEvaluator(load_dataset(tiny_dir), load_targets(str(path)),
                                  resolution_m=100.0)
    rows = {str(r["id"]): r for r in evaluator.evaluate().analysis.targets.to_dict("records")}
    networks = predict_operators(evaluator.dataset.sites, evaluator.dataset.terrain,
                                 evaluator.grid, floors_dbm={"4G": -120.0})
    fast, fast_covered = [], []
    for grid in (g["4G"] for g in networks.values()):
        speed = np.nan_to_num(dl_mbps(grid).data, nan=-1.0) >= 20.0
        fast.append(speed)
        fast_covered.append(speed & (np.nan_to_num(grid.rsrp_dbm.data, nan=-np.inf) >= -105.0))
    covered, _ = _people(evaluator, fast_covered[0] | fast_covered[1])
    anywhere, _ = _people(evaluator, fast[0] | fast[1])
    assert covered < anywhere  # fast cells below -105 dBm exist here, and are left out
    assert rows["speed"]["covered"] == pytest.approx(covered, rel=1e-9)
    assert rows["speed"]["covered"] <= rows["signal"]["covered"]
    assert "where 4G RSRP >= -105 dBm" in str(rows["speed"]["threshold"])
