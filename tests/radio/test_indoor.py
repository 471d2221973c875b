"""Building entry loss: ITU-R P.2109-2 against the ITU-R SG3 reference workbook's values."""

from __future__ import annotations

import numpy as np
import pytest

from covplan.radio.indoor import building_entry_loss_db

# Reference values of the ITU-R Study Group 3 "Clutter and BEL" validation workbook (as
# reproduced in eeveetza/Py2109 tests/validateP2109.py and javaP2109): frequency GHz,
# elevation deg, building type, probability %, loss dB (rounded to 0.001 dB).
WORKBOOK = [
    (28.0, 0.0, "traditional", 1.0, 2.769),
    (28.0, 0.0, "traditional", 10.0, 6.891),
    (28.0, 0.0, "traditional", 50.11872, 20.218),
    (28.0, 0.0, "traditional", 89.12509, 35.448),
    (28.0, 0.0, "traditional", 99.08319, 49.505),
    (28.0, 0.0, "thermally-efficient", 1.0, 9.369),
    (28.0, 0.0, "thermally-efficient", 10.0, 19.484),
    (28.0, 0.0, "thermally-efficient", 50.11872, 41.732),
    (28.0, 0.0, "thermally-efficient", 89.12509, 65.040),
    (28.0, 0.0, "thermally-efficient", 99.08319, 86.423),
    (2.0, 45.0, "traditional", 1.0, 3.508),
    (2.0, 45.0, "traditional", 10.0, 11.251),
    (2.0, 45.0, "traditional", 50.11872, 23.556),
    (2.0, 45.0, "traditional", 89.12509, 35.991),
    (2.0, 45.0, "traditional", 99.08319, 47.455),
    (2.0, 45.0, "thermally-efficient", 1.0, 8.605),
    (2.0, 45.0, "thermally-efficient", 10.0, 20.566),
    (2.0, 45.0, "thermally-efficient", 50.11872, 37.995),
    (2.0, 45.0, "thermally-efficient", 89.12509, 55.724),
    (2.0, 45.0, "thermally-efficient", 99.08319, 72.152),
]


@pytest.mark.parametrize(("f_ghz", "theta", "building", "p", "expected"), WORKBOOK)
def test_matches_the_sg3_workbook(f_ghz: float, theta: float, building: str, p: float,
                                  expected: float) -> None:
    got = building_entry_loss_db(f_ghz * 1000.0, p, building=building,  # type: ignore[arg-type]
                                 elevation_deg=theta)
    assert float(got) == pytest.approx(expected, abs=0.0015)


def test_median_at_the_planning_bands_and_its_growth_with_probability() -> None:
    # the medians covplan applies to indoor targets (traditional building, horizontal path)
    f = np.array([700.0, 1800.0, 3500.0])
    medians = building_entry_loss_db(f, 50.0)
    assert medians == pytest.approx([14.1, 14.84, 15.72], abs=0.02)
    losses = building_entry_loss_db(3500.0, np.array([10.0, 50.0, 90.0]))
    assert np.all(np.diff(losses) > 0)
    assert float(building_entry_loss_db(3500.0, 50.0, building="thermally-efficient")) > 25.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"probability_percent": 0.0}, "strictly between 0 and 100"),
    ({"probability_percent": 100.0}, "strictly between 0 and 100"),
    ({"frequency_mhz": 50.0}, "80-100000 MHz"),
    ({"building": "bamboo"}, "building must be one of traditional, thermally-efficient"),
])
def test_refuses_values_outside_the_recommendation(kwargs: dict[str, object], match: str
                                                   ) -> None:
    args: dict[str, object] = {"frequency_mhz": 1800.0, "probability_percent": 50.0, **kwargs}
    building = args.pop("building", "traditional")
    with pytest.raises(ValueError, match=match):
        building_entry_loss_db(args["frequency_mhz"], args["probability_percent"],  # type: ignore[arg-type]
                               building=building)  # type: ignore[arg-type]
