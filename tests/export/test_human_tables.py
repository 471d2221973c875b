"""Tables for people (``covplan.export.tables.human_table``): words, numbers, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from covplan.app.exports import human_csv
from covplan.export import tables
from covplan.export.tables import human_table
from covplan.i18n import language


def _road_gaps() -> pd.DataFrame:
    return pd.DataFrame({
        "road": ["QL.3", "QL.3", None, "(unnamed expressway road)", "QL.3"],
        "name": ["Quốc lộ 3", "Quốc lộ 3", "Đường tỉnh 261", None, float("nan")],
        "road_class": ["national", "national", "provincial", "expressway", "national"],
        "start_km": [0.0, 12.25, 3.0, np.nan, -0.04],
        "end_km": [1.5, 13.0, 4.0, 2.0, 0.5],
        "length_km": [1.5, 0.75, 1.0, 2.0, 0.54],
        "communes": ["Phổ Yên", "Phổ Yên", "", "Sông Công", "Phổ Yên"],
    })


def test_road_gaps_read_as_people_read_them() -> None:
    vi = human_table(_road_gaps(), "road_gaps", language("vi"))
    assert list(vi.columns[:3]) == ["Tuyến đường", "Tên đường", "Cấp đường"]
    assert list(vi["Cấp đường"]) == ["quốc lộ", "quốc lộ", "đường tỉnh", "cao tốc", "quốc lộ"]
    assert list(vi["Tuyến đường"]) == ["QL.3", "QL.3", "", "(cao tốc không tên)", "QL.3"]
    # half to even, as Python rounds: 12.25 is 12.2; -0.04 is 0.0, never -0.0
    assert list(vi["Từ km"]) == ["0,0", "12,2", "3,0", "", "0,0"]
    assert list(vi["Tên đường"]) == ["Quốc lộ 3", "Quốc lộ 3", "Đường tỉnh 261", "", ""]
    en = human_table(_road_gaps(), "road_gaps", language("en"))
    assert list(en["Road class"]) == ["national", "national", "provincial", "expressway",
                                      "national"]
    assert list(en["From km"]) == ["0.0", "12.2", "3.0", "", "0.0"]


def test_each_distinct_value_is_worded_once_in_row_order() -> None:
    seen: list[object] = []

    def show(value: object) -> str:
        seen.append(value)
        return "-" if value is None or value != value else f"<{value}>"

    values = pd.Series(["b", "a", None, "b", float("nan"), "a"], index=[5, 4, 3, 2, 1, 0])
    shown = tables._map(values, show)
    assert list(shown) == ["<b>", "<a>", "-", "<b>", "-", "<a>"]
    assert list(shown.index) == [5, 4, 3, 2, 1, 0]
    assert len(seen) == 3  # b, a and one missing value
    assert tables._map(pd.Series([], dtype=object), show).empty


def test_the_csv_is_the_shown_table() -> None:
    lang = language("vi")
    frame = _road_gaps()
    shown = human_table(frame, "road_gaps", lang)
    made = human_csv(frame, "road_gaps", lang)
    assert human_csv(frame, "road_gaps", lang, shown=shown) == made
    assert made.startswith("\ufeff".encode()) and b";12,2;" in made
