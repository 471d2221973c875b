r"""Propagation-model selection for coverage grids and the rule that combines it with terrain.

Model names (``model=`` of :func:`covplan.predict.predict_coverage`):

``"terrain"``
    Deterministic and fast: free space over the 3-D path plus the diffraction of one
    equivalent knife edge, :math:`L = L_{fs}(d_{3D}) + J(\nu_b)`, with the Bullington ν of the
    DEM profile including line-of-sight Fresnel-zone obstruction (ν < 0). It is a
    **lower bound** on terrain loss, not a stand-in for Longley-Rice or SPLAT!: one edge
    under-counts a path behind several ridges, and there is no ground reflection, earth
    roughness or rounded-obstacle term, so behind terrain it predicts far less loss than
    ITM (on the real Thai Nguyen tile, 1800 MHz, receivers at 1.5 m: within 1–3 dB of
    SPLAT!'s ITM where SPLAT! sees a clear path, 20–55 dB optimistic behind terrain; a
    three-edge Deygout (:func:`covplan.radio.terrain.deygout_loss_db`) still leaves about
    17 dB there). Use it for line-of-sight and first-obstacle studies (where a site sees,
    which ridge blocks it), or calibrate it on measurements (``covplan calibrate``); use
    ``"itm"`` for coverage behind terrain.
``"itm"``
    Deterministic: Longley-Rice ITM 1.2.2 point-to-point over the DEM profile to every cell
    (:mod:`covplan.radio.itm`), as SPLAT! ``-olditm`` computes it; median values, no clutter.
    The like-for-like model for SPLAT!: on the real Thai Nguyen tile, at eight sites, the
    median difference is 1.1–2.8 dB per site and the bias within 0.6 dB
    (``benchmarks/bench_splat.py``), at two to three times the cost of ``"terrain"``.
``"hata-metropolitan"``, ``"hata-urban"``, ``"hata-suburban"``, ``"hata-open"``
    COST-231 Hata with the Okumura effective base height (antenna above the mean terrain
    3–15 km out along each azimuth, clipped to [mast height, 200 m]) plus terrain diffraction
    of geometrically obstructed paths:
    :math:`L = \max(L_{fs}, L_{Hata}(h_{eff})) + J(\nu_b)\,[\nu_b > 0]`.
``"rma"``, ``"uma"``
    3GPP TR 38.901 with the LOS/NLOS state decided by the terrain: a terrain-clear path uses
    :math:`PL_{LOS}`; an obstructed one uses :math:`\max(PL_{NLOS}, PL_{LOS} + J(\nu_b))`,
    i.e. the standard's NLOS loss unless the terrain obstacle alone costs more.
``"uma-nlos"``
    TR 38.901 UMa NLOS everywhere (urban clutter makes LOS rare: P_LOS < 0.2 beyond 200 m)
    plus terrain diffraction of obstructed paths, as for Hata.
``"auto"``
    ``"hata-suburban"`` for 4G, ``"uma-nlos"`` for 5G (sites in towns, 3.5 GHz is outside
    Hata's range).

Why obstructed paths only for the empirical models: Hata and 38.901 were fitted to
measurements with the receiver among clutter over quasi-smooth terrain, so they already
contain the average near-ground Fresnel-zone loss of an unobstructed path; the terrain adds
only where it blocks the ray, starting at J(0) = 6 dB for a grazing edge.

Distances: each model is evaluated over the whole prediction disc, also outside its distance
range (Hata below 1 km, 38.901 beyond 5–10 km), never below free-space loss. This is logged
and written into the grid's notes; parameter ranges (frequency, heights) raise a
:class:`~covplan.radio.ModelRangeWarning` through :func:`check_model_ranges`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from covplan.i18n import N_, Text
from covplan.radio import _formulas as F  # noqa: N812
from covplan.radio import sweep as S  # noqa: N812
from covplan.radio._range import ModelRangeWarning, range_message

AUTO_MODEL: dict[str, str] = {"4G": "hata-suburban", "5G": "uma-nlos"}


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model: its name, kernel code and validity ranges.

    Parameters
    ----------
    name
        Model name (one of :data:`MODELS`).
    kernel
        Model code of :func:`covplan.radio.sweep.sweep_rays`.
    env
        COST-231 Hata environment code (ignored by the others).
    frequency_mhz, base_height_m, mobile_height_m, distance_m
        Validity ranges ``(low, high)``; ``None`` where the model states none.
    reference
        Citation.
    """

    name: str
    kernel: int
    env: int = 0
    frequency_mhz: tuple[float, float] | None = None
    base_height_m: tuple[float, float] | None = None
    mobile_height_m: tuple[float, float] | None = None
    distance_m: tuple[float, float] | None = None
    reference: str = ""


_HATA = dict(
    kernel=S.MODEL_HATA, frequency_mhz=(1500.0, 2000.0), base_height_m=(30.0, 200.0),
    mobile_height_m=(1.0, 10.0), distance_m=(1000.0, 20000.0),
    reference="COST 231 Final Report ch. 4.4.1; Hata (1980) suburban/open corrections",
)
_TR = "3GPP TR 38.901 V17.0.0 Table 7.4.1-1"
#: TR 38.901 RMa defaults: average building height h and street width W (Table 7.4.1-1).
RMA_BUILDING_HEIGHT_M, RMA_STREET_WIDTH_M = 5.0, 20.0
MODELS: dict[str, ModelSpec] = {
    "terrain": ModelSpec("terrain", S.MODEL_TERRAIN,
                         reference="ITU-R P.525-4 free space + ITU-R P.526-15 §4.5 Bullington "
                         "(one equivalent edge: a lower bound on terrain loss)"),
    "itm": ModelSpec("itm", S.MODEL_ITM, frequency_mhz=(20.0, 20000.0),
                     base_height_m=(0.5, 3000.0), mobile_height_m=(0.5, 3000.0),
                     distance_m=(1000.0, 2000e3),
                     reference="Longley-Rice ITM 1.2.2 point-to-point (NTIA/ITS, Hufford 1995)"),
    "hata-metropolitan": ModelSpec("hata-metropolitan", env=F.HATA_METRO, **_HATA),  # type: ignore[arg-type]
    "hata-urban": ModelSpec("hata-urban", env=F.HATA_MEDIUM_CITY, **_HATA),  # type: ignore[arg-type]
    "hata-suburban": ModelSpec("hata-suburban", env=F.HATA_SUBURBAN, **_HATA),  # type: ignore[arg-type]
    "hata-open": ModelSpec("hata-open", env=F.HATA_OPEN, **_HATA),  # type: ignore[arg-type]
    "rma": ModelSpec("rma", S.MODEL_RMA, frequency_mhz=(500.0, 30000.0),
                     base_height_m=(10.0, 150.0), mobile_height_m=(1.0, 10.0),
                     distance_m=(10.0, 10000.0), reference=f"{_TR}, RMa"),
    "uma": ModelSpec("uma", S.MODEL_UMA, frequency_mhz=(500.0, 100000.0),
                     mobile_height_m=(1.5, 22.5), distance_m=(10.0, 5000.0),
                     reference=f"{_TR}, UMa"),
    "uma-nlos": ModelSpec("uma-nlos", S.MODEL_UMA_NLOS, frequency_mhz=(500.0, 100000.0),
                          mobile_height_m=(1.5, 22.5), distance_m=(10.0, 5000.0),
                          reference=f"{_TR}, UMa NLOS"),
}


def resolve_model(model: str, technology: str) -> ModelSpec:
    """The :class:`ModelSpec` for ``model`` (``"auto"`` picks by technology).

    Raises
    ------
    ValueError
        For an unknown model or technology.
    """
    name = model
    if model == "auto":
        if technology not in AUTO_MODEL:
            raise ValueError(
                f"No automatic model for technology {technology!r}; expected one of "
                f"{sorted(AUTO_MODEL)} or pass model= one of {sorted(MODELS)}"
            )
        name = AUTO_MODEL[technology]
    if name not in MODELS:
        raise ValueError(f"Unknown propagation model {model!r}; expected 'auto' or one of "
                         f"{sorted(MODELS)}")
    return MODELS[name]


def model_range_messages(spec: ModelSpec, frequency_mhz: NDArray[np.float64],
                         base_height_m: NDArray[np.float64],
                         rx_height_m: float) -> tuple[Text, ...]:
    """One message per parameter outside ``spec``'s validity ranges (frequency, heights)."""
    label = f"{spec.name} ({spec.reference})"
    checks = []
    if spec.frequency_mhz:
        checks.append((N_("frequency"), frequency_mhz, spec.frequency_mhz, "MHz"))
    if spec.base_height_m:
        checks.append((N_("base-station height"), base_height_m, spec.base_height_m, "m"))
    if spec.mobile_height_m:
        checks.append((N_("receiver height"), np.array([rx_height_m]), spec.mobile_height_m,
                       "m"))
    messages = (range_message(label, name, values, low, high, unit)
                for name, values, (low, high), unit in checks)
    return tuple(m for m in messages if m is not None)


def check_model_ranges(spec: ModelSpec, frequency_mhz: NDArray[np.float64],
                       base_height_m: NDArray[np.float64], rx_height_m: float) -> None:
    """Warn (:class:`~covplan.radio.ModelRangeWarning`) for parameters outside ``spec``."""
    for message in model_range_messages(spec, frequency_mhz, base_height_m, rx_height_m):
        warnings.warn(message, ModelRangeWarning, stacklevel=2)


def min_loss_db(spec: ModelSpec, distance_m: float, frequency_mhz: float, tx_height_m: float,
                rx_height_m: float, max_base_height_m: float) -> float:
    """Lowest loss the kernel can give at ``distance_m`` over any terrain (for the radius).

    Terrain only adds loss, the LOS state never costs more than NLOS, and Hata's loss falls
    with base height, so the flat-terrain loss at the largest effective height bounds it.
    """
    d, f, ht, hr = distance_m, frequency_mhz, tx_height_m, rx_height_m
    fs = float(F.fspl_db(d, f))
    if spec.kernel == S.MODEL_HATA:
        return max(fs, float(F.hata_db(d, f, max_base_height_m, hr, spec.env)))
    if spec.kernel == S.MODEL_RMA:
        return max(fs, float(F.rma_los_db(d, f, ht, hr, RMA_BUILDING_HEIGHT_M)))
    if spec.kernel == S.MODEL_UMA:
        return max(fs, float(F.uma_los_db(d, f, ht, hr)))
    if spec.kernel == S.MODEL_UMA_NLOS:
        return max(fs, float(F.uma_nlos_db(d, f, ht, hr)))
    return fs


def hata_radius_m(spec: ModelSpec, max_loss_db: float, frequency_mhz: float, rx_height_m: float,
                  base_height_m: NDArray[np.float64], *, min_radius_m: float,
                  max_radius_m: float) -> NDArray[np.float64]:
    """Per-azimuth radius for Hata: where max(L_fs, L_Hata(h_eff)) reaches ``max_loss_db``.

    Hata is C + B·log10(d_km), so the distance is closed-form; C and B come
    from the formula itself at 1 and 10 km.
    """
    f, hr = frequency_mhz, rx_height_m
    out = np.empty(base_height_m.size)
    fs_km = 10.0 ** ((max_loss_db - float(F.fspl_db(1000.0, f))) / 20.0)
    for k, hb in enumerate(base_height_m):
        c = float(F.hata_db(1000.0, f, hb, hr, spec.env))
        b = float(F.hata_db(10_000.0, f, hb, hr, spec.env)) - c
        out[k] = 1000.0 * min(10.0 ** ((max_loss_db - c) / b), fs_km)
    return np.clip(out, min_radius_m, max_radius_m)


def influence_radius_m(spec: ModelSpec, max_loss_db: float, frequency_mhz: float,
                       tx_height_m: float, rx_height_m: float, max_base_height_m: float,
                       *, min_radius_m: float, max_radius_m: float) -> float:
    """Distance beyond which the loss surely exceeds ``max_loss_db`` (bisection, ≤ cap)."""
    def loss(d: float) -> float:
        return min_loss_db(spec, d, frequency_mhz, tx_height_m, rx_height_m, max_base_height_m)

    if loss(max_radius_m) <= max_loss_db:
        return max_radius_m
    if loss(min_radius_m) > max_loss_db:
        return min_radius_m
    lo, hi = min_radius_m, max_radius_m
    for _ in range(60):
        mid = float(np.sqrt(lo * hi))
        lo, hi = (mid, hi) if loss(mid) <= max_loss_db else (lo, mid)
    return hi
