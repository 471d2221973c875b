"""National runs on a local Dask cluster of two worker processes: the same figures as each
province alone, faults reported per province, reruns that compute only what changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client

from covplan.cli.main import main
from covplan.io import load_dataset
from covplan.planning import run_analysis
from covplan.scale import (
    OUTPUT_NAMES,
    ResultCache,
    RunSettings,
    plan_jobs,
    read_country,
    run_national,
)
from covplan.scale.summary import national_summary
from covplan.targets import load_targets

pytestmark = pytest.mark.filterwarnings("ignore::covplan.radio.ModelRangeWarning")


def _alone(path: str, preset: str, resolution_m: float) -> pd.DataFrame:
    """The target table of one province run on its own, in this process."""
    return run_analysis(load_dataset(path), load_targets(preset),
                        resolution_m=resolution_m).targets


def test_three_provinces_on_two_workers_equal_each_province_alone(
        country: Path, client: Client, run_settings: RunSettings) -> None:
    plan = plan_jobs(read_country(country), run_settings)
    run = run_national(plan, client)
    assert [r.key for r in run.results] == ["province-01", "province-02", "province-03"]
    assert all(r.ok for r in run.results) and run.computed == tuple(plan.order)
    assert len({w for r in run.results for w in r.stats.workers}) >= 1  # type: ignore[union-attr]
    summary = national_summary(run.results)
    for job in plan.jobs:
        alone = _alone(job.path, job.targets, run_settings.resolution_m)
        mine = summary[summary["folder"] == job.key].reset_index(drop=True)
        assert list(mine["province"].unique()) == [job.name]
        assert list(mine["preset"].unique()) == [job.targets]
        for column in ("measured_percent", "goal_percent", "met", "status", "covered",
                       "total", "shortfall", "unit"):
            pd.testing.assert_series_equal(mine[column], alone[column], check_exact=True,
                                           check_names=False)
        result = next(r for r in run.results if r.key == job.key)
        assert result.analysis is not None
        pd.testing.assert_frame_equal(result.analysis.targets, alone, check_exact=True)


def test_a_bad_province_is_reported_the_others_finish_and_the_exit_code_is_2(
        country: Path, client: Client, tmp_path: Path, run_settings: RunSettings,
        capsys: pytest.CaptureFixture[str]) -> None:
    sites = country / "province-02" / "sites.csv"
    lines = sites.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("lat")] = "north"  # not a latitude
    sites.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    out = tmp_path / "national"
    code = main(["-q", "national", str(country), "--out", str(out), "--scheduler",
                 client.scheduler.address, "--resolution", str(run_settings.resolution_m),
                 "--no-cache", "--lang", "en"])
    assert code == 2
    err = capsys.readouterr().err
    assert "province-02" in err and "sites.csv" in err and "lat" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_NAMES)
    summary = pd.read_csv(out / "national_summary.csv", encoding="utf-8-sig")
    assert summary.columns[0] == "province"
    assert sorted(summary["folder"].unique()) == ["province-01", "province-03"]
    failures = pd.read_csv(out / "national_failures.csv", encoding="utf-8-sig")
    assert set(failures["folder"]) == {"province-02"} and set(failures["kind"]) == {"input"}
    assert (out / "national_report.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "national_map.png").read_bytes().startswith(b"\x89PNG")
    page = (out / "national_map.html").read_text(encoding="utf-8")
    assert "province-02" not in page and "L.map" in page and 'src="http' not in page
    # the worker's problem reaches the client whole and is said in the run's language
    # (without -q: no English log line says the problem first)
    code = main(["national", str(country), "--out", str(tmp_path / "vi"), "--scheduler",
                 client.scheduler.address, "--resolution", str(run_settings.resolution_m),
                 "--lang", "vi"])
    assert code == 2
    printed = capsys.readouterr()
    err = printed.err
    assert "(province-02) chưa được tính toán:" in err and "Tỉnh Tỉnh" not in err, err
    assert "lớp 'sites': cột 'lat'" in err and "Cách sửa" in err, err
    assert "column 'lat'" not in err and "Fix:" not in err
    assert "Đã tính 2 tỉnh" in printed.out and "1 tỉnh lỗi" in printed.out, printed.out


def test_a_rerun_computes_only_the_province_whose_sites_changed(
        country: Path, client: Client, tmp_path: Path, run_settings: RunSettings) -> None:
    cache = ResultCache(tmp_path / "cache")
    first = run_national(plan_jobs(read_country(country), run_settings), client, cache=cache)
    assert first.computed == ("province-01", "province-02", "province-03")
    assert first.cached == ()
    sites = country / "province-03" / "sites.csv"
    table = pd.read_csv(sites)
    table.loc[0, "height_m"] = float(table.loc[0, "height_m"]) + 5.0
    table.to_csv(sites, index=False)
    second = run_national(plan_jobs(read_country(country), run_settings), client, cache=cache)
    assert second.computed == ("province-03",)
    assert second.cached == ("province-01", "province-02")
    before = {r.key: r for r in first.results}
    for result in second.results[:2]:
        assert result.analysis is not None
        pd.testing.assert_frame_equal(result.analysis.targets,
                                      before[result.key].analysis.targets)  # type: ignore[union-attr]
    third = run_national(plan_jobs(read_country(country), run_settings), client, cache=cache)
    assert third.computed == () and len(third.cached) == 3


def test_the_cli_resumes_and_says_what_it_took_from_the_cache(
        country: Path, client: Client, tmp_path: Path, run_settings: RunSettings,
        capsys: pytest.CaptureFixture[str]) -> None:
    args = ["-q", "national", str(country), "--out", str(tmp_path / "out"), "--scheduler",
            client.scheduler.address, "--resolution", str(run_settings.resolution_m),
            "--lang", "en", "--cache-dir", str(tmp_path / "cache")]
    assert main(args) == 0
    assert "3 provinces computed, 0 from the cache, 0 failed" in capsys.readouterr().out
    assert main([*args, "--overwrite"]) == 0
    out = capsys.readouterr().out
    assert "0 provinces computed, 3 from the cache, 0 failed" in out
    assert "no cluster needed" in out
    assert main(args) == 2  # the outputs exist: refused without --overwrite
    assert "--overwrite" in capsys.readouterr().err


def test_a_big_province_is_tiled_on_the_cluster_with_the_same_figures(
        country: Path, client: Client, run_settings: RunSettings) -> None:
    plan = plan_jobs(read_country(country), run_settings)
    tiled = plan_jobs(read_country(country), replace(run_settings, max_tile_cells=3_000))
    whole = {r.key: r for r in run_national(plan, client).results}
    for result in run_national(tiled, client).results:
        assert result.stats is not None and result.stats.tiles > 1
        assert result.analysis is not None
        pd.testing.assert_frame_equal(result.analysis.targets,
                                      whole[result.key].analysis.targets,  # type: ignore[union-attr]
                                      check_exact=True)
