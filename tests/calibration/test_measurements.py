"""Reading measurement files: plain CSV, G-NetTrack logs, every bad row with its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from covplan.calibration.measurements import read_measurements
from covplan.errors import InputError

GOOD = "105.80,21.60,-90.5,4G,VTL-4G-0001,1"
CSV_HEADER = "lon,lat,rsrp_dbm,technology,site_id,sector"


def _lines(problems: object) -> dict[int, str]:
    found: dict[int, str] = {}
    for p in problems:  # type: ignore[attr-defined]
        for row in p.rows:
            found[row] = str(p)
    return found


def test_every_bad_row_is_reported_with_its_line_and_dropped(tmp_path: Path) -> None:
    rows = [CSV_HEADER, GOOD,
            "105.80,abc,-95,4G,,",          # 3: lat not a number
            "105.80,21.60,,4G,,",           # 4: no RSRP
            "200,21.60,-80,4G,,",           # 5: lon out of range
            "105.80,21.60,-300,4G,,",       # 6: impossible RSRP
            "105.80,21.60,-85,3G,,",        # 7: 2G/3G: skipped, not an error
            "105.80,21.60,-85,wifi,,",      # 8: unknown technology
            "105.80,21.60,-85",             # 9: too few fields
            "105.81,21.61,-100,NR,B,1.5",   # 10: sector not whole
            GOOD]
    path = tmp_path / "m.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    m = read_measurements(path)
    assert len(m.frame) == 2 and m.frame["line"].tolist() == [2, 11]
    bad = _lines(m.problems)
    assert sorted(bad) == [3, 4, 5, 6, 8, 9, 10]
    assert "'abc'" in bad[3] and "column 'lat'" in bad[3]
    assert "-300 dBm is outside" in bad[6]
    assert "'wifi'" in bad[8]
    assert sum(m.skipped.values()) == 1
    assert m.dropped == 8
    assert "2 of 10 rows kept" in m.summary()


def test_aliases_and_vietnamese_locale_numbers(tmp_path: Path) -> None:
    path = tmp_path / "vn.csv"
    path.write_text("Longitude;Latitude;RSRP;Tech;Operator\n105,8;21,6;-90,5;LTE;Viettel\n"
                    "105,81;21,61;-101;NR;VNPT\n", encoding="utf-8")
    m = read_measurements(path)
    assert m.frame["lon"].tolist() == [105.8, 105.81]
    assert m.frame["rsrp_dbm"].tolist() == [-90.5, -101.0]
    assert m.frame["technology"].tolist() == ["4G", "5G"]
    assert m.format == "csv"


def test_an_operators_export_with_vietnamese_headers(tmp_path: Path) -> None:
    """Headers as an operator's tool writes them in Vietnamese, units in brackets, one
    reading of lost signal among numbers written the Vietnamese way."""
    path = tmp_path / "do_kiem.csv"
    path.write_text("Thời gian;Kinh độ;Vĩ độ;RSRP (dBm);Công nghệ;Nhà mạng\n"
                    "08:00;105,8;21,6;-90,5;LTE;Viettel\n"
                    "08:01;105,81;21,61;mất sóng;LTE;Viettel\n"
                    "08:02;105,82;21,62;-101,2;NR;Viettel\n", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("08:02", ";;;;;\n08:02"),
                    encoding="utf-8")  # a line of separators only, as Excel leaves them
    m = read_measurements(path)
    assert m.frame["lon"].tolist() == [105.8, 105.82]
    assert m.frame["rsrp_dbm"].tolist() == [-90.5, -101.2]
    assert m.frame["operator"].tolist() == ["Viettel", "Viettel"]
    assert sorted(_lines(m.problems)) == [3]  # only the line without a number (not line 4)
    assert m.skipped == {"empty rows skipped": 1}  # the separators-only line: not "no lon"


def test_reads_a_gnettrack_log(tmp_path: Path) -> None:
    header = ("Timestamp\tLongitude\tLatitude\tSpeed\tOperatorname\tOperator\tCGI\tCellname\tNode"
              "\tCellID\tLAC\tNetworkTech\tNetworkMode\tLevel\tQual\tSNR\tCQI\tLTERSSI\tARFCN\t"
              "PSC")
    rows = [
        "2026.01.15_08.00.00\t105.80\t21.60\t40\tViettel\t45204\t-\t-\t12345\t3160321\t1\t4G"
        "\tLTE\t-91\t-10\t12\t9\t-60\t1850\t101",
        "2026.01.15_08.00.05\t105.801\t21.601\t40\tViettel\t45204\t-\t-\t12345\t3160321\t1\t3G"
        "\tHSPA\t-80\t-8\t\t\t\t10700\t12",
        "2026.01.15_08.00.10\t105.802\t21.602\t40\tViettel\t45204\t-\t-\t777\t9\t1\t5G\tNR"
        "\t-99\t-11\t8\t\t\t\t402",
    ]
    path = tmp_path / "gnettrack.txt"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    m = read_measurements(path)
    assert m.format == "g-nettrack"
    assert m.frame["technology"].tolist() == ["4G", "5G"]
    assert m.frame["rsrp_dbm"].tolist() == [-91.0, -99.0]
    assert m.frame["cell_id"].tolist() == ["3160321", "9"]
    assert m.frame["pci"].tolist() == [101.0, 402.0]
    assert m.frame["operator"].tolist() == ["Viettel", "Viettel"]
    assert m.skipped and not m.problems


def test_a_file_with_no_usable_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    path.write_text(f"{CSV_HEADER}\n105.8,,-90,4G,,\n,21.6,n/a,4G,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="no usable measurement among 2 rows") as caught:
        read_measurements(path)
    assert "line 2" in str(caught.value) and "line 3" in str(caught.value)
    missing = tmp_path / "cols.csv"
    missing.write_text("x,y,signal\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column\(s\) lon, lat, rsrp_dbm"):
        read_measurements(missing)


def test_the_command_exits_2_when_nothing_is_usable(
        demo: Path, tmp_path: Path, run: Callable[..., tuple[int, str, str]]) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(f"{CSV_HEADER}\n105.8,21.6,oops,4G,,\n", encoding="utf-8")
    code, out, err = run("calibrate", demo, path, "--out", tmp_path / "c.toml")
    assert code == 2, out + err
    assert "Traceback" not in err and "unexpected failure" not in err
    assert "line 2" in err and "no usable measurement" in err
    assert not (tmp_path / "c.toml").exists()
    code, out, err = run("calibrate", demo, tmp_path / "absent.csv", "--out", tmp_path / "c.toml")
    assert code == 2 and "measurement file not found" in err
