"""Best-server grid invariants, caching and the engine's contract."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from covplan.grid import GridSpec, Raster
from covplan.i18n import language, said
from covplan.predict import CoverageGrid, SiteCache, predict_coverage
from covplan.radio import ModelRangeWarning, free_space_loss_db

from .conftest import RES, X0, Y0, make_sites


def run(sites: gpd.GeoDataFrame, terrain: Raster | None, grid: GridSpec, **kw: object
        ) -> CoverageGrid:
    return predict_coverage(sites, terrain, grid, technology="4G", **kw)  # type: ignore[arg-type]


def test_contract(three_sites: gpd.GeoDataFrame, terrain: Raster, grid: GridSpec) -> None:
    cov = run(three_sites, terrain, grid)
    assert cov.technology == "4G"
    assert cov.rsrp_dbm.data.dtype == np.float32 and cov.server.data.dtype == np.int32
    assert cov.rsrp_dbm.grid == grid and cov.server.grid == grid
    assert cov.site_keys == ("A/1", "A/2", "A/3", "B/1", "B/2", "B/3", "C/1")
    served = cov.server.data >= 0
    assert np.array_equal(served, np.isfinite(cov.rsrp_dbm.data))
    assert set(np.unique(cov.server.data[served])) == set(range(7))
    assert any("hata-suburban" in n for n in cov.rsrp_dbm.notes)


def test_best_server_is_the_maximum_over_sites(three_sites: gpd.GeoDataFrame,
                                               terrain: Raster, grid: GridSpec) -> None:
    cov = run(three_sites, terrain, grid)
    singles = [run(three_sites[three_sites.site_id == s], terrain, grid) for s in "ABC"]
    stack = np.stack([c.rsrp_dbm.data for c in singles])
    expected = np.where(np.isnan(stack).all(axis=0), np.nan,
                        np.nanmax(np.where(np.isnan(stack), -np.inf, stack), axis=0))
    np.testing.assert_array_equal(cov.rsrp_dbm.data, expected)
    # the server is a sector of the site that gives the maximum
    owner = np.array([k.split("/")[0] for k in cov.site_keys])
    best_site = np.argmax(np.where(np.isnan(stack), -np.inf, stack), axis=0)
    served = cov.server.data >= 0
    assert np.array_equal(owner[cov.server.data[served]], np.array(list("ABC"))[best_site[served]])


def test_adding_a_site_never_lowers_any_cell(three_sites: gpd.GeoDataFrame, terrain: Raster,
                                             grid: GridSpec) -> None:
    before = run(three_sites, terrain, grid).rsrp_dbm.data
    extra = make_sites([("D", 5200.0, 5200.0, True)])
    after = run(pd.concat([three_sites, extra], ignore_index=True), terrain, grid).rsrp_dbm.data
    both = np.isfinite(before)
    assert np.all(np.isfinite(after[both]))
    assert np.all(after[both] >= before[both])
    assert np.count_nonzero(np.isfinite(after)) >= np.count_nonzero(both)
    assert np.any(after[both] > before[both])


def test_cached_and_fresh_are_identical_and_updates_recompute_one_site(
        three_sites: gpd.GeoDataFrame, terrain: Raster, grid: GridSpec) -> None:
    cache = SiteCache()
    first = run(three_sites, terrain, grid, cache=cache)
    assert (cache.misses, len(cache)) == (3, 3)
    again = run(three_sites, terrain, grid, cache=cache)
    assert cache.misses == 3 and cache.hits == 3
    fresh = run(three_sites, terrain, grid, cache=SiteCache())
    for a, b in ((first, again), (first, fresh)):
        np.testing.assert_array_equal(a.rsrp_dbm.data, b.rsrp_dbm.data)
        np.testing.assert_array_equal(a.server.data, b.server.data)
    moved = three_sites.copy()
    moved.loc[moved.site_id == "B", "geometry"] = Point(X0 + 4000.0, Y0 + 1500.0)
    run(moved, terrain, grid, cache=cache)
    assert cache.misses == 4  # only B was recomputed
    removed = run(three_sites[three_sites.site_id != "C"], terrain, grid, cache=cache)
    assert cache.misses == 4
    np.testing.assert_array_equal(
        removed.rsrp_dbm.data,
        run(three_sites[three_sites.site_id != "C"], terrain, grid).rsrp_dbm.data)


def test_disk_cache_round_trip(three_sites: gpd.GeoDataFrame, terrain: Raster, grid: GridSpec,
                               tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = run(three_sites, terrain, grid, cache=SiteCache(directory=tmp_path))
    assert len(list(tmp_path.glob("*.npz"))) == 3
    reread = SiteCache(directory=tmp_path)
    second = run(three_sites, terrain, grid, cache=reread)
    assert reread.misses == 0
    np.testing.assert_array_equal(first.rsrp_dbm.data, second.rsrp_dbm.data)


def test_memory_budget_evicts_least_recently_used(three_sites: gpd.GeoDataFrame,
                                                  terrain: Raster, grid: GridSpec) -> None:
    cache = SiteCache(max_bytes=1)
    run(three_sites, terrain, grid, cache=cache)
    assert len(cache) == 1


def test_omni_rsrp_on_flat_earth_follows_the_link_budget(grid: GridSpec) -> None:
    # one omni site, 0 dBm per resource element at boresight, free space + terrain (none)
    sites = make_sites([("O", 3030.0, 3030.0, False)])
    sites["tx_power_dbm"] = 10 * np.log10(12 * 100)  # P_RE = 0 dBm
    sites[["antenna_gain_dbi", "cable_loss_db", "tilt_deg"]] = 0.0
    cov = run(sites, None, grid, model="terrain", max_radius_m=2000.0, threshold_dbm=-200.0)
    # the site sits on a cell centre; cells straight north are k·60 m away on ray 0
    r, c = grid.index(X0 + 3030.0, Y0 + 3030.0)
    for k in (5, 20, 30):
        d = k * RES
        got = float(cov.rsrp_dbm.data[int(r) - k, int(c)])
        # clear path over a smooth earth: free space plus at most the grazing loss, and the
        # vertical pattern −min(12·(θ/10)², 20) at depression θ = atan(28.5/d)
        theta = np.degrees(np.arctan(28.5 / d))
        pattern = -min(12 * (theta / 10) ** 2, 20.0)
        fs = float(free_space_loss_db(np.hypot(d, 28.5), 1800.0))
        assert pattern - fs - 6.1 <= got <= pattern - fs + 0.01
    assert np.isnan(cov.rsrp_dbm.data[0, 0])  # 4.2 km away: beyond the 2 km radius


def test_radius_follows_the_threshold(three_sites: gpd.GeoDataFrame, terrain: Raster,
                                      grid: GridSpec) -> None:
    loose = run(three_sites, terrain, grid, threshold_dbm=-100.0, margin_db=0.0)
    data = loose.rsrp_dbm.data
    assert np.nanmin(data) >= -100.0
    strict = run(three_sites, terrain, grid, threshold_dbm=-90.0, margin_db=0.0)
    assert np.count_nonzero(np.isfinite(strict.rsrp_dbm.data)) < np.count_nonzero(
        np.isfinite(data))


def test_progress_reaches_one(three_sites: gpd.GeoDataFrame, terrain: Raster,
                              grid: GridSpec) -> None:
    calls: list[tuple[float, str]] = []
    run(three_sites, terrain, grid, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_no_sites_of_that_technology(three_sites: gpd.GeoDataFrame, terrain: Raster,
                                     grid: GridSpec) -> None:
    cov = predict_coverage(three_sites, terrain, grid, technology="5G")
    assert cov.site_keys == () and np.isnan(cov.rsrp_dbm.data).all()
    assert (cov.server.data == -1).all()


def test_parameters_outside_the_model_range_warn(terrain: Raster, grid: GridSpec) -> None:
    low = make_sites([("L", 3000.0, 3000.0, True)])
    low["height_m"] = 15.0
    with pytest.warns(ModelRangeWarning, match="base-station height outside .* 30–200 m"):
        run(low, None, grid)
    cov = run(low, None, grid, warn_range=False)  # the same message, as a note
    assert any("30–200 m" in n for n in cov.rsrp_dbm.notes)
    nr = make_sites([("N", 3000.0, 3000.0, True)], "5G")
    nr["height_m"] = 30.0
    with pytest.warns(ModelRangeWarning, match="frequency outside .* 1,500–2,000 MHz"):
        predict_coverage(nr, terrain, grid, technology="5G", model="hata-urban")


def test_range_notes_leave_the_process_wide_warning_filters_alone(
        grid: GridSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    # catch_warnings swaps the filters of every thread: the app evaluates on several while
    # rasterio catches its NotGeoreferencedWarning around each in-memory dataset, and one
    # thread restoring its filters let the other's warning through (a CI failure). covplan's
    # own evaluation must not do it.
    low = make_sites([("L", 3000.0, 3000.0, True)])
    low["height_m"] = 15.0
    catch = warnings.catch_warnings
    callers: list[str] = []

    def watched(*args: Any, **kwargs: Any) -> warnings.catch_warnings:
        callers.append(str(sys._getframe(1).f_globals.get("__name__", "")))
        return catch(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(warnings, "catch_warnings", watched)
        cov = run(low, None, grid, warn_range=False)
    assert [c for c in callers if c.startswith("covplan")] == []
    with pytest.warns(ModelRangeWarning) as warned:
        run(low, None, grid)  # the same message, warned
    assert [n for n in cov.rsrp_dbm.notes if "outside its validity range" in n] == [
        str(w.message) for w in warned]
    assert "base-station height outside its validity range 30–200 m" in str(warned[0].message)
    assert "got 15–15 m" in str(warned[0].message)
    # the same note in Vietnamese (the report's methods say it in the reader's language)
    said_vi = [said(n, language("vi")) for n in cov.rsrp_dbm.notes]
    assert any("độ cao anten trạm gốc nằm ngoài phạm vi áp dụng 30–200 m (2 trên 2 giá trị, "
               "nhận được 15–15 m)" in n for n in said_vi), said_vi


def test_bad_arguments(three_sites: gpd.GeoDataFrame, grid: GridSpec) -> None:
    with pytest.raises(ValueError, match="Unknown propagation model 'okumura'"):
        run(three_sites, None, grid, model="okumura")
    with pytest.raises(ValueError, match="lacks columns"):
        run(three_sites.drop(columns=["tilt_deg"]), None, grid)


def test_terrain_in_another_crs_is_reprojected(three_sites: gpd.GeoDataFrame,
                                               terrain: Raster, grid: GridSpec) -> None:
    # the same flat plain given in geographic coordinates gives the same grid as in UTM
    flat_utm = Raster(np.full(terrain.data.shape, 100.0, np.float32), terrain.grid, "m")
    geo = GridSpec.from_bounds((105.7, 21.45, 105.85, 21.6), 0.0005, 4326)
    flat_geo = Raster(np.full(geo.shape, 100.0, np.float32), geo, "m")
    a = run(three_sites, flat_utm, grid).rsrp_dbm.data
    b = run(three_sites, flat_geo, grid).rsrp_dbm.data
    np.testing.assert_allclose(a, b, atol=1e-3)


@pytest.mark.slow  # compiles the Longley-Rice kernel (about half a minute, once)
def test_itm_model_through_the_engine(three_sites: gpd.GeoDataFrame, terrain: Raster,
                                      grid: GridSpec) -> None:
    cov = run(three_sites, terrain, grid, model="itm")
    data = cov.rsrp_dbm.data
    assert np.isfinite(data).any() and np.nanmin(data) >= -115.0  # floor: −110 − 5 dB margin
    again = run(three_sites, terrain, grid, model="itm")
    np.testing.assert_array_equal(data, again.rsrp_dbm.data)


def _twin(sites: gpd.GeoDataFrame, site_id: str, new_id: str) -> gpd.GeoDataFrame:
    """Sector 1 of ``site_id`` again under ``new_id``: the same signal in its lobe (ties)."""
    twin = sites[(sites.site_id == site_id) & (sites.sector == 1)].copy()
    twin["site_id"] = new_id
    return twin


@pytest.mark.parametrize("edit", ["add first in order", "add last in order", "tie before",
                                  "tie after", "move", "remove", "modify"])
def test_updating_the_previous_grids_equals_merging_every_window(
        edit: str, three_sites: gpd.GeoDataFrame, terrain: Raster, grid: GridSpec,
        caplog: pytest.LogCaptureFixture) -> None:
    cache = SiteCache()
    before = run(three_sites, terrain, grid, cache=cache)
    sites = three_sites.copy()
    if edit == "add first in order":  # "0" sorts first: every sector index shifts
        sites = pd.concat([make_sites([("0", 2500.0, 2500.0, True)]), sites], ignore_index=True)
    elif edit == "add last in order":
        sites = pd.concat([sites, make_sites([("Z", 2500.0, 2500.0, True)])], ignore_index=True)
    elif edit == "tie before":  # equal values in A's first lobe: the earlier group serves
        sites = pd.concat([sites, _twin(sites, "A", "0")], ignore_index=True)
    elif edit == "tie after":
        sites = pd.concat([sites, _twin(sites, "A", "Z")], ignore_index=True)
    elif edit == "move":
        sites.loc[sites.site_id == "B", "geometry"] = Point(X0 + 4000.0, Y0 + 1500.0)
    elif edit == "remove":
        sites = sites[sites.site_id != "A"]
    else:
        sites.loc[sites.site_id == "B", "height_m"] = 45.0
    with caplog.at_level("DEBUG", logger="covplan.predict.engine"):
        updated = run(sites, terrain, grid, cache=cache, previous=before)
    assert "Updated the previous grids" in caplog.text
    full = run(sites, terrain, grid, cache=cache)
    assert updated.site_keys == full.site_keys
    np.testing.assert_array_equal(updated.rsrp_dbm.data, full.rsrp_dbm.data)
    np.testing.assert_array_equal(updated.server.data, full.server.data)
    if edit.startswith("tie"):  # the tie really happens, and goes to the first group
        twin_key = ("0/1" if edit == "tie before" else "Z/1")
        a_key = full.site_keys.index("A/1")
        served = full.server.data
        ties = (served == full.site_keys.index(twin_key)) | (served == a_key)
        assert np.count_nonzero(ties) > 100
        assert not np.any(served == (full.site_keys.index(twin_key) if edit == "tie after"
                                     else a_key))


def test_a_prediction_with_other_settings_is_merged_afresh(
        three_sites: gpd.GeoDataFrame, terrain: Raster, grid: GridSpec,
        caplog: pytest.LogCaptureFixture) -> None:
    before = run(three_sites, terrain, grid)
    with caplog.at_level("DEBUG", logger="covplan.predict.engine"):
        other = run(three_sites, terrain, grid, previous=before, rx_height_m=3.0)
    assert "Updated the previous grids" not in caplog.text
    np.testing.assert_array_equal(other.rsrp_dbm.data,
                                  run(three_sites, terrain, grid, rx_height_m=3.0).rsrp_dbm.data)
