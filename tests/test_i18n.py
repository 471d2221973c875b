"""Languages: every message marked in the code has its Vietnamese translation; formats.

The catalogue check extracts the marked messages of the whole package with Babel (as
``pybabel extract -k _ -k N_ -k n_:1,2`` does) and compares them with the ``.po`` files,
so a string added without its translation fails here, naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from covplan.errors import ConfigError
from covplan.i18n import DOMAINS, LOCALE_DIR, N_, Name, Num, Phrase, language

PACKAGE = Path(__file__).resolve().parents[1] / "covplan"
APP = PACKAGE.parent / "app.py"
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}


def _marked() -> dict[str, str]:
    """Every marked message of the package and app.py, with where it is."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            PACKAGE, keywords=KEYWORDS, comment_tags=()):
        text = message[0] if isinstance(message, tuple) else message
        if text:
            found.setdefault(text, f"covplan/{filename}:{lineno}")
    if APP.is_file():
        from babel.messages.extract import extract_python

        with APP.open("rb") as handle:
            for lineno, _func, message, _comments in extract_python(handle, KEYWORDS, (), {}):
                text = message[0] if isinstance(message, tuple) else message
                if text:
                    found.setdefault(text, f"app.py:{lineno}")
    return found


def _translated() -> dict[str, str]:
    out: dict[str, str] = {}
    for domain in DOMAINS:
        po = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{domain}.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="vi")
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            value = message.string[0] if isinstance(message.string, tuple) else message.string
            if key and value:
                out[key] = value
    return out


def test_every_marked_message_has_a_vietnamese_translation() -> None:
    marked, translated = _marked(), _translated()
    missing = sorted(f"{where}: {text!r}" for text, where in marked.items()
                     if text not in translated and text.strip(" ;()") != "")
    assert not missing, "no Vietnamese translation for:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    wrong = [f"{msgid!r} -> {msgstr!r}" for msgid, msgstr in _translated().items()
             if fields(msgid) != fields(msgstr)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("code", "percent", "people", "km", "date"), [
    ("vi", "98,5 %", "1.799.489", "12,3 km", "02/12/2026"),
    ("en", "98.5 %", "1,799,489", "12.3 km", "2 Dec 2026"),
])
def test_numbers_and_dates_per_locale(code: str, percent: str, people: str, km: str,
                                      date: str) -> None:
    lang = language(code)
    assert lang.percent(98.54) == percent
    assert lang.count(1_799_489.4) == people
    assert lang.km(12.34) == km
    assert lang.date(dt.date(2026, 12, 2)) == date
    assert lang.percent(float("nan")) == "–"


@pytest.mark.parametrize("code", ["vi", "en"])
def test_numbers_read_as_babels_format_decimal_gives_them(code: str) -> None:
    """The pattern parsed once gives what Babel's own call gives, halves and signs too."""
    from babel.numbers import format_decimal

    lang = language(code)
    values = [0.0, -0.0, 0.05, 0.15, 2.5, -2.5, 999.95, -1234.5678, 1e9 + 0.5, 12_345_678.9]
    values += list(np.random.default_rng(7).normal(0, 1e5, 200))
    for decimals in range(4):
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        for value in values:
            want = format_decimal(round(value, decimals), format=pattern, locale=code)
            assert lang.number(value, decimals) == want, (value, decimals)
    assert lang.number(1234.5, 1) == ("1.234,5" if code == "vi" else "1,234.5")


def test_a_phrase_formats_its_numbers_per_language() -> None:
    phrase = Phrase.of(N_("{total} km of road ({what}), dual carriageways counted once"),
                       total=Num(1234.5, 1), what=Name("QL.3"))
    assert str(phrase) == "1,234.5 km of road (QL.3), dual carriageways counted once"
    assert phrase(language("vi")) == ("1.234,5 km đường (QL.3), đường hai chiều tách làn tính "
                                      "một lần")


def test_the_target_table_speaks_both_languages(tmp_path: Path, tiny_dir: Path) -> None:
    from covplan.io import load_dataset
    from covplan.planning import run_analysis
    from covplan.targets import load_targets
    from covplan.targets.schema import localized, status_label

    table = run_analysis(load_dataset(tiny_dir), load_targets("thai_nguyen_2025"),
                         resolution_m=90.0).targets.set_index("id")
    vi = language("vi")
    roads = table.loc["roads_4g5g"]
    assert localized(roads, "target", vi) == "Phủ sóng 4G/5G 100 % các tuyến cao tốc, quốc lộ"
    assert "km đường (cấp đường: cao tốc, quốc lộ)" in localized(roads, "denominator", vi)
    assert localized(roads, "threshold", vi) == ("4G RSRP >= -105 dBm hoặc 5G RSRP >= "
                                                 "-105 dBm")
    assert localized(roads, "target", language("en")) == roads["target"]
    assert status_label("not met", vi) == "CHƯA ĐẠT"
    assert status_label("met", vi) == "ĐẠT"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ConfigError, match="--lang vi"):
        language("fr")


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogues_compile_without_errors(domain: str) -> None:
    """What ``pybabel compile`` checks at set-up (a bare "% d" reads as a C format)."""
    po = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{domain}.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    errors = [f"{po.name}:{message.lineno}: {error}"
              for message, errs in catalog.check() for error in errs]
    assert not errors, "\n".join(errors)


def test_no_message_is_translated_twice() -> None:
    """One English message, one translation: a message written twice in one catalogue, or
    translated differently in two (the reader gets whichever the chain finds first), is
    refused, naming both places."""
    entry = re.compile(r'^msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?'
                       r'(?:msgstr(?:\[0\])? ((?:".*"\n)+))?', re.MULTILINE)
    seen: dict[tuple[str, str], tuple[str, str, str]] = {}
    twice = []
    for domain in DOMAINS:
        po = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{domain}.po"
        text = po.read_text(encoding="utf-8")
        for found in entry.finditer(text):
            msgid, plural, msgstr = ("".join(re.findall(r'"(.*)"', part or ""))
                                     for part in found.groups())
            if not msgid:
                continue  # the header
            where = f"{po.name}:{text[:found.start()].count(chr(10)) + 1}"
            if (msgid, plural) in seen:
                first_domain, first_where, first_string = seen[msgid, plural]
                if first_domain == domain or first_string != msgstr:
                    twice.append(f"{msgid!r}: {first_where} and {where}")
            seen.setdefault((msgid, plural), (domain, where, msgstr))
    assert not twice, "\n".join(twice)


def test_a_text_is_its_english_and_can_be_said_in_vietnamese() -> None:
    """Warnings are plain strings to the command line and the report (their English); the
    app says them in its reader's language, also after crossing processes."""
    import pickle

    from covplan.i18n import Text, said

    warning = Text(N_("population ({label}) covers {share} of the study area; people beyond "
                      "it are not counted. Fix: give a population raster that covers the "
                      "whole province."), label=Name("pop.tif"), share=Num(62, percent=True))
    assert warning == ("population (pop.tif) covers 62 % of the study area; people beyond it "
                       "are not counted. Fix: give a population raster that covers the whole "
                       "province.")
    vietnamese = said(warning, language("vi"))
    assert vietnamese.startswith("dữ liệu dân số (pop.tif) chỉ phủ 62 % vùng nghiên cứu")
    assert said(pickle.loads(pickle.dumps(warning)), language("vi")) == vietnamese
    assert said("plain words", language("vi")) == "plain words"
