"""Propagation groups: co-located sectors that share one terrain computation.

Sectors of one site at the same position, antenna height and carrier (frequency and
bandwidth) see the same terrain
and path loss; only their antenna patterns and powers differ. The engine therefore sweeps
each group once and applies every sector's pattern in the fill.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from covplan.radio.antenna import VERTICAL_BEAMWIDTH_DEG
from covplan.radio.defaults import SECTOR_DEFAULTS
from covplan.radio.linkbudget import re_power_dbm, resource_blocks
from covplan.radio.patterns import AntennaPattern
from covplan.schema import SECTOR_KEY, SECTOR_RADIO

#: Sector columns the engine reads (all filled by the loader): the sector contract of
#: :mod:`covplan.schema`. An optional ``vertical_beamwidth_deg`` column overrides the 10°
#: vertical beamwidth (0: no vertical pattern, e.g. an isotropic reference antenna).
SECTOR_COLUMNS = (*SECTOR_KEY, *SECTOR_RADIO)
#: Sector columns that only the SINR and throughput read: a table without them (one not
#: loaded with covplan.io) takes the technology's defaults.
LINK_COLUMNS = ("mimo_layers", "load")
#: Optional sector column naming a vendor pattern file (:mod:`covplan.radio.patterns`).
PATTERN_COLUMN = "antenna_pattern"


@dataclass(frozen=True, eq=False)
class Group:
    """Co-located sectors with one frequency and antenna height.

    Parameters
    ----------
    x, y
        Site position in the grid's CRS.
    height_m, frequency_mhz
        Antenna height above ground and carrier frequency shared by the sectors.
    indices
        Global sector indices (into the coverage grid's ``site_keys``).
    azimuth_deg, beamwidth_deg, tilt_deg, eirp_re_dbm, vertical_beamwidth_deg
        Per-sector pattern parameters and EIRP per resource element at boresight
        (:math:`P_{RE} + G - L_{cable}`); beamwidth 0 for omni, vertical beamwidth 0 for no
        vertical pattern.
    load
        Per sector, the share of its resources in use (0-1; scales its interference).
    bandwidth_mhz
        The channel bandwidth the sectors share (with ``frequency_mhz``: their carrier).
    pattern_index
        Per sector, its row in ``patterns`` (-1: the 3GPP parametric pattern). A sector with
        a pattern file has the file's gain in ``eirp_re_dbm`` and, in ``tilt_deg``, its
        mechanical tilt beyond the file's electrical tilt.
    patterns
        The vendor patterns the sectors use.
    """

    x: float
    y: float
    height_m: float
    frequency_mhz: float
    indices: np.ndarray
    azimuth_deg: np.ndarray
    beamwidth_deg: np.ndarray
    tilt_deg: np.ndarray
    eirp_re_dbm: np.ndarray
    vertical_beamwidth_deg: np.ndarray
    load: np.ndarray | None = None
    bandwidth_mhz: float = 0.0
    pattern_index: np.ndarray | None = None
    patterns: tuple[AntennaPattern, ...] = field(default=())

    def load_array(self) -> np.ndarray:
        """Per-sector load as float64 (1 where none was given)."""
        if self.load is None:
            return np.ones(self.azimuth_deg.size)
        return np.ascontiguousarray(self.load, dtype=np.float64)

    def key(self, context: str) -> str:
        """Hash of the group's parameters plus ``context`` (terrain, grid, settings)."""
        h = hashlib.blake2b(digest_size=20)
        h.update(repr((round(self.x, 3), round(self.y, 3), self.height_m,
                       self.frequency_mhz, self.bandwidth_mhz)).encode())
        for arr in (self.azimuth_deg, self.beamwidth_deg, self.tilt_deg, self.eirp_re_dbm,
                    self.vertical_beamwidth_deg, self.load_array()):
            h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
        if self.patterns and self.pattern_index is not None:
            h.update(np.ascontiguousarray(self.pattern_index, dtype=np.int64).tobytes())
            h.update("|".join(p.digest() for p in self.patterns).encode())
        h.update(context.encode())
        return h.hexdigest()

    def pattern_rows(self) -> np.ndarray:
        """Per sector, its row in :attr:`patterns` (-1 for the parametric pattern)."""
        if self.pattern_index is None:
            return np.full(self.azimuth_deg.size, -1, dtype=np.int64)
        return np.ascontiguousarray(self.pattern_index, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class SectorTable:
    """The sectors of one technology as numpy columns, ordered by (site_id, sector)."""

    site_id: np.ndarray
    sector: np.ndarray
    x: np.ndarray
    y: np.ndarray
    columns: dict[str, np.ndarray]
    antenna_pattern: np.ndarray | None = None
    operator: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.site_id.size)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]


def sector_table(sites: gpd.GeoDataFrame, technology: str) -> SectorTable:
    """Rows of ``technology`` as a :class:`SectorTable` (pandas only at the boundary)."""
    missing = [c for c in SECTOR_COLUMNS if c not in sites.columns and c not in LINK_COLUMNS]
    if missing:
        raise ValueError(f"sites lacks columns {missing}; load it with covplan.io so that "
                         "defaults are applied")
    tech = sites["technology"].astype(str).to_numpy()
    rows = np.flatnonzero(tech == technology)
    site_id = sites["site_id"].astype(str).to_numpy()[rows]
    sector = sites["sector"].to_numpy()[rows].astype(np.int64)
    order = np.lexsort((sector, site_id))
    rows, site_id, sector = rows[order], site_id[order], sector[order]
    geom = sites.geometry.to_numpy()[rows]
    names = [c for c in (*SECTOR_RADIO, "vertical_beamwidth_deg") if c in sites.columns]
    operators = (sites["operator"].fillna("").astype(str).to_numpy(object)[rows]
                 if "operator" in sites.columns else np.full(rows.size, "", dtype=object))
    columns = {c: sites[c].to_numpy(dtype=np.float64)[rows] for c in names}
    defaults = SECTOR_DEFAULTS.get(technology)
    for column in LINK_COLUMNS:
        default = float(getattr(defaults, column)) if defaults is not None else 1.0
        given = columns.get(column, np.full(rows.size, np.nan))
        columns[column] = np.where(np.isfinite(given), given, default)
    patterns = None
    if PATTERN_COLUMN in sites.columns:
        raw = sites[PATTERN_COLUMN].to_numpy(dtype=object)[rows]
        patterns = np.array(["" if not isinstance(v, str) else v.strip() for v in raw],
                            dtype=object)
    return SectorTable(site_id, sector, shapely.get_x(geom), shapely.get_y(geom), columns,
                       patterns, operators)


def _sector_patterns(table: SectorTable, patterns: Mapping[str, AntennaPattern] | None
                     ) -> list[AntennaPattern | None]:
    """Each sector's vendor pattern, or None for the parametric one."""
    if table.antenna_pattern is None:
        return [None] * len(table)
    found: list[AntennaPattern | None] = []
    for name in table.antenna_pattern.tolist():
        if not name:
            found.append(None)
            continue
        if patterns is None or name not in patterns:
            raise ValueError(f"antenna pattern {name!r} was not loaded; load the dataset with "
                             "covplan.io so that the pattern files are read, or pass them as "
                             "RadioEnvironment(antenna_patterns=...)")
        found.append(patterns[name])
    return found


def _eirp_re(table: SectorTable, technology: str) -> np.ndarray:
    n_rb = [resource_blocks(technology, float(b), float(f))
            for b, f in zip(table["bandwidth_mhz"], table["frequency_mhz"], strict=True)]
    return np.asarray(re_power_dbm(table["tx_power_dbm"], np.asarray(n_rb))
                      + table["antenna_gain_dbi"] - table["cable_loss_db"])


def build_groups(table: SectorTable, technology: str,
                 patterns: Mapping[str, AntennaPattern] | None = None) -> list[Group]:
    """Propagation groups of a :func:`sector_table`, ordered by their first sector index.

    ``patterns`` holds the vendor patterns that the sectors' ``antenna_pattern`` names.
    """
    eirp = _eirp_re(table, technology)
    az = table["azimuth_deg"]
    bw = table["beamwidth_deg"]
    omni = ~np.isfinite(az) | ~np.isfinite(bw) | (bw >= 360.0)
    az = np.where(omni, 0.0, az)
    bw = np.where(omni, 0.0, bw)
    tilt = np.nan_to_num(table["tilt_deg"])
    chosen = _sector_patterns(table, patterns)
    for i, pattern in enumerate(chosen):
        if pattern is not None:  # the file's gain and direction replace the parametric ones
            eirp[i] += pattern.gain_dbi - table["antenna_gain_dbi"][i]
            tilt[i] -= pattern.electrical_tilt_deg
            az[i] = np.nan_to_num(table["azimuth_deg"][i])
    vbw = np.full(len(table), VERTICAL_BEAMWIDTH_DEG)
    if "vertical_beamwidth_deg" in table.columns:
        given = table["vertical_beamwidth_deg"]
        vbw = np.where(np.isfinite(given), given, VERTICAL_BEAMWIDTH_DEG)
    keys = list(zip(table.site_id.tolist(), table.x.round(3).tolist(), table.y.round(3).tolist(),
                    table["height_m"].tolist(), table["frequency_mhz"].tolist(),
                    table["bandwidth_mhz"].tolist(), strict=True))
    load = (np.clip(np.nan_to_num(table["load"], nan=1.0), 0.0, 1.0) if "load" in table.columns
            else np.ones(len(table)))
    order: dict[tuple[str, float, float, float, float, float], list[int]] = {}
    for i, k in enumerate(keys):
        order.setdefault(k, []).append(i)
    groups = []
    for (_, x, y, h, f, b), idx_list in order.items():
        idx = np.asarray(idx_list, dtype=np.int32)
        own: list[AntennaPattern] = []
        rows = np.full(idx.size, -1, dtype=np.int64)
        for position, sector in enumerate(idx_list):
            pattern = chosen[sector]
            if pattern is not None:
                if all(p is not pattern for p in own):
                    own.append(pattern)
                rows[position] = next(n for n, p in enumerate(own) if p is pattern)
        groups.append(Group(float(x), float(y), float(h), float(f), idx, az[idx], bw[idx],
                            tilt[idx], eirp[idx], vbw[idx], load[idx], float(b),
                            rows if own else None, tuple(own)))
    return groups
