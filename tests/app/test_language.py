"""The page's language: Vietnamese for the shipped presets, a switch, remembered, everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from covplan import settings
from covplan.app.livemap import AFTER_MAP_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
#: Figures as the page shows them: "72,1 %" in Vietnamese, "72.1 %" in English.
VI_PERCENT = re.compile(r"^\d{1,3},\d %$")
EN_PERCENT = re.compile(r"^\d{1,3}\.\d %$")


@pytest.fixture
def app(small_demo: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(settings, "demo_size", "small")
    monkeypatch.setattr(settings, "data_dir", small_demo.parent)
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state[AFTER_MAP_KEY] = True  # no browser draws the map here: tables at once
    return at


def words(at: AppTest) -> str:
    """Every text the page shows (labels, values, captions, tabs, buttons, headers)."""
    parts: list[str] = [t.value for t in at.title] + [h.value for h in at.subheader]
    parts += [m.label for m in at.metric] + [m.value for m in at.metric]
    parts += [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [m.value for m in at.markdown]
    parts += [t.label for t in at.tabs] + [b.label for b in at.button]
    parts += [r.label for r in at.radio] + [s.label for s in at.selectbox]
    parts += [str(c) for frame in at.dataframe for c in frame.value.columns]
    return "\n".join(parts)


def test_the_shipped_presets_open_in_vietnamese(app: AppTest) -> None:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["lang"] == "vi"
    text = words(app)
    for said in ("Bộ mục tiêu", "Xã, phường", "Thôn, xóm, bản", "Quy hoạch", "Tải xuống",
                 "CHƯA ĐẠT", "Hiện trạng", "Chuẩn bị tệp tải xuống"):
        assert said in text, said
    for english in ("NOT MET", "Commune summary", "Planner", "Prepare downloads"):
        assert english not in text, english
    assert all(VI_PERCENT.match(m.value) for m in app.metric), [m.value for m in app.metric]
    app.session_state["covplan_tables"] = "Đoạn đường chưa có sóng"  # the road gaps' tab
    app.run()
    roads = next(f.value for f in app.dataframe if "Từ km" in f.value.columns)
    assert all("," in v or v.isdigit() for v in roads["Chiều dài (km)"]), roads


def test_the_switch_speaks_english_and_is_remembered(app: AppTest) -> None:
    app.run()
    app.radio(key="lang").set_value("en").run()
    assert not app.exception, [e.value for e in app.exception]
    text = words(app)
    for said in ("NOT MET", "Commune summary", "Planner", "Prepare downloads", "Baseline"):
        assert said in text, said
    assert "Mục tiêu" not in text and "CHƯA ĐẠT" not in text
    assert all(EN_PERCENT.match(m.value) for m in app.metric), [m.value for m in app.metric]
    assert app.query_params["lang"] in ("en", ["en"])  # a reload or a shared link keeps it
    app.selectbox(key="preset").set_value("bac_ninh_2030").run()  # another preset: still English
    assert app.session_state["lang"] == "en" and "NOT MET" in words(app)
    app.radio(key="lang").set_value("vi").run()
    assert "CHƯA ĐẠT" in words(app)


def test_the_address_can_ask_for_english(app: AppTest) -> None:
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["lang"] == "en"
    assert "Commune summary" in words(app)


def test_the_mode_switch_keeps_its_choice_across_languages(app: AppTest) -> None:
    """Widgets keep what the user chose when their labels change language."""
    app.run()
    app.radio(key="mode").set_value("Remove a site").run()
    app.radio(key="lang").set_value("en").run()
    assert app.radio(key="mode").value == "Remove a site"
    assert app.radio(key="mode").label == "A click on the map will…"


def test_the_preset_box_shows_the_presets_names_and_says_what_each_asks(app: AppTest) -> None:
    """Officials pick "Thái Nguyên 2025", not a file's id; the help says what the chosen
    preset asks for, in the page's language (the preset file's own two texts)."""
    from covplan.targets import load_targets

    app.run()
    box = app.selectbox(key="preset")
    assert box.options == ["Bắc Ninh 2030", "Thái Nguyên 2025"]  # the files' [preset] names
    assert box.value == "thai_nguyen_2025"  # the value stays the id the code uses
    thai_nguyen = load_targets("thai_nguyen_2025")
    assert box.help.startswith(thai_nguyen.description_vi.split(";")[0])
    assert "thai\\_nguyen\\_2025" in box.help  # its id, escaped for Markdown
    app.radio(key="lang").set_value("en").run()
    app.selectbox(key="preset").set_value("bac_ninh_2030").run()
    box = app.selectbox(key="preset")
    assert box.value == "bac_ninh_2030"
    assert box.help.startswith("5G in 100 % of residential areas")  # the English text


def test_an_edited_preset_file_is_read_again_and_a_broken_one_shows_its_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The box reads each preset once per version of its file; one that does not load is
    shown by its id, without help (the page itself says why it does not load)."""
    from types import SimpleNamespace

    from covplan.app import sidebar
    from covplan.errors import ConfigError
    from covplan.i18n import language

    (tmp_path / "presets").mkdir()
    file = tmp_path / "presets" / "mine.toml"
    file.write_text("v1", encoding="utf-8")
    reads: list[str] = []

    def read(preset: str) -> SimpleNamespace:
        reads.append(preset)
        if file.read_text(encoding="utf-8") == "broken":
            raise ConfigError("broken")
        return SimpleNamespace(name=f"Mine {len(reads)}", description="d", description_vi="")

    monkeypatch.setattr(sidebar, "resources", SimpleNamespace(files=lambda _: tmp_path))
    monkeypatch.setattr(sidebar, "load_targets", read)
    sidebar._read_preset.cache_clear()
    assert sidebar.preset_title("mine") == sidebar.preset_title("mine") == "Mine 1"
    assert reads == ["mine"]
    file.write_text("v2, edited", encoding="utf-8")
    assert sidebar.preset_title("mine") == "Mine 2"
    assert sidebar.preset_help("mine", language("vi")) == "d (mine)"  # no Vietnamese text
    file.write_text("broken", encoding="utf-8")
    assert sidebar.preset_title("mine") == "mine"
    assert sidebar.preset_help("mine", language("en")) is None
    sidebar._read_preset.cache_clear()
