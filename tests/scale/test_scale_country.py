"""Countries: province folders or country.toml, presets named in manifests, refused
provinces, the content hash, and ``covplan demo --country``."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from covplan.cli.main import main
from covplan.errors import ConfigError
from covplan.i18n import language
from covplan.io.manifest import discover
from covplan.scale import ResultCache, RunSettings, plan_jobs, read_country
from covplan.scale.resume import province_digest


def _set_targets(folder: Path, preset: str | None) -> None:
    """Rewrite the ``targets`` line of a province's manifest (None: remove it)."""
    manifest = folder / "dataset.toml"
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines()
             if not line.startswith("targets = ")]
    if preset is not None:
        lines.insert(1, f'targets = "{preset}"')
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_province_folders_of_a_root_without_country_toml(country: Path) -> None:
    (country / "country.toml").unlink()
    (country / "notes").mkdir()
    (country / ".hidden").mkdir()
    shutil.copytree(country / "province-01", country / "out")
    found = read_country(country, exclude=[country / "out"])
    assert [p.key for p in found.provinces] == ["province-01", "province-02", "province-03"]
    assert found.name == "country"


def test_country_toml_lists_the_provinces_and_their_presets(country: Path,
                                                            run_settings: RunSettings) -> None:
    (country / "country.toml").write_text(
        '[country]\nname = "Việt Nam"\n\n[[province]]\npath = "province-02"\n'
        'targets = "thai_nguyen_2025"\n\n[[province]]\npath = "province-01"\n',
        encoding="utf-8")
    found = read_country(country)
    assert found.name == "Việt Nam"
    plan = plan_jobs(found, run_settings)
    assert [(j.key, j.targets) for j in plan.jobs] == [
        ("province-02", "thai_nguyen_2025"), ("province-01", "thai_nguyen_2025")]


def test_a_wrong_country_toml_lists_every_problem(country: Path) -> None:
    (country / "country.toml").write_text(
        '[country]\nnmae = "x"\n\n[[province]]\npath = "province-01"\ntargets = "bac_ninh"\n'
        '\n[[province]]\nfolder = "province-02"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="3 problem") as caught:
        read_country(country)
    message = str(caught.value)
    assert "did you mean 'name'" in message
    assert "unknown target preset 'bac_ninh'" in message and "bac_ninh_2030" in message
    assert 'path = "folder"' in message
    # the ministry reads it in Vietnamese
    said = caught.value.text(language("vi")).splitlines()
    assert said[0].startswith("Có 3 lỗi trong tệp danh sách tỉnh ")
    assert said[1:] == [
        "  - [country]: khóa 'nmae' không hợp lệ. Cách sửa: có phải ý bạn là 'name'? Các giá "
        "trị được phép: name, targets.",
        "  - [[province]] 1 targets: bộ mục tiêu 'bac_ninh' không có sẵn. Cách sửa: có phải ý "
        "bạn là 'bac_ninh_2030'? Ghi tên một bộ mục tiêu có sẵn: bac_ninh_2030, "
        "thai_nguyen_2025.",
        "  - [[province]] 2: cần path = \"folder\" (thư mục bộ dữ liệu của tỉnh, tính từ vị trí "
        "của country.toml).",
    ]


def test_a_manifest_naming_an_unknown_preset_is_refused_with_the_fix(
        country: Path, run_settings: RunSettings) -> None:
    _set_targets(country / "province-02", "bac_ninh_2031")
    with pytest.raises(ConfigError, match="did you mean 'bac_ninh_2030'"):
        discover(country / "province-02")
    plan = plan_jobs(read_country(country), run_settings)
    assert [j.key for j in plan.jobs] == ["province-01", "province-03"]
    (refused,) = plan.refused
    assert refused.key == "province-02" and not refused.ok and not refused.unexpected
    assert any("bac_ninh_2031" in p for p in refused.problems)


def test_a_province_without_a_preset_takes_targets_or_is_refused(
        country: Path, run_settings: RunSettings) -> None:
    _set_targets(country / "province-03", None)
    plan = plan_jobs(read_country(country), run_settings)
    assert [r.key for r in plan.refused] == ["province-03"]
    assert "--targets" in plan.refused[0].problems[0]
    plan = plan_jobs(read_country(country), run_settings, targets="bac_ninh_2030")
    assert plan.jobs[2].targets == "bac_ninh_2030" and not plan.refused


def test_the_hash_follows_the_files_and_settings_not_the_tile_budget(
        country: Path, run_settings: RunSettings, tmp_path: Path) -> None:
    manifest = discover(country / "province-01")
    digest = province_digest(manifest, "thai_nguyen_2025", run_settings)
    assert digest == province_digest(manifest, "thai_nguyen_2025",
                                     RunSettings(run_settings.resolution_m, max_tile_cells=9))
    assert digest != province_digest(manifest, "bac_ninh_2030", run_settings)
    assert digest != province_digest(manifest, "thai_nguyen_2025", RunSettings(90.0))
    with (country / "province-01" / "roads.gpkg").open("ab") as handle:
        handle.write(b"\0")
    assert digest != province_digest(manifest, "thai_nguyen_2025", run_settings)
    cache = ResultCache(tmp_path / "cache")
    (job,) = plan_jobs(read_country(country), run_settings).jobs[:1]
    assert cache.get(job) is None  # nothing stored yet


def test_demo_country_writes_the_provinces_and_country_toml(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vn"
    assert main(["-q", "demo", "--country", "2", "--size", "small", "--seed", "5",
                 "--out", str(out)]) == 0
    assert "2 provinces" in capsys.readouterr().out
    country = tomllib.loads((out / "country.toml").read_text(encoding="utf-8"))
    assert [p["path"] for p in country["province"]] == ["province-01", "province-02"]
    metas = [tomllib.loads((out / p / "dataset.toml").read_text(encoding="utf-8"))["dataset"]
             for p in ("province-01", "province-02")]
    assert [m["targets"] for m in metas] == ["thai_nguyen_2025", "bac_ninh_2030"]
    assert [m["seed"] for m in metas] == [5, 6]
    assert all(m["synthetic"] for m in metas) and metas[0]["name"] != metas[1]["name"]
    first, second = (discover(out / p) for p in ("province-01", "province-02"))
    assert first.targets == "thai_nguyen_2025" and second.name == metas[1]["name"]


def test_demo_size_mixed_needs_a_country(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--size", "mixed", "--out", str(tmp_path / "x")]) == 2
    assert "--country" in capsys.readouterr().err
