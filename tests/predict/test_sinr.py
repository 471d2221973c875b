"""Downlink SINR of a network against sums worked out from each site predicted alone.

The reference is independent of the SINR code: every site is predicted alone (its RSRP
grid, the engine's best-server path), and in each cell the SINR is computed here, in
linear mW per resource element, as

    SINR = S / (Σ_j ρ_j · P_j + N)

with S the serving site's RSRP, P_j the RSRP of every other site on the same carrier,
ρ_j its load, and N = −174 dBm/Hz + 10·log10(15 kHz) + 7 dB = −125.24 dBm (LTE, one
resource element, UE noise figure 7 dB). Sites here are omnidirectional (one sector), so
a site's RSRP is its whole power at the cell.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from covplan.grid import GridSpec, Raster
from covplan.predict import SiteCache, predict_coverage
from covplan.predict.engine import dl_mbps
from covplan.predict.operators import (
    NO_OPERATOR,
    operator_names,
    operator_sites,
    predict_operators,
    sector_operators,
)
from covplan.radio import linklevel

from .conftest import make_sites

NOISE_DBM = -174.0 + 10 * np.log10(15_000.0) + 7.0  # -125.24 dBm


def _omni(specs: list[tuple[str, float, float]], **columns: object) -> gpd.GeoDataFrame:
    sites = make_sites([(s, dx, dy, False) for s, dx, dy in specs])
    for name, value in columns.items():
        sites[name] = value
    return sites


def _alone(sites: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec
           ) -> dict[str, np.ndarray]:
    return {s: predict_coverage(sites[sites.site_id == s], terrain, grid,
                                technology="4G").rsrp_dbm.data
            for s in sites.site_id.unique()}


def _reference(alone: dict[str, np.ndarray], load: dict[str, float],
               interferes: dict[str, set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Best RSRP and SINR per cell from the single-site grids (NaN where none serves)."""
    names = list(alone)
    stack = np.stack([np.where(np.isnan(alone[n]), -np.inf, alone[n]) for n in names])
    best = np.argmax(stack, axis=0)
    signal = np.max(stack, axis=0)
    mw = 10.0 ** (stack / 10.0)
    sinr = np.full(signal.shape, np.nan)
    for k, serving in enumerate(names):
        cells = (best == k) & np.isfinite(signal)
        others = sum((load[j] * mw[names.index(j)] for j in interferes[serving]),
                     np.zeros(signal.shape))
        sinr[cells] = 10 * np.log10(mw[k][cells] / (others[cells] + 10 ** (NOISE_DBM / 10)))
    return np.where(np.isfinite(signal), signal, np.nan), sinr


def _close(got: np.ndarray, expected: np.ndarray, cells: np.ndarray) -> None:
    """Equal within 0.002 dB up to 25 dB SINR, where speed depends on it; 0.05 dB to 40 dB.

    Above, the interference is the small difference of two float32 powers (the carrier's
    total less the serving sector's own), and the speed is at its cap from 22 dB anyway:
    beyond 40 dB the SINR need only stay beyond 39.9 dB.
    """
    low = cells & (expected < 25.0)
    np.testing.assert_allclose(got[low], expected[low], atol=2e-3)
    mid = cells & (expected < 40.0)
    np.testing.assert_allclose(got[mid], expected[mid], atol=0.05)
    assert (got[cells & ~mid] > 39.9).all()


SPOTS = [("A", 1500.0, 3000.0), ("B", 4500.0, 3000.0), ("C", 3000.0, 1000.0)]


@pytest.mark.parametrize("load", [0.0, 0.5, 1.0])
def test_sinr_of_three_sites_on_one_carrier(terrain: Raster, grid: GridSpec,
                                            load: float) -> None:
    sites = _omni(SPOTS, load=load)
    got = predict_coverage(sites, terrain, grid, technology="4G", sinr=True)
    assert got.sinr_db is not None
    signal, sinr = _reference(_alone(sites, terrain, grid), dict.fromkeys("ABC", load),
                              {"A": {"B", "C"}, "B": {"A", "C"}, "C": {"A", "B"}})
    np.testing.assert_allclose(got.rsrp_dbm.data, signal, atol=1e-4)
    served = np.isfinite(sinr)
    assert served.sum() > 1000
    _close(got.sinr_db.data, sinr, served)
    assert np.isnan(got.sinr_db.data[~served]).all()
    if load == 0.0:  # nothing transmits data: noise only, SINR = S - N
        np.testing.assert_allclose(got.sinr_db.data[served], signal[served] - NOISE_DBM,
                                   atol=2e-3)


def test_sites_on_other_carriers_do_not_interfere(terrain: Raster, grid: GridSpec) -> None:
    sites = _omni(SPOTS, load=1.0)
    sites.loc[sites.site_id == "B", "frequency_mhz"] = 1850.0  # another carrier in band 3
    sites.loc[sites.site_id == "C", "bandwidth_mhz"] = 10.0  # same centre, another carrier
    got = predict_coverage(sites, terrain, grid, technology="4G", sinr=True)
    _, sinr = _reference(_alone(sites, terrain, grid), dict.fromkeys("ABC", 1.0),
                         {"A": set(), "B": set(), "C": set()})
    served = np.isfinite(sinr)
    assert got.sinr_db is not None
    _close(got.sinr_db.data, sinr, served)


def test_equal_signals_at_full_load_give_about_zero_db(terrain: Raster, grid: GridSpec) -> None:
    """Two identical sites 3 km apart, a cell 30 m off halfway: S ≈ I, SINR ≈ 0 dB.

    Exactly: SINR = S_A − 10·log10(10^(S_B/10) + 10^(N/10)) with S_A, S_B the two sites'
    RSRP there (each predicted alone), within a dB of 0.
    """
    sites = _omni(SPOTS[:2], load=1.0)
    got = predict_coverage(sites, None, grid, technology="4G", sinr=True)  # smooth earth
    assert got.sinr_db is not None
    alone = _alone(sites, None, grid)
    row, col = 50, 49  # centre (X0 + 2970, Y0 + 2970): 1470 m from A, 1530 m from B
    s_a, s_b = float(alone["A"][row, col]), float(alone["B"][row, col])
    expected = s_a - 10 * np.log10(10 ** (s_b / 10) + 10 ** (NOISE_DBM / 10))
    assert s_b > NOISE_DBM + 20 and 0.0 < expected < 1.0  # interference-limited, near 0 dB
    assert float(got.sinr_db.data[row, col]) == pytest.approx(expected, abs=2e-3)


@pytest.mark.parametrize("edit", ["add", "move", "remove"])
def test_an_update_gives_the_sinr_of_a_full_pass(terrain: Raster, grid: GridSpec,
                                                 edit: str) -> None:
    sites = _omni(SPOTS)
    cache = SiteCache()
    before = predict_coverage(sites, terrain, grid, technology="4G", sinr=True, cache=cache)
    if edit == "add":
        changed = gpd.GeoDataFrame(
            [*sites.to_dict("records"), *_omni([("D", 2500.0, 4200.0)]).to_dict("records")],
            crs=sites.crs)
    elif edit == "move":
        changed = sites.copy()
        changed.loc[changed.site_id == "C", "geometry"] = _omni(
            [("C", 3300.0, 1400.0)]).geometry.iloc[0]
    else:
        changed = sites[sites.site_id != "B"]
    updated = predict_coverage(changed, terrain, grid, technology="4G", sinr=True, cache=cache,
                               previous=before)
    full = predict_coverage(changed, terrain, grid, technology="4G", sinr=True)
    assert updated.sinr_db is not None and full.sinr_db is not None
    np.testing.assert_array_equal(updated.rsrp_dbm.data, full.rsrp_dbm.data)
    np.testing.assert_array_equal(updated.sinr_db.data, full.sinr_db.data)


@pytest.mark.parametrize("sinr", [True, False])
def test_a_few_sites_patched_into_nothing_equal_a_full_merge(
        terrain: Raster, grid: GridSpec, monkeypatch: pytest.MonkeyPatch, sinr: bool) -> None:
    """Two low sites reaching a corner of the grid (a new operator's first sites): their
    grids are patched into tiles of nothing, and equal the full merge cell for cell."""
    from covplan.predict import engine
    from covplan.tiled import TILE_CELLS

    sites = _omni([("A", 700.0, 700.0), ("B", 1300.0, 900.0)], tx_power_dbm=15.0,
                  height_m=30.0, load=0.7)
    small = GridSpec.from_bounds(grid.bounds, 20.0, 32648)  # 300 x 300 cells
    patched_in = predict_coverage(sites, terrain, small, technology="4G", sinr=sinr,
                                  max_radius_m=1500.0)
    monkeypatch.setattr(engine, "_empty_start", lambda *args: None)
    full = predict_coverage(sites, terrain, small, technology="4G", sinr=sinr,
                            max_radius_m=1500.0)
    assert patched_in.rsrp_tiles.values._full is None and full.rsrp_tiles.values._full is not None
    tiles = patched_in.rsrp_tiles.values.tiles
    assert small.shape[0] > TILE_CELLS and tiles[1].base is tiles[-1].base  # one block
    assert np.isfinite(full.rsrp_dbm.data).any()
    assert patched_in.site_keys == full.site_keys
    np.testing.assert_array_equal(patched_in.rsrp_dbm.data, full.rsrp_dbm.data)
    np.testing.assert_array_equal(patched_in.server.data, full.server.data)
    if sinr:
        assert patched_in.sinr_db is not None and full.sinr_db is not None
        np.testing.assert_array_equal(patched_in.sinr_db.data, full.sinr_db.data)
        np.testing.assert_array_equal(dl_mbps(patched_in).data, dl_mbps(full).data)
        for a, b in zip(patched_in.power.power_mw, full.power.power_mw, strict=True):
            np.testing.assert_array_equal(a.array(), b.array())


def test_speed_follows_the_link_level_mapping(terrain: Raster, grid: GridSpec) -> None:
    sites = _omni(SPOTS, load=0.5, mimo_layers=2.0)
    got = predict_coverage(sites, terrain, grid, technology="4G", sinr=True)
    assert got.sinr_db is not None
    speed = dl_mbps(got).data
    served = np.isfinite(got.sinr_db.data)
    expected = linklevel.user_dl_mbps(got.sinr_db.data[served].astype(float), "4G", 20.0, 2,
                                      0.5)
    np.testing.assert_allclose(speed[served], expected, rtol=1e-6)
    # a 90 % cell-edge speed is the speed at the SINR less 1.2816 sigma
    edge = dl_mbps(got, fade_db=linklevel.fade_margin_db(0.9, 8.0)).data
    np.testing.assert_allclose(edge[served], linklevel.user_dl_mbps(
        got.sinr_db.data[served].astype(float) - 1.2816 * 8.0, "4G", 20.0, 2, 0.5),
        rtol=1e-3, atol=1e-3)
    assert (edge[served] <= speed[served] + 1e-6).all()


def test_operators_have_their_own_networks_and_share_a_site(terrain: Raster,
                                                            grid: GridSpec) -> None:
    sites = _omni(SPOTS, load=1.0)
    sites["operator"] = ["Red", "Blue", "Red;Blue"]  # C is shared
    assert operator_names(sites) == ["Blue", "Red"]
    networks = predict_operators(sites, terrain, grid, cache=SiteCache(), rx_height_m=1.5)
    alone = _alone(sites, terrain, grid)
    for name, own in (("Red", ["A", "C"]), ("Blue", ["B", "C"])):
        signal, sinr = _reference({s: alone[s] for s in own}, dict.fromkeys(own, 1.0),
                                  {s: set(own) - {s} for s in own})
        got = networks[name]["4G"]
        assert got.sinr_db is not None
        np.testing.assert_allclose(got.rsrp_dbm.data, signal, atol=1e-4)
        served = np.isfinite(sinr)
        _close(got.sinr_db.data, sinr, served)


def test_each_sector_serves_the_operators_its_value_names() -> None:
    """Shared values (``"A;B"``), repeats, spaces, blanks and missing values, in row order."""
    sites = _omni([("S1", 0, 0), ("S2", 1, 0), ("S3", 2, 0), ("S4", 3, 0), ("S5", 4, 0),
                   ("S6", 5, 0)])
    sites["operator"] = pd.array(["Red", " Blue ; Red", None, "Red;Red", "", "Blue"],
                                 dtype="str")
    assert sector_operators(sites) == [["Red"], ["Blue", "Red"], [NO_OPERATOR], ["Red"],
                                       [NO_OPERATOR], ["Blue"]]
    assert operator_names(sites) == [NO_OPERATOR, "Blue", "Red"]  # "(" sorts first
    assert list(operator_sites(sites, "Red")["site_id"]) == ["S1", "S2", "S4"]
    assert list(operator_sites(sites, NO_OPERATOR)["site_id"]) == ["S3", "S5"]
    assert operator_sites(sites, "Green").empty
    assert sector_operators(sites.drop(columns="operator")) == [[NO_OPERATOR]] * 6
