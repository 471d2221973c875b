"""``covplan analyze`` in-process: target table, gap files, exit codes."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from covplan.cli.main import main


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


def _run(tiny_dir: Path, out_dir: Path, *extra: str) -> int:
    return main(["-q", "analyze", str(tiny_dir), "--out", str(out_dir), "--resolution", "90",
                 "--no-cache", "--lang", "en", *extra])


def test_analyze_prints_targets_and_writes_gaps(tiny_dir: Path, out_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tiny_dir, out_dir) == 0
    out = capsys.readouterr().out
    assert "Thái Nguyên 2025: targets on tiny" in out
    for label in ("4G/5G on 100 % of expressways and national highways",
                  "Fibre to 99.3 % of villages", "5G at universities and hospitals"):
        assert label in out
    assert "Measured on:" in out
    assert "roads_4g5g: share of road length with signal, out of " in out
    assert "People with signal (SDG 9.c.1, best operator):" in out
    layers = {name for name, _ in pyogrio.list_layers(out_dir / "gaps.gpkg")}
    assert layers == {"road_gaps", "village_gaps", "poi_gaps", "commune_summary"}
    summary = (out_dir / "commune_summary.csv").read_bytes()  # for people, in --lang
    assert summary.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    text = summary.decode("utf-8-sig")
    assert "Xã Tân Hòa" in text and "Phường Đông" in text
    assert text.splitlines()[0].startswith("Commune code,Commune,People,Villages")
    machine = (out_dir / "data" / "commune_summary.csv").read_text(encoding="utf-8")
    assert machine.splitlines()[0].startswith("code,name,population,villages")
    targets = (out_dir / "data" / "targets.csv").read_text(encoding="utf-8")
    assert "fibre_villages" in targets
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]  # no temporary files


def test_existing_outputs_need_overwrite(tiny_dir: Path, out_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out_dir.mkdir()
    (out_dir / "village_gaps.csv").write_text("an earlier run\n", encoding="utf-8")
    assert _run(tiny_dir, out_dir) == 2
    err = capsys.readouterr().err
    assert "village_gaps.csv" in err and "already exists" in err and "--overwrite" in err
    assert (out_dir / "village_gaps.csv").read_text(encoding="utf-8") == "an earlier run\n"
    assert _run(tiny_dir, out_dir, "--overwrite") == 0
    assert (out_dir / "village_gaps.csv").read_bytes().startswith(b"\xef\xbb\xbfVillage ID,")


def test_bad_targets_file_exits_two_with_the_problems(
    tiny_dir: Path, out_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[preset]\nname = "x"\n[[target]]\nid = "a"\nlabel = "A"\n'
                   'layer = "road"\nmeasure = "length_share"\ntechnologies = ["4G"]\n'
                   "goal_percent = 120\n", encoding="utf-8")
    assert _run(tiny_dir, out_dir, "--targets", str(bad)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "did you mean 'roads'" in err and "goal_percent should be from 0 to 100" in err
    assert not out_dir.exists()


def test_bad_dataset_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "absent"), "--out", str(tmp_path / "o")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_each_target_says_what_it_is_a_share_of_in_the_commands_language(
        tiny_dir: Path, out_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without --lang the preset's language (Vietnamese) is spoken throughout; a target with
    nothing to count says it was not measured instead of "a share of nothing"."""
    targets = tmp_path / "t.toml"
    targets.write_text('''[preset]
name = "Thử"
[[target]]
id = "clinics_5g"
label = "5G at clinics"
layer = "pois"
measure = "point_share"
technologies = ["5G"]
filter = { kind = ["clinic"] }
goal_percent = 100
[[target]]
id = "village_people_4g"
label = "4G in villages"
layer = "villages"
measure = "village_share"
technologies = ["4G"]
goal_percent = 100
[[target]]
id = "villages_4g"
label = "4G villages"
layer = "villages"
measure = "village_share"
weight = "count"
technologies = ["4G"]
goal_percent = 100
''', encoding="utf-8")
    assert main(["analyze", str(tiny_dir), "--out", str(out_dir), "--resolution", "90",
                 "--no-cache", "--targets", str(targets)]) == 0
    out = capsys.readouterr().out
    lines = {line.split(":")[0].strip(): line for line in out.split("Cách đo:")[1].splitlines()
             if ":" in line}
    assert lines["clinics_5g"].startswith(
        "  clinics_5g: tỷ lệ điểm trọng yếu có sóng tại vị trí; chưa đo được: 0 điểm trọng yếu")
    assert lines["village_people_4g"].startswith(
        "  village_people_4g: tỷ lệ dân số các thôn, xóm, bản có sóng trên ")
    assert lines["villages_4g"].startswith("  villages_4g: tỷ lệ thôn, xóm, bản có sóng trên ")
    assert "point_share" not in out and "village_share" not in out


@pytest.mark.parametrize(("written", "said"), [
    ('language = "vi"\n', "goal_percent phải từ 0 đến 100"),
    ("", "goal_percent phải từ 0 đến 100"),  # no language: Vietnamese, the default
    ('language = "en"\n', "goal_percent should be from 0 to 100")])
def test_a_bad_targets_file_is_refused_in_its_own_language(
        tiny_dir: Path, out_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        written: str, said: str) -> None:
    """Without --lang, the language the command would have spoken once the file loaded."""
    bad = tmp_path / "muc_tieu.toml"
    bad.write_text(f'[preset]\nname = "Của tôi"\n{written}[[target]]\nid = "a"\n'
                   'label = "A"\nlayer = "roads"\nmeasure = "length_share"\n'
                   'technologies = ["4G"]\ngoal_percent = 120\n', encoding="utf-8")
    assert main(["-q", "analyze", str(tiny_dir), "--out", str(out_dir), "--targets",
                 str(bad)]) == 2
    assert said in capsys.readouterr().err
    assert not out_dir.exists()
