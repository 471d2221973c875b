"""Terrain profiles: knife-edge loss, Bullington/Deygout, curvature and the radio horizon."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.radio import (
    bullington_loss_db,
    deygout_loss_db,
    knife_edge_loss_db,
    line_of_sight,
    radio_horizon_m,
)

F_MHZ = 1800.0
# λ = 299792458 / 1.8e9 = 0.166551 m; over a 10 km path with the edge at 5 km:
# ν = h·√(2·10000 / (0.166551·5000·5000)) = h·0.069307 → ν = 1 needs h = 14.4288 m.
# The earth bulge at mid-path with k = 4/3: 5000·5000 / (2·8 494 667) = 1.4715 m.
H_NU1 = 14.4288
BULGE = 1.4715
# J(1) = 6.9 + 20·log10(√(0.9² + 1) + 0.9) = 6.9 + 20·log10(2.245362) = 13.926 dB
J_NU1 = 13.926


def ridge_profile(top_m: float, n: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """10 km flat profile at 0 m with a one-sample ridge of ``top_m`` at 5 km."""
    d = np.linspace(0.0, 10_000.0, n)
    z = np.zeros(n)
    z[n // 2] = top_m
    return d, z


def test_knife_edge_values() -> None:
    # J(0) = 6.9 + 20·log10(√(0.01 + 1) − 0.1) = 6.9 + 20·log10(0.904988) = 6.033
    got = knife_edge_loss_db([-1.0, -0.78, 0.0, 1.0])
    np.testing.assert_allclose(got, [0.0, 0.0, 6.033, J_NU1], atol=0.002)


@pytest.mark.parametrize("method", [bullington_loss_db, deygout_loss_db])
def test_single_ridge_gives_knife_edge_loss(method) -> None:  # type: ignore[no-untyped-def]
    # antennas 10 m up on flat ground: the ray passes 10 m above ground; the ridge top sits
    # H_NU1 above the ray once the bulge is included, so ν = 1.
    d, z = ridge_profile(10.0 + H_NU1 - BULGE)
    assert method(d, z, 10.0, 10.0, F_MHZ) == pytest.approx(J_NU1, abs=0.02)


def test_grazing_ridge_is_6db_and_clear_path_is_0db() -> None:
    d, z = ridge_profile(10.0 - BULGE)  # top exactly on the ray: ν = 0 → 6.03 dB
    assert bullington_loss_db(d, z, 10.0, 10.0, F_MHZ) == pytest.approx(6.03, abs=0.02)
    d, z = ridge_profile(0.0)  # ray 10 m up, first Fresnel radius √(λ·2500) = 20.4 m:
    # ν at mid-path = −(10 − 1.47)·0.069307 = −0.591 → J = 6.9 + 20·log10(1.2149 − 0.691) = 1.28
    assert bullington_loss_db(d, z, 10.0, 10.0, F_MHZ) == pytest.approx(1.28, abs=0.05)
    d, z = ridge_profile(0.0)
    assert bullington_loss_db(d, z, 60.0, 60.0, F_MHZ) == 0.0


def test_deygout_adds_secondary_edges() -> None:
    d = np.linspace(0.0, 10_000.0, 201)
    z = np.zeros_like(d)
    z[100] = 40.0
    z[40] = 25.0
    one = deygout_loss_db(d, z, 10.0, 10.0, F_MHZ, max_edges=1)
    three = deygout_loss_db(d, z, 10.0, 10.0, F_MHZ)
    assert three > one > 0.0
    # Bullington replaces both edges by one: less than Deygout's sum, more than the main edge
    assert one < bullington_loss_db(d, z, 10.0, 10.0, F_MHZ) < three


def test_radio_horizon_flat_earth() -> None:
    # √(2·(4/3)·6371000·30) + √(2·(4/3)·6371000·1.5) = 22 576 + 5 048 = 27 624 m
    assert float(radio_horizon_m(30.0)) + float(radio_horizon_m(1.5)) == pytest.approx(
        27_624.0, abs=2.0)
    for dist, visible in ((27_400.0, True), (27_850.0, False)):
        d = np.linspace(0.0, dist, 2001)
        assert line_of_sight(d, np.zeros_like(d), 30.0, 1.5) is visible
    # with k = 1 the horizon shrinks by √(3/4): 23 923 m, so 25 km is beyond it
    d = np.linspace(0.0, 25_000.0, 2001)
    assert line_of_sight(d, np.zeros_like(d), 30.0, 1.5, k_factor=1.0) is False
