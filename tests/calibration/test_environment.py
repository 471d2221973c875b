"""Land cover in the manifest, clutter in the prediction, indoor targets."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio

from covplan.errors import ConfigError
from covplan.io import load_dataset
from covplan.predict import predict_network
from covplan.targets.load import parse_targets

Run = Callable[..., tuple[int, str, str]]


def _landcover(demo: Path, table: str) -> None:
    manifest = demo / "dataset.toml"
    text = manifest.read_text(encoding="utf-8").replace(
        '[layers.landcover]\nfile = "landcover.tif"\n',
        f'[layers.landcover]\nfile = "landcover.tif"\n{table}\n')
    manifest.write_text(text, encoding="utf-8")


def test_the_demo_land_cover_adds_p2108_clutter(demo_source: Path) -> None:
    dataset = load_dataset(demo_source)
    assert dataset.landcover is not None and dataset.clutter is not None
    assert "WorldCover" in dataset.clutter.source
    grid = dataset.grid(60.0)
    bare = predict_network(dataset.sites, dataset.terrain, grid)["4G"]
    cluttered = predict_network(dataset.sites, dataset.terrain, grid,
                                environment=dataset.environment())["4G"]
    with rasterio.open(demo_source / "landcover.tif") as src:
        assert src.nodata == 0
    from covplan.predict.environment import codes_on_grid

    codes = codes_on_grid(dataset.landcover, grid)
    both = np.isfinite(bare.rsrp_dbm.data) & np.isfinite(cluttered.rsrp_dbm.data)
    delta = cluttered.rsrp_dbm.data - bare.rsrp_dbm.data
    forest, paddy = both & (codes == 10), both & (codes == 40)
    assert forest.sum() > 100 and paddy.sum() > 100
    # hata-suburban already holds suburban clutter: forest loses 3.8 dB more, paddy 2.5 less
    assert np.median(delta[forest]) == pytest.approx(-3.84, abs=0.3)
    assert np.median(delta[paddy]) == pytest.approx(2.49, abs=0.3)
    assert any(n.startswith("clutter: ITU-R P.2108-1") for n in cluttered.rsrp_dbm.notes)


def test_a_class_table_in_the_manifest(demo: Path, run: Run) -> None:
    original = (demo / "dataset.toml").read_text(encoding="utf-8")
    _landcover(demo, 'classes = { 10 = "none", 40 = { clutter = "open", height_m = 5, '
                     'name = "Paddy" } }')
    dataset = load_dataset(demo)
    assert dataset.clutter is not None
    assert [c.name for c in dataset.clutter.classes] == ["class 10", "Paddy"]
    assert "dataset.toml" in dataset.clutter.source
    (demo / "dataset.toml").write_text(original, encoding="utf-8")
    _landcover(demo, 'classes = { 0 = "forest", 50 = "jungle", 60 = { clutter = "open", '
                     'height_m = -3 } }')
    code, out, err = run("validate", demo)
    assert code == 2, out + err
    for needle in ("class value '0' is not a whole number from 1 to 65535",
                   "clutter 'jungle' is not a clutter type", "height_m -3"):
        assert needle in err


def test_a_land_cover_of_another_place_is_refused(demo: Path, run: Run) -> None:
    with rasterio.open(demo / "landcover.tif") as src:
        profile, data = src.profile, src.read(1)
    profile["transform"] = rasterio.Affine(30.0, 0.0, 200_000.0, 0.0, -30.0, 1_200_000.0)
    with rasterio.open(demo / "landcover.tif", "w", **profile) as dst:
        dst.write(data, 1)
    code, _, err = run("validate", demo)
    assert code == 2
    assert "landcover.tif" in err and "does not overlap the study area" in err


TARGETS = """
[preset]
name = "indoor test"
[[target]]
id = "r5"
label = "5G in residential areas"
layer = "villages"
measure = "village_share"
technologies = ["5G"]
goal_percent = 100
"""


def test_indoor_targets_raise_their_thresholds_by_the_building_entry_loss() -> None:
    outdoor = parse_targets(tomllib.loads(TARGETS))
    indoor = parse_targets(tomllib.loads(TARGETS + 'environment = "indoor"\n'))
    target = indoor.targets[0]
    assert target.indoor and dict(target.indoor_loss_db)["5G"] == pytest.approx(15.7)
    assert target.thresholds.rsrp_5g_dbm == pytest.approx(-105.0 + 15.7)
    assert "P.2109-2" in target.thresholds.sources["rsrp_5g_dbm"]
    assert "Counted indoors" in target.note
    assert indoor.floors_dbm() == outdoor.floors_dbm()  # predictions reach as far
    assert indoor.with_environment("outdoor").targets[0] == outdoor.targets[0]
    switched = outdoor.with_environment("indoor", building="thermally-efficient",
                                        probability_percent=90)
    assert switched.targets[0].thresholds.rsrp_5g_dbm > target.thresholds.rsrp_5g_dbm


@pytest.mark.parametrize(("extra", "message"), [
    ('environment = "basement"', "unknown environment 'basement'"),
    ('building = "traditional"', "building applies only to indoor targets"),
    ('environment = "indoor"\nbuilding = "glass"', "unknown building 'glass'"),
    ('environment = "indoor"\nindoor_probability_percent = 100',
     "indoor_probability_percent should be a number between 0 and 100"),
])
def test_bad_indoor_options_are_refused_with_a_fix(extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_targets(tomllib.loads(TARGETS + extra + "\n"))
