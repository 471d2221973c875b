r"""Clutter loss at the receiver: ITU-R P.2108-1 §3.1 terminal clutter loss per land-cover class.

A land-cover class stands for one of the six clutter types of ITU-R P.2108-1 Table 3 with a
representative clutter height :math:`R`. For a receiver of height :math:`h < R` the
Recommendation gives the median loss of the terminal's surroundings (§3.1, eqs. 2a/2b):

.. math::
    A_h &= J(\nu) - 6.03, \quad \nu = K_{\nu}\sqrt{h_{dif}\,\theta_{clut}},\quad
    K_{\nu} = 0.342\sqrt{f}, \quad h_{dif} = R - h,\quad
    \theta_{clut} = \arctan(h_{dif}/w_s)
    \quad \text{(urban, dense urban, suburban, trees/forest)} \\
    A_h &= -K_{h2}\log_{10}(h/R), \quad K_{h2} = 21.8 + 6.2\log_{10} f
    \quad \text{(water/sea, open/rural)}

with :math:`f` in GHz, :math:`w_s` the street width (27 m by default) and :math:`J` the
knife-edge loss of ITU-R P.526; :math:`A_h = 0` for :math:`h \ge R`. The values come from
NTIA's reference implementation (``proplib-p2108``, module ``ITS.ITU.PSeries.P2108``).
§3.1 holds from 0.03 to 3 GHz: a carrier outside takes the loss at the nearest limit (3 GHz
for the 3.5 GHz NR band), which :meth:`ClutterTable.notes` states.

Relative to the model's own environment
---------------------------------------
The empirical models already contain the clutter of the environment they were fitted in
(COST-231 Hata suburban: a receiver among suburban houses; TR 38.901 UMa: urban streets),
and the deterministic ones (``terrain``, ``itm``) predict over bare ground, the open land of
P.2108. Adding the full :math:`A_h` would count that clutter twice, so covplan adds the
*difference* between the class's loss and the loss of the model's reference type
(:data:`MODEL_REFERENCE`):

.. math:: L_{clutter}(c) = A_h(\text{type}(c), R_c) - A_h(\text{reference}, R_{ref})

A forest cell seen by ``hata-suburban`` at 1800 MHz loses 3.8 dB more than a suburban one; a
paddy field loses 2.5 dB less. Calibration (:mod:`covplan.calibration`) fits a further offset
per class on top of this prior.

Examples
--------
>>> round(terminal_clutter_loss_db(1800.0, "urban"), 1)
25.6
>>> round(terminal_clutter_loss_db(1800.0, "open"), 1)
19.3
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, Literal, get_args

import numpy as np

from covplan.i18n import N_, Name, Num, Text

logger = logging.getLogger(__name__)

ClutterType = Literal["water", "open", "suburban", "urban", "forest", "dense_urban"]
#: The clutter types of ITU-R P.2108-1 Table 3, covplan's names.
CLUTTER_TYPES: Final[tuple[ClutterType, ...]] = get_args(ClutterType)
#: Representative clutter height R (m) of each type: the defaults of P.2108-1 Table 3.
DEFAULT_HEIGHT_M: Final[Mapping[ClutterType, float]] = {
    "water": 10.0, "open": 10.0, "suburban": 10.0, "urban": 15.0, "forest": 15.0,
    "dense_urban": 20.0,
}
#: Street width w_s (m) of P.2108-1 §3.1 (its default).
STREET_WIDTH_M: Final = 27.0
#: Frequency range (MHz) of P.2108-1 §3.1.
FREQUENCY_RANGE_MHZ: Final = (30.0, 3000.0)
#: Each clutter type in words (marked for translation).
CLUTTER_WORDS: Final[Mapping[ClutterType, str]] = {
    "water": N_("water"), "open": N_("open"), "suburban": N_("suburban"),
    "urban": N_("urban"), "forest": N_("forest"), "dense_urban": N_("dense urban"),
}
#: The clutter type each propagation model already contains at the receiver.
MODEL_REFERENCE: Final[Mapping[str, ClutterType]] = {
    "terrain": "open",
    "itm": "open",
    "hata-metropolitan": "dense_urban",
    "hata-urban": "urban",
    "hata-suburban": "suburban",
    "hata-open": "open",
    "rma": "open",
    "uma": "urban",
    "uma-nlos": "urban",
}
#: Citation of the clutter model.
REFERENCE: Final = "ITU-R P.2108-1 §3.1 terminal clutter loss (NTIA proplib-p2108)"


@dataclass(frozen=True)
class ClutterClass:
    """One land-cover class and the clutter it stands for.

    Parameters
    ----------
    code
        The class value in the land-cover raster (1-65535; 0 is no data).
    name
        What the class is (``"Tree cover"``).
    clutter
        The P.2108 clutter type, or None for a class that adds no clutter loss (the
        model's own environment).
    height_m
        Representative clutter height R; None for the type's default
        (:data:`DEFAULT_HEIGHT_M`).
    """

    code: int
    name: str
    clutter: ClutterType | None
    height_m: float | None = None

    @property
    def representative_height_m(self) -> float:
        """R: the given height, else the type's default (0 without clutter)."""
        if self.clutter is None:
            return 0.0
        return self.height_m if self.height_m is not None else DEFAULT_HEIGHT_M[self.clutter]


#: The ESA WorldCover 10 m v200 legend (Zanaga et al. 2022, Product User Manual Table 1),
#: the default class table of a land-cover layer, with the P.2108 type of each class.
WORLDCOVER: Final[tuple[ClutterClass, ...]] = (
    ClutterClass(10, "Tree cover", "forest"),
    ClutterClass(20, "Shrubland", "open"),
    ClutterClass(30, "Grassland", "open"),
    ClutterClass(40, "Cropland", "open"),
    ClutterClass(50, "Built-up", "urban"),
    ClutterClass(60, "Bare / sparse vegetation", "open"),
    ClutterClass(70, "Snow and ice", "open"),
    ClutterClass(80, "Permanent water bodies", "water"),
    ClutterClass(90, "Herbaceous wetland", "open"),
    ClutterClass(95, "Mangroves", "forest"),
    ClutterClass(100, "Moss and lichen", "open"),
)


def _p2108_type(clutter: ClutterType) -> int:
    from ITS.ITU.PSeries.P2108 import ClutterType as P2108Type

    names = {"water": P2108Type.WaterSea, "open": P2108Type.OpenRural,
             "suburban": P2108Type.Suburban, "urban": P2108Type.Urban,
             "forest": P2108Type.TreesForest, "dense_urban": P2108Type.DenseUrban}
    return int(names[clutter])


@lru_cache(maxsize=4096)
def _loss_db(f_ghz: float, rx_height_m: float, street_width_m: float, height_m: float,
             clutter: ClutterType) -> float:
    from ITS.ITU.PSeries.P2108 import ClutterType as P2108Type
    from ITS.ITU.PSeries.P2108 import HeightGainTerminalCorrectionModel

    return float(HeightGainTerminalCorrectionModel(f_ghz, rx_height_m, street_width_m,
                                                   height_m, P2108Type(_p2108_type(clutter))))


def clamped_frequency_mhz(frequency_mhz: float) -> float:
    """``frequency_mhz`` brought into P.2108 §3.1's range (30-3000 MHz)."""
    low, high = FREQUENCY_RANGE_MHZ
    return min(max(float(frequency_mhz), low), high)


def terminal_clutter_loss_db(frequency_mhz: float, clutter: ClutterType, *,
                             rx_height_m: float = 1.5, height_m: float | None = None,
                             street_width_m: float = STREET_WIDTH_M) -> float:
    """Median terminal clutter loss :math:`A_h` of ITU-R P.2108-1 §3.1 (module docstring).

    Parameters
    ----------
    frequency_mhz
        Carrier frequency; outside 30-3000 MHz the loss at the nearest limit.
    clutter
        P.2108 clutter type, one of :data:`CLUTTER_TYPES`.
    rx_height_m
        Terminal (receiver) height above ground.
    height_m
        Representative clutter height R; default :data:`DEFAULT_HEIGHT_M`.
    street_width_m
        Street width :math:`w_s`.

    Returns
    -------
    float
        The loss in dB (0 when the terminal stands above the clutter).

    Raises
    ------
    ValueError
        For an unknown clutter type or non-positive heights.
    """
    if clutter not in CLUTTER_TYPES:
        raise ValueError(f"clutter must be one of {', '.join(CLUTTER_TYPES)}, got {clutter!r}")
    height = DEFAULT_HEIGHT_M[clutter] if height_m is None else float(height_m)
    if rx_height_m <= 0 or height <= 0 or street_width_m <= 0:
        raise ValueError("rx_height_m, height_m and street_width_m must be positive, got "
                         f"{rx_height_m}, {height}, {street_width_m}")
    f_ghz = clamped_frequency_mhz(frequency_mhz) / 1000.0
    return _loss_db(round(f_ghz, 9), float(rx_height_m), float(street_width_m), height,
                    clutter)


@dataclass(frozen=True)
class ClutterTable:
    """The classes of a land-cover raster and the clutter loss each adds at the receiver.

    Parameters
    ----------
    classes
        One :class:`ClutterClass` per class value; values not listed add no loss.
    source
        Where the table comes from (the ESA WorldCover legend, or the manifest), to be said
        in the reader's language.
    """

    classes: tuple[ClutterClass, ...] = WORLDCOVER
    source: Text = field(default_factory=lambda: Text(N_("ESA WorldCover v200 legend "
                                                        "(default)")))
    _index: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = [c.code for c in self.classes]
        if len(set(codes)) != len(codes):
            raise ValueError(f"class codes must be unique, got {codes}")
        if any(not 1 <= c <= 65535 for c in codes):
            raise ValueError(f"class codes must lie in 1-65535 (0 is no data), got {codes}")
        self._index.update({c: i + 1 for i, c in enumerate(codes)})

    @property
    def codes(self) -> tuple[int, ...]:
        """The class values, in table order."""
        return tuple(c.code for c in self.classes)

    def lookup(self) -> np.ndarray:
        """int32 array mapping a class value (0-65535) to its index (1-based, 0 unknown)."""
        table = np.zeros(65536, dtype=np.int32)
        for code, index in self._index.items():
            table[code] = index
        return table

    def index_of(self, codes: np.ndarray) -> np.ndarray:
        """The table index (1-based; 0 for no data or a value not in the table) of codes."""
        values = np.asarray(codes)
        valid = (values >= 0) & (values <= 65535)
        out = np.zeros(values.shape, dtype=np.int32)
        out[valid] = self.lookup()[values[valid].astype(np.int64)]
        return out

    def loss_db(self, frequency_mhz: float, model: str, *,
                rx_height_m: float = 1.5) -> np.ndarray:
        """Clutter loss per table index (index 0: no loss) relative to ``model``'s own clutter.

        Parameters
        ----------
        frequency_mhz
            Carrier frequency.
        model
            The propagation model's name (see :data:`MODEL_REFERENCE`).
        rx_height_m
            Receiver height.

        Returns
        -------
        numpy.ndarray
            float64 of length ``len(classes) + 1``.
        """
        reference = MODEL_REFERENCE.get(model, "open")
        base = terminal_clutter_loss_db(frequency_mhz, reference, rx_height_m=rx_height_m)
        out = np.zeros(len(self.classes) + 1)
        for i, c in enumerate(self.classes):
            if c.clutter is not None:
                out[i + 1] = terminal_clutter_loss_db(
                    frequency_mhz, c.clutter, rx_height_m=rx_height_m, height_m=c.height_m
                ) - base
        return out

    def notes(self, frequencies_mhz: np.ndarray, model: str) -> tuple[Text, ...]:
        """What the clutter loss does, for the grids' notes."""
        reference = MODEL_REFERENCE.get(model, "open")
        text = [Text(N_("clutter: {reference} per land-cover class ({source}), relative to "
                        "the {environment} clutter {model} already contains"),
                     reference=Name(REFERENCE),
                     source=self.source,
                     environment=CLUTTER_WORDS[reference], model=Name(model))]
        low, high = FREQUENCY_RANGE_MHZ
        outside = sorted({float(f) for f in np.asarray(frequencies_mhz).ravel()
                          if not low <= f <= high})
        if outside:
            limit = clamped_frequency_mhz(outside[0])
            text.append(Text(N_("clutter loss of {frequencies} MHz taken at {limit} MHz, the "
                                "limit of P.2108 §3.1 ({low}–{high} MHz)"),
                             frequencies=[Num.shortest(f) for f in outside],
                             limit=Num.shortest(limit), low=Num.shortest(low),
                             high=Num.shortest(high)))
        return tuple(text)

    def digest(self) -> str:
        """Text that identifies the table in cache keys."""
        return repr(tuple((c.code, c.clutter, c.height_m) for c in self.classes))


def clutter_type(name: str) -> ClutterType | None:
    """The clutter type called ``name`` (``"none"`` is None).

    Raises
    ------
    ValueError
        For a name that is neither a type of :data:`CLUTTER_TYPES` nor ``"none"``.
    """
    key = name.strip().lower().replace(" ", "_").replace("-", "_").replace("/", "_")
    aliases = {"trees": "forest", "trees_forest": "forest", "sea": "water", "rural": "open",
               "open_rural": "open", "water_sea": "water", "dense": "dense_urban"}
    key = aliases.get(key, key)
    if key == "none":
        return None
    if key not in CLUTTER_TYPES:
        raise ValueError(f"unknown clutter type {name!r}; expected one of "
                         f"{', '.join(CLUTTER_TYPES)} or 'none'")
    return key  # type: ignore[return-value]


def is_finite_height(value: object) -> bool:
    """True for a positive finite number (a usable clutter height)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 < value <= 200)
