"""The page a browser shows before Streamlit's script has run: a loading indicator.

Streamlit serves one HTML file whose ``<div id="root">`` stays empty until its 5 MB of
JavaScript has loaded and run: about a second of a blank page on a 2-core machine, more
on the first start while the server is busy. :func:`serve_boot_page` makes Streamlit serve
a copy of its static folder whose ``index.html`` holds, inside that ``root``, covplan's
name and an indeterminate progress bar with "Opening the app…" in Vietnamese and English
(the reader's language is not known before the page runs). React replaces the root's
content when it draws Streamlit's own page, so the indicator goes away by itself; nothing
else of the page changes. The head also gets the app's rules for Streamlit's page
(:data:`PAGE_STYLE`), in force before the first element is drawn.

The copy is a folder of symbolic links to Streamlit's files beside the one rewritten file,
made once under ``data/cache/streamlit`` and named by a digest of what it holds, so a new
Streamlit or a new message makes a new one. Where it cannot be made (no symbolic links,
a read-only folder, an ``index.html`` without its ``root``), Streamlit's own page is
served and the reason logged: the indicator is a courtesy, never a reason not to start.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tempfile
from html import escape
from pathlib import Path

from covplan.i18n import N_, language

logger = logging.getLogger(__name__)

#: Streamlit's empty mount point, which the indicator fills.
ROOT = '<div id="root"></div>'
#: The indicator's class (the browser tests look for it).
BOOT_CLASS = "covplan-boot"
#: What the indicator says, written in English and translated by the app's catalogue.
MESSAGE = N_("Opening the app…")

_STYLE = """<style>
.covplan-boot{position:fixed;inset:0;display:flex;flex-direction:column;align-items:center;
justify-content:center;gap:.6rem;font-family:"Source Sans",system-ui,sans-serif;
color:#31333f;background:#fff}
.covplan-boot__name{font-size:1.6rem;font-weight:600;letter-spacing:.02em}
.covplan-boot__bar{width:14rem;height:.3rem;border-radius:.15rem;background:#e6eaf1;
overflow:hidden}
.covplan-boot__bar span{display:block;width:35%;height:100%;border-radius:.15rem;
background:#ff4b4b;animation:covplan-boot 1.1s ease-in-out infinite}
.covplan-boot p{margin:0;font-size:1rem}
@keyframes covplan-boot{from{transform:translateX(-100%)}to{transform:translateX(290%)}}
@media (prefers-reduced-motion:reduce){.covplan-boot__bar span{animation:none;width:100%}}
</style>
"""


#: The app's own rules for Streamlit's page, in the first page's head (sent by ``app.py``
#: as an element where the page was not served through :func:`serve_boot_page`: Streamlit's
#: code for such an element loads on a first visit, with an HTML sanitiser). Both are
#: animations that cost the browser frames of work on the same cores the server computes on:
#:
#: * Streamlit fades the elements a run has not drawn again yet (opacity, from 0.5 s into the
#:   run, over 1 s). A click's update takes about 1.3 s on the full demo, so each click set
#:   some 60 elements fading, the map's frame among them, and the page flickered. They now
#:   fade only in runs longer than 2.5 s, which show progress bars as well.
#: * The grey placeholders of elements whose code is still loading (a first visit) pulse
#:   (opacity, every 0.75 s, as many as 25 at once); they now stay still, as Streamlit
#:   draws them for a reader who asks for reduced motion.
#:
#: Measured on the full demo (``benchmarks/bench_page_style.py``; ``benchmarks/RESULTS.md``,
#: 2026-12-07, fifth session): a click 0.1–0.2 s sooner, a first visit's tiles 0.2–0.6 s
#: and map 0.3 s sooner.
PAGE_STYLE = ('<style>[data-stale="true"]{transition-delay:2.5s !important}'
              '[data-testid="stSkeleton"]{animation:none !important}</style>')


def page_style_served() -> bool:
    """Whether the server's first page already holds :data:`PAGE_STYLE` in its head.

    True under ``scripts/app.sh`` (:func:`serve_boot_page`); False under ``streamlit run``
    or where the indicator's page could not be made. Asked at every run: the folder is
    Streamlit's to name.
    """
    from streamlit import file_util

    return _holds_page_style(file_util.get_static_dir())


@functools.cache
def _holds_page_style(folder: str) -> bool:
    try:
        return PAGE_STYLE in (Path(folder) / "index.html").read_text(encoding="utf-8")
    except OSError:
        return False


def boot_markup() -> str:
    """The indicator's HTML: covplan's name, a progress bar and the message in vi and en."""
    lines = "".join(f'<p lang="{code}">{escape(language(code)._(MESSAGE))}</p>'
                    for code in ("vi", "en"))
    return (f'<div class="{BOOT_CLASS}" role="progressbar" aria-busy="true" '
            f'aria-label="covplan"><div class="{BOOT_CLASS}__name">covplan</div>'
            f'<div class="{BOOT_CLASS}__bar"><span></span></div>{lines}</div>')


def boot_index(index_html: str, markup: str) -> str | None:
    """Streamlit's ``index.html`` with ``markup`` in its root, its style in the head.

    The head also gets :data:`PAGE_STYLE`. None when the page has no empty root or no
    head to put them in.
    """
    if index_html.count(ROOT) != 1 or index_html.count("</head>") != 1:
        return None
    page = index_html.replace(ROOT, f'<div id="root">{markup}</div>')
    page = page.replace("</head>", f"{_STYLE}{PAGE_STYLE}</head>")
    return page.replace("<title>Streamlit</title>", "<title>covplan</title>")


def boot_static_dir(source: Path, cache: Path, markup: str) -> Path | None:
    """A folder serving ``source`` (Streamlit's static folder) with the indicator's page.

    Made once under ``cache`` (a folder per digest of the page and of ``source``'s path,
    moved into place whole, so that two servers starting at once never see half of it);
    None, with the reason logged, when it cannot be made.
    """
    try:
        page = boot_index((source / "index.html").read_text(encoding="utf-8"), markup)
    except OSError as error:
        logger.warning("Serving Streamlit's own first page: %s", error)
        return None
    if page is None:
        logger.warning("Serving Streamlit's own first page: %s has no empty root element",
                       source / "index.html")
        return None
    digest = hashlib.sha256(f"{source.resolve()}\n{page}".encode()).hexdigest()[:16]
    target = cache / f"static-{digest}"
    if (target / "index.html").is_file():
        return target
    try:
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".static-", dir=cache))
        work.chmod(0o755)  # as any folder the server reads (mkdtemp makes it private)
        try:
            for entry in source.iterdir():
                if entry.name != "index.html":
                    os.symlink(entry.resolve(), work / entry.name,
                               target_is_directory=entry.is_dir())
            (work / "index.html").write_text(page, encoding="utf-8")
            try:
                work.rename(target)
            except OSError:
                if not (target / "index.html").is_file():  # not another server's copy
                    raise
        finally:
            if work.exists():
                shutil.rmtree(work)
    except OSError as error:
        logger.warning("Serving Streamlit's own first page: could not make %s: %s", target,
                       error)
        return None
    return target


def serve_boot_page() -> Path | None:
    """Make Streamlit's server send the page with the indicator (before it starts).

    Returns the folder served instead of Streamlit's, or None when Streamlit's own is.
    """
    from streamlit import file_util

    from covplan import settings

    source = Path(file_util.get_static_dir())
    cache = (settings.data_dir / "cache" / "streamlit").absolute()  # whatever the cwd later
    folder = boot_static_dir(source, cache, boot_markup())
    if folder is not None:
        file_util.get_static_dir = lambda: str(folder)  # the server asks when it starts
        logger.debug("Serving the first page from %s", folder)
    return folder
