"""The radial-sweep kernel against the point-to-point profile functions."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.radio import (
    ModelRangeWarning,
    bullington_loss_db,
    cost231_hata_loss_db,
    free_space_loss_db,
)
from covplan.radio import sweep as S  # noqa: N812
from covplan.radio.terrain import EARTH_RADIUS_M

RES = 30.0
N_STEPS = 200  # 6 km north of the site
F_MHZ, H_TX, H_RX, K = 1800.0, 30.0, 1.5, 4.0 / 3.0
AE = K * EARTH_RADIUS_M


def run_kernel(model: int, z_north: np.ndarray, env: int = 0) -> np.ndarray:
    """Loss along the north ray over terrain that varies only with northing."""
    n = z_north.size
    dem = np.repeat(z_north[::-1, None], 5, axis=1).astype(np.float32)  # row 0 = north
    cy0 = (n - 1) * RES  # centre of row 0; the site sits on the southmost row at y = 0
    loss = np.empty((8, N_STEPS + 1), np.float32)
    dep = np.empty_like(loss)
    hb = np.full(1, H_TX)
    steps = np.full(8, N_STEPS)
    S.sweep_rays(dem, 0.0, cy0, RES, RES, 2 * RES, 0.0, float(z_north[0]), H_TX, H_RX, 8,
                 N_STEPS, RES, AE, F_MHZ, model, env, hb, 5.0, 20.0, steps, loss, dep)
    return loss[0]


def ridge(height_m: float, at_step: int = 100) -> np.ndarray:
    z = np.zeros(N_STEPS + 1)
    z[at_step] = height_m
    return z


def curved_d3(d: np.ndarray, z: np.ndarray) -> np.ndarray:
    """3-D distance in the transmitter's equivalent-earth frame (heights drop d²/2ae)."""
    dz = (z[0] + H_TX) - (z - d * d / (2 * AE) + H_RX)
    return np.hypot(d, dz)


def test_terrain_model_matches_p526_bullington_behind_a_ridge() -> None:
    z = ridge(60.0)
    got = run_kernel(S.MODEL_TERRAIN, z)
    d = np.arange(N_STEPS + 1) * RES
    fs = free_space_loss_db(curved_d3(d[1:], z[1:]), F_MHZ)
    for i in (105, 130, 170, 200):  # receivers behind the ridge (obstructed)
        expected = fs[i - 1] + bullington_loss_db(d[: i + 1], z[: i + 1], H_TX, H_RX, F_MHZ)
        assert got[i] == pytest.approx(expected, abs=1e-3)
        assert got[i] - fs[i - 1] > 6.0


def test_terrain_model_on_clear_paths_is_bounded_by_grazing_loss() -> None:
    z = ridge(0.0)
    got = run_kernel(S.MODEL_TERRAIN, z)
    d = np.arange(N_STEPS + 1) * RES
    fs = free_space_loss_db(curved_d3(d[1:], z[1:]), F_MHZ)
    for i in (20, 60, 99, 150):
        p526 = bullington_loss_db(d[: i + 1], z[: i + 1], H_TX, H_RX, F_MHZ)
        extra = got[i] - fs[i - 1]
        assert p526 - 1e-3 <= extra <= 6.03 + 1e-3


def test_hata_model_adds_terrain_only_where_obstructed() -> None:
    d = np.arange(N_STEPS + 1) * RES
    flat = run_kernel(S.MODEL_HATA, ridge(0.0), env=2)
    with pytest.warns(ModelRangeWarning, match="distance"):  # Hata is valid from 1 km
        hata = cost231_hata_loss_db(d[1:], F_MHZ, H_TX, H_RX, environment="suburban")
    expected = np.maximum(hata, free_space_loss_db(curved_d3(d[1:], ridge(0.0)[1:]), F_MHZ))
    np.testing.assert_allclose(flat[1:], expected, atol=2e-3)
    blocked = run_kernel(S.MODEL_HATA, ridge(60.0), env=2)
    np.testing.assert_allclose(blocked[1:100], flat[1:100], atol=2e-3)  # before the ridge
    assert np.all(blocked[101:] >= flat[101:] + 6.0)


def test_effective_height_counts_only_height_advantage() -> None:
    dem = np.zeros((50, 50), np.float32)
    hb = S.effective_heights(dem, 0.0, 49 * 1000.0, 1000.0, 1000.0, 25_000.0, 25_000.0,
                             150.0, 30.0, 8)
    np.testing.assert_allclose(hb, 180.0)  # 150 m hill + 30 m mast above a 0 m plain
    hb = S.effective_heights(dem + 500, 0.0, 49 * 1000.0, 1000.0, 1000.0, 25_000.0, 25_000.0,
                             0.0, 30.0, 8)
    np.testing.assert_allclose(hb, 30.0)  # valley site: clipped at the mast height


def test_fill_reads_only_evaluated_rays_across_north() -> None:
    """Every cell maps to a sample the sweep evaluated, also just west of north.

    The sweep evaluates ray j at step i only when ``j % ray_level(i) == 0``. Near north the
    fill's nearest ray rounds up to ``n_rays``; with a stride that does not divide
    ``n_rays`` (here 64 rays, stride 5 at some steps) wrapping it by ``- n_rays`` gave a
    ray that was never evaluated, and the cell read uninitialised memory (RSRP of +25 dBm
    in the demo). Unevaluated samples are NaN here, so such a read shows as NaN.
    """
    n_rays, n_steps = 64, 40
    loss = np.full((n_rays, n_steps + 1), np.nan, np.float32)
    dep = np.zeros_like(loss)
    for i in range(1, n_steps + 1):
        for j in range(n_rays):
            if j % S.ray_level(i, n_steps) == 0:
                loss[j, i] = 100.0
    assert {S.ray_level(i, n_steps) for i in range(1, n_steps + 1)} & {3, 5, 6, 7}
    radius = n_steps * RES
    cells = 2 * n_steps + 1
    rsrp = np.empty((cells, cells), np.float32)
    sec = np.empty((cells, cells), np.int8)
    one = np.ones(1)
    S.fill_window(loss, dep, RES, 0.0, 0.0, radius, -n_steps * RES, n_steps * RES, RES,
                  np.zeros(1), np.full(1, 360.0), np.zeros(1), np.zeros(1), np.full(1, 10.0),
                  np.full(1, 25.0), np.full(1, 20.0), 15.0 * one, np.full(1, -1, np.int64),
                  np.zeros((1, 720)), np.zeros((1, 720)), np.zeros(1), one, rsrp, sec,
                  np.empty_like(rsrp))
    rows, cols = np.mgrid[0:cells, 0:cells]
    inside = np.hypot(rows - n_steps, cols - n_steps) * RES <= radius
    inside[n_steps, n_steps] = False  # the site's own cell
    assert np.isfinite(rsrp[inside]).all(), np.argwhere(inside & ~np.isfinite(rsrp))[:5]
