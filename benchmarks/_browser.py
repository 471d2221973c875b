"""Drive the app in headless Chromium: used by the browser tests and the click benchmark.

Starts ``streamlit run app.py`` on a free port, waits on Streamlit's health endpoint, opens
Debian's Chromium through Playwright with every request off this machine blocked (so a map
that needed the internet would fail), and clicks the Leaflet map at a latitude/longitude.
Needs the ``dev`` extra (Playwright) and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import FrameLocator, Page, Request, Route, WebSocket

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Largest websocket frame read for a run's start or end: ``new_session`` and
#: ``script_finished`` take a few kB; larger frames are deltas (the map's reach MBs).
_LIFECYCLE_BYTES = 262_144

#: Chromium's flag that makes every host but this machine unresolvable: requests off the
#: machine fail without Playwright's routing, which would turn the HTTP cache off.
LOCAL_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"

#: Requests the page may make; anything else is blocked and recorded.
LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
KPI = '[data-testid="stMetricValue"]'
#: A table (``st.dataframe``) in the page.
TABLE = '[data-testid="stDataFrame"]'
#: True once Streamlit's script run has ended (the page as the run left it).
_RUN_ENDED = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""

#: Stamps (``window.__covplanKpisAt``, browser clock) the first change of the KPI texts
#: after it runs. A MutationObserver reads ``textContent`` (no layout) on each change.
_WATCH_KPIS = """(selector) => {
    const read = () => Array.from(document.querySelectorAll(selector))
        .map(e => e.textContent).join("\\n");
    const before = read();
    window.__covplanKpisAt = null;
    if (window.__covplanKpiWatch) window.__covplanKpiWatch.disconnect();
    const watch = new MutationObserver(() => {
        if (window.__covplanKpisAt === null && read() !== before) {
            window.__covplanKpisAt = Date.now();
            watch.disconnect();
        }
    });
    watch.observe(document.body, {subtree: true, childList: true, characterData: true});
    window.__covplanKpiWatch = watch;
}"""

#: Stamps (``window.__covplanClickAt``, browser clock) each click in the map frame.
_STAMP_CLICKS = """() => {
    if (window.__covplanClickStamp) return;
    window.__covplanClickStamp = true;
    document.addEventListener("click", () => { window.__covplanClickAt = Date.now(); }, true);
}"""

#: Stamps (``window.__covplanSeen[name]``, epoch ms) when each selector first shows in the
#: page (installed before the page's own scripts, on every navigation). The page is looked
#: at once per frame the browser draws after a change, not at every change: looking at each
#: of the page's thousands of changes cost the page about 80 ms of its main thread per
#: load, and laid the page out again each time a watched element was there but not shown.
_FIRST_SEEN = """(wanted) => {
    if (window.top !== window) return;  // the page's own elements: not in the map's frame
    window.__covplanSeen = {};
    window.__covplanFirstDrawn = null;  // the map's first scenario (live_map.js tells the page)
    window.addEventListener("covplan:map-drawn", () => {
        if (window.__covplanFirstDrawn === null) window.__covplanFirstDrawn = Date.now();
    });
    let due = false;
    const look = (watch) => {
        due = false;
        for (const [name, selector] of Object.entries(wanted)) {
            if (name in window.__covplanSeen) continue;
            const found = document.querySelector(selector);
            if (found && found.getClientRects().length) window.__covplanSeen[name] = Date.now();
        }
        if (Object.keys(window.__covplanSeen).length === Object.keys(wanted).length)
            watch.disconnect();
    };
    const watch = new MutationObserver(() => {
        if (!due) { due = true; requestAnimationFrame(() => look(watch)); }
    });
    watch.observe(document, {subtree: true, childList: true});
}"""

_FIND_MAP = """() => {
    const key = Object.keys(window).find(k => k.startsWith('map_') && window[k]
                                         && window[k].latLngToContainerPoint);
    window.__map = window[key];
    return key;
}"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    """Wait until ``url``'s ``/_stcore/health`` answers ``ok`` (or the server exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy within {timeout_s} s")


def _local(port: int) -> list[str]:
    """``streamlit run`` options of a server for this machine's browser only, on ``port``."""
    return ["--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]


@contextmanager
def streamlit_server(
    script: Path,
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[str]:
    """Run ``streamlit run script [-- args]`` on a free local port; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(script), *_local(port)]
    if args:
        command += ["--", *args]
    with _serving(command, port, log_path, env) as url:
        yield url


@contextmanager
def app_sh_server(data_dir: Path, demo_size: str, log_path: Path) -> Iterator[str]:
    """Start the app as a person does, ``bash scripts/app.sh``; yields its URL.

    Everything ``scripts/app.sh`` does before Streamlit answers (the set-up check, the demo
    check, the server's start) lies between :func:`time.time` just before this starts
    (:data:`last_start`) and the first page.
    """
    port = free_port()
    command = ["bash", str(ROOT / "scripts" / "app.sh"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    env = {"COVPLAN_DEMO_SIZE": demo_size, "COVPLAN_DATA_DIR": str(data_dir)}
    with _serving(command, port, log_path, env) as url:
        yield url


#: Epoch seconds (:func:`time.time`) at which the last server process was started.
last_start = 0.0
#: Process id of the last server started (``scripts/app.sh`` execs Streamlit: the same).
last_pid = 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_server_idle(pid: int, quiet_s: float = 2.0, timeout_s: float = 300.0) -> float:
    """Wait until the server used under 5 % of a core for ``quiet_s``; seconds waited.

    What it does behind a page (the baseline's evaluation after a page read from disk) is
    then over.
    """
    started = time.monotonic()
    quiet_since = started
    used = cpu_seconds(pid)
    while time.monotonic() - started < timeout_s:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - used > 0.025:
            quiet_since = time.monotonic()
        used = now
        if time.monotonic() - quiet_since >= quiet_s:
            break
    return time.monotonic() - started


@contextmanager
def _serving(command: list[str], port: int, log_path: Path, env: dict[str, str] | None
             ) -> Iterator[str]:
    """Run ``command`` (a Streamlit server on ``port``) until the block ends; yields its URL."""
    global last_start, last_pid
    last_start = time.time()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log,
            start_new_session=True,  # app.sh execs streamlit; its group ends with it
        )
        last_pid = proc.pid
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@contextmanager
def app_server(data_dir: Path, demo_size: str, log_path: Path) -> Iterator[str]:
    """Run the app on the demo of ``demo_size`` under ``data_dir``; yields its URL.

    Started as ``scripts/app.sh`` starts it (``python -m covplan.app.launch``, which
    imports covplan while Streamlit starts), without the script's set-up and demo checks.
    """
    port = free_port()
    command = [sys.executable, "-m", "covplan.app.launch", *_local(port)]
    env = {"COVPLAN_DEMO_SIZE": demo_size, "COVPLAN_DATA_DIR": str(data_dir)}
    with _serving(command, port, log_path, env) as url:
        yield url


class AppPage:
    """The app open in a browser page, with off-machine requests blocked."""

    def __init__(self, page: Page, *, route: bool = True) -> None:
        """Watch ``page``; with ``route``, every request off this machine is aborted here.

        Playwright's routing turns the browser's HTTP cache off. Without ``route`` (a
        browser launched with :data:`LOCAL_ONLY`, which cannot resolve other hosts) the
        cache works as a person's browser's does, and requests off the machine are only
        recorded in :attr:`blocked`.
        """
        self.page = page
        self.blocked: list[str] = []
        #: (KPIs, map) seconds as the last :meth:`update_times` polling saw them.
        self.polled: tuple[float | None, float | None] = (None, None)
        #: Script runs the server started and ended for this page, read off its websocket
        #: (``new_session``, ``script_finished``); a fragment's run counts as started only.
        self.runs_started = 0
        self.runs_ended = 0
        #: Fragment runs the server ended for this page (``st.fragment``: a part of it).
        self.fragment_runs_ended = 0
        #: Whether the server's last word was a run's start (a run is going on).
        self.running = False
        if route:
            page.route("**/*", self._route)
        else:
            page.on("request", self._record)
        page.on("websocket", self._socket)

    def _socket(self, socket: WebSocket) -> None:
        if socket.url.endswith("/_stcore/stream"):
            socket.on("framereceived", self._frame)

    def _frame(self, payload: bytes | str) -> None:
        """Count the runs' starts and ends the server sends (its protobuf ``ForwardMsg``).

        Read on the wire, not off the page: the page's ``data-test-script-state`` may never
        change for a short run whose start and end React draws in one go.
        """
        if isinstance(payload, str) or len(payload) > _LIFECYCLE_BYTES:
            return
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = ForwardMsg.FromString(payload)
        kind = message.WhichOneof("type")
        status = message.script_finished
        if kind == "new_session":
            self.runs_started += 1
            self.running = True
        elif kind == "script_finished" and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.running = False  # a rerun's end is followed by the next run's start
            if status != ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.runs_ended += 1
            else:
                self.fragment_runs_ended += 1

    def _wait(self, done: Callable[[], bool], what: str, timeout_s: float) -> None:
        """Poll ``done`` (every 50 ms, the page's events handled meanwhile) until it holds."""
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} within {timeout_s:.0f} s (runs started "
                                   f"{self.runs_started}, ended {self.runs_ended}, "
                                   f"running {self.running}, page "
                                   f"{'idle' if self.run_ended() else 'running'})")
            self.page.wait_for_timeout(50)

    def wait_settled(self, timeout_s: float = 240) -> None:
        """Wait until a script run has ended, none is going on, and the page has drawn it."""
        self._wait(lambda: self.runs_ended > 0 and not self.running and self.run_ended(),
                   "the app did not settle", timeout_s)

    def run(self, action: Callable[[], object], *, finish: bool = True,
            fragment: bool = False, timeout_s: float = 240) -> None:
        """Do ``action`` on a settled page; wait until the run it starts has begun or ended.

        With ``finish``, returns once that run has ended and the page has drawn it. With
        ``fragment``, the run is a fragment's (a part of the page, ``st.fragment``): returns
        once a fragment run has ended and the page has drawn it.
        """
        self.wait_settled(timeout_s)
        started, ended = self.runs_started, self.runs_ended
        parts = self.fragment_runs_ended
        action()
        if fragment:
            self._wait(lambda: self.fragment_runs_ended > parts and not self.running
                       and self.run_ended(), "no fragment run ended after the action",
                       timeout_s)
        elif finish:
            self._wait(lambda: self.runs_ended > ended and not self.running
                       and self.run_ended(), "no script run ended after the action", timeout_s)
        else:
            self._wait(lambda: self.runs_started > started,
                       "no script run started after the action", timeout_s)

    def _record(self, request: Request) -> None:
        if not request.url.startswith(LOCAL):
            self.blocked.append(request.url)

    def _route(self, route: Route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
            return
        self.blocked.append(route.request.url)
        route.abort()

    def watch_first(self, selectors: dict[str, str]) -> None:
        """Stamp when each of ``selectors`` (``{name: css}``) first shows, on every load.

        Read the stamps with :meth:`first_seen`.
        """
        self.page.add_init_script(f"({_FIRST_SEEN})({json.dumps(selectors)})")

    def first_seen(self) -> dict[str, float]:
        """Epoch seconds at which each watched selector first showed since the last load."""
        seen = self.page.evaluate("() => window.__covplanSeen || {}")
        return {name: float(ms) / 1000.0 for name, ms in seen.items()}

    def first_drawn(self) -> float | None:
        """Epoch seconds at which the map first applied a scenario since the last load.

        Needs :meth:`watch_first`; :meth:`applied_at` gives the latest update instead.
        """
        ms = self.page.evaluate("() => window.__covplanFirstDrawn || null")
        return None if ms is None else float(ms) / 1000.0

    def applied_at(self) -> float | None:
        """Epoch seconds of the map's latest scenario update (None before the first)."""
        ms = self.evaluate("() => (window.covplan && window.covplan.appliedAt) || null")
        return None if ms is None else float(ms) / 1000.0

    def view(self) -> dict[str, float]:
        """The map's zoom and centre (``zoom``, ``lat``, ``lng``)."""
        self.evaluate(_FIND_MAP)
        view: dict[str, float] = self.evaluate(
            "() => { const c = window.__map.getCenter();"
            " return {zoom: window.__map.getZoom(), lat: c.lat, lng: c.lng}; }")
        return view

    @property
    def frame(self) -> FrameLocator:
        """The map component's frame."""
        return self.page.frame_locator(MAP_FRAME)

    def open(self, url: str, timeout_s: float = 180) -> None:
        """Load the app and wait until the KPIs and the Leaflet map are drawn."""
        self.page.goto(url)
        self.page.wait_for_selector(KPI, timeout=timeout_s * 1000)
        self.frame.locator(".leaflet-container").wait_for(state="visible", timeout=timeout_s * 1000)
        self.wait_map_ready(timeout_s)

    def wait_map_ready(self, timeout_s: float = 120) -> None:
        """Wait until the scenario layers have been applied to the map at least once."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.applied() > 0:
                return
            self.page.wait_for_timeout(200)
        raise TimeoutError("the scenario layers were never applied to the map")

    def wait_tables(self, timeout_s: float = 120) -> None:
        """Wait until the tables under the map are drawn, and the page has settled.

        A new session's page draws them in a fragment run once its map is drawn
        (:func:`covplan.app.livemap.after_map`).
        """
        self.page.locator(TABLE).first.wait_for(timeout=timeout_s * 1000)
        self.wait_settled(timeout_s)

    def mark_frame(self) -> None:
        """Tag the current map frame, so :meth:`wait_new_frame` can tell a new one."""
        self.evaluate("() => { window.__covplanProbe = true; }")

    def frame_is_marked(self) -> bool:
        """Whether the map frame is still the one :meth:`mark_frame` tagged."""
        return bool(self.evaluate("() => window.__covplanProbe === true"))

    def wait_new_frame(self, timeout_s: float = 120) -> None:
        """Wait for a map frame other than the marked one, with its scenario applied."""
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if not self.frame_is_marked() and self.applied() > 0:
                    return
            except PlaywrightError:  # the old frame is going away under us
                pass
            self.page.wait_for_timeout(200)
        raise TimeoutError("no new map frame was drawn")

    def shows_new_scenario(self, applied_before: int) -> bool:
        """Whether the map shows a scenario it did not show at :meth:`mark_frame`.

        In the marked frame: it applied more than ``applied_before`` scenarios; in a new
        frame (another legend or language): it applied its first.
        """
        from playwright.sync_api import Error as PlaywrightError

        try:
            applied = self.applied()
            return applied > applied_before if self.frame_is_marked() else applied > 0
        except PlaywrightError:  # the old frame is going away under us
            return False

    def choose_preset(self, preset: str) -> None:
        """Pick ``preset`` (its id) in the sidebar's preset box, which shows its name.

        The pointer leaves first, and the tooltip it may have opened (a help icon below the
        box) is waited out: it lies over the box and takes the click.
        """
        self.page.mouse.move(800, 2)
        self.page.locator('[data-testid="stTooltipContent"]').first.wait_for(state="hidden")
        self.page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        from covplan.app.sidebar import preset_title

        self.page.get_by_role("option", name=preset_title(preset)).click()

    def evaluate(self, script: str, arg: Any = None) -> Any:
        """Run ``script`` (a JS function of ``arg``) inside the map's frame."""
        body = self.frame.locator("body")
        return body.evaluate(f"(element, arg) => ({script})(arg)", arg)

    def applied(self) -> int:
        """How many scenarios the live map has applied since it was created (0 = none)."""
        return int(self.evaluate("() => (window.covplan && window.covplan.applied) || 0"))

    def map_state(self) -> dict[str, Any]:
        """Zoom, number of circle markers and layer names of the Leaflet map."""
        self.evaluate(_FIND_MAP)
        state: dict[str, Any] = self.evaluate(
            """() => { let n = 0; window.__map.eachLayer(l => {
                   if (l instanceof L.CircleMarker || l instanceof L.Marker) n++; });
               const names = Array.from(document.querySelectorAll(
                   '.leaflet-control-layers label > span > span')).map(s => s.textContent.trim());
               return {zoom: window.__map.getZoom(), markers: n, layers: names}; }"""
        )
        return state

    def kpis(self, timeout_s: float = 300) -> list[str]:
        """Texts of the target metrics, once the script run drawing them has ended.

        The map may show a new scenario while the run still redraws the tiles: read then,
        only some of them were there.
        """
        self.page.wait_for_function(_RUN_ENDED, timeout=timeout_s * 1000)
        return list(self.page.locator(KPI).all_inner_texts())

    def run_ended(self) -> bool:
        """Whether Streamlit's script run has ended (at once, no waiting)."""
        return bool(self.page.evaluate(_RUN_ENDED))

    def container_point(self, lat: float, lon: float) -> tuple[float, float]:
        """Pixel position of (lat, lon) in the map container."""
        self.evaluate(_FIND_MAP)
        xy = self.evaluate(
            "([lat, lon]) => { const p = window.__map.latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }",
            [lat, lon],
        )
        return float(xy[0]), float(xy[1])

    def click(self, lat: float, lon: float) -> float:
        """Click the map at (lat, lon), first panning to it when it is out of view.

        Returns the ``time.monotonic()`` of the click itself, after the preparation.

        The map is scrolled into view and the click waits until the page stops moving:
        Streamlit scrolls smoothly, and a click aimed while the page still scrolls lands
        off target (it did: about 150 px too low on the first click after loading).
        """
        container = self.frame.locator(".leaflet-container")
        container.scroll_into_view_if_needed()
        box = None
        for _ in range(50):
            now = container.bounding_box()
            if now is not None and now == box:
                break
            box = now
            self.page.wait_for_timeout(100)
        x, y = self.container_point(lat, lon)
        size = self.evaluate("() => { const s = window.__map.getSize(); return [s.x, s.y]; }")
        if not (40 <= x <= size[0] - 40 and 40 <= y <= size[1] - 40):
            self.evaluate(
                "([lat, lon]) => { window.__map.panTo([lat, lon], {animate: false}); }",
                [lat, lon],
            )
            x, y = self.container_point(lat, lon)
        self.page.evaluate(_WATCH_KPIS, KPI)
        self.evaluate(_STAMP_CLICKS)
        clicked = time.monotonic()
        container.click(position={"x": x, "y": y})
        return clicked

    def wait_update(
        self,
        kpis_before: list[str],
        applied_before: int,
        timeout_s: float = 120,
        since: float | None = None,
    ) -> float | None:
        """Seconds until both the KPIs and the map show a new scenario; None on timeout.

        See :meth:`update_times`.
        """
        kpis, drawn = self.update_times(kpis_before, applied_before, timeout_s, since)
        return None if kpis is None or drawn is None else max(kpis, drawn)

    def update_times(
        self,
        kpis_before: list[str],
        applied_before: int,
        timeout_s: float = 120,
        since: float | None = None,
        poll_s: float = 0.2,
    ) -> tuple[float | None, float | None]:
        """Seconds until the KPIs changed and until the map applied a new scenario.

        After :meth:`click`, both are read off the browser's own clock (the click, the
        first KPI change and the map update are stamped inside the page), so the 200 ms
        polling here only decides when to stop waiting; otherwise they are counted at
        polling resolution.

        The KPIs must differ from ``kpis_before`` (as the run left them: while it runs, some
        tiles may be gone) and the map must have applied more
        scenarios than ``applied_before``. A map rebuilt from scratch counts from 1 again,
        so it never satisfies this. Seconds count from ``since`` (a ``time.monotonic()``,
        such as :meth:`click`'s) or from now; None for what did not happen in time. What
        the polling itself saw, every ``poll_s`` seconds, stays in :attr:`polled`.
        """
        start = time.monotonic() if since is None else since
        kpis: float | None = None
        drawn: float | None = None
        while time.monotonic() - start < timeout_s and (kpis is None or drawn is None):
            if kpis is None and self.run_ended() and self.kpis() != kpis_before:
                kpis = time.monotonic() - start
            if drawn is None and self.applied() > applied_before:
                drawn = time.monotonic() - start
            self.page.wait_for_timeout(poll_s * 1000)
        self.polled = (kpis, drawn)
        stamps = self._stamps()
        if stamps is not None and kpis is not None and drawn is not None:
            clicked_at, kpis_at, drawn_at = stamps
            return (kpis_at - clicked_at) / 1000.0, (drawn_at - clicked_at) / 1000.0
        return kpis, drawn

    def _stamps(self) -> tuple[float, float, float] | None:
        """Browser clock (ms) of the last map click, of the KPI change and of the map update.

        Taken inside the page, so they do not depend on how often the test polls; None when
        one is missing (the map frame was replaced, say).
        """
        clicked, drawn = self.evaluate(
            "() => [window.__covplanClickAt || null, "
            "(window.covplan && window.covplan.appliedAt) || null]"
        )
        changed = self.page.evaluate("() => window.__covplanKpisAt || null")
        if clicked is None or drawn is None or changed is None:
            return None
        return float(clicked), float(changed), float(drawn)
