"""The Progress page through AppTest, on the small demo's quarters of 2025.

What the page shows is checked against :func:`covplan.progress.compare_snapshots` run here
on the same snapshot folders, independently of the page's caches.

The app's pages are functions (``st.Page(callable, url_path=...)``). ``AppTest.switch_page``
of Streamlit 1.67 finds a page by its script file only, so :func:`open_page` takes the
page's hash from the pages the last run registered (by their ``url_path``).
"""

from __future__ import annotations

import io
import json
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.app.livemap import code_in
from covplan.datasets import ensure_demo
from covplan.demo.snapshots import ensure_demo_snapshots
from covplan.i18n import Language, language
from covplan.progress import Comparison, compare_snapshots, load_snapshots
from covplan.progress.summary import pace_cell
from covplan.targets import load_targets

APP = str(Path(__file__).resolve().parents[2] / "app.py")
VI, EN = language("vi"), language("en")
QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Run ``at`` on the page of ``st.navigation`` at ``url_path`` ("" is the planner)."""
    pages = {str(info.get("url_pathname") or ""): page_hash
             for page_hash, info in at._registered_pages.items()}
    assert url_path in pages, pages
    at._page_hash = pages[url_path]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo("small", data_dir=tmp_path_factory.mktemp("data")).parent


@pytest.fixture(scope="module")
def quarters(data_dir: Path) -> list[Path]:
    return ensure_demo_snapshots("small", data_dir=data_dir)


@pytest.fixture(scope="module")
def expected(quarters: list[Path]) -> Comparison:
    """The four quarters compared by the library, as ``covplan compare`` does."""
    return compare_snapshots(load_snapshots(quarters), load_targets("thai_nguyen_2025"),
                             resolution_m=settings.resolution_m)


def planner(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", data_dir)
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def app(data_dir: Path, quarters: list[Path], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the Progress page, comparing the demo's quarters."""
    return open_page(planner(data_dir, monkeypatch), "progress")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    tables = [f.value for f in at.dataframe if column in f.value.columns]
    assert len(tables) == 1, [list(f.value.columns) for f in at.dataframe]
    return tables[0]


def target_table(at: AppTest, lang: Language) -> pd.DataFrame:
    """The targets over time: the table whose columns include the goal and the pace."""
    tables = [f.value for f in at.dataframe
              if lang._("Goal") in f.value.columns and QUARTERS[0] in f.value.columns]
    assert len(tables) == 1, [list(f.value.columns) for f in at.dataframe]
    return tables[0]


def change_map_code(at: AppTest) -> str:
    """The code of the change map the page sent (the first time: in the component's script)."""
    (component,) = at.get("component_instance")
    code = code_in(json.loads(component.proto.json_args)["script"])
    assert code is not None, "the page reused a map code it had not sent"
    return code


def download_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def assert_targets_over_time(table: pd.DataFrame, expected: Comparison, lang: Language) -> None:
    """One column per snapshot, one row per target, each share as the library measured it."""
    labels = expected.labels
    assert list(table.columns) == [
        lang._("Target"), *labels, lang._("Goal"),
        lang._("Change {before} → {after}").format(before=labels[-2], after=labels[-1]),
        lang._("Goal met (extrapolated)")]
    wanted = expected.target_table()
    assert len(table) == len(wanted)
    pace = expected.pace()
    name = "target_vi" if lang.code == "vi" else "target"
    for (_, shown), (_, row) in zip(table.iterrows(), wanted.iterrows(), strict=True):
        assert shown[lang._("Target")] == unicodedata.normalize("NFC", str(row[name]))
        for label in labels:
            assert shown[label] == lang.percent(float(row[label])), (row["id"], label)
        assert shown[lang._("Goal met (extrapolated)")] == pace_cell(pace[row["id"]], lang)


def test_the_progress_page_shows_the_quarters_against_the_targets(
    app: AppTest, expected: Comparison
) -> None:
    assert app.title[0].value == VI._("Progress over time")
    assert not app.error, [e.value for e in app.error]
    snapshots = table_with(app, VI._("Snapshot"))
    assert list(snapshots[VI._("Snapshot")]) == QUARTERS
    assert list(snapshots[VI._("Sites on air")]) == [VI.count(s.sites)
                                                      for s in expected.snapshots]
    assert_targets_over_time(target_table(app, VI), expected, VI)
    pace = table_with(app, VI._("At the observed pace"))
    assert list(pace.columns) == [VI._("Target"), VI._("Goal"),
                                  VI._("Goal met (extrapolated)"), VI._("At the observed pace")]
    assert len(pace) == len(expected.targets.targets)
    assert any("ngoại suy tuyến tính" in i.value for i in app.info)  # stated, not a forecast
    # what changed from the third quarter to the fourth: its sites, and its map
    assert app.selectbox(key="progress_pair").value == len(QUARTERS) - 2
    sites = table_with(app, VI._("Site"))
    assert sorted(sites[VI._("Site")]) == sorted(
        expected.changes[-1].site_summary["site_id"].astype(str))
    code = change_map_code(app)  # its words are in JSON strings (escaped) in the map's code
    for layer in ("Sites added, removed or changed", "Road stretches gained or lost"):
        assert json.dumps(VI._(layer))[1:-1] in code, layer
    assert download_labels(app) == [VI._("Progress report (PDF)"),
                                    VI._("Targets over time (CSV)")]
    pdfs = [f.pdf for f in app.session_state["progress"].values() if hasattr(f, "pdf")]
    assert len(pdfs) == 1 and pdfs[0].startswith(b"%PDF") and len(pdfs[0]) > 20_000


def test_english_changes_every_header_and_keeps_the_figures(
    app: AppTest, expected: Comparison
) -> None:
    app.radio(key="lang").set_value("en").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert app.title[0].value == "Progress over time"
    assert [s.value for s in app.subheader] == [
        "Snapshots", "Targets over time", "Pace: a linear extrapolation, not a forecast",
        "What changed", "Downloads"]
    assert_targets_over_time(target_table(app, EN), expected, EN)
    assert "Target" in table_with(app, "At the observed pace").columns
    assert download_labels(app) == ["Progress report (PDF)", "Targets over time (CSV)"]
    # and back: the page in Vietnamese again, from what it kept
    app.radio(key="lang").set_value("vi").run()
    assert not app.error, [e.value for e in app.error]
    assert_targets_over_time(target_table(app, VI), expected, VI)


def test_the_quarters_made_on_first_use_serve_every_later_run(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page generates the quarters (with a progress bar) and keeps working after."""
    shutil.copytree(data_dir / "demo-small", tmp_path / "demo-small")  # no quarters yet
    at = open_page(planner(tmp_path, monkeypatch), "progress")
    assert (tmp_path / "demo-small-snapshots" / "2025-Q1" / "dataset.toml").is_file()
    assert not at.error, [e.value for e in at.error]
    assert list(table_with(at, VI._("Snapshot"))[VI._("Snapshot")]) == QUARTERS
    at.multiselect(key="snap_demo").set_value(["2025-Q1", "2025-Q4"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert list(table_with(at, VI._("Snapshot"))[VI._("Snapshot")]) == ["2025-Q1", "2025-Q4"]
    at.multiselect(key="snap_demo").set_value(["2025-Q4"]).run()
    assert VI._("Pick two or more snapshots to compare.") in [i.value for i in at.info]
    at.multiselect(key="snap_demo").set_value(QUARTERS).run()  # as compared before
    assert not at.error, [e.value for e in at.error]
    assert list(table_with(at, VI._("Snapshot"))[VI._("Snapshot")]) == QUARTERS


def test_the_targets_chosen_hold_from_one_page_to_the_other(
    data_dir: Path, quarters: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = planner(data_dir, monkeypatch)
    at.selectbox(key="preset").set_value("bac_ninh_2030").run()
    at.radio(key="environment").set_value("indoor").run()
    tiles = [(m.label, m.value) for m in at.metric]
    assert len(tiles) == len(load_targets("bac_ninh_2030").targets)
    open_page(at, "progress")
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="preset").value == "bac_ninh_2030"
    assert at.radio(key="environment").value == "indoor"
    # the comparison itself counts indoors, with the preset's targets
    assert any(i.value.startswith("Vùng phủ tính trong nhà") for i in at.info)
    assert len(target_table(at, VI)) == len(tiles)
    open_page(at, "")
    assert at.selectbox(key="preset").value == "bac_ninh_2030"
    assert at.radio(key="environment").value == "indoor"
    assert [(m.label, m.value) for m in at.metric] == tiles


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(folder.iterdir()):
            if file.is_file():
                archive.write(file, f"{folder.name}/{file.name}")
    return buffer.getvalue()


def test_folders_on_disk_and_a_saved_scenario_are_compared(
    app: AppTest, quarters: list[Path], tmp_path: Path
) -> None:
    sites = load_snapshots([quarters[-1]])[0].dataset.sites
    assert sites is not None
    removed = sorted(sites["site_id"].astype(str).unique())[:3]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"covplan_scenario": 1, "name": "fewer sites", "edits": [
        {"op": "remove", "site_id": site} for site in removed]}), encoding="utf-8")
    app.radio(key="snap_source").set_value("Folders on disk").run()
    assert VI._("Pick two or more snapshots to compare.") in [i.value for i in app.info]
    app.text_area(key="snap_folders").set_value(
        f"{quarters[0]}\n{quarters[-1]}\n{plan}\n").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    snapshots = table_with(app, VI._("Snapshot"))
    assert list(snapshots[VI._("Snapshot")]) == ["2025-Q1", "2025-Q4", "fewer sites"]
    assert snapshots[VI._("As of")].iloc[-1] == VI._("undated (a plan)")
    on_air = [int(v) for v in snapshots[VI._("Sites on air")]]
    assert on_air[2] == on_air[1] - len(removed)
    # a folder that is not there: said, nothing raised
    app.text_area(key="snap_folders").set_value(f"{quarters[0]}\n{tmp_path / 'nowhere'}\n").run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(VI._("These snapshots cannot be compared.") in e.value for e in app.error)


def test_uploads_are_named_by_their_files(app: AppTest, quarters: list[Path]) -> None:
    app.radio(key="snap_source").set_value("Uploads").run()
    app.file_uploader(key="snap_uploads").set_value([
        ("2025-Q1.zip", _zipped(quarters[0]), "application/zip"),
        ("2025-Q3.zip", _zipped(quarters[2]), "application/zip")]).run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    snapshots = table_with(app, VI._("Snapshot"))
    assert list(snapshots[VI._("Snapshot")]) == ["2025-Q1", "2025-Q3"]
    assert list(snapshots[VI._("Source")]) == ["2025-Q1.zip", "2025-Q3.zip"]
    stem = app.session_state["upload_dir"]
    assert all(stem not in str(v) for v in snapshots[VI._("Source")])
