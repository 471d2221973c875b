"""The app's downloads as files: named and stamped with what they show (no streamlit here).

Every file the app hands out states what it shows, in its name and in its content: the
dataset, the target preset, the baseline or the scenario (and how many edits), the date,
in the page's language (:class:`Stamp`). The report files come from the library
(:func:`covplan.report.write_outputs`, the same PDF report, static maps, GeoPackage, KML
and GeoTIFF as ``covplan report``; the offline HTML map from
:func:`covplan.mapview.build_map`), written into a folder of their own and renamed
``<dataset>_<preset>_<baseline|scenario>_<date>_<file>``; the zip holds them all, with
``about.txt`` and the scenario file.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd
import pyogrio

from covplan._progress import ProgressFn, no_progress, scaled
from covplan.export.tables import HUMAN_SEPARATOR, human_table
from covplan.i18n import N_, Language
from covplan.mapview import build_map, to_html
from covplan.mapview.live import VILLAGE_TITLE

if TYPE_CHECKING:  # the report and its maps (matplotlib) load when a download is made
    from covplan.report import ReportData

logger = logging.getLogger(__name__)

#: What ``covplan report`` writes for the app's downloads (the HTML map is written here).
FORMATS: Final = ("pdf", "png", "mappdf", "gpkg", "kml", "cog", "csv")
#: Name of the text file in the zip that says what the files show.
ABOUT_NAME: Final = "about.txt"


def slug(text: str) -> str:
    """``text`` as a file-name part: ASCII letters, digits and dashes.

    Examples
    --------
    >>> slug("Thái Nguyên 2025")
    'thai-nguyen-2025'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class Stamp:
    """What every file from the app states, in the page's language.

    Parameters
    ----------
    dataset
        The dataset's name.
    preset
        The target preset's name (as the sidebar lists it).
    edits
        The scenario's edits; 0 for the baseline.
    day
        The date the files are made.
    lang
        The page's language.
    scenario_name
        The scenario's name, when it has one of its own (a loaded file's).
    """

    dataset: str
    preset: str
    edits: int
    day: dt.date
    lang: Language
    scenario_name: str = ""

    @property
    def is_baseline(self) -> bool:
        """Whether the files show the baseline (no edit)."""
        return self.edits == 0

    def state(self) -> str:
        """``Hiện trạng`` / ``Baseline``, or the scenario and its edits."""
        if self.is_baseline:
            return self.lang._("Baseline")
        text = self.lang.n_("Scenario ({count} edit)", "Scenario ({count} edits)",
                            self.edits).format(count=self.lang.count(self.edits))
        named = self.scenario_name.strip()
        return f"{text} “{named}”" if named and named.casefold() != "scenario" else text

    def line(self) -> str:
        """One line for a map's subtitle: dataset · preset · state · date."""
        return " · ".join([self.dataset, self.preset, self.state(),
                           self.lang.date(self.day)])

    def stem(self) -> str:
        """The name every file starts with: ``<dataset>_<preset>_<state>_<yyyy-mm-dd>``."""
        state = (self.lang._("baseline") if self.is_baseline else
                 self.lang.n_("scenario-{count}-edit", "scenario-{count}-edits",
                              self.edits).format(count=self.edits))
        return "_".join([slug(self.dataset), slug(self.preset), slug(state),
                         self.day.isoformat()])

    def file_name(self, name: str) -> str:
        """``name`` (such as ``report.pdf``) prefixed with :meth:`stem`."""
        return f"{self.stem()}_{name}"

    def about(self) -> str:
        """The text of ``about.txt``: what the files show."""
        lang = self.lang
        rows = [(N_("Dataset"), self.dataset), (N_("Target preset"), self.preset),
                (N_("Shows"), self.state()), (N_("Date"), lang.date(self.day))]
        lines = [f"{lang._(label)}: {value}" for label, value in rows]
        lines.append("")
        lines.append(lang._("Made with covplan. The scenario's edits are in the scenario "
                            "file beside this one (load it in the app to see them)."))
        return "\n".join(lines) + "\n"


def human_csv(frame: pd.DataFrame, table: str, lang: Language, *,
              shown: pd.DataFrame | None = None) -> bytes:
    """The CSV for people of ``table`` (:func:`covplan.export.tables.human_table`) as bytes.

    UTF-8 with a byte-order mark, ``;`` and a decimal comma in Vietnamese: the file
    ``covplan report`` writes for the same table. ``shown`` is ``human_table(frame, table,
    lang)`` when the caller has made it already.
    """
    if shown is None:
        shown = human_table(frame, table, lang)
    separator = HUMAN_SEPARATOR.get(lang.code, ",")
    return shown.to_csv(index=False, sep=separator).encode("utf-8-sig")


@dataclass(frozen=True)
class ExportFiles:
    """The files of one scenario's downloads, by what they are.

    ``files`` keys: ``report``, ``html``, ``gpkg``, ``kml``, ``zip``, ``png:<map>``,
    ``mappdf:<map>`` (maps ``coverage_4g``, ``coverage_5g``, ``gaps``) and ``tif:<tech>``.
    """

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)

    def read(self, kind: str) -> bytes:
        """The bytes of the file of ``kind``."""
        return self.files[kind].read_bytes()


def _kind(name: str) -> str | None:
    """What a file ``covplan report`` writes is, as :class:`ExportFiles` names it."""
    stem, suffix = Path(name).stem, Path(name).suffix
    if name == "report.pdf":
        return "report"
    if stem.startswith("map_") and suffix in (".png", ".pdf"):
        return f"{'png' if suffix == '.png' else 'mappdf'}:{stem.removeprefix('map_')}"
    if stem.startswith("rsrp_") and suffix == ".tif":
        return f"tif:{stem.removeprefix('rsrp_')}"
    return {"gaps.gpkg": "gpkg", "gaps.kml": "kml"}.get(name)


def _stamp_gpkg(path: Path, stamp: Stamp) -> None:
    """Add an ``about`` table to the GeoPackage: what its layers show."""
    rows = [("dataset", stamp.dataset), ("preset", stamp.preset),
            ("sites", "baseline" if stamp.is_baseline else "scenario"),
            ("edits", str(stamp.edits)), ("date", stamp.day.isoformat()),
            ("description", stamp.line())]
    pyogrio.write_dataframe(pd.DataFrame(rows, columns=["key", "value"]), path,
                            layer="about", driver="GPKG")


def _write_html(data: ReportData, stamp: Stamp, path: Path) -> Path:
    """The offline interactive map of ``data``, titled with the stamp, in its language."""
    grids = {t: g for t, g in data.coverage.items() if hasattr(g, "technology")}
    fmap = build_map(data.dataset, coverage=grids, road_gaps=data.analysis.road_gaps,
                     village_status=data.village_share,
                     village_title=stamp.lang._(VILLAGE_TITLE),
                     candidate_sites=data.new_sites, tiles="offline", title=stamp.line(),
                     lang=stamp.lang)
    return to_html(fmap, path, overwrite=True)


def _zip(folder: Path, stamp: Stamp, scenario_json: bytes | None) -> Path:
    """Every file of ``folder`` (sub-folders too) in one zip, with ``about.txt``."""
    target = folder / stamp.file_name("all.zip")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(stamp.file_name(ABOUT_NAME), stamp.about())
        if scenario_json is not None:
            archive.writestr(stamp.file_name("scenario.json"), scenario_json)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path != target:
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def build_exports(data: ReportData, stamp: Stamp, folder: Path, *,
                  scenario_json: bytes | None = None,
                  progress: ProgressFn | None = None) -> ExportFiles:
    """Write the downloads of ``data`` into ``folder``, named and stamped (see the module).

    Parameters
    ----------
    data
        The evaluated scenario (:func:`covplan.report.prepare_report`).
    stamp
        What the files state; its language is the files'.
    folder
        An empty folder of the caller's (a temporary one).
    scenario_json
        The scenario file, put into the zip.
    progress
        Called with (fraction, message).
    """
    from covplan.export.static_map import MapOptions
    from covplan.report import write_outputs
    from covplan.report.outputs import MAP_DPI

    report = progress or no_progress
    options = MapOptions(dpi=MAP_DPI, created=stamp.day, subtitle=stamp.line())
    written = write_outputs(data, folder, FORMATS, lang=stamp.lang, overwrite=True,
                            options=options, progress=scaled(report, 0.0, 0.85))
    report(0.86, stamp.lang._("writing the interactive map"))
    written.append(_write_html(data, stamp, folder / "map.html"))
    files: dict[str, Path] = {}
    for path in written:
        renamed = path.with_name(stamp.file_name(path.name))
        path.rename(renamed)
        kind = "html" if path.name == "map.html" else _kind(path.name)
        if kind is not None:
            files[kind] = renamed
    if "gpkg" in files:
        _stamp_gpkg(files["gpkg"], stamp)
    report(0.95, stamp.lang._("packing the zip"))
    files["zip"] = _zip(folder, stamp, scenario_json)
    report(1.0, stamp.lang._("downloads ready"))
    logger.info("Downloads of %s ready in %s (%d files)", stamp.line(), folder, len(files))
    return ExportFiles(folder, files)



def commune_sheet(data: ReportData, code: str, stamp: Stamp) -> tuple[str, bytes]:
    """The file name and PDF bytes of commune ``code``'s sheet (every gap listed)."""
    from covplan.report import build_commune_pdf, commune_pdf_name

    pdf = build_commune_pdf(data, code, stamp.lang)
    logger.info("Sheet of commune %s ready (%s)", code, stamp.line())
    return stamp.file_name(commune_pdf_name(code)), pdf
