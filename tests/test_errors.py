"""How a problem with the input is said: English as written, Vietnamese for officials."""

from __future__ import annotations

import pickle

from covplan.errors import ConfigError, InputError, OutputError, Problem
from covplan.i18n import Num, language


def _height(layer: str | None = None, column: str | None = None, rows: tuple[int, ...] = (),
            row_label: str = "row") -> Problem:
    return Problem("my_towers.csv", "expected a number, found {found}.", "write plain numbers.",
                   layer=layer, column=column, rows=rows, row_label=row_label,
                   params={"found": repr("cao")})


def test_a_problem_reads_where_it_is_then_what_and_how_to_fix_it() -> None:
    problem = _height(layer="sites", column="height_m", rows=(4,), row_label="line")
    assert str(problem) == ("my_towers.csv: layer 'sites': column 'height_m': line 4: "
                            "expected a number, found 'cao'. Fix: write plain numbers.")
    many = _height(rows=tuple(range(2, 15)), row_label="feature")
    assert str(many) == ("my_towers.csv: features 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 3 more: "
                         "expected a number, found 'cao'. Fix: write plain numbers.")
    # without values the text is shown as written: braces of a legacy message stay
    assert str(Problem("x.toml", "expected {a: b}")) == "x.toml: expected {a: b}"


def test_in_vietnamese_the_framing_is_translated_and_the_users_values_are_not() -> None:
    vi = language("vi")
    problem = _height(layer="sites", column="height_m", rows=(4, 9), row_label="line")
    said = problem.text(vi)
    assert said.startswith("my_towers.csv: lớp 'sites': cột 'height_m': dòng 4, 9: ")
    assert "'cao'" in said and "Cách sửa: " in said
    error = InputError([problem, _height()])
    assert error.text(vi).splitlines()[0] == "Phát hiện 2 lỗi trong dữ liệu đầu vào:"
    assert str(error).splitlines()[0] == "2 problems found in the input:"  # logs: English
    assert InputError([problem]).text().startswith("1 problem found in the input:\n  - ")


def test_an_error_is_a_template_filled_with_the_users_values() -> None:
    vi = language("vi")
    error = OutputError("Error: {message}", message="/maps/out")  # a template in input.po
    assert str(error) == "Error: /maps/out" and isinstance(error, OSError)
    assert error.text(vi) == "Lỗi: /maps/out"
    assert error.text() == str(error)
    # an English sentence with no values is said as written, braces and all
    assert ConfigError("bad {preset}").text(vi) == "bad {preset}"


def test_numbers_in_a_message_are_written_the_readers_way() -> None:
    """A size or a count found in the input reads 12,345 in English, 12.345 in Vietnamese;
    a code (an EPSG number) passed as text is left as it is."""
    error = OutputError("Error: {message}", message=Num(12345.6, 1))
    assert str(error) == "Error: 12,345.6"
    assert error.text(language("vi")) == "Lỗi: 12.345,6"
    problem = Problem("a.tif", "found EPSG:{code} and {count} cells",
                      params={"code": "32648", "count": Num(1_234_567)})
    assert problem.text(language("vi")) == "a.tif: found EPSG:32648 and 1.234.567 cells"


def test_errors_cross_processes_whole() -> None:
    """A worker's error (the national run on Dask) reaches the client with its values and
    its problems: it can still be said in Vietnamese there."""
    vi = language("vi")
    error = pickle.loads(pickle.dumps(OutputError("Error: {message}", message="x")))
    assert error.text(vi) == "Lỗi: x"
    problems = InputError([_height(column="height_m", rows=(3,), row_label="line")])
    again = pickle.loads(pickle.dumps(problems))
    assert again.problems == problems.problems and str(again) == str(problems)
    assert "dòng 3" in again.text(vi)


def test_an_error_and_its_problems_are_said_in_any_language_after_pickling() -> None:
    """What a Dask worker sends back: the error, or its problems as strings, pickled whole
    and said in the reader's language on the client."""
    import pickle

    from covplan.errors import CovplanError, DataFileNotFoundError, InputError, Problem
    from covplan.i18n import N_, ErrorText, language, said

    vi = language("vi")
    error = DataFileNotFoundError(N_("{path}: OSM file not found. Fix: check the path."),
                                  path="roads.osm")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is DataFileNotFoundError and str(again) == str(error)
    assert again.text(vi) == error.text(vi) != str(error)
    problem = Problem("sites.csv", N_("expected a number, found '{found}'."),
                      N_("write the height in metres, e.g. 30."), layer="sites",
                      column="height_m", rows=(4,), row_label="line", params={"found": "cao"})
    for source in (problem, InputError([problem]), CovplanError(N_("no villages"))):
        text = pickle.loads(pickle.dumps(ErrorText(source)))
        assert str(text) == source.text()  # its English, as a plain string
        assert said(text, vi) == source.text(vi) != str(text)
    assert said(ErrorText(problem), vi).startswith("sites.csv: lớp 'sites': cột 'height_m'")
