"""Change lists on hand-made tables: matching items, and sites as a whole."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from covplan.progress.changes import (
    VILLAGE_COLUMNS,
    ItemState,
    item_changes,
    site_changes,
    sites_by_site,
)


def _villages(keys: list[str], covered: list[bool]) -> tuple[ItemState, ...]:
    table = gpd.GeoDataFrame({"village_id": keys, "name": keys, "commune": "",
                              "commune_name": "", "population": 10.0},
                             geometry=[Point(100.0 * i, 0.0) for i in range(len(keys))],
                             crs=32648)
    return (ItemState("fibre_villages", table, np.array(keys, dtype=object),
                      np.array(covered)),)


def test_items_are_matched_by_key_and_new_items_are_neither_gained_nor_lost() -> None:
    before = _villages(["a", "b", "c"], [True, False, True])
    after = _villages(["c", "d", "b", "a"], [True, True, True, False])  # other order, d new
    changes = item_changes(before, after, VILLAGE_COLUMNS)
    assert dict(zip(changes["village_id"], changes["change"], strict=True)) == {
        "b": "gained", "a": "lost"}
    assert set(changes["target"]) == {"fibre_villages"}


def _sites(rows: list[tuple[str, int, str, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": [r[0] for r in rows], "sector": [r[1] for r in rows],
         "technology": [r[2] for r in rows], "frequency_mhz": [r[3] for r in rows]},
        geometry=[Point(r[4], 0.0) for r in rows], crs=32648)


def test_sites_are_added_removed_or_changed_as_a_whole() -> None:
    before = _sites([("A", 1, "4G", 1800.0, 0.0), ("A", 2, "4G", 1800.0, 0.0),
                     ("B", 1, "4G", 1800.0, 500.0), ("C", 1, "4G", 1800.0, 900.0)])
    after = _sites([("A", 1, "5G", 3500.0, 0.0), ("A", 2, "5G", 3500.0, 0.0),
                    ("C", 1, "4G", 1800.0, 900.0), ("C", 2, "4G", 1800.0, 900.0),
                    ("D", 1, "5G", 3500.0, 1200.0)])
    sectors = site_changes(before, after)
    sites = sites_by_site(sectors, before, after).set_index("site_id")
    assert sites["change"].to_dict() == {"A": "changed", "B": "removed", "C": "changed",
                                         "D": "added"}
    assert sites.loc["A", "details"] == ("sectors 1, 2: technology 4G -> 5G; frequency_mhz "
                                         "1800 -> 3500")
    assert sites.loc["C", "details"] == "sector 2: added"
    assert sites.loc["A", "technology"] == "5G"
