r"""Vendor antenna patterns: MSI/Planet files (``.msi``, ``.pln``) and their 3-D gain.

File format
-----------
An MSI (Planet) file is plain text: keyword lines, then the two cuts::

    NAME 80010465_1800_T04
    MAKE Kathrein
    FREQUENCY 1800            (MHz; "1.8 GHz" accepted)
    H_WIDTH 65
    V_WIDTH 7.2
    FRONT_TO_BACK 28
    GAIN 17.8 dBi             (dBd when no unit is given, the format's convention)
    TILT 4                    (electrical downtilt built into the vertical cut, degrees;
                               ELECTRICAL_TILT 4 is read the same way)
    HORIZONTAL 360
    0 0.00
    1 0.01
    ...
    VERTICAL 360
    0 0.70
    ...

Each cut lists angle and attenuation in dB below the maximum gain (0 or more, without a
minus sign). Horizontal angles are bearings from the boresight, clockwise as on a compass
(0° = boresight); vertical angles are measured from the horizon downwards (0° = horizon,
90° = straight down, 180° = horizon behind, 270° = straight up), the convention Radio Mobile
and Planet document. Cuts at any angular step are read and resampled to 0.5°, linearly and
circularly.

3-D gain
--------
The two cuts are combined as 3GPP TR 36.814 Table A.2.1.1-2 (and TR 38.901 eq. 7.3-3)
combine the parametric pattern, by summation capped at the front-to-back level:

.. math::
    G(\varphi, \theta) = G_{max} - \min\left[A_H(\varphi) + A_V(\theta - \theta_m\cos\varphi),
    A_{max}\right]

with :math:`A_H`, :math:`A_V` the file's cuts, :math:`A_{max}` the largest attenuation of the
horizontal cut (its front-to-back ratio) and :math:`\theta_m` the mechanical tilt: the
sector's ``tilt_deg`` is its total downtilt, so a file whose vertical cut holds an electrical
tilt :math:`\theta_e` is tilted mechanically by ``tilt_deg`` − :math:`\theta_e` (an up-tilt
behind the antenna, as for the parametric pattern). Summation is the usual choice of
planning tools for 2×2-D patterns; it is exact in both principal planes and pessimistic
by at most the cap off them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from covplan.errors import InputError, Problem
from covplan.i18n import N_
from covplan.radio.antenna import pattern_db

logger = logging.getLogger(__name__)

#: Samples per cut after resampling (0.5° steps).
CUT_SAMPLES: Final = 720
#: dBi minus dBd.
DBD_TO_DBI: Final = 2.15
#: File suffixes read as MSI/Planet patterns.
PATTERN_SUFFIXES: Final = (".msi", ".pln", ".txt", ".ant")
#: Largest pattern file read (bytes): a pattern is a few kB.
MAX_PATTERN_BYTES: Final = 2_000_000
_NUMBER: Final = re.compile(r"^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True, eq=False)
class AntennaPattern:
    """A vendor pattern: boresight gain and the two cuts, resampled to 0.5°.

    Parameters
    ----------
    name
        The file's NAME (else the file name).
    gain_dbi
        Maximum gain.
    horizontal_db, vertical_db
        Attenuation below the maximum (dB, 0 or more) at 0, 0.5, … 359.5° (see the module
        docstring for the angles).
    electrical_tilt_deg
        The electrical downtilt the vertical cut holds (the file's TILT), 0 when not given.
    frequency_mhz
        The file's FREQUENCY, NaN when not given.
    source
        The file.
    """

    name: str
    gain_dbi: float
    horizontal_db: np.ndarray
    vertical_db: np.ndarray
    electrical_tilt_deg: float = 0.0
    frequency_mhz: float = math.nan
    source: str = ""

    @property
    def max_attenuation_db(self) -> float:
        """:math:`A_{max}`: the horizontal cut's largest attenuation (front-to-back)."""
        return float(np.max(self.horizontal_db))

    def digest(self) -> str:
        """Content hash (gain, tilt and both cuts) for cache keys."""
        h = hashlib.blake2b(digest_size=12)
        h.update(np.array([self.gain_dbi, self.electrical_tilt_deg]).tobytes())
        h.update(np.ascontiguousarray(self.horizontal_db, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(self.vertical_db, dtype=np.float64).tobytes())
        return h.hexdigest()


@njit(cache=True, inline="always")
def _cut_db(cut, angle_deg):  # type: ignore[no-untyped-def]
    """Attenuation of a 0.5°-sampled cut at ``angle_deg`` (linear, circular)."""
    n = cut.size
    x = (angle_deg % 360.0) * n / 360.0
    i = int(x)
    t = x - i
    i0 = i % n
    i1 = (i + 1) % n
    return cut[i0] * (1.0 - t) + cut[i1] * t


@njit(cache=True)
def table_pattern_db(azimuth_offset_deg, depression_deg, mech_tilt_deg, horizontal, vertical,  # type: ignore[no-untyped-def]
                     max_attenuation_db):
    """Relative gain (≤ 0 dB) of a 2×2-D pattern (module docstring, 3-D gain)."""
    phi = azimuth_offset_deg
    tilt = mech_tilt_deg * math.cos(math.radians(phi)) if mech_tilt_deg != 0.0 else 0.0
    a = _cut_db(horizontal, phi) + _cut_db(vertical, depression_deg - tilt)
    return -min(a, max_attenuation_db)


@njit(cache=True, inline="always")
def sector_gain_db(azimuth_offset_deg, depression_deg, beamwidth_deg, tilt_deg,  # type: ignore[no-untyped-def]
                   mech_tilt_deg, vertical_beamwidth_deg, front_to_back_db, side_lobe_db,
                   pattern, horizontal, vertical, max_attenuation):
    """Relative gain of one sector: its pattern file (``pattern`` ≥ 0) or the 3GPP pattern.

    For a file pattern, ``tilt_deg`` is the mechanical tilt beyond the file's electrical
    tilt; ``horizontal``/``vertical``/``max_attenuation`` hold every file's cuts by row.
    """
    if pattern < 0:
        return pattern_db(azimuth_offset_deg, depression_deg, beamwidth_deg, tilt_deg,
                          mech_tilt_deg, vertical_beamwidth_deg, front_to_back_db, side_lobe_db)
    return table_pattern_db(azimuth_offset_deg, depression_deg, tilt_deg, horizontal[pattern],
                            vertical[pattern], max_attenuation[pattern])


@njit(cache=True)
def _table_loop(az, dep, tilt, h, v, a_max, out):  # type: ignore[no-untyped-def]
    for i in range(az.size):
        out[i] = table_pattern_db(az[i], dep[i], tilt[i], h, v, a_max)


def pattern_gain_dbi(pattern: AntennaPattern, azimuth_offset_deg: ArrayLike,
                     depression_deg: ArrayLike = 0.0, *,
                     mech_tilt_deg: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Gain of a pattern file towards a receiver (module docstring, 3-D gain).

    Parameters
    ----------
    pattern
        The pattern.
    azimuth_offset_deg
        Receiver bearing minus the sector's azimuth (clockwise).
    depression_deg
        Receiver angle below the antenna's horizontal plane.
    mech_tilt_deg
        Mechanical downtilt beyond the file's electrical tilt.

    Returns
    -------
    numpy.ndarray
        Gain in dBi, broadcast over the inputs.
    """
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in (
        azimuth_offset_deg, depression_deg, mech_tilt_deg)])
    flat = [np.array(a, dtype=np.float64).ravel() for a in arrays]  # writable copies
    out = np.empty_like(flat[0])
    _table_loop(*flat, np.ascontiguousarray(pattern.horizontal_db, dtype=np.float64),  # type: ignore[call-arg]
                np.ascontiguousarray(pattern.vertical_db, dtype=np.float64),
                pattern.max_attenuation_db, out)
    return np.asarray(out + pattern.gain_dbi, dtype=np.float64).reshape(arrays[0].shape)


def pattern_tables(patterns: Sequence[AntennaPattern]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(horizontal, vertical, max attenuation) of ``patterns`` stacked by row, for the kernels.

    With no pattern, one row of zeros (the kernels need arrays of a fixed dimension).
    """
    if not patterns:
        zeros = np.zeros((1, CUT_SAMPLES))
        return zeros, zeros.copy(), np.zeros(1)
    h = np.stack([np.asarray(p.horizontal_db, dtype=np.float64) for p in patterns])
    v = np.stack([np.asarray(p.vertical_db, dtype=np.float64) for p in patterns])
    return h, v, np.array([p.max_attenuation_db for p in patterns])


# --- reading -------------------------------------------------------------------------------


def _number(text: str) -> float | None:
    token = text.strip()
    if not _NUMBER.match(token):
        return None
    return float(token.replace(",", "."))


def _resample(angles: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Values on 0, 0.5, … 359.5°: linear and circular interpolation of a cut."""
    order = np.argsort(angles % 360.0, kind="stable")
    a, v = angles[order] % 360.0, values[order]
    a = np.concatenate([a - 360.0, a, a + 360.0])
    v = np.concatenate([v, v, v])
    grid = np.arange(CUT_SAMPLES) * 360.0 / CUT_SAMPLES
    return np.asarray(np.interp(grid, a, v), dtype=np.float64)


def _gain_dbi(value: str) -> float | None:
    parts = value.split()
    number = _number(parts[0]) if parts else None
    if number is None:
        return None
    unit = parts[1].lower() if len(parts) > 1 else "dbd"
    if unit not in ("dbi", "dbd"):
        return None
    return number + (DBD_TO_DBI if unit == "dbd" else 0.0)


def _frequency_mhz(value: str) -> float | None:
    parts = value.split()
    number = _number(parts[0]) if parts else None
    if number is None:
        return None
    unit = parts[1].lower() if len(parts) > 1 else "mhz"
    scale = {"mhz": 1.0, "ghz": 1000.0, "khz": 0.001}.get(unit)
    return None if scale is None else number * scale


#: Problems of a cut, one whole sentence per cut (``HORIZONTAL``, ``VERTICAL``).
_BAD_SAMPLE: Final = {
    "HORIZONTAL": N_("expected '<angle> <attenuation dB>' in the horizontal cut, found {found}."),
    "VERTICAL": N_("expected '<angle> <attenuation dB>' in the vertical cut, found {found}."),
}
_NEGATIVE: Final = {
    "HORIZONTAL": N_("attenuation {attenuation} dB is negative in the horizontal cut."),
    "VERTICAL": N_("attenuation {attenuation} dB is negative in the vertical cut."),
}
_FEW_SAMPLES: Final = {
    "HORIZONTAL": N_("the horizontal cut has {count} samples; expected 360 (one per degree) "
                     "or at least 4."),
    "VERTICAL": N_("the vertical cut has {count} samples; expected 360 (one per degree) "
                   "or at least 4."),
}


class _Reader:
    """Parses the lines of one file, collecting every problem with its line number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.header: dict[str, tuple[str, int]] = {}
        self.cuts: dict[str, tuple[list[float], list[float]]] = {}

    def problem(self, line: int, message: str, fix: str, **params: object) -> None:
        self.problems.append(Problem(str(self.path), message, fix, layer="sites",
                                     column="antenna_pattern", rows=(line,), row_label="line",
                                     params=params))

    def read(self, lines: list[str]) -> None:
        cut: str | None = None
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                continue
            key, _, rest = line.partition(" ")
            upper = key.upper()
            if upper in ("HORIZONTAL", "VERTICAL"):
                cut = upper
                self.cuts[cut] = ([], [])
                continue
            if cut is not None:
                self._sample(cut, line, number)
                continue
            self.header.setdefault(upper, (rest.strip(), number))
            if number == 1 and upper not in ("NAME", "MAKE", "FREQUENCY", "GAIN"):
                self.header.setdefault("NAME", (line, number))

    def _sample(self, cut: str, line: str, number: int) -> None:
        fields = line.replace("\t", " ").split()
        values = [_number(f) for f in fields[:2]]
        if len(fields) < 2 or values[0] is None or values[1] is None:
            self.problem(number, _BAD_SAMPLE[cut],
                         N_("write one angle and its attenuation per line (e.g. '12 1.5')."),
                         found=repr(line))
            return
        angle, attenuation = values
        if attenuation < 0:  # type: ignore[operator]
            self.problem(number, _NEGATIVE[cut],
                         N_("MSI cuts hold the attenuation below the maximum gain, 0 or more, "
                            "without a minus sign."),
                         attenuation=f"{attenuation:g}")
            return
        self.cuts[cut][0].append(float(angle))  # type: ignore[arg-type]
        self.cuts[cut][1].append(float(attenuation))  # type: ignore[arg-type]

    def pattern(self) -> AntennaPattern | None:
        gain_text, gain_line = self.header.get("GAIN", ("", 0))
        gain = _gain_dbi(gain_text) if gain_text else None
        if gain is None:
            self.problem(max(gain_line, 1),
                         N_("expected 'GAIN <value> [dBi|dBd]', found {found}.") if gain_text
                         else N_("no GAIN line."),
                         N_("add a line such as 'GAIN 17.8 dBi' (dBd when no unit is given)."),
                         found=repr(gain_text))
        for cut in ("HORIZONTAL", "VERTICAL"):
            angles = self.cuts.get(cut, ([], []))[0]
            if len(angles) < 4:
                self.problem(1, _FEW_SAMPLES[cut],
                             N_("add the '{block} 360' block with one '<angle> <attenuation>' "
                                "line per degree."),
                             count=len(angles), block=cut)
        tilt = 0.0
        for key in ("ELECTRICAL_TILT", "TILT"):
            if key in self.header:
                text, line = self.header[key]
                value = _number(text.split()[0]) if text.split() else None
                if value is None and text.upper() not in ("ELECTRICAL", "MECHANICAL", ""):
                    self.problem(line, N_("expected '{key} <degrees>', found {found}."),
                                 N_("write e.g. '{key} 4' for a 4° electrical downtilt."),
                                 key=key, found=repr(text))
                if value is not None:
                    tilt = value
                    break
        frequency = math.nan
        if "FREQUENCY" in self.header:
            text, line = self.header["FREQUENCY"]
            found = _frequency_mhz(text)
            if found is None:
                self.problem(line, N_("expected 'FREQUENCY <MHz>', found {found}."),
                             N_("write e.g. 'FREQUENCY 1800' (MHz)."), found=repr(text))
            else:
                frequency = found
        if self.problems or gain is None:
            return None
        h = self.cuts["HORIZONTAL"]
        v = self.cuts["VERTICAL"]
        name = self.header.get("NAME", (self.path.stem, 0))[0] or self.path.stem
        return AntennaPattern(name, gain, _resample(np.array(h[0]), np.array(h[1])),
                              _resample(np.array(v[0]), np.array(v[1])), tilt, frequency,
                              str(self.path))


def read_msi(path: str | Path) -> AntennaPattern:
    """Read an MSI/Planet antenna pattern file (module docstring).

    Parameters
    ----------
    path
        The ``.msi``/``.pln`` file.

    Returns
    -------
    AntennaPattern

    Raises
    ------
    covplan.errors.InputError
        Every problem found (missing gain, a bad cut line, a negative attenuation), each with
        its line number; or a file that is missing, too large or not text.
    """
    path = Path(path)
    fix = N_("give the vendor's .msi/.pln file, named relative to the dataset folder.")
    if not path.is_file():
        raise InputError([Problem(str(path), N_("antenna pattern file not found."), fix,
                                  layer="sites", column="antenna_pattern")])
    if path.stat().st_size > MAX_PATTERN_BYTES:
        raise InputError([Problem(str(path), N_("{size} bytes is too large for an antenna "
                                                "pattern (a few kB expected)."), fix,
                                  layer="sites", column="antenna_pattern",
                                  params={"size": f"{path.stat().st_size:,}"})])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\x00" in text:
        raise InputError([Problem(str(path), N_("is not a text file (an MSI pattern is text)."),
                                  fix, layer="sites", column="antenna_pattern")])
    reader = _Reader(path)
    reader.read(text.splitlines())
    pattern = reader.pattern()
    if pattern is None:
        raise InputError(reader.problems)
    logger.debug("Read antenna pattern %s (%s, %.1f dBi)", path, pattern.name, pattern.gain_dbi)
    return pattern
