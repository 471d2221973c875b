"""Antenna pattern and link-budget values against the 3GPP definitions."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.radio import antenna_gain_dbi, re_power_dbm, resource_blocks, rsrp_dbm


def test_sector_pattern_boresight_half_beamwidth_and_back() -> None:
    g = antenna_gain_dbi([0.0, 32.5, -32.5, 180.0, 540.0], 0.0, gain_dbi=17.0,
                         beamwidth_deg=65.0)
    # boresight 17; at φ3dB/2: −12·(0.5)² = −3 dB; at 180°: −min(12·(180/65)², 25) = −25
    np.testing.assert_allclose(g, [17.0, 14.0, 14.0, -8.0, -8.0], atol=1e-9)


def test_vertical_pattern_and_tilt() -> None:
    # receiver at the tilt angle: no vertical loss; 5° further down (θ3dB/2 = 5°): −3 dB
    g = antenna_gain_dbi(0.0, [4.0, 9.0, 90.0], gain_dbi=17.0, beamwidth_deg=65.0, tilt_deg=4.0)
    # far below: side-lobe limit 20 dB → 17 − 20 = −3
    np.testing.assert_allclose(g, [17.0, 14.0, -3.0], atol=1e-9)


def test_combined_attenuation_capped_at_front_to_back() -> None:
    # behind (−25) and far below (−20): total −min(45, 25) = −25
    g = antenna_gain_dbi(180.0, 60.0, gain_dbi=17.0, beamwidth_deg=65.0)
    assert float(g) == pytest.approx(-8.0)


def test_mechanical_tilt_turns_into_uptilt_behind() -> None:
    front = antenna_gain_dbi(0.0, 6.0, gain_dbi=15.0, beamwidth_deg=65.0, mech_tilt_deg=6.0)
    back = antenna_gain_dbi(180.0, -6.0, gain_dbi=15.0, beamwidth_deg=65.0, mech_tilt_deg=6.0,
                            front_to_back_db=40.0)
    # front: at its tilt → 15; back: horizontal −min(12·(180/65)², 40) = −40, vertical 0
    assert float(front) == pytest.approx(15.0)
    assert float(back) == pytest.approx(-25.0)


def test_omni_is_flat_in_azimuth() -> None:
    g = antenna_gain_dbi([0.0, 90.0, 180.0], 0.0, gain_dbi=10.0, beamwidth_deg=np.nan)
    np.testing.assert_allclose(g, 10.0)


def test_resource_blocks_tables() -> None:
    assert resource_blocks("4G", 20.0, 1800.0) == 100   # TS 36.101 Table 5.6-1
    assert resource_blocks("4G", 10.0, 1800.0) == 50
    assert resource_blocks("5G", 100.0, 3500.0) == 273  # TS 38.101-1, 30 kHz SCS
    assert resource_blocks("5G", 20.0, 2100.0) == 106   # 15 kHz SCS
    # 0.9·12 MHz / (12·15 kHz) = 60
    assert resource_blocks("4G", 12.0, 1800.0) == 60
    with pytest.raises(ValueError, match="technology must be"):
        resource_blocks("3G", 5.0, 2100.0)


def test_rsrp_link_budget() -> None:
    # 46 − 10·log10(12·100) = 46 − 30.792 = 15.208 dBm per RE
    assert float(re_power_dbm(46.0, 100)) == pytest.approx(15.208, abs=1e-3)
    # 53 − 10·log10(12·273) = 53 − 35.154 = 17.846
    assert float(re_power_dbm(53.0, 273)) == pytest.approx(17.846, abs=1e-3)
    # 15.208 + 17 − 2 − 130 = −99.792
    assert float(rsrp_dbm(46.0, 100, 17.0, 2.0, 130.0)) == pytest.approx(-99.792, abs=1e-3)


def test_isotropic_when_both_beamwidths_are_zero() -> None:
    g = antenna_gain_dbi([0.0, 180.0], [0.0, 60.0], gain_dbi=0.0, beamwidth_deg=0.0,
                         vertical_beamwidth_deg=0.0)
    np.testing.assert_allclose(g, 0.0)
