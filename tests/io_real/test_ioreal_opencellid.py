from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from covplan.errors import InputError
from covplan.io.opencellid import read_opencellid

HEADER = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
)
ROWS = [
    # one Viettel site: three LTE sectors and an NR cell within ~4 m
    "LTE,452,4,10101,27181313,0,105.840000,21.590000,1000,12,1,1459692000,1600000000,0",
    "LTE,452,4,10101,27181314,0,105.840030,21.590020,1000,12,1,1459692000,1600000000,0",
    "LTE,452,4,10101,27181315,0,105.840010,21.590030,900,8,1,1459692000,1600000000,0",
    "NR,452,4,10101,58720256001,0,105.840010,21.590010,500,3,1,1459692000,1600000000,0",
    # another Viettel cell 145 m east: its own site unless site_radius_m is widened
    "LTE,452,4,10101,27181316,0,105.841400,21.590000,1000,12,1,1459692000,1600000000,0",
    # MobiFone at the same mast: a different operator, a different site
    "LTE,452,1,201,3459,0,105.840000,21.590000,1000,12,1,1459692000,1600000000,0",
    # VinaPhone LTE 200 m away, GSM and UMTS cells kept but flagged
    "LTE,452,2,201,9001,0,105.842000,21.590000,1000,12,1,1459692000,1600000000,0",
    "GSM,452,2,201,3456,0,105.850000,21.600000,1000,12,1,1459692000,1600000000,0",
    "UMTS,452,5,201,3457,0,105.860000,21.600000,1000,12,1,1459692000,1600000000,0",
    # an unknown Vietnamese network and a foreign cell
    "LTE,452,8,201,3460,0,105.870000,21.600000,1000,12,1,1459692000,1600000000,0",
    "LTE,310,260,201,3458,0,105.880000,21.600000,1000,12,1,1459692000,1600000000,0",
]


@pytest.fixture
def ocid_csv(tmp_path: Path) -> Path:
    path = tmp_path / "cell_towers.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_cells_become_site_sectors(ocid_csv: Path) -> None:
    cells = read_opencellid(ocid_csv)
    assert list(cells.columns) == [
        "site_id",
        "sector",
        "technology",
        "operator",
        "cell_id",
        "mcc",
        "net",
        "area",
        "range_m",
        "samples",
        "radio",
        "flagged",
        "geometry",
    ]
    assert cells.crs.to_epsg() == 4326
    assert len(cells) == len(ROWS)
    assert list(cells["technology"]) == [
        "4G",
        "4G",
        "4G",
        "5G",
        "4G",
        "4G",
        "4G",
        "2G",
        "3G",
        "4G",
        "4G",
    ]
    assert list(cells["operator"]) == ["Viettel"] * 5 + [
        "MobiFone",
        "VinaPhone",
        "VinaPhone",
        "Vietnamobile",
        "452-08",
        "310-260",
    ]
    assert cells["cell_id"].iloc[3] == 58720256001
    viettel = cells.iloc[:4]
    assert viettel["site_id"].nunique() == 1
    assert viettel["site_id"].iloc[0] == "OCID-452-04-00001"
    assert list(viettel["sector"]) == [1, 2, 3, 1]  # numbered per technology
    assert cells["site_id"].iloc[4] == "OCID-452-04-00002"  # numbered west to east
    assert cells["site_id"].iloc[5] == "OCID-452-01-00001"  # other operator, same mast
    assert cells["site_id"].nunique() == 8
    assert cells.geometry.iloc[0].x == pytest.approx(105.84)


def test_flags(ocid_csv: Path) -> None:
    flagged = read_opencellid(ocid_csv)["flagged"]
    assert (flagged.iloc[:7] == "").all()
    assert flagged.iloc[7] == "2G (GSM) cell: covplan plans 4G and 5G"
    assert flagged.iloc[8] == "3G (UMTS) cell: covplan plans 4G and 5G"
    assert flagged.iloc[9] == ""  # a Vietnamese network without a name is still Vietnamese
    assert flagged.iloc[10] == "mcc 310 is not Vietnam (452)"


def test_headerless_gzip_export(tmp_path: Path) -> None:
    path = tmp_path / "452.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write("\n".join(ROWS) + "\n")
    cells = read_opencellid(path)
    assert len(cells) == len(ROWS)
    assert cells["operator"].iloc[0] == "Viettel"


def test_wider_site_radius_merges_more(ocid_csv: Path) -> None:
    cells = read_opencellid(ocid_csv, site_radius_m=300)
    viettel = cells[cells["operator"] == "Viettel"]
    assert viettel["site_id"].nunique() == 1
    assert list(viettel["sector"]) == [1, 2, 3, 1, 4]
    vina = cells[cells["operator"] == "VinaPhone"]
    assert vina["site_id"].nunique() == 2  # the GSM cell is 1.3 km away
    assert cells["site_id"].nunique() == 7


def test_bad_values_reported_with_rows(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = [ROWS[0], ROWS[1].replace("105.840030", "abc"), ROWS[2].replace("21.590030", "210.5")]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="2 problems") as info:
        read_opencellid(path)
    text = str(info.value)
    assert "bad.csv: layer 'sites': column 'lon': row 3: expected numbers, found 'abc'" in text
    assert "column 'lat': row 4: expected degrees within ±90, found 210.5" in text


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "towers.csv"
    path.write_text("radio,mcc,net,lon,lat\nLTE,452,4,105.8,21.6\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"towers\.csv.*expected OpenCellID columns area, cell"):
        read_opencellid(path)


@pytest.mark.parametrize("kind", ["open quote", "empty", "cut gzip", "binary"])
def test_an_unreadable_export_is_a_clear_error(kind: str, tmp_path: Path) -> None:
    """A download cut short, an open quote, an empty or binary file: the file named, what
    was expected and how to fix it, no raw exception."""
    path = tmp_path / ("cells.csv.gz" if kind == "cut gzip" else "cells.csv")
    text = "\n".join([HEADER, *ROWS]) + "\n"
    if kind == "open quote":
        path.write_text(text + 'LTE,452,4,"unterminated\n', encoding="utf-8")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "cut gzip":
        path.write_bytes(gzip.compress(text.encode())[:40])
    else:
        path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError) as info:
        read_opencellid(path)
    message = str(info.value)
    assert path.name in message and "Fix:" in message
    assert "Error" not in message.replace("InputError", "")  # no pandas/zlib wording
    if kind == "open quote":
        assert "quote" in message
