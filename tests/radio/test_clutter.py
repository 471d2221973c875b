"""Clutter loss: ITU-R P.2108-1 §3.1 through NTIA's proplib-p2108, against published values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from covplan.radio.clutter import (
    WORLDCOVER,
    ClutterClass,
    ClutterTable,
    clutter_type,
    terminal_clutter_loss_db,
)

# NTIA/p2108 tests/HeightGainTerminalCorrectionModelTestData.csv (the reference
# implementation's published test values, rounded to 0.1 dB): f GHz, h m, w_s m, R m,
# clutter type, A_h dB. Several frequencies from 30 MHz to 3 GHz and every clutter type.
NTIA = [
    (1.5, 2.0, 27.0, 10.0, "water", 16.0),
    (1.5, 2.0, 27.0, 6.0, "water", 10.9),
    (1.5, 2.0, 27.0, 10.0, "open", 16.0),
    (1.5, 2.0, 27.0, 10.0, "suburban", 20.5),
    (1.5, 2.0, 27.0, 6.0, "suburban", 14.6),
    (1.5, 2.0, 27.0, 15.0, "urban", 24.5),
    (1.5, 2.0, 27.0, 15.0, "forest", 24.5),
    (1.5, 2.0, 27.0, 6.0, "forest", 14.6),
    (1.5, 2.0, 27.0, 20.0, "dense_urban", 27.1),
    (3.0, 3.0, 15.0, 15.0, "dense_urban", 29.0),
    (0.9, 2.3, 30.0, 10.0, "open", 13.7),
    (1.5, 2.5, 25.0, 10.0, "suburban", 20.2),
    (0.03, 2.1, 24.5, 9.8, "suburban", 5.7),
    (1.7, 30.0, 24.5, 9.8, "suburban", 0.0),
]


@pytest.mark.parametrize(("f_ghz", "h", "ws", "r", "kind", "expected"), NTIA)
def test_terminal_loss_matches_the_reference_test_values(f_ghz: float, h: float, ws: float,
                                                         r: float, kind: str,
                                                         expected: float) -> None:
    got = terminal_clutter_loss_db(f_ghz * 1000.0, kind, rx_height_m=h, height_m=r,  # type: ignore[arg-type]
                                   street_width_m=ws)
    assert got == pytest.approx(expected, abs=0.051)


def _knife_edge(nu: float) -> float:
    return 6.9 + 20 * math.log10(math.sqrt((nu - 0.1) ** 2 + 1) + nu - 0.1)


@pytest.mark.parametrize("f_mhz", [450.0, 900.0, 1800.0, 2600.0])
def test_terminal_loss_follows_equations_2a_and_2b_by_hand(f_mhz: float) -> None:
    f = f_mhz / 1000.0
    h, r, ws = 1.5, 15.0, 27.0
    h_dif = r - h
    theta = math.degrees(math.atan(h_dif / ws))
    nu = 0.342 * math.sqrt(f) * math.sqrt(h_dif * theta)
    assert terminal_clutter_loss_db(f_mhz, "urban") == pytest.approx(_knife_edge(nu) - 6.03,
                                                                     abs=1e-6)
    k_h2 = 21.8 + 6.2 * math.log10(f)
    assert terminal_clutter_loss_db(f_mhz, "open") == pytest.approx(
        -k_h2 * math.log10(h / 10.0), abs=1e-6)


def test_frequencies_beyond_3_ghz_take_the_loss_at_3_ghz_and_say_so() -> None:
    assert terminal_clutter_loss_db(3500.0, "forest") == terminal_clutter_loss_db(3000.0,
                                                                                  "forest")
    notes = ClutterTable().notes(np.array([1800.0, 3500.0]), "uma-nlos")
    assert any("3,500 MHz taken at 3,000 MHz" in n for n in notes)


def test_loss_is_relative_to_the_models_own_clutter() -> None:
    table = ClutterTable()
    loss = table.loss_db(1800.0, "hata-suburban")
    index = {c.code: i + 1 for i, c in enumerate(WORLDCOVER)}
    assert loss[0] == 0.0
    suburban = terminal_clutter_loss_db(1800.0, "suburban")
    assert loss[index[10]] == pytest.approx(terminal_clutter_loss_db(1800.0, "forest") - suburban)
    assert loss[index[40]] < 0 < loss[index[50]]  # paddy loses less, a town more
    bare = table.loss_db(1800.0, "itm")  # bare ground: open land is the reference
    assert bare[index[40]] == pytest.approx(0.0)


def test_class_tables_map_values_and_refuse_duplicates() -> None:
    table = ClutterTable((ClutterClass(3, "Town", "urban", 12.0), ClutterClass(7, "Lake", None)))
    assert table.index_of(np.array([0, 3, 7, 9, 70000])).tolist() == [0, 1, 2, 0, 0]
    assert table.loss_db(900.0, "hata-open")[2] == 0.0  # "none": no clutter loss
    with pytest.raises(ValueError, match="unique"):
        ClutterTable((ClutterClass(3, "a", "urban"), ClutterClass(3, "b", "open")))
    assert clutter_type("Trees/Forest") == "forest"
    assert clutter_type("none") is None
    with pytest.raises(ValueError, match="unknown clutter type 'jungle'"):
        clutter_type("jungle")
