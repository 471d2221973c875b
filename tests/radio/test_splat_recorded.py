"""covplan's Longley-Rice ITM against SPLAT! 1.4.2, replayed from a recording (no SPLAT! needed).

``tests/data/splat_itm_n21e105.csv`` holds SPLAT!'s ITM (``-olditm``) path loss at 4,000 points
within 9 km of eight sites spread over the real SRTM tile N21E105 (those of
``benchmarks/bench_splat.py``: plains, the city, hills, the Tam Dao range, the north-west
highlands), 1800 MHz, 30 and 35 m masts, receivers at 1.5 m, recorded by
``benchmarks/record_splat.py`` (its header gives the commands, parameters and sample). The
tile is read in place from ../shared/realdata and prepared as both tools saw it
(``benchmarks/_splat.py::filled_tile``); ``splat_profile`` rebuilds the terrain profile behind
each recorded value. Δ = covplan's received power − SPLAT!'s = SPLAT!'s loss − covplan's
loss, the sign of the README's SPLAT! row.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

from _splat import Site, SplatProfile, filled_tile, profile_losses, splat_profile  # noqa: E402

from covplan.grid import Raster  # noqa: E402

RECORDING = Path(__file__).resolve().parents[1] / "data" / "splat_itm_n21e105.csv"

pytestmark = pytest.mark.realdata


@dataclass(frozen=True)
class Recording:
    """The recorded SPLAT! run: its parameters and one row per point."""

    frequency_mhz: float
    rx_height_m: float
    radius_km: float
    tile: str
    tile_sha256: str
    sites: dict[str, Site]
    site: np.ndarray  #: site name of each point
    lat: np.ndarray
    lon: np.ndarray  #: degrees east
    loss_db: np.ndarray
    obstructed: np.ndarray


def read_recording(path: Path) -> Recording:
    """Parse the recording: ``key=value`` header lines and the CSV rows."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[2:] for line in lines if line.startswith("# ")]
    fields: dict[str, str] = {}
    sites: dict[str, Site] = {}
    for line in header:
        site = re.fullmatch(r"site (\w+) lat=(\S+) lon=(\S+) height_m=(\S+)", line)
        if site:
            name, lat, lon, height = site.groups()
            sites[name] = Site(name, float(lat), float(lon), float(height))
        elif re.fullmatch(r"(\w+=\S+ ?)+", line):
            for item in line.split():
                key, _, value = item.partition("=")
                fields[key] = value
    rows = [line.split(",") for line in lines if line and not line.startswith("#")]
    assert rows[0] == ["site", "lat", "lon", "loss_db", "obstructed"], rows[0]
    cols = list(zip(*rows[1:], strict=True))
    return Recording(float(fields["frequency_mhz"]), float(fields["rx_height_m"]),
                     float(fields["radius_km"]), fields["tile"], fields["sha256"], sites,
                     np.array(cols[0]), np.array(cols[1], float), np.array(cols[2], float),
                     np.array(cols[3], float), np.array(cols[4], int).astype(bool))


@pytest.fixture(scope="module")
def recording() -> Recording:
    return read_recording(RECORDING)


@pytest.fixture(scope="module")
def dem(realdata: Path, recording: Recording) -> Raster:
    """The recorded tile as both tools saw it, read in place."""
    tile = realdata / "thai_nguyen" / recording.tile
    if not tile.is_file():
        pytest.skip(f"SRTM tile not found at {tile}")
    digest = hashlib.sha256(tile.read_bytes()).hexdigest()
    assert digest == recording.tile_sha256, (
        f"{tile} is not the tile SPLAT! was recorded on (sha256 {digest}); re-record with "
        "benchmarks/record_splat.py")
    return filled_tile(tile)


@pytest.fixture(scope="module")
def profiles(recording: Recording, dem: Raster) -> list[SplatProfile]:
    """The profile SPLAT! evaluated behind each recorded value."""
    return [splat_profile(dem, recording.sites[name], lat, lon)
            for name, lat, lon in zip(recording.site, recording.lat, recording.lon,
                                      strict=True)]


def figures(delta: np.ndarray) -> str:
    """Median and P90 of |Δ|, bias (mean Δ), largest |Δ|."""
    mag = np.abs(delta)
    return (f"median |Δ| {np.median(mag):.4f} dB, P90 |Δ| {np.percentile(mag, 90):.4f} dB, "
            f"bias {np.mean(delta):+.4f} dB, max |Δ| {mag.max():.2f} dB "
            f"({np.mean(mag <= 0.01):.2%} within 0.01 dB, {delta.size} points)")


def test_recording_is_what_the_header_says(recording: Recording) -> None:
    from bench_splat import SITES

    # the benchmark's sites, spread over the tile (plains, city, hills, the Tam Dao range)
    assert recording.sites == {s.name: s for s in SITES}
    assert set(recording.site) == set(recording.sites)
    assert all(np.sum(recording.site == name) == 500 for name in recording.sites)
    assert (recording.frequency_mhz, recording.rx_height_m) == (1800.0, 1.5)
    assert recording.loss_db.min() > 60.0 and recording.loss_db.max() < 260.0


def test_profile_function_reproduces_splat(recording: Recording,
                                           profiles: list[SplatProfile]) -> None:
    """On SPLAT!'s own profiles, ``itm_loss_db`` gives SPLAT!'s loss to its printed 0.01 dB.

    Measured: median |Δ| 0.0025 dB (the rounding of SPLAT!'s output), bias +0.001 dB,
    99.7 % of the points within 0.01 dB, the others within 1.02 dB: paths where ITM truncates
    a ratio such as 0.9·d_L/Δx to whole samples and the last bits of a float decide (on all
    96,000 .ano points of the three sites: 99.9 % within 0.01 dB, none beyond 1.5 dB).
    """
    losses = np.empty(recording.site.size)
    for name, site in recording.sites.items():
        mine = recording.site == name
        losses[mine] = profile_losses([p for p, m in zip(profiles, mine, strict=True) if m],
                                      site.height_m, recording.rx_height_m,
                                      recording.frequency_mhz)
    assert np.isfinite(losses).all()
    delta = recording.loss_db - losses
    assert np.median(np.abs(delta)) <= 0.005, figures(delta)
    assert np.mean(np.abs(delta) <= 0.01) >= 0.99, figures(delta)
    assert abs(np.mean(delta)) <= 0.01, figures(delta)
    assert np.max(np.abs(delta)) <= 3.0, figures(delta)


def test_engine_agrees_with_splat(recording: Recording, dem: Raster,
                                  profiles: list[SplatProfile]) -> None:
    """``predict_coverage(model="itm")`` on a 90 m grid, as users get it, against SPLAT!.

    Each site alone on a 90 m UTM grid (SPLAT!'s 3″ pixels are 86–93 m), the geographic tile
    given as terrain (the engine reprojects it), omni antenna with the EIRP of
    ``bench_splat.py``; its loss is read at the far end of the profile SPLAT! evaluated.
    Measured: median |Δ| 2.24 dB, P90 15.0 dB, bias +0.05 dB over the eight sites (per
    site median / bias: daitu 2.60 / +0.13, phoyen 2.46 / +0.18, tamdao 1.40 / −0.28, tncity
    3.80 / −1.00, tamdaoridge 1.14 / −0.23, nwhigh 2.49 / −0.19, phuluong 3.54 / +1.96,
    vinhplain 1.78 / −0.15). While the kernel interpolated ITM across changes of the
    receiver's horizon: 3.01 / 16.7 / +0.27 dB (tncity 4.27, phuluong 4.90); before it read
    the nearest DEM post and the engine reprojected to it (bilinear both times, which lowers
    the peaks ITM reads its horizons and Δh from): 3.38 / 18.8 / +4.46 dB on the same points.
    What is left is mostly positional: a cell takes the loss of the nearest ray sample, and
    on the edges of terrain shadows a shift of one 90 m cell changes the loss by 20–40 dB.
    The bounds leave headroom for deliberate kernel changes; the computation is
    deterministic.
    """
    from bench_splat import EIRP_DBM, FREQ_MHZ, RES_M, TO_UTM, site_frame

    from covplan.grid import GridSpec
    from covplan.predict import SiteCache, predict_coverage

    assert recording.frequency_mhz == FREQ_MHZ, "bench_splat's frequency is not the recorded one"
    radius_m = recording.radius_km * 1000.0
    far_lat = np.array([p.lat for p in profiles])
    far_lon = np.array([p.lon for p in profiles])
    delta = np.full(recording.site.size, np.nan)
    per_site = []
    for name, site in recording.sites.items():
        sector = site_frame(site)
        x, y = sector.geometry.iloc[0].x, sector.geometry.iloc[0].y
        grid = GridSpec.from_bounds((x - radius_m, y - radius_m, x + radius_m, y + radius_m),
                                    RES_M, 32648)
        rsrp = predict_coverage(sector, dem, grid, technology="4G", model="itm",
                                threshold_dbm=-1e6, margin_db=0.0, max_radius_m=radius_m,
                                rx_height_m=recording.rx_height_m, cache=SiteCache()).rsrp_dbm
        mine = recording.site == name
        px, py = TO_UTM.transform(far_lon[mine], far_lat[mine])
        delta[mine] = recording.loss_db[mine] - (EIRP_DBM - rsrp.sample(np.asarray(px),
                                                                        np.asarray(py)))
        per_site.append(f"{name}: {figures(delta[mine][np.isfinite(delta[mine])])}")
    found = np.isfinite(delta)
    report = f"pooled: {figures(delta[found])}; " + "; ".join(per_site)
    assert found.mean() >= 0.99, report
    delta = delta[found]
    assert np.median(np.abs(delta)) <= 2.6, report
    assert np.percentile(np.abs(delta), 90) <= 17.0, report
    assert abs(np.mean(delta)) <= 0.5, report
