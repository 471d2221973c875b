"""Path-loss models against hand calculations from their reference formulas."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.radio import (
    ModelRangeWarning,
    cost231_hata_loss_db,
    free_space_loss_db,
    tr38901_rma_loss_db,
    tr38901_uma_loss_db,
)
from covplan.radio.pathloss import rma_breakpoint_m, uma_breakpoint_m


def test_free_space_hand_values() -> None:
    # 20·log10(4π·1000·1.8e9 / 299792458) = 20·log10(75450.4) = 97.553
    # 32.4478 + 20·log10(900) + 20·log10(10) = 32.4478 + 59.0849 + 20 = 111.533
    got = free_space_loss_db([1000.0, 10_000.0], [1800.0, 900.0])
    np.testing.assert_allclose(got, [97.553, 111.533], atol=0.002)


def test_free_space_rejects_zero_distance() -> None:
    with pytest.raises(ValueError, match="positive"):
        free_space_loss_db(0.0, 1800.0)


def test_cost231_hata_medium_city_1km() -> None:
    # 46.3 + 33.9·log10(1800) = 46.3 + 110.354 = 156.654
    # − 13.82·log10(30) = − 20.414
    # − a(hm) = −[(1.1·3.2553 − 0.7)·1.5 − (1.56·3.2553 − 0.8)] = −(4.3212 − 4.2782) = −0.0430
    # + (44.9 − 6.55·1.4771)·log10(1) = 0                                  → 136.197
    assert cost231_hata_loss_db(1000.0, 1800.0, 30.0, 1.5) == pytest.approx(136.197, abs=0.01)


def test_cost231_hata_distance_slope_and_environments() -> None:
    # at 5 km: + (44.9 − 6.55·1.47712)·log10(5) = 35.2249·0.69897 = 24.621 → 160.818
    assert cost231_hata_loss_db(5000.0, 1800.0, 30.0, 1.5) == pytest.approx(160.818, abs=0.01)
    # metropolitan: Cm = 3 dB → 139.197
    metro = cost231_hata_loss_db(1000.0, 1800.0, 30.0, 1.5, environment="metropolitan")
    assert metro == pytest.approx(139.197, abs=0.01)
    # suburban: − 2·[log10(1800/28)]² − 5.4 = − 2·1.80811² − 5.4 = −11.9385 → 124.258
    sub = cost231_hata_loss_db(1000.0, 1800.0, 30.0, 1.5, environment="suburban")
    assert sub == pytest.approx(124.258, abs=0.01)
    # open: − (4.78·3.25527² − 18.33·3.25527 + 40.94) = −(50.6526 − 59.6691 + 40.94) = −31.9235
    opn = cost231_hata_loss_db(1000.0, 1800.0, 30.0, 1.5, environment="open")
    assert opn == pytest.approx(104.273, abs=0.01)


def test_cost231_hata_warns_outside_range() -> None:
    with pytest.warns(ModelRangeWarning, match="distance d outside its validity range 1–20 km"):
        cost231_hata_loss_db(500.0, 1800.0, 30.0, 1.5)
    with pytest.warns(ModelRangeWarning, match="frequency f .* 1,500–2,000 MHz"):
        cost231_hata_loss_db(2000.0, 3500.0, 30.0, 1.5)
    with pytest.raises(ValueError, match="environment must be one of"):
        cost231_hata_loss_db(2000.0, 1800.0, 30.0, environment="jungle")  # type: ignore[arg-type]


def test_rma_breakpoint() -> None:
    # 2π·35·1.5·1.8e9 / 3e8 = 2π·315 = 1979.20 m
    assert rma_breakpoint_m(1800.0, 35.0, 1.5) == pytest.approx(1979.20, abs=0.01)
    # 4·(25 − 1)·(1.5 − 1)·3.5e9 / 3e8 = 48·11.667 = 560 m
    assert uma_breakpoint_m(3500.0, 25.0, 1.5) == pytest.approx(560.0, abs=1e-6)


def test_rma_los_both_sides_of_breakpoint() -> None:
    # fc 1.8 GHz, hBS 35, hUT 1.5, h 5 → h^1.72 = 15.9307
    # 1 km (< dBP): d3D = 1000.561;  20·log10(40π·1000.561·1.8/3) = 97.5521
    #   + 0.03·15.9307·log10(1000.561) = 1.4339;  − 0.044·15.9307 = −0.7010
    #   + 0.002·log10(5)·1000.561 = 1.3987                                → 99.684
    # 5 km (> dBP): PL1(dBP=1979.20) = 103.4770 + 1.5754 − 0.7010 + 2.7668 = 107.118
    #   + 40·log10(5000.112/1979.20) = 16.0996                             → 123.218
    got = tr38901_rma_loss_db([1000.0, 5000.0], 1800.0, 35.0, 1.5, los=True)
    np.testing.assert_allclose(got, [99.684, 123.218], atol=0.005)


def test_rma_nlos() -> None:
    # PL'_NLOS = 161.04 − 7.1·log10(20) + 7.5·log10(5) − (24.37 − 3.7·(5/35)²)·log10(35)
    #   + (43.42 − 3.1·log10(35))·(log10(d3D) − 3) + 20·log10(1.8) − (3.2·log10(17.625)² − 4.97)
    # 1 km: 124.648 (> LOS 99.68);  5 km: 151.643 (> LOS 123.22)
    got = tr38901_rma_loss_db([1000.0, 5000.0], 1800.0, 35.0, 1.5, los=False)
    np.testing.assert_allclose(got, [124.648, 151.643], atol=0.005)


def test_uma_los_both_sides_of_breakpoint_and_nlos() -> None:
    # fc 3.5 GHz, hBS 25, hUT 1.5, d'BP = 560 m; 20·log10(3.5) = 10.8814
    # 200 m: 28 + 22·log10(201.376) + 10.8814 = 28 + 50.6877 + 10.8814 = 89.570
    # 2 km: 28 + 40·log10(2000.138) + 10.8814 − 9·log10(560² + 23.5²)
    #     = 28 + 132.0424 + 10.8814 − 49.4743 = 121.449
    los = tr38901_uma_loss_db([200.0, 2000.0], 3500.0, 25.0, 1.5, los=True)
    np.testing.assert_allclose(los, [89.570, 121.449], atol=0.005)
    # NLOS' = 13.54 + 39.08·log10(d3D) + 10.8814: 200 m → 114.462; 2 km → 153.427
    nlos = tr38901_uma_loss_db([200.0, 2000.0], 3500.0, 25.0, 1.5, los=False)
    np.testing.assert_allclose(nlos, [114.462, 153.427], atol=0.005)


def test_38901_warns_outside_range() -> None:
    with pytest.warns(ModelRangeWarning, match=r"distance d2D outside .* 10–5,000 m"):
        tr38901_uma_loss_db(8000.0, 3500.0, los=False)
    with pytest.warns(ModelRangeWarning, match=r"BS height hBS outside .* 10–150 m"):
        tr38901_rma_loss_db(1000.0, 1800.0, 5.0, los=True)


def test_models_broadcast() -> None:
    out = cost231_hata_loss_db(np.full((2, 3), 2000.0), 1800.0, [30.0, 40.0, 50.0])
    assert out.shape == (2, 3)
    assert out[0, 0] > out[0, 1] > out[0, 2]
