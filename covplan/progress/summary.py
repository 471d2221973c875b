"""The progress in words: amounts, changes and pace as people read them, in any language.

The command line prints :func:`format_progress`; the PDF, the chart and the app take their
sentences from the functions here, so a change or a pace reads the same everywhere.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Final

from covplan.i18n import N_, Language
from covplan.progress.changes import GAINED, LOST, NO_LONGER_MET, NOW_MET, Changes
from covplan.progress.compare import Comparison
from covplan.progress.pace import (
    PACE_MET,
    PACE_NO_DATA,
    PACE_NOT,
    PACE_ON,
    PACE_SNAPSHOTS,
    REASON_HORIZON,
    Pace,
)
from covplan.targets.schema import localized, unit_label

#: A pace's status in a table cell.
PACE_WORDS: Final = {PACE_MET: N_("goal met"), PACE_ON: N_("{quarter} (extrapolated)"),
                     PACE_NOT: N_("not at this pace"),
                     "too few snapshots": N_("too few dated snapshots"),
                     PACE_NO_DATA: N_("no data")}
#: What the change lists count, per change.
CHANGE_WORDS: Final = {GAINED: N_("gained"), LOST: N_("lost"), NOW_MET: N_("now met"),
                       NO_LONGER_MET: N_("no longer met"), "added": N_("added"),
                       "removed": N_("removed"), "changed": N_("changed")}
#: The statement every output gives with the pace.
EXTRAPOLATION_NOTE: Final = N_(
    "Pace: a straight line fitted through the last {count} dated snapshots and extended "
    "until it reaches the goal. This is a linear extrapolation of the observed pace, not a "
    "forecast.")


def extrapolation_note(comparison: Comparison, lang: Language) -> str:
    """:data:`EXTRAPOLATION_NOTE` with the number of snapshots the line goes through."""
    dated = sum(s.as_of is not None for s in comparison.snapshots)
    return lang._(EXTRAPOLATION_NOTE).format(count=lang.count(min(PACE_SNAPSHOTS, dated)))


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text))


def amount(value: float, unit: str, lang: Language, *, signed: bool = False) -> str:
    """``value`` in ``unit`` as people read it: ``12,3 km``, ``+3 thôn, xóm, bản``."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    sign = "+" if signed and value > 0 else ("−" if signed and value < 0 else "")
    size = abs(float(value)) if signed else float(value)
    if unit == "km":
        return sign + lang.km(size)
    if unit == "km²":
        return f"{sign}{lang.number(size, 2)} km²"
    return f"{sign}{lang.count(size)} {unit_label(unit, lang, size)}"


def goal_text(goal_percent: float, lang: Language) -> str:
    """A goal: ``100 %``, ``99,3 %``."""
    whole = float(goal_percent).is_integer()
    return lang.percent(float(goal_percent), 0 if whole else 1)


def pace_cell(pace: Pace, lang: Language) -> str:
    """A pace in a table cell: ``2026-Q2 (extrapolated)``, ``not at this pace``."""
    return lang._(PACE_WORDS.get(pace.status, pace.status)).format(quarter=pace.quarter)


def pace_sentence(pace: Pace, goal_percent: float, lang: Language) -> str:
    """One target's pace in a sentence, naming the snapshots and the slope."""
    if pace.status == PACE_MET:
        return lang._("the goal is met in {label}").format(label=", ".join(pace.based_on))
    if pace.status == PACE_NO_DATA:
        return lang._("not measured in any snapshot: no data to measure it on")
    if pace.status not in (PACE_ON, PACE_NOT):
        return lang._("too few dated snapshots for a pace (two are needed)")
    span = lang._("{first} to {last}").format(first=pace.based_on[0], last=pace.based_on[-1])
    rounded = round(pace.points_per_quarter, 2) + 0.0  # + 0.0: no "-0,00"
    slope = ("+" if rounded > 0 else "") + lang.number(rounded, 2)
    if pace.status == PACE_ON:
        return lang._("at the pace of {span} ({slope} percentage points a quarter), the goal "
                      "of {goal} would be met in {quarter}").format(
            span=span, slope=slope, goal=goal_text(goal_percent, lang), quarter=pace.quarter)
    if pace.reason == REASON_HORIZON:
        return lang._("not at this pace: at {slope} percentage points a quarter ({span}) the "
                      "goal would take more than ten years").format(slope=slope, span=span)
    return lang._("not at this pace: the share is flat or falling ({slope} percentage points "
                  "a quarter, {span})").format(slope=slope, span=span)


def change_lines(changes: Changes, comparison: Comparison, lang: Language) -> list[str]:
    """What changed from one snapshot to the next, one line per kind of change."""
    counts = changes.site_counts()
    lines = [lang._("sites: {added} added, {removed} removed, {changed} changed").format(
        added=lang.count(counts["added"]), removed=lang.count(counts["removed"]),
        changed=lang.count(counts["changed"]))]
    names = _target_names(comparison, lang)
    for target in comparison.targets.targets:
        gained, lost, unit = changes.amounts(target.id)
        if not unit or (gained == 0 and lost == 0):
            continue
        lines.append(lang._("{target}: {gained} newly covered, {lost} lost").format(
            target=names[target.id], gained=amount(gained, unit, lang),
            lost=amount(lost, unit, lang)))
    for change in (NOW_MET, NO_LONGER_MET):
        rows = changes.communes[changes.communes["change"] == change] \
            if len(changes.communes) else changes.communes
        if not len(rows):
            continue
        for target, part in rows.groupby("target", sort=False):
            template = (N_("communes now meeting {target}: {communes}") if change == NOW_MET
                        else N_("communes no longer meeting {target}: {communes}"))
            lines.append(lang._(template).format(
                target=names.get(str(target), str(target)),
                communes=", ".join(_nfc(n) for n in part["name"])))
    return lines


def _target_names(comparison: Comparison, lang: Language) -> dict[str, str]:
    table = comparison.snapshots[-1].targets
    return {str(r["id"]): _nfc(localized(r, "target", lang)) for r in table.to_dict("records")}


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                        strict=True)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def target_rows(comparison: Comparison, lang: Language) -> list[list[str]]:
    """The target table over time for people: header row, then one row per target.

    Columns: target, one measured share per snapshot, the goal, the change between the
    last two snapshots in the target's unit, and the pace.
    """
    table = comparison.target_table()
    labels = comparison.labels
    last = (f"change_{labels[-2]}_to_{labels[-1]}" if len(labels) > 1 else None)
    header = [lang._("Target"), *labels, lang._("Goal")]
    if last is not None:
        header.append(lang._("Change {before} → {after}").format(before=labels[-2],
                                                                  after=labels[-1]))
    header.append(lang._("Goal met (extrapolated)"))
    pace = comparison.pace()
    rows = [header]
    for r in table.to_dict("records"):
        row = [_nfc(localized(r, "target", lang)),
               *(lang.percent(float(r[label])) for label in labels),
               goal_text(float(r["goal_percent"]), lang)]
        if last is not None:
            row.append(amount(float(r[last]), str(r["unit"]), lang, signed=True))
        row.append(pace_cell(pace[str(r["id"])], lang))
        rows.append(row)
    return rows


def format_progress(comparison: Comparison, lang: Language) -> str:
    """The comparison as text: the target table over time, what changed, the pace."""
    synthetic = lang._(" (SYNTHETIC dataset)") if comparison.synthetic else ""
    lines = [_nfc(lang._("{preset}: progress on {dataset}{synthetic}").format(
        preset=comparison.targets.name, dataset=comparison.dataset, synthetic=synthetic)), ""]
    lines += _table(target_rows(comparison, lang))
    lines += ["", lang._("Snapshots:")]
    for s in comparison.snapshots:
        date = lang.date(s.as_of) if s.as_of is not None else lang._("undated (a plan)")
        lines.append("  " + lang._("{label}: {date}, {sites} sites on air ({source})").format(
            label=s.label, date=date, sites=lang.count(s.sites), source=_nfc(s.source)))
    if comparison.changes:
        lines += ["", lang._("What changed:")]
        for changes in comparison.changes:
            lines.append(f"  {changes.before} → {changes.after}")
            lines += [f"    {line}" for line in change_lines(changes, comparison, lang)]
    lines += ["", extrapolation_note(comparison, lang)]
    names = _target_names(comparison, lang)
    goals = comparison.snapshots[-1].targets.set_index("id")["goal_percent"]
    for key, pace in comparison.pace().items():
        lines.append(f"  {names[key]}: {pace_sentence(pace, float(goals[key]), lang)}")
    return "\n".join(lines)
