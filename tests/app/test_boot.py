"""The first page's loading indicator (:mod:`covplan.app.boot`): what Streamlit serves
before its script runs, and how starting goes on when the indicator cannot be made.

The browser sees it in ``tests/app/test_browser.py``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from covplan import settings
from covplan.app import boot

#: The part of Streamlit's index.html the indicator changes (its real page is longer).
INDEX = """<!DOCTYPE html>
<html lang="en">
  <head>
    <title>Streamlit</title>
    <script type="module" src="./static/js/index.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
"""


@pytest.fixture
def streamlit_static(tmp_path: Path) -> Path:
    """A folder laid out as Streamlit's static folder."""
    source = tmp_path / "streamlit" / "static"
    (source / "static" / "js").mkdir(parents=True)
    (source / "index.html").write_text(INDEX, encoding="utf-8")
    (source / "favicon.png").write_bytes(b"\x89PNG fake")
    (source / "static" / "js" / "index.js").write_text("console.log(1)", encoding="utf-8")
    return source


def test_the_indicator_fills_the_root_and_speaks_both_languages() -> None:
    page = boot.boot_index(INDEX, boot.boot_markup())
    assert page is not None
    root = page.index('<div id="root">')
    body = page[root:page.index("</body>")]
    assert 'class="covplan-boot"' in body and 'role="progressbar"' in body
    assert '<p lang="vi">Đang mở ứng dụng…</p>' in body
    assert '<p lang="en">Opening the app…</p>' in body
    head = page[:page.index("</head>")]
    assert "@keyframes covplan-boot" in head and "<title>covplan</title>" in head
    assert boot.PAGE_STYLE in head  # in force before Streamlit draws its first element
    assert '<script type="module" src="./static/js/index.js"></script>' in head  # untouched
    assert page.count('<div id="root">') == 1


@pytest.mark.parametrize("index", [INDEX.replace('<div id="root"></div>', ""),
                                   INDEX.replace('<div id="root"></div>',
                                                 '<div id="root"></div>' * 2),
                                   INDEX.replace("</head>", "")])
def test_a_page_without_one_empty_root_and_a_head_is_left_alone(index: str) -> None:
    assert boot.boot_index(index, boot.boot_markup()) is None


def test_the_folder_serves_streamlits_files_and_the_new_page(streamlit_static: Path,
                                                             tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = boot.boot_static_dir(streamlit_static, cache, "<b>wait</b>")
    assert folder is not None and folder.parent == cache
    assert (folder / "index.html").read_text(encoding="utf-8") == boot.boot_index(
        INDEX, "<b>wait</b>")
    assert (folder / "favicon.png").read_bytes() == b"\x89PNG fake"
    assert (folder / "static" / "js" / "index.js").read_text(encoding="utf-8") == (
        "console.log(1)")
    assert sorted(p.name for p in cache.iterdir()) == [folder.name]  # no work folder left
    made = (folder / "index.html").stat().st_mtime_ns
    # the next start finds it made; another page (a new Streamlit, a new message) is new
    assert boot.boot_static_dir(streamlit_static, cache, "<b>wait</b>") == folder
    assert (folder / "index.html").stat().st_mtime_ns == made
    other = boot.boot_static_dir(streamlit_static, cache, "<b>un moment</b>")
    assert other is not None and other != folder


def test_without_the_indicator_streamlits_own_page_is_served(
    streamlit_static: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = tmp_path / "cache"
    (streamlit_static / "index.html").write_text("<html><body>changed</body></html>",
                                                 encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="covplan.app.boot"):
        assert boot.boot_static_dir(streamlit_static, cache, "<b>wait</b>") is None
    assert "has no empty root element" in caplog.text

    (streamlit_static / "index.html").write_text(INDEX, encoding="utf-8")

    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "symlink", no_links)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="covplan.app.boot"):
        assert boot.boot_static_dir(streamlit_static, cache, "<b>wait</b>") is None
    assert "could not make" in caplog.text and "Operation not permitted" in caplog.text
    assert list(cache.iterdir()) == []  # the half-made folder is gone


def test_streamlit_then_serves_the_folder(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import file_util

    own = Path(file_util.get_static_dir())
    monkeypatch.setattr(file_util, "get_static_dir", file_util.get_static_dir)  # restored
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    assert not boot.page_style_served()  # Streamlit's own page: app.py sends the style
    folder = boot.serve_boot_page()
    assert boot.page_style_served()
    assert folder is not None and folder.parent == tmp_path / "cache" / "streamlit"
    assert Path(file_util.get_static_dir()) == folder
    assert "covplan-boot" in (folder / "index.html").read_text(encoding="utf-8")
    for entry in own.iterdir():
        if entry.name != "index.html":
            assert (folder / entry.name).resolve() == entry.resolve()
