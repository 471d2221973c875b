"""Vendor antenna patterns: the MSI/Planet reader, the 3-D gain, and the engine using them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from covplan.cli.main import main
from covplan.errors import InputError
from covplan.io import load_dataset
from covplan.predict import predict_network
from covplan.radio.patterns import pattern_gain_dbi, read_msi

# A hand-written pattern: known attenuations every 10 degrees (symmetric about boresight),
# a 5 degree electrical downtilt, the gain in dBd (15.85 dBd = 18.0 dBi).
_H = {0: 0.0, 10: 0.3, 20: 1.1, 30: 2.6, 40: 4.5, 50: 7.1, 60: 10.2}
_V = {0: 0.5, 5: 0.0, 10: 3.0, 15: 10.0}


def _cut(known: dict[int, float], default: float) -> list[str]:
    lines = []
    for angle in range(0, 360, 10) if len(known) > 4 else range(0, 360, 5):
        mirrored = min(angle, 360 - angle) if len(known) > 4 else angle
        lines.append(f"{angle} {known.get(mirrored, default):.2f}")
    return lines


def _write_known(path: Path) -> Path:
    text = ["NAME Test-65-18", "MAKE covplan tests", "FREQUENCY 1800", "H_WIDTH 65",
            "GAIN 15.85 dBd", "TILT 5", "HORIZONTAL 36", *_cut(_H, 25.0),
            "VERTICAL 72", *_cut(_V, 20.0)]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def test_reads_the_file_and_gives_the_known_gains(tmp_path: Path) -> None:
    p = read_msi(_write_known(tmp_path / "known.msi"))
    assert p.name == "Test-65-18"
    assert p.gain_dbi == pytest.approx(18.0)
    assert p.electrical_tilt_deg == 5.0
    assert p.frequency_mhz == 1800.0
    cases = [  # (azimuth offset, depression, expected dBi)
        (0.0, 5.0, 18.0),            # boresight at the electrical tilt
        (30.0, 5.0, 18.0 - 2.6),     # a tabulated horizontal angle
        (-30.0, 5.0, 18.0 - 2.6),    # clockwise and anticlockwise alike (symmetric)
        (25.0, 10.0, 18.0 - 1.85 - 3.0),  # interpolated between 20 and 30 degrees, summed
        (0.0, 0.0, 18.0 - 0.5),
        (180.0, 5.0, 18.0 - 25.0),   # capped at the front-to-back level
        (180.0, 15.0, 18.0 - 25.0),
    ]
    for az, dep, expected in cases:
        assert float(pattern_gain_dbi(p, az, dep)) == pytest.approx(expected, abs=1e-9), (az,
                                                                                         dep)
    # a 5 degree mechanical tilt moves the vertical cut down in front
    assert float(pattern_gain_dbi(p, 0.0, 10.0, mech_tilt_deg=5.0)) == pytest.approx(18.0)


def test_every_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.msi"
    path.write_text("NAME x\nGAIN lots\nHORIZONTAL 4\n0 0\n90 -3\n180 x\n270 10\n"
                    "VERTICAL 4\n0 0\n90 20\n180 20\n270 20\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_msi(path)
    text = str(caught.value)
    assert "line 2: expected 'GAIN <value> [dBi|dBd]'" in text
    assert "line 5: attenuation -3 dB is negative" in text
    assert "line 6: expected '<angle> <attenuation dB>'" in text


def _parametric_msi(path: Path, tilt_deg: float) -> Path:
    """The 3GPP sector pattern (65 degrees, 10 degree vertical beam) tabulated per degree."""
    h = [f"{a} {min(12 * (min(a, 360 - a) / 65.0) ** 2, 25.0):.6f}" for a in range(360)]
    v = []
    for a in range(360):
        theta = a if a <= 180 else a - 360
        v.append(f"{a} {min(12 * ((theta - tilt_deg) / 10.0) ** 2, 20.0):.6f}")
    path.write_text("\n".join(["NAME 3gpp", "GAIN 17 dBi", f"ELECTRICAL_TILT {tilt_deg:g}",
                               "HORIZONTAL 360", *h, "VERTICAL 360", *v]) + "\n",
                    encoding="utf-8")
    return path


def test_a_tabulated_3gpp_pattern_predicts_what_the_parametric_one_does(tiny_dir: Path) -> None:
    plain = load_dataset(tiny_dir)
    _parametric_msi(tiny_dir / "sector.msi", 4.0)  # 4G default tilt: no mechanical tilt
    sites = (tiny_dir / "sites.csv").read_text(encoding="utf-8").splitlines()
    rows = [sites[0] + ",antenna_pattern"] + [
        line + (",sector.msi" if line.startswith("TN001") else ",") for line in sites[1:]]
    (tiny_dir / "sites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    patterned = load_dataset(tiny_dir)
    assert set(patterned.antenna_patterns) == {"sector.msi"}
    grid = plain.grid(90.0)
    a = predict_network(plain.sites, plain.terrain, grid)["4G"].rsrp_dbm.data
    b = predict_network(patterned.sites, patterned.terrain, grid,
                        environment=patterned.environment())["4G"]
    both = np.isfinite(a) & np.isfinite(b.rsrp_dbm.data)
    assert both.sum() > 100
    assert np.nanmax(np.abs(a[both] - b.rsrp_dbm.data[both])) < 0.05
    assert any("vendor antenna patterns" in n and "sector.msi" in n for n in b.rsrp_dbm.notes)


@pytest.mark.parametrize(("name", "expected"), [
    ("missing.msi", "antenna_pattern 'missing.msi': no such file"),
    ("../outside.msi", "lies outside the dataset folder"),
])
def test_pattern_files_are_found_inside_the_dataset_folder(
        tiny_dir: Path, capsys: pytest.CaptureFixture[str], name: str, expected: str) -> None:
    _write_known(tiny_dir.parent / "outside.msi")
    sites = (tiny_dir / "sites.csv").read_text(encoding="utf-8").splitlines()
    rows = [sites[0] + ",antenna_pattern"] + [line + f",{name}" for line in sites[1:]]
    (tiny_dir / "sites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = main(["-q", "validate", str(tiny_dir)])
    text = capsys.readouterr().err
    assert code == 2, text
    assert "Traceback" not in text
    for needle in ("sites.csv", "antenna_pattern", expected, "lines 2, 3, 4, 5"):
        assert needle in text, text
