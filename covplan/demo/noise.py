"""Spectral (FFT) noise fields for terrain synthesis.

Fields are white noise shaped in the frequency domain: a power-law spectrum gives fractal
relief, a band limit sets the feature size, and stretching the frequency plane along one
direction gives ranges that run that way (the NW-SE grain of northern Vietnam).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft as sfft
import scipy.ndimage as ndi


def _wavenumbers(
    shape: tuple[int, int], cell_m: float, stretch: float, angle_deg: float
) -> np.ndarray:
    """Radial wavenumber (cycles per metre) of each rfft2 coefficient, stretched.

    ``stretch`` > 1 compresses the spectrum across ``angle_deg`` (degrees clockwise from
    north), so features lengthen along that direction.
    """
    ky = sfft.fftfreq(shape[0], d=cell_m)[:, None]
    kx = sfft.rfftfreq(shape[1], d=cell_m)[None, :]
    theta = math.radians(angle_deg)
    # Unit vector along the feature direction in (x east, y north); rows run southwards.
    ax, ay = math.sin(theta), math.cos(theta)
    along = kx * ax - ky * ay
    across = kx * ay + ky * ax
    return np.asarray(np.hypot(along * stretch, across))


def spectral_noise(
    shape: tuple[int, int],
    cell_m: float,
    rng: np.random.Generator,
    *,
    beta: float = 2.0,
    min_wavelength_m: float | None = None,
    max_wavelength_m: float | None = None,
    stretch: float = 1.0,
    angle_deg: float = 0.0,
    coarsen: int = 1,
) -> np.ndarray:
    """Zero-mean, unit-variance noise with a power-law spectrum.

    The field is computed on a grid 25 % larger than ``shape`` and cropped, so it does not
    wrap around visibly at the edges.

    Parameters
    ----------
    shape
        (rows, cols) of the output.
    cell_m
        Cell size.
    rng
        Random source.
    beta
        Spectral exponent: power ∝ k^-beta (2 is Brownian relief, larger is smoother).
    min_wavelength_m, max_wavelength_m
        Band limits; features shorter or longer than these are damped smoothly.
    stretch
        Anisotropy; features are ``stretch`` times longer along ``angle_deg``.
    angle_deg
        Direction of elongation, degrees clockwise from north.
    coarsen
        Synthesise on a grid this many times coarser and refine bilinearly: much faster
        for fields whose shortest wavelength spans several cells.

    Returns
    -------
    numpy.ndarray
        float32 array of ``shape``.
    """
    if coarsen > 1:
        coarse_shape = (shape[0] // coarsen + 2, shape[1] // coarsen + 2)
        coarse = spectral_noise(
            coarse_shape,
            cell_m * coarsen,
            rng,
            beta=beta,
            min_wavelength_m=min_wavelength_m,
            max_wavelength_m=max_wavelength_m,
            stretch=stretch,
            angle_deg=angle_deg,
        )
        return np.asarray(ndi.zoom(coarse, coarsen, order=1)[: shape[0], : shape[1]])
    padded = (int(shape[0] * 1.25) + 2, int(shape[1] * 1.25) + 2)
    white = rng.standard_normal(padded, dtype=np.float32)
    k = _wavenumbers(padded, cell_m, stretch, angle_deg)
    k[0, 0] = np.inf
    amplitude = np.power(k, -beta / 2.0)
    if max_wavelength_m is not None:
        amplitude *= 1.0 - np.exp(-((k * max_wavelength_m) ** 4))
    if min_wavelength_m is not None:
        amplitude *= np.exp(-((k * min_wavelength_m) ** 2))
    amplitude[0, 0] = 0.0
    amplitude = amplitude.astype(np.float32)
    field = sfft.irfft2(sfft.rfft2(white) * amplitude, s=padded)[: shape[0], : shape[1]]
    field -= field.mean()
    std = field.std()
    return np.asarray(field / std if std > 0 else field, dtype=np.float32)


def ridged_noise(
    shape: tuple[int, int],
    cell_m: float,
    rng: np.random.Generator,
    *,
    wavelengths_m: tuple[float, ...],
    stretch: float,
    angle_deg: float,
) -> np.ndarray:
    """Ridged multifractal: sharp crests where band-limited noise crosses zero.

    Parameters
    ----------
    shape
        (rows, cols) of the output.
    cell_m
        Cell size.
    rng
        Random source.
    wavelengths_m
        Ridge spacing of each octave, largest first; each octave weighs half the previous.
    stretch
        How much longer ridges are along ``angle_deg`` than across it.
    angle_deg
        Ridge direction, degrees clockwise from north.

    Returns
    -------
    numpy.ndarray
        float32 array in [0, 1], 1 on the crests.
    """
    total = np.zeros(shape, dtype=np.float32)
    weight_sum = 0.0
    weight = 1.0
    for wavelength in wavelengths_m:
        band = spectral_noise(
            shape,
            cell_m,
            rng,
            beta=2.0,
            min_wavelength_m=wavelength / 3.0,
            max_wavelength_m=wavelength * 1.5,
            stretch=stretch,
            angle_deg=angle_deg,
            coarsen=max(1, int(wavelength / (12.0 * cell_m))),
        )
        crest = np.clip(1.0 - np.abs(band) / 1.6, 0.0, 1.0)
        total += weight * crest**2
        weight_sum += weight
        weight *= 0.5
    return total / weight_sum


def periodic_tile(size: int, cell_m: float, rng: np.random.Generator, *, beta: float) -> np.ndarray:
    """A square, seamlessly tileable noise tile (used for fine terrain detail).

    Parameters
    ----------
    size
        Tile edge in cells.
    cell_m
        Cell size.
    rng
        Random source.
    beta
        Spectral exponent.

    Returns
    -------
    numpy.ndarray
        float32 tile, zero mean and unit variance.
    """
    white = rng.standard_normal((size, size))
    k = _wavenumbers((size, size), cell_m, 1.0, 0.0)
    k[0, 0] = np.inf
    field = sfft.irfft2(sfft.rfft2(white) * np.power(k, -beta / 2.0), s=(size, size))
    field -= field.mean()
    return np.asarray(field / field.std(), dtype=np.float32)
