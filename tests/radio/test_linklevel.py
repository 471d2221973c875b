"""Link-level SINR, efficiency and throughput against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from covplan.radio.linklevel import (
    SHANNON,
    fade_margin_db,
    layers_and_efficiency,
    noise_re_dbm,
    served_dl_mbps,
    sinr_db,
    user_dl_mbps,
)

LTE = SHANNON["4G"]


def test_tr36942_curve_hand_values() -> None:
    # η = 0.6·log2(1 + SINR): −10 dB → 0.6·log2(1.1) = 0.08250; 0 dB → 0.6·log2(2) = 0.6;
    # 10 dB → 0.6·log2(11) = 2.07566
    eta = LTE.efficiency(np.array([-10.0, 0.0, 10.0]))
    np.testing.assert_allclose(eta, [0.6 * math.log2(1.1), 0.6, 2.07566], atol=1e-5)
    assert 0.6 * math.log2(1.1) == pytest.approx(0.08250, abs=1e-5)


def test_tr36942_floor_and_cap() -> None:
    # SINR_max = 10·log10(2^(4.4/0.6) − 1) = 10·log10(160.27) = 22.05 dB
    assert LTE.sinr_max_db == pytest.approx(22.05, abs=0.01)
    eta = LTE.efficiency(np.array([-10.01, -40.0, 22.06, 30.0, 60.0]))
    np.testing.assert_allclose(eta, [0.0, 0.0, 4.4, 4.4, 4.4])
    # just below the cap it is still below 4.4
    assert float(LTE.efficiency(22.0)) < 4.4


def test_nr_cap_from_ts38214_and_ts38306() -> None:
    # 7.4063 · (1 − 0.14) = 6.369418
    assert SHANNON["5G"].max_bps_hz == pytest.approx(6.369418, abs=1e-6)
    assert float(SHANNON["5G"].efficiency(50.0)) == pytest.approx(6.369418, abs=1e-6)


def test_efficiency_monotone_and_nan() -> None:
    s = np.linspace(-30.0, 40.0, 2001)
    for mapping in SHANNON.values():
        assert np.all(np.diff(mapping.efficiency(s)) >= 0.0)
    assert np.isnan(LTE.efficiency(np.nan))


def test_noise_per_resource_element() -> None:
    # −174 + 10·log10(15 000) + 7 = −174 + 41.761 + 7 = −125.239
    assert noise_re_dbm("4G") == pytest.approx(-125.239, abs=1e-3)
    # −174 + 10·log10(30 000) + 7 = −174 + 44.771 + 7 = −122.229
    assert noise_re_dbm("5G") == pytest.approx(-122.229, abs=1e-3)
    assert noise_re_dbm("4G", noise_figure_db=9.0) == pytest.approx(-123.239, abs=1e-3)
    with pytest.raises(ValueError, match="technology"):
        noise_re_dbm("3G")


def test_sinr_hand_cases() -> None:
    one_mw_at = 10.0 ** (-100.0 / 10.0)  # −100 dBm in mW
    # noise only: −100 − (−125.24) = 25.24 dB
    assert float(sinr_db(-100.0, 0.0, -125.24)) == pytest.approx(25.24, abs=1e-9)
    # one equal-power interferer at load 1, no noise: S/I = 1 → 0 dB
    assert float(sinr_db(-100.0, 1.0 * one_mw_at, -np.inf)) == pytest.approx(0.0, abs=1e-9)
    # the same interferer at load 0 contributes nothing: S − N
    assert float(sinr_db(-100.0, 0.0 * one_mw_at, -125.24)) == pytest.approx(25.24, abs=1e-9)
    # two equal interferers at load 0.5 each: I = 0.5·P + 0.5·P = P → 0 dB
    assert float(sinr_db(-100.0, 2 * 0.5 * one_mw_at, -np.inf)) == pytest.approx(0.0, abs=1e-9)
    # interference equal to noise doubles the denominator: 25.24 − 3.0103
    noise_mw = 10.0 ** (-125.24 / 10.0)
    assert float(sinr_db(-100.0, noise_mw, -125.24)) == pytest.approx(25.24 - 3.0103, abs=1e-4)


def test_sinr_vectorised_nan_and_negative() -> None:
    out = sinr_db(np.array([-100.0, np.nan]), np.array([0.0, 0.0]), -125.24)
    assert out[0] == pytest.approx(25.24)
    assert np.isnan(out[1])
    with pytest.raises(ValueError, match=">= 0"):
        sinr_db(-100.0, -1e-12, -125.0)


def test_fade_margin() -> None:
    # Φ⁻¹(0.9) = 1.281552 → 8 · 1.281552 = 10.2524
    assert fade_margin_db(0.9, 8.0) == pytest.approx(10.2524, abs=1e-4)
    assert fade_margin_db(0.9) == pytest.approx(1.281552 * 8.0, abs=1e-5)
    assert fade_margin_db(0.5) == pytest.approx(0.0, abs=1e-12)
    # symmetric: 10 % location probability gives the negative margin
    assert fade_margin_db(0.1, 8.0) == pytest.approx(-10.2524, abs=1e-4)
    for bad in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            fade_margin_db(bad)


def test_rank_adaptation_high_sinr_uses_all_layers() -> None:
    # 40 dB: 4 layers at 40 − 6.02 = 33.98 dB are all capped → 4 · 7.4063 · 0.86 = 25.478
    n, eta = layers_and_efficiency(40.0, "5G", 4)
    assert int(n) == 4
    assert float(eta) == pytest.approx(25.4777, abs=1e-4)
    # 4G, 2 layers allowed, 30 dB: 2 layers at 26.99 dB, capped → 8.8
    n, eta = layers_and_efficiency(30.0, "4G", 2)
    assert (int(n), float(eta)) == (2, pytest.approx(8.8))


def test_rank_adaptation_per_cell_is_the_best_of_every_allowed_rank() -> None:
    """Against the definition, rank by rank through ShannonMapping.efficiency (the
    per-layer curve of TR 36.942 A.2): every cell's layers and total, NaN kept, per-cell
    maxima, ties to the lowest rank (below SINR_min every rank gives 0)."""
    rng = np.random.default_rng(7)
    sinr = rng.uniform(-25.0, 45.0, 20_000)
    sinr[::37] = np.nan
    max_layers = rng.choice([1, 2, 3, 4, 8], sinr.size)
    for tech in ("4G", "5G"):
        mapping = SHANNON[tech]
        ranks = np.arange(1, 9)[:, None]
        per_rank = ranks * mapping.efficiency(sinr - 10.0 * np.log10(ranks))
        per_rank = np.where(ranks <= max_layers, per_rank, -np.inf)
        best = np.argmax(np.nan_to_num(per_rank, nan=-np.inf), axis=0)
        n, eta = layers_and_efficiency(sinr, tech, max_layers)
        nan = np.isnan(sinr)
        np.testing.assert_array_equal(n, np.where(nan, 0, best + 1))
        np.testing.assert_array_equal(np.isnan(eta), nan)
        np.testing.assert_allclose(eta[~nan], np.take_along_axis(per_rank, best[None], 0)[0][~nan],
                                   rtol=1e-12, atol=0.0)
        assert (n[sinr < -10.0] == 1).all()


def test_rank_adaptation_low_sinr() -> None:
    # −8 dB: 2 layers would be at −8 − 3.01 = −11.01 dB < SINR_min → 0, so 1 layer:
    # 0.6·log2(1 + 10^−0.8) = 0.6·log2(1.158489) = 0.6 · 0.212243 = 0.127346
    n, eta = layers_and_efficiency(-8.0, "5G", 4)
    assert int(n) == 1
    assert float(eta) == pytest.approx(0.127346, abs=1e-6)
    # −5 dB: the power-split model still favours more layers while they stay above
    # SINR_min, since l·log2(1 + x/l) grows with l:
    #   1: 0.6·log2(1.31623)          = 0.23785
    #   2: 2·0.6·log2(1 + 0.31623/2)  = 0.25414
    #   3: 3·0.6·log2(1 + 0.31623/3)  = 0.26025  (−9.77 dB ≥ −10 dB)
    #   4: −11.02 dB < −10 dB         = 0
    n, eta = layers_and_efficiency(-5.0, "5G", 4)
    assert int(n) == 3
    assert float(eta) == pytest.approx(0.26025, abs=1e-5)
    # below SINR_min everything is 0; the lowest rank is reported
    n, eta = layers_and_efficiency(-20.0, "5G", 4)
    assert (int(n), float(eta)) == (1, 0.0)


def test_rank_adaptation_never_below_single_layer_and_per_cell_layers() -> None:
    s = np.linspace(-15.0, 45.0, 601)
    for tech, mapping in SHANNON.items():
        n, eta = layers_and_efficiency(s, tech, 4)
        assert np.all(eta >= mapping.efficiency(s) - 1e-12)
        assert np.all((n >= 1) & (n <= 4))
    # per-cell maximum layers broadcast against the SINR
    n, eta = layers_and_efficiency(np.array([40.0, 40.0, 40.0]), "4G", np.array([1, 2, 4]))
    assert n.tolist() == [1, 2, 4]
    np.testing.assert_allclose(eta, [4.4, 8.8, 17.6])


def test_rank_adaptation_nan_and_validation() -> None:
    n, eta = layers_and_efficiency(np.array([np.nan, 10.0]), "4G", 2)
    assert n[0] == 0
    assert np.isnan(eta[0])
    assert n[1] >= 1
    with pytest.raises(ValueError, match="layers"):
        layers_and_efficiency(10.0, "4G", 0)
    with pytest.raises(ValueError, match="layers"):
        layers_and_efficiency(10.0, "4G", 1.5)
    with pytest.raises(ValueError, match="technology"):
        layers_and_efficiency(10.0, "6G", 2)


def test_user_throughput_hand_cases() -> None:
    # 4G, 20 MHz, 2 layers, 30 dB: per layer 26.99 dB ≥ 22.05 → capped 4.4,
    # 2 · 4.4 = 8.8 b/s/Hz → 176 Mb/s peak, · (1 − 0.5) = 88 Mb/s
    assert float(user_dl_mbps(30.0, "4G", 20.0, 2, 0.5)) == pytest.approx(88.0)
    assert float(user_dl_mbps(30.0, "4G", 20.0, 2, 1.0)) == 0.0
    assert float(user_dl_mbps(30.0, "4G", 20.0, 2, 0.0)) == pytest.approx(176.0)
    # 0 dB, 1 layer: 10 MHz · 0.6 · 0.75 = 4.5 Mb/s
    assert float(user_dl_mbps(0.0, "4G", 10.0, 1, 0.25)) == pytest.approx(4.5)
    out = user_dl_mbps(np.array([np.nan, 30.0]), "4G", 20.0, 2, np.array([0.5, 0.5]))
    assert np.isnan(out[0])
    assert out[1] == pytest.approx(88.0)


def test_user_throughput_validation() -> None:
    for bad in (-0.1, 1.1, np.nan):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            user_dl_mbps(10.0, "4G", 20.0, 2, bad)
    with pytest.raises(ValueError, match="technology"):
        user_dl_mbps(10.0, "LTE", 20.0, 2, 0.5)
    with pytest.raises(ValueError, match="bandwidth"):
        user_dl_mbps(10.0, "4G", -20.0, 2, 0.5)


def test_served_throughput_by_hand_and_where_nothing_serves() -> None:
    # sector 0: 4G, 20 MHz, 2 layers, load 0.5; sector 1: 10 MHz, 1 layer, load 0.25
    server = np.array([[0, 1], [-1, 0]], dtype=np.int32)
    sinr = np.array([[30.0, 3.0], [30.0, np.nan]], dtype=np.float32)
    out = served_dl_mbps(server, sinr, "4G", [20.0, 10.0], [2, 1], [0.5, 0.25], fade_db=3.0)
    assert out.dtype == np.float32
    assert out[0, 0] == pytest.approx(88.0)  # 27 dB per sector still caps both layers
    assert out[0, 1] == pytest.approx(4.5)  # 3 − 3 = 0 dB: 10 MHz · 0.6 · 0.75
    assert np.isnan(out[1, 0]) and np.isnan(out[1, 1])  # no server; no SINR


def test_served_throughput_is_the_per_cell_throughput_of_the_serving_sector() -> None:
    rng = np.random.default_rng(11)
    n = 40
    bandwidth = rng.choice([5.0, 20.0, 100.0], n)
    layers, load = rng.choice([1, 2, 4], n), rng.random(n)
    server = rng.integers(-1, n, (90, 120)).astype(np.int32)
    sinr = rng.normal(5.0, 12.0, server.shape).astype(np.float32)
    sinr[rng.random(sinr.shape) < 0.05] = np.nan
    for technology, fade in (("4G", 0.0), ("5G", 2.5)):
        served = server >= 0
        index = server[served]
        expected = np.full(server.shape, np.nan, dtype=np.float32)
        expected[served] = user_dl_mbps(sinr[served].astype(np.float64) - fade, technology,
                                        bandwidth[index], layers[index], load[index])
        shared = sinr.copy()
        shared.flags.writeable = False  # a prediction's tiles
        for cells, values, part in ((server, sinr, np.s_[:, :]),
                                    (server[5:70, 9:100], shared[5:70, 9:100], np.s_[5:70, 9:100])):
            got = served_dl_mbps(cells, values, technology, bandwidth, layers, load, fade)
            assert np.array_equal(got, expected[part], equal_nan=True)  # bit for bit


def test_served_throughput_validation() -> None:
    server, sinr = np.zeros((1, 1), np.int32), np.zeros((1, 1), np.float32)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        served_dl_mbps(server, sinr, "4G", [20.0], [2], [1.5])
    with pytest.raises(ValueError, match="layers"):
        served_dl_mbps(server, sinr, "4G", [20.0], [0], [0.5])
    with pytest.raises(ValueError, match="bandwidth"):
        served_dl_mbps(server, sinr, "4G", [-1.0], [2], [0.5])
