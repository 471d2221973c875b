"""``python -m covplan.app.launch`` (what ``scripts/app.sh`` runs): covplan loads while
Streamlit starts, and ``app.py`` waits for it before importing.

The browser tests serve the app this way (``benchmarks/_browser.py``'s ``app_server``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from covplan.app import boot, launch

APP = Path(__file__).resolve().parents[2] / "app.py"
#: The stack whose import made the first page slow (the preload must cover it).
HEAVY = ("geopandas", "pandas", "shapely", "pyproj", "folium", "branca", "jinja2", "numba",
         "rasterio", "scipy", "PIL", "babel")


def _app_imports() -> list[str]:
    """The covplan modules ``app.py`` imports at its top level."""
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    return sorted({node.module for node in tree.body if isinstance(node, ast.ImportFrom)
                   and node.module and node.module.startswith("covplan")})


def _run(code: str) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_preload_imports_nothing_of_streamlit_and_leaves_app_py_no_heavy_import() -> None:
    """Two threads importing the same modules could see one half made: the background
    thread stays out of Streamlit. After it, what app.py imports brings in none of the
    heavy stack (the seconds the first page waited for)."""
    modules = _app_imports()
    assert "covplan.app.page" in modules and "covplan.app.launch" in modules
    code = f"""
import importlib, json, sys
import numpy
from streamlit.web import cli
before = set(sys.modules)
from covplan.app.launch import PRELOADED
for name in PRELOADED:
    importlib.import_module(name)
preloaded = set(sys.modules) - before
settled = set(sys.modules)
for name in {modules!r}:
    importlib.import_module(name)
late = set(sys.modules) - settled
print(json.dumps({{"preloaded": sorted(preloaded), "late": sorted(late)}}))
"""
    seen = _run(code)
    assert not [m for m in seen["preloaded"] if m.split(".")[0].startswith("streamlit")]
    assert {"geopandas", "folium", "numba"} <= {m.split(".")[0] for m in seen["preloaded"]}
    heavy = [m for m in seen["late"] if m.split(".")[0] in HEAVY]
    assert heavy == [], heavy


def test_launch_runs_streamlit_on_app_py_with_the_options_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.web import cli

    started: list[bool] = []
    given: list[list[str]] = []
    monkeypatch.setattr(launch, "start_preloading", lambda: started.append(True))
    served: list[bool] = []
    monkeypatch.setattr(boot, "serve_boot_page", lambda: served.append(True))
    monkeypatch.setattr(cli, "main", lambda: given.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    with pytest.raises(SystemExit) as stop:
        launch.main(["--server.port", "8599"])
    assert stop.value.code == 0 and started == [True] and served == [True]
    assert given == [["streamlit", "run", str(APP), "--server.port", "8599"]]


def test_app_py_waits_for_the_preload(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the background import runs, :func:`launch.preloading` says so, and
    :func:`launch.wait_preloaded` returns only when it has ended."""
    import threading

    release = threading.Event()
    monkeypatch.setattr(launch, "_preload", lambda: release.wait(60))
    monkeypatch.setattr(launch, "_preloading", None)
    thread = launch.start_preloading()
    assert launch.start_preloading() is thread  # once per process
    assert launch.preloading()
    release.set()
    launch.wait_preloaded()
    assert not thread.is_alive() and not launch.preloading()


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
def test_the_preload_runs_at_a_lower_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser loading Streamlit's page comes first; the server's threads keep theirs."""
    import os
    import threading
    import types

    from covplan._priority import BACKGROUND_NICENESS

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    here = nice()
    seen: list[tuple[str, int]] = []
    monkeypatch.setattr(launch, "PRELOADED", ("json",))
    monkeypatch.setattr(launch, "importlib", types.SimpleNamespace(
        import_module=lambda name: seen.append((name, nice()))))
    monkeypatch.setattr(launch, "_preloading", None)
    launch.start_preloading()
    launch.wait_preloaded()
    assert seen == [("json", min(19, here + BACKGROUND_NICENESS))]
    assert nice() == here
