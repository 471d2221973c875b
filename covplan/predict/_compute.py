"""One propagation group's prediction: radius, ray sweep, sector fill."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from covplan.grid import GridSpec
from covplan.predict._groups import Group
from covplan.predict._terrain import TerrainSampler
from covplan.predict.cache import SiteResult
from covplan.predict.environment import ReceiverCorrection
from covplan.radio import antenna, models, sweep
from covplan.radio.patterns import pattern_tables
from covplan.radio.terrain import EARTH_RADIUS_M

#: Version of the prediction kernels' output; part of every cache key, so raise it whenever
#: a change alters what the kernels compute (2: the sector fill no longer reads rays the
#: sweep skipped just west of north; 3: each window also holds its sectors' load-weighted
#: power, for the SINR; 4: the Longley-Rice kernel reads the nearest DEM post; 5: it no longer
#: interpolates across a change of the receiver's horizon).
KERNEL_VERSION = 5


@dataclass(frozen=True)
class Settings:
    """Model settings that every site result depends on (part of the cache key)."""

    model: str
    rx_height_m: float
    k_factor: float
    floor_dbm: float
    max_radius_m: float

    def context(self) -> str:
        """Text that enters the cache key (with :data:`KERNEL_VERSION`)."""
        return f"kernels v{KERNEL_VERSION}|{self!r}"


def _sector_arrays(g: Group) -> tuple[np.ndarray, ...]:
    n = g.azimuth_deg.size
    return (g.azimuth_deg.astype(np.float64), g.beamwidth_deg.astype(np.float64),
            g.tilt_deg.astype(np.float64), np.zeros(n),
            g.vertical_beamwidth_deg.astype(np.float64), np.full(n, antenna.FRONT_TO_BACK_DB),
            np.full(n, antenna.SIDE_LOBE_VERTICAL_DB), g.eirp_re_dbm.astype(np.float64),
            g.pattern_rows(), *pattern_tables(g.patterns))


def _window(grid: GridSpec, x: float, y: float, r: float) -> tuple[int, int, int, int]:
    """Rows/cols [r0, r1) × [c0, c1) of cells whose centres may lie within r of (x, y)."""
    t, res = grid.transform, grid.resolution_m
    c0 = max(0, math.ceil((x - r - t.c) / res - 0.5))
    c1 = min(grid.width, math.floor((x + r - t.c) / res - 0.5) + 1)
    r0 = max(0, math.ceil((t.f - (y + r)) / res - 0.5))
    r1 = min(grid.height, math.floor((t.f - (y - r)) / res - 0.5) + 1)
    return r0, max(r0, r1), c0, max(c0, c1)


@dataclass(frozen=True, eq=False)
class Footprint:
    """Where one group's sweep runs: its ground, radius, rays and window on the grid.

    Parameters
    ----------
    z0
        Ground elevation at the site.
    base_heights
        Hata's effective base-station height per azimuth bin (the mast height for other
        models).
    radius_m
        Radius of influence (the largest over azimuths).
    window
        Rows and columns ``(r0, r1, c0, c1)`` of the grid the disc may reach.
    n_steps, n_rays
        Steps along a ray and rays around the site.
    ray_steps
        Steps each ray is swept to (its own azimuth's radius).
    x0, y0
        Centre of the window's cell (0, 0).
    """

    z0: float
    base_heights: np.ndarray
    radius_m: float
    window: tuple[int, int, int, int]
    n_steps: int
    n_rays: int
    ray_steps: np.ndarray
    x0: float
    y0: float

    @property
    def empty(self) -> bool:
        """Whether the disc misses the grid."""
        r0, r1, c0, c1 = self.window
        return r1 <= r0 or c1 <= c0


#: Memo of radii of influence by (model, loss budget, frequency, height): a candidate
#: matrix asks for thousands of sites with the same few parameters.
RadiusMemo = dict[tuple[str, float, float, float, float, float], float]


def footprint(g: Group, terrain: TerrainSampler, grid: GridSpec, spec: models.ModelSpec,
              s: Settings, rx: ReceiverCorrection | None = None,
              memo: RadiusMemo | None = None) -> Footprint:
    """The sweep geometry of group ``g`` (see :class:`Footprint`).

    ``rx`` (clutter and calibration at the receiver) widens the radius by the most it can
    add anywhere. ``memo`` remembers radii across groups with equal parameters.
    """
    res = grid.resolution_m
    dem_args = terrain.args()
    z0 = float(sweep.sample_dem(*dem_args, g.x, g.y))
    if spec.kernel == sweep.MODEL_HATA:
        hb = sweep.effective_heights(*dem_args, g.x, g.y, z0, g.height_m, 72)
    else:
        hb = np.full(1, g.height_m)
    max_loss = float(np.max(g.eirp_re_dbm)) - s.floor_dbm
    if rx is not None:
        max_loss += max(rx.max_gain_db(g.frequency_mhz), 0.0)
    if spec.kernel == sweep.MODEL_HATA:
        radii = models.hata_radius_m(spec, max_loss, g.frequency_mhz, s.rx_height_m, hb,
                                     min_radius_m=2.0 * res, max_radius_m=s.max_radius_m)
    else:
        key = (spec.name, max_loss, g.frequency_mhz, g.height_m, s.rx_height_m, res)
        radius = memo.get(key) if memo is not None else None
        if radius is None:
            radius = models.influence_radius_m(
                spec, max_loss, g.frequency_mhz, g.height_m, s.rx_height_m, g.height_m,
                min_radius_m=2.0 * res, max_radius_m=s.max_radius_m)
            if memo is not None:
                memo[key] = radius
        radii = np.full(1, radius)
    radius = float(radii.max())
    n_steps = math.ceil(radius / res) + 1
    cap = sweep.LEVEL_CAP
    n_rays = cap * max(1, math.ceil(2.0 * math.pi * radius / res / cap))
    # each ray stops where its own azimuth's bound says nothing more can be covered
    bins = (np.arange(n_rays) * radii.size // n_rays) % radii.size
    ray_steps = np.minimum(np.ceil(radii[bins] / res).astype(np.int64) + 1, n_steps)
    r0, r1, c0, c1 = _window(grid, g.x, g.y, radius)
    t = grid.transform
    return Footprint(z0, hb, radius, (r0, r1, c0, c1), n_steps, n_rays, ray_steps,
                     t.c + (c0 + 0.5) * res, t.f - (r0 + 0.5) * res)


def compute_group(g: Group, terrain: TerrainSampler, grid: GridSpec,
                  spec: models.ModelSpec, s: Settings,
                  rx: ReceiverCorrection | None = None) -> SiteResult:
    """Best-sector RSRP of group ``g`` on its window of ``grid``.

    ``rx`` (clutter and calibration at the receiver) is added to the window before it is
    cropped at the floor; the radius grows by the most it can add anywhere.
    """
    res = grid.resolution_m
    dem_args = terrain.args()
    fp = footprint(g, terrain, grid, spec, s, rx)
    z0, hb, radius, n_steps, n_rays = fp.z0, fp.base_heights, fp.radius_m, fp.n_steps, fp.n_rays
    hb_range = (float(hb.min()), float(hb.max()))
    r0, r1, c0, c1 = fp.window
    if fp.empty:
        empty = np.empty((0, 0), np.float32)
        return SiteResult(r0, c0, empty, np.empty((0, 0), np.int8), radius, hb_range,
                          empty.copy())
    ray_steps = fp.ray_steps
    loss = np.empty((n_rays, n_steps + 1), np.float32)
    dep = np.empty_like(loss)
    ae = s.k_factor * EARTH_RADIUS_M
    if spec.kernel == sweep.MODEL_ITM:
        sweep.sweep_rays_itm(*dem_args, g.x, g.y, z0, g.height_m, s.rx_height_m, n_rays,
                             n_steps, res, ae, g.frequency_mhz, ray_steps, loss, dep)
    else:
        sweep.sweep_rays(*dem_args, g.x, g.y, z0, g.height_m, s.rx_height_m, n_rays, n_steps,
                         res, ae, g.frequency_mhz, spec.kernel, spec.env, hb,
                         models.RMA_BUILDING_HEIGHT_M, models.RMA_STREET_WIDTH_M, ray_steps,
                         loss, dep)
    rsrp = np.empty((r1 - r0, c1 - c0), np.float32)
    sec = np.empty((r1 - r0, c1 - c0), np.int8)
    loaded = np.empty((r1 - r0, c1 - c0), np.float32)
    x0, y0 = fp.x0, fp.y0
    sweep.fill_window(loss, dep, res, g.x, g.y, radius, x0, y0, res,  # type: ignore[call-arg]
                      *_sector_arrays(g), g.load_array(), rsrp, sec, loaded)
    if rx is not None:
        lo, hi = rx.log_distance_range
        classes, class_loss = rx.window_classes(r0, r1, c0, c1), rx.class_loss_db(g.frequency_mhz)
        for window in (rsrp, loaded):  # the receiver's correction is the same for every sector
            sweep.correct_window(window, x0, y0, res, g.x, g.y,  # type: ignore[call-arg]
                                 rx.offset_db, rx.slope_db_per_decade, lo, hi, classes,
                                 class_loss)
    return _crop(SiteResult(r0, c0, rsrp, sec, radius, hb_range, loaded), s.floor_dbm)


def _crop(r: SiteResult, floor_dbm: float) -> SiteResult:
    """Blank cells below the prediction floor and shrink the window to what remains."""
    weak = ~(r.rsrp_dbm >= floor_dbm)
    r.rsrp_dbm[weak] = np.nan
    r.sector[weak] = -1
    r.loaded_dbm[weak] = np.nan
    rows = np.flatnonzero(~weak.all(axis=1))
    cols = np.flatnonzero(~weak.all(axis=0))
    if rows.size == 0:
        empty = np.empty((0, 0), np.float32)
        return SiteResult(r.row0, r.col0, empty, np.empty((0, 0), np.int8), r.radius_m,
                          r.base_height_m, empty.copy())
    rs, cs = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    return SiteResult(r.row0 + rs.start, r.col0 + cs.start,
                      np.ascontiguousarray(r.rsrp_dbm[rs, cs]),
                      np.ascontiguousarray(r.sector[rs, cs]), r.radius_m, r.base_height_m,
                      np.ascontiguousarray(r.loaded_dbm[rs, cs]))
