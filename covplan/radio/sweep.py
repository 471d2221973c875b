"""Radial-sweep coverage kernels (numba): terrain loss along rays, then a sector fill.

A site's prediction area is a disc of radius R. As SPLAT! does, rays leave the site towards
every perimeter cell (``n_rays = ⌈2πR/Δ⌉``) and are sampled every Δ (the grid resolution).
Walking outwards, each sample is in turn the receiver and then an obstacle for the samples
beyond it, so one pass gives every receiver's diffraction loss:

* heights are equivalent-earth heights in the transmitter's frame,
  :math:`h'_i = z_i - d_i^2/(2 k a)` (the shear of P.526's bulge term, which leaves every
  height above a Tx–Rx chord unchanged);
* the largest slope seen from the Tx, :math:`S_{tim}`, is a running maximum (O(1));
* the largest slope seen back from the receiver, :math:`S_{rim}`, is the tangent from the
  receiver to the upper convex hull of the obstacles behind it: the hull grows by a monotone
  chain (amortised O(1)) and is queried by binary search (O(log n));
* the Bullington point of the two tangents gives ν and J(ν) (ITU-R P.526-15 §4.5, eq. 31).
  The same construction is used on line-of-sight paths (ν < 0, J ≤ 6 dB), where P.526 takes
  the largest ν of all points instead; the construction is pessimistic there by at most the
  near-grazing Fresnel term, and exact for obstructed paths.

Per sample the kernel combines this with the selected empirical model (see
:mod:`covplan.radio.models`) into the path loss, and stores the depression angle of the
receiver seen from the antenna for the vertical pattern. The fill kernel then maps every grid
cell in the disc to its nearest evaluated ray sample and applies each sector's pattern and
link budget. Both kernels run in parallel (``prange``) over rays / rows.

Only samples that some cell maps to are evaluated: at step i only every m-th ray,
m = ⌊R/r⌋ (:func:`ray_level`), so the work is about one evaluation per cell, as in SPLAT!.

The Longley-Rice kernel (:func:`sweep_rays_itm`) reads each sample's nearest DEM post
(:func:`sample_dem_nearest`), as ITM's profiles in SPLAT! do: a bilinear blend of the posts
lowers the peaks that set ITM's horizons and Δh (on the real tile N21E105 it made the
kernel 1.5–2 dB optimistic against SPLAT!). It keeps, besides the hull and the running
maximum (which give ITM's two horizons), prefix sums of z, k·z and z² so that ITM's
least-squares terrain fits (effective heights) and its terrain irregularity Δh come in O(1)
per receiver (Δh as 2.563 σ of the fit residuals, the interdecile range of a normal
distribution, instead of the resampled interdecile range: on SPLAT!'s recorded points this
changes the loss by 0.25 dB median, −0.2 dB on average). ITM is evaluated exactly at
anchors at least ITM_ANCHOR (8) steps apart, and in between it is interpolated only along
runs of samples whose path state is unchanged: line of sight, or the same horizon seen
from each end. The receiver's horizon belongs to that state: it moves with almost every
ridge the ray crosses, and the loss jumps with it (interpolating across it made the kernel
4.4 dB median |Δ| off SPLAT! at the hilliest benchmark sites instead of 2.5 dB, and the
median sample of rough synthetic profiles 1.1–4.7 dB off the exact profile loss instead of
0). On hilly terrain this evaluates about two samples in three exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from covplan.radio import _formulas as F  # noqa: N812
from covplan.radio import itm as ITM  # noqa: N812
from covplan.radio import itm_profile as IP  # noqa: N812
from covplan.radio.patterns import sector_gain_db

MODEL_TERRAIN, MODEL_HATA, MODEL_RMA, MODEL_UMA, MODEL_UMA_NLOS, MODEL_ITM = 0, 1, 2, 3, 4, 5


@njit(cache=True, inline="always")
def sample_dem(dem, cx0, cy0, dx, dy, x, y):  # type: ignore[no-untyped-def]
    """Bilinear elevation at (x, y); ``cx0, cy0`` = centre of cell (0, 0); edges clamp."""
    nr, nc = dem.shape
    fc = min(max((x - cx0) / dx, 0.0), nc - 1.0)
    fr = min(max((cy0 - y) / dy, 0.0), nr - 1.0)
    c0 = min(int(fc), nc - 2) if nc > 1 else 0
    r0 = min(int(fr), nr - 2) if nr > 1 else 0
    tc, tr = fc - c0, fr - r0
    c1, r1 = min(c0 + 1, nc - 1), min(r0 + 1, nr - 1)
    top = dem[r0, c0] * (1.0 - tc) + dem[r0, c1] * tc
    bot = dem[r1, c0] * (1.0 - tc) + dem[r1, c1] * tc
    return top * (1.0 - tr) + bot * tr


@njit(cache=True, inline="always")
def sample_dem_nearest(dem, cx0, cy0, dx, dy, x, y):  # type: ignore[no-untyped-def]
    """Elevation of the DEM cell nearest to (x, y) (its post, as ITM and SPLAT! read it)."""
    nr, nc = dem.shape
    c = min(max(math.floor((x - cx0) / dx + 0.5), 0), nc - 1)
    r = min(max(math.floor((cy0 - y) / dy + 0.5), 0), nr - 1)
    return float(dem[r, c])


@njit(cache=True)
def effective_heights(dem, cx0, cy0, dx, dy, sx, sy, z0, h_mast, n_az):  # type: ignore[no-untyped-def]
    """Okumura effective height per azimuth bin: antenna above mean terrain 3–15 km out.

    Clipped to [h_mast, max(200, h_mast)]: a site's height advantage over the surrounding
    terrain counts; a valley site is not penalised twice (terrain diffraction covers it).
    """
    out = np.empty(n_az)
    for a in range(n_az):
        az = 2.0 * math.pi * a / n_az
        s, c = math.sin(az), math.cos(az)
        total = 0.0
        for k in range(49):
            d = 3000.0 + 250.0 * k
            total += sample_dem(dem, cx0, cy0, dx, dy, sx + d * s, sy + d * c)
        heff = z0 + h_mast - total / 49.0
        out[a] = min(max(heff, h_mast), max(200.0, h_mast))
    return out


@njit(cache=True, inline="always")
def _hull_query(hd, hh, n, d, hr):  # type: ignore[no-untyped-def]
    """Hull vertex maximising (h − hr)/(d − d_k), seen from the receiver at (d, hr).

    The ratio is unimodal along the upper hull seen from a point beyond it, so a binary
    search finds it; comparisons are cross-multiplied (both denominators are positive).
    """
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if (hh[mid + 1] - hr) * (d - hd[mid]) >= (hh[mid] - hr) * (d - hd[mid + 1]):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always")
def _hull_push(hd, hh, hk, n, d, h, k):  # type: ignore[no-untyped-def]
    while n >= 2 and (hh[n - 1] - hh[n - 2]) * (d - hd[n - 2]) <= (h - hh[n - 2]) * (
        hd[n - 1] - hd[n - 2]
    ):
        n -= 1
    hd[n] = d
    hh[n] = h
    hk[n] = k
    return n + 1


@njit(cache=True)
def combine_loss(model, env, d, d3, f_mhz, h_tx, h_rx, hb_eff, los, j_db, h_bld, w_street,  # type: ignore[no-untyped-def]
                 fs_1m, hata_c, hata_b):
    """Path loss of one sample from the model and the terrain term (see covplan.radio.models).

    ``fs_1m`` is the free-space loss at 1 m; ``hata_c``/``hata_b`` are the ray's Hata loss at
    1 km and its slope per decade (Hata is exactly linear in log10 d), so a sample costs two
    logarithms.
    """
    fs = fs_1m + 20.0 * math.log10(d3)
    j_obs = 0.0 if los else j_db
    if model == MODEL_TERRAIN:
        return fs + j_db
    if model == MODEL_HATA:
        return max(fs, hata_c + hata_b * math.log10(d / 1000.0)) + j_obs
    if model == MODEL_UMA_NLOS:
        return max(fs, F.uma_nlos_db(d, f_mhz, h_tx, h_rx)) + j_obs
    if model == MODEL_RMA:
        pl_los = F.rma_los_db(d, f_mhz, h_tx, h_rx, h_bld)
        pl_nlos = F.rma_nlos_db(d, f_mhz, h_tx, h_rx, h_bld, w_street)
    else:
        pl_los = F.uma_los_db(d, f_mhz, h_tx, h_rx)
        pl_nlos = F.uma_nlos_db(d, f_mhz, h_tx, h_rx)
    if los:
        return max(fs, pl_los)
    return max(fs, max(pl_nlos, pl_los + j_db))


#: Ray-level cap: near the site only every LEVEL_CAP-th ray is evaluated (see ray_level).
LEVEL_CAP = 32


@njit(cache=True, inline="always")
def ray_level(i, n_steps):  # type: ignore[no-untyped-def]
    """Stride m (1 … LEVEL_CAP) of the rays evaluated at step i.

    At radius r = i·Δ the rays are r/R times closer than at the perimeter, so only every
    m-th ray, m = ⌊R/r⌋, is needed to keep one evaluated ray per cell (as SPLAT! computes each
    cell once). The fill snaps each cell to the nearest evaluated ray of its step.
    """
    return max(1, min(n_steps // max(i, 1), LEVEL_CAP))


@njit(cache=True)
def _itm_excess(z, pz, pkz, pzz, i, step_m, h_tx, h_rx, f_mhz, zg, los, k0, k1):  # type: ignore[no-untyped-def]
    """ITM attenuation relative to ITM's free space at step i of the ray."""
    gme = ITM.earth_curvature(IP.prefix_mean_elevation(pz, i))
    he0, he1, dl0, dl1, the0, the1, dh = IP.prefix_path_parameters(
        z, pz, pkz, pzz, i, step_m, h_tx, h_rx, gme, los, k0, k1)
    return ITM.excess_db(i * step_m, f_mhz / 47.7, gme, zg, h_tx, h_rx, he0, he1, dl0, dl1,
                         the0, the1, dh)


#: ITM is evaluated exactly at anchors at least ITM_ANCHOR steps apart along a ray; between
#: them, along a run of samples whose path state (line of sight, or both horizons) is
#: unchanged, the excess loss is interpolated linearly between the run's ends, evaluated
#: exactly.
ITM_ANCHOR = 8
#: ...and far out at least i / ITM_ANCHOR_FRACTION steps apart (ITM varies with log distance).
ITM_ANCHOR_FRACTION = 12


@njit(cache=True)
def _itm_ray(j, dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, n_j, step_m,  # type: ignore[no-untyped-def]
             ae, f_mhz, out_loss, out_dep):
    z0 = sample_dem_nearest(dem, cx0, cy0, dx, dy, sx, sy)
    ht = z0 + h_tx
    az = 2.0 * math.pi * j / n_rays
    s, c = math.sin(az), math.cos(az)
    zg = ITM.ground_impedance(f_mhz)
    hd = np.empty(n_steps + 1)
    hh = np.empty(n_steps + 1)
    hk = np.empty(n_steps + 1, np.int64)
    z = np.empty(n_steps + 1)
    pz = np.zeros(n_steps + 2)
    pkz = np.zeros(n_steps + 2)
    pzz = np.zeros(n_steps + 2)
    st_los = np.zeros(n_steps + 1, np.bool_)
    st_k0 = np.zeros(n_steps + 1, np.int64)
    st_k1 = np.zeros(n_steps + 1, np.int64)
    z[0] = z0
    pz[1], pzz[1] = z0, z0 * z0
    n_hull, k0, last = 0, 0, 0
    s_tim = -np.inf
    for i in range(1, n_j + 1):
        d = i * step_m
        zi = sample_dem_nearest(dem, cx0, cy0, dx, dy, sx + d * s, sy + d * c)
        hp = zi - d * d / (2.0 * ae)
        hr = hp + h_rx
        z[i] = zi
        pz[i + 1] = pz[i] + zi
        pkz[i + 1] = pkz[i] + i * zi
        pzz[i + 1] = pzz[i] + zi * zi
        los = s_tim * d <= hr - ht
        k1 = i - 1
        if n_hull > 0 and not los:
            k1 = hk[_hull_query(hd, hh, n_hull, d, hr)]
        st_los[i], st_k0[i], st_k1[i] = los, k0, k1
        if j % ray_level(i, n_steps) == 0:
            out_dep[j, i] = math.degrees(math.atan2(ht - hr, d))
            if i - last >= max(ITM_ANCHOR, i // ITM_ANCHOR_FRACTION) or i == n_j or i < 3:
                _itm_fill(j, last, i, z, pz, pkz, pzz, step_m, h_tx, h_rx, f_mhz, zg, st_los,
                          st_k0, st_k1, n_steps, out_loss)
                last = i
        if (hp - ht) / d > s_tim:
            s_tim = (hp - ht) / d
            k0 = i
        n_hull = _hull_push(hd, hh, hk, n_hull, d, hp, i)


@njit(cache=True, inline="always")
def _same_state(st_los, st_k0, st_k1, p, q):  # type: ignore[no-untyped-def]
    """Same path state: line-of-sight flag, plus both horizons when obstructed."""
    return st_los[p] == st_los[q] and (st_los[p] or (st_k0[p] == st_k0[q]
                                                     and st_k1[p] == st_k1[q]))


@njit(cache=True)
def _itm_fill(j, a, b, z, pz, pkz, pzz, step_m, h_tx, h_rx, f_mhz, zg, st_los, st_k0, st_k1,  # type: ignore[no-untyped-def]
              n_steps, out_loss):
    """Exact ITM at anchor b, and interpolation between anchors a and b.

    Each run of samples with one path state is evaluated exactly at its ends (or takes an
    anchor's value when the anchor shares its state) and interpolated inside.
    """
    fs_b = ITM.itm_free_space_db(b * step_m, f_mhz)
    if b < 2:
        out_loss[j, b] = fs_b
        return
    eb = _itm_excess(z, pz, pkz, pzz, b, step_m, h_tx, h_rx, f_mhz, zg, st_los[b], st_k0[b],
                     st_k1[b])
    out_loss[j, b] = fs_b + eb
    ea = out_loss[j, a] - ITM.itm_free_space_db(a * step_m, f_mhz) if a >= 2 else 0.0
    i = a + 1
    while i < b:
        if j % ray_level(i, n_steps) != 0:
            i += 1
            continue
        q = i  # the run of samples sharing sample i's state
        while q + 1 < b and _same_state(st_los, st_k0, st_k1, q + 1, i):
            q += 1
        last = q
        while j % ray_level(last, n_steps) != 0:
            last -= 1
        if a >= 2 and _same_state(st_los, st_k0, st_k1, a, i):
            p0, e0 = a, ea
        else:
            p0 = i
            e0 = _itm_excess(z, pz, pkz, pzz, i, step_m, h_tx, h_rx, f_mhz, zg, st_los[i],
                             st_k0[i], st_k1[i])
        if _same_state(st_los, st_k0, st_k1, b, i):
            p1, e1 = b, eb
        elif last > p0:
            p1 = last
            e1 = _itm_excess(z, pz, pkz, pzz, last, step_m, h_tx, h_rx, f_mhz, zg, st_los[last],
                             st_k0[last], st_k1[last])
        else:
            p1, e1 = p0, e0
        for k in range(i, q + 1):
            if j % ray_level(k, n_steps) == 0:
                e = e0 if p1 == p0 else e0 + (e1 - e0) * (k - p0) / (p1 - p0)
                out_loss[j, k] = ITM.itm_free_space_db(k * step_m, f_mhz) + e
        i = q + 1


@njit(cache=True)
def _sweep_ray(j, dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, n_j, step_m,  # type: ignore[no-untyped-def]
               ae, f_mhz, model, env, hb_eff, h_bld, w_street, out_loss, out_dep, wanted,
               only_wanted):
    """Walk ray j to step ``n_j``, evaluating the samples a cell can map to.

    With ``only_wanted``, only those of them that ``wanted[j, i]`` marks are evaluated
    (:mod:`covplan.radio.sweep_cells`); the walk itself (horizon and hull) is the same.
    """
    lam = F.C_M_PER_S / (f_mhz * 1e6)
    ht = z0 + h_tx
    az = 2.0 * math.pi * j / n_rays
    s, c = math.sin(az), math.cos(az)
    need_j_los = model == MODEL_TERRAIN
    fs_1m = F.fspl_db(1.0, f_mhz)
    hata_c = F.hata_db(1000.0, f_mhz, hb_eff, h_rx, env)
    hata_b = F.hata_db(10_000.0, f_mhz, hb_eff, h_rx, env) - hata_c
    hd = np.empty(n_steps + 1)
    hh = np.empty(n_steps + 1)
    hk = np.empty(n_steps + 1, np.int64)
    n_hull = 0
    s_tim = -np.inf
    for i in range(1, n_j + 1):
        d = i * step_m
        zi = sample_dem(dem, cx0, cy0, dx, dy, sx + d * s, sy + d * c)
        hp = zi - d * d / (2.0 * ae)
        hr = hp + h_rx
        los = s_tim * d <= hr - ht
        if j % ray_level(i, n_steps) == 0 and (not only_wanted or wanted[j, i]):
            j_db = 0.0
            if n_hull > 0 and (need_j_los or not los):
                k_t = _hull_query(hd, hh, n_hull, d, hr)
                s_rim = (hh[k_t] - hr) / (d - hd[k_t])
                den = s_tim + s_rim
                # The two tangents always cross between the terminals (above the ray when
                # obstructed, below it on a clear path); only parallel ones have no point.
                if den != 0.0:
                    db = min(max((hr - ht + s_rim * d) / den, 1e-3), d - 1e-3)
                    hb = ht + s_tim * db - (ht * (d - db) + hr * db) / d
                    j_db = F.knife_edge_db(hb * math.sqrt(2.0 * d / (lam * db * (d - db))))
            dz = ht - hr
            out_loss[j, i] = combine_loss(model, env, d, math.sqrt(d * d + dz * dz), f_mhz,
                                          h_tx, h_rx, hb_eff, los, j_db, h_bld, w_street,
                                          fs_1m, hata_c, hata_b)
            out_dep[j, i] = math.degrees(math.atan2(dz, d))
        s_tim = max(s_tim, (hp - ht) / d)
        n_hull = _hull_push(hd, hh, hk, n_hull, d, hp, i)


@njit(cache=True, parallel=True)
def sweep_rays(dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, step_m,  # type: ignore[no-untyped-def]
               ae, f_mhz, model, env, hb_eff_az, h_bld, w_street, ray_steps, out_loss, out_dep):
    """Fill ``out_loss``/``out_dep`` (n_rays × (n_steps+1)) for one site (see module doc).

    Only the samples a cell can map to are evaluated (``j % ray_level(i) == 0``); sample 0
    and the others are left untouched. Ray j stops after ``ray_steps[j]`` steps (its own
    radius of influence); its later samples get an infinite loss. ``model`` is any code but
    MODEL_ITM (see :func:`sweep_rays_itm`).
    """
    n_az = hb_eff_az.size
    every = np.zeros((1, 1), np.bool_)
    for j in prange(n_rays):
        n_j = min(ray_steps[j], n_steps)
        out_loss[j, n_j + 1:] = np.inf
        out_dep[j, n_j + 1:] = 0.0
        hb_eff = hb_eff_az[(j * n_az) // n_rays]
        _sweep_ray(j, dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, n_j,
                   step_m, ae, f_mhz, model, env, hb_eff, h_bld, w_street, out_loss, out_dep,
                   every, False)


@njit(cache=True, parallel=True)
def sweep_rays_itm(dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, step_m,  # type: ignore[no-untyped-def]
                   ae, f_mhz, ray_steps, out_loss, out_dep):
    """:func:`sweep_rays` for the Longley-Rice model (a kernel of its own: it compiles slowly).

    The site's ground is its nearest DEM post, like every sample of the profile; ``z0`` is
    not used (kept so that both kernels take the same arguments).
    """
    for j in prange(n_rays):
        n_j = min(ray_steps[j], n_steps)
        out_loss[j, n_j + 1:] = np.inf
        out_dep[j, n_j + 1:] = 0.0
        _itm_ray(j, dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, n_rays, n_steps, n_j, step_m,
                 ae, f_mhz, out_loss, out_dep)


@njit(cache=True, inline="always")
def cell_sample(x, y, dd, n_rays, n_steps, step_m):  # type: ignore[no-untyped-def]
    """The ray sample a cell reads: (azimuth °, step, ray) of the offset (x, y), dd = x²+y².

    The nearest step, and the nearest ray evaluated at that step (:func:`ray_level`).
    """
    az = math.degrees(math.atan2(x, y))
    if az < 0.0:
        az += 360.0
    st = min(max(int(math.sqrt(dd) / step_m + 0.5), 1), n_steps)
    m = ray_level(st, n_steps)
    ray = int(az * n_rays / (360.0 * m) + 0.5) * m
    if ray >= n_rays:  # nearer to 360° than to the last evaluated ray: ray 0 (m may not
        ray = 0  # divide n_rays, and only multiples of m were evaluated at this step)
    return az, st, ray


@njit(cache=True, parallel=True)
def fill_window(loss, dep, step_m, sx, sy, radius_m, x0, y0, res, sec_az, sec_bw, sec_tilt,  # type: ignore[no-untyped-def]
                sec_mech, sec_vbw, sec_fb, sec_sla, sec_eirp_re, sec_pattern, pat_h, pat_v,
                pat_max, sec_load, out_rsrp, out_sec, out_load):
    """Best-sector RSRP of one site on a window whose cell (0, 0) centre is (x0, y0).

    A sector with ``sec_pattern[k] >= 0`` radiates the pattern file in that row of
    ``pat_h``/``pat_v``/``pat_max`` (:mod:`covplan.radio.patterns`); the others the 3GPP
    parametric pattern. ``out_load`` receives the power of every sector at the cell, each
    scaled by its load ``sec_load[k]``, summed (dBm; -inf when every load is 0): what the
    site adds to the interference there (:mod:`covplan.predict.sinr`).
    """
    n_rays, n_cols_ray = loss.shape
    n_steps = n_cols_ray - 1
    nr, nc = out_rsrp.shape
    r2 = radius_m * radius_m
    for r in prange(nr):
        y = y0 - r * res - sy
        for col in range(nc):
            x = x0 + col * res - sx
            dd = x * x + y * y
            if dd > r2:
                out_rsrp[r, col] = np.nan
                out_sec[r, col] = -1
                out_load[r, col] = np.nan
                continue
            az, st, ray = cell_sample(x, y, dd, n_rays, n_steps, step_m)
            pl = loss[ray, st]
            if pl == np.inf:  # beyond this ray's radius of influence
                out_rsrp[r, col] = np.nan
                out_sec[r, col] = -1
                out_load[r, col] = np.nan
                continue
            dp = dep[ray, st]
            best, arg = -np.inf, -1
            loaded = 0.0
            for k in range(sec_az.size):
                g = sec_eirp_re[k] + sector_gain_db(az - sec_az[k], dp, sec_bw[k], sec_tilt[k],
                                                    sec_mech[k], sec_vbw[k], sec_fb[k],
                                                    sec_sla[k], sec_pattern[k], pat_h, pat_v,
                                                    pat_max)
                loaded += sec_load[k] * 10.0 ** ((g - pl) / 10.0)
                if g > best:
                    best, arg = g, k
            out_rsrp[r, col] = best - pl
            out_sec[r, col] = arg
            out_load[r, col] = 10.0 * math.log10(loaded) if loaded > 0.0 else -np.inf


@njit(cache=True, parallel=True)
def correct_window(rsrp, x0, y0, res, sx, sy, offset_db, slope_db, log_lo, log_hi, classes,  # type: ignore[no-untyped-def]
                   class_loss_db):
    """Add the receiver-side correction to a window's RSRP in place.

    Per cell: ``offset_db + slope_db·clip(log10(d/1 km), log_lo, log_hi) −
    class_loss_db[classes[r, c]]`` with d the distance from the site at (sx, sy) to the
    cell centre; ``classes`` holds each cell's land-cover table index (0: none).
    """
    nr, nc = rsrp.shape
    for r in prange(nr):
        dy = y0 - r * res - sy
        for c in range(nc):
            v = rsrp[r, c]
            if v != v:
                continue
            dx = x0 + c * res - sx
            d_km = max(math.sqrt(dx * dx + dy * dy), 1.0) / 1000.0
            lg = min(max(math.log10(d_km), log_lo), log_hi)
            rsrp[r, c] = v + offset_db + slope_db * lg - class_loss_db[classes[r, c]]


@njit(cache=True)
def _profile_end_loss(dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, s, c, n_j, step_m, ae,  # type: ignore[no-untyped-def]
                      f_mhz, model, env, hb_eff, h_bld, w_street):
    """Loss and depression angle of the last sample of one profile, as :func:`_sweep_ray`."""
    lam = F.C_M_PER_S / (f_mhz * 1e6)
    ht = z0 + h_tx
    need_j_los = model == MODEL_TERRAIN
    fs_1m = F.fspl_db(1.0, f_mhz)
    hata_c = F.hata_db(1000.0, f_mhz, hb_eff, h_rx, env)
    hata_b = F.hata_db(10_000.0, f_mhz, hb_eff, h_rx, env) - hata_c
    hd = np.empty(n_j + 1)
    hh = np.empty(n_j + 1)
    hk = np.empty(n_j + 1, np.int64)
    n_hull = 0
    s_tim = -np.inf
    for i in range(1, n_j + 1):
        d = i * step_m
        zi = sample_dem(dem, cx0, cy0, dx, dy, sx + d * s, sy + d * c)
        hp = zi - d * d / (2.0 * ae)
        hr = hp + h_rx
        if i == n_j:
            los = s_tim * d <= hr - ht
            j_db = 0.0
            if n_hull > 0 and (need_j_los or not los):
                k_t = _hull_query(hd, hh, n_hull, d, hr)
                s_rim = (hh[k_t] - hr) / (d - hd[k_t])
                den = s_tim + s_rim
                if den != 0.0:
                    db = min(max((hr - ht + s_rim * d) / den, 1e-3), d - 1e-3)
                    hb = ht + s_tim * db - (ht * (d - db) + hr * db) / d
                    j_db = F.knife_edge_db(hb * math.sqrt(2.0 * d / (lam * db * (d - db))))
            dz = ht - hr
            loss = combine_loss(model, env, d, math.sqrt(d * d + dz * dz), f_mhz, h_tx, h_rx,
                                hb_eff, los, j_db, h_bld, w_street, fs_1m, hata_c, hata_b)
            return loss, math.degrees(math.atan2(dz, d))
        s_tim = max(s_tim, (hp - ht) / d)
        n_hull = _hull_push(hd, hh, hk, n_hull, d, hp, i)
    return np.inf, 0.0


@njit(cache=True)
def _profile_end_loss_itm(dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, s, c, n_j, step_m,  # type: ignore[no-untyped-def]
                          ae, f_mhz):
    """ITM loss and depression angle of the last sample of one profile, as :func:`_itm_ray`."""
    z0 = sample_dem_nearest(dem, cx0, cy0, dx, dy, sx, sy)
    ht = z0 + h_tx
    zg = ITM.ground_impedance(f_mhz)
    hd = np.empty(n_j + 1)
    hh = np.empty(n_j + 1)
    hk = np.empty(n_j + 1, np.int64)
    z = np.empty(n_j + 1)
    pz = np.zeros(n_j + 2)
    pkz = np.zeros(n_j + 2)
    pzz = np.zeros(n_j + 2)
    z[0] = z0
    pz[1], pzz[1] = z0, z0 * z0
    n_hull, k0 = 0, 0
    s_tim = -np.inf
    for i in range(1, n_j + 1):
        d = i * step_m
        zi = sample_dem_nearest(dem, cx0, cy0, dx, dy, sx + d * s, sy + d * c)
        hp = zi - d * d / (2.0 * ae)
        hr = hp + h_rx
        z[i] = zi
        pz[i + 1] = pz[i] + zi
        pkz[i + 1] = pkz[i] + i * zi
        pzz[i + 1] = pzz[i] + zi * zi
        if i == n_j:
            los = s_tim * d <= hr - ht
            k1 = i - 1
            if n_hull > 0 and not los:
                k1 = hk[_hull_query(hd, hh, n_hull, d, hr)]
            dep = math.degrees(math.atan2(ht - hr, d))
            free = ITM.itm_free_space_db(d, f_mhz)
            if i < 2:
                return free, dep
            return free + _itm_excess(z, pz, pkz, pzz, i, step_m, h_tx, h_rx, f_mhz, zg, los, k0,
                                      k1), dep
        if (hp - ht) / d > s_tim:
            s_tim = (hp - ht) / d
            k0 = i
        n_hull = _hull_push(hd, hh, hk, n_hull, d, hp, i)
    return np.inf, 0.0


@njit(cache=True, parallel=True)
def point_losses(dem, cx0, cy0, dx, dy, sx, sy, z0, h_tx, h_rx, px, py, step_m, ae, f_mhz,  # type: ignore[no-untyped-def]
                 model, env, hb_eff, h_bld, w_street, out_loss, out_dep):
    """Path loss and depression angle of many site-to-point links, as the sweep computes them.

    Link ``i`` runs from a site at ``(sx[i], sy[i])`` (ground ``z0[i]``, antenna ``h_tx[i]``,
    carrier ``f_mhz[i]``, Hata effective height ``hb_eff[i]`` towards the point) to
    ``(px[i], py[i])``. Its profile is sampled in about ``step_m`` steps ending on the point,
    and the same per-sample rule as :func:`sweep_rays` / :func:`sweep_rays_itm` gives the loss
    at its end (ITM exactly there, without the sweep's interpolation between anchors).
    """
    for i in prange(px.size):
        ex, ey = px[i] - sx[i], py[i] - sy[i]
        d = max(math.sqrt(ex * ex + ey * ey), 1.0)
        n_j = max(1, int(d / step_m + 0.5))
        step = d / n_j
        s, c = ex / d, ey / d
        if model == MODEL_ITM:
            loss, dp = _profile_end_loss_itm(dem, cx0, cy0, dx, dy, sx[i], sy[i], z0[i], h_tx[i],
                                             h_rx, s, c, n_j, step, ae, f_mhz[i])
        else:
            loss, dp = _profile_end_loss(dem, cx0, cy0, dx, dy, sx[i], sy[i], z0[i], h_tx[i],
                                         h_rx, s, c, n_j, step, ae, f_mhz[i], model, env,
                                         hb_eff[i], h_bld, w_street)
        out_loss[i] = loss
        out_dep[i] = dp
