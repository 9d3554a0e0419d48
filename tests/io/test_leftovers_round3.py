"""Issue #14 leftovers, from Python: the depth bound named, a node given twice in an
uncertainty spec, an evaluation year out of range, an unsaved formula in a settings
cell, a wide frame without a unit column, a NUL byte in a CSV and semicolon-separated
survey files. The hostile cases (tests/hostile/cases/round3-*.yaml) feed the same
inputs through the command line; these tests also pin what must keep working."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import parindex
from parindex.cli import main
from parindex.cli.common import resolve_year
from parindex.errors import InputFormatError
from parindex.io.excel import EXCEL_COLUMNS
from parindex.io.safe import MAX_DEPTH, csv_delimiter, safe_parse
from parindex.io.survey import get_questionnaire, load_responses, responses_from_csv_text
from parindex.io.uncertainty import uncertainty_from_dict
from parindex.limits import MAX_YEAR, MIN_YEAR
from parindex.model.methodology import check_year
from parindex.model.uncertainty import UncertainInput, Uncertainty

M = "illustrative-district"
ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "examples" / "survey-illustrative-district.csv"


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def _sheet() -> parindex.ScoreSheet:
    return parindex.ScoreSheet.from_records(
        [{"unit": "A", "node": "1.4.2", "points": 1}, {"unit": "B", "node": "1.4.2", "points": 2}]
    )


# ---------------------------------------------------------------- 1. the depth bound


def test_depth_errors_name_the_bound(tmp_path: Path) -> None:
    past = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(InputFormatError, match=r"deeper than 64 levels \(the limit MAX_DEPTH\)"):
        safe_parse(past, name="s.json")
    far = "[" * 100_000 + "]" * 100_000  # past the parser's own recursion guard
    with pytest.raises(InputFormatError) as caught:
        safe_parse(far, name="s.json")
    assert str(caught.value) == (
        "s.json: document is nested too deeply: deeper than 64 levels (the limit MAX_DEPTH)"
    )
    path = tmp_path / "deep.json"
    path.write_text(past)
    with pytest.raises(InputFormatError, match=r"deep\.json: .*the limit MAX_DEPTH"):
        parindex.load_sheet(path)
    # Another bound is not MAX_DEPTH: the message does not claim it is.
    with pytest.raises(InputFormatError) as caught:
        safe_parse("[[[1]]]", max_depth=2)
    assert "MAX_DEPTH" not in str(caught.value)
    assert safe_parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None  # at the bound: read


# ---------------------------------------------------------------- 2. a node given twice


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            [{"node": "2.3", "sd": 1}, {"node": "2.3 ", "sd": 2}],
            "spec: node '2.3' is given twice for every unit (inputs 1 and 2)",
        ),
        (
            [{"node": "2.3", "sd": 1}, {"node": "2.3", "sd": 2, "units": ["Huyện A"]}],
            "spec: node '2.3' is given twice for unit 'Huyện A' (inputs 1 and 2)",
        ),
        (
            [{"node": "2.3", "sd": 1, "units": ["Huyện B", "Huyện A"]}, {"node": "2.3", "sd": 2}],
            "spec: node '2.3' is given twice for unit 'Huyện B' (inputs 1 and 2)",
        ),
        (
            [{"node": "2.3", "sd": 1, "units": ["Huyện A", "Huyện A"]}],
            "spec: node '2.3' is given twice for unit 'Huyện A' (input 1)",
        ),
    ],
)
def test_uncertainty_refuses_a_node_twice_for_a_unit(
    inputs: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(InputFormatError) as caught:
        uncertainty_from_dict({"inputs": inputs}, name="spec")
    assert str(caught.value).startswith(message)


def test_uncertainty_takes_a_node_once_per_unit() -> None:
    spec = uncertainty_from_dict(
        {
            "inputs": [
                {"node": "2.3", "sd": 1, "units": ["Huyện A"]},
                {"node": "2.3", "distribution": "uniform", "delta": 1, "units": ["Huyện B"]},
                {"node": "1.4.2", "sd": 0.1},
            ]
        }
    )
    assert [i.node for i in spec.inputs] == ["2.3", "2.3", "1.4.2"]
    # The model refuses it too, and simulate with plain data.
    with pytest.raises(InputFormatError, match=r"^uncertainty: node '1\.4\.2' is given twice"):
        Uncertainty([UncertainInput("1.4.2", "normal", 1), UncertainInput("1.4.2", "normal", 2)])
    twice = {"inputs": [{"node": "1.4.2", "sd": 0.1}, {"node": "1.4.2", "sd": 0.2}]}
    with pytest.raises(InputFormatError, match=r"node '1\.4\.2' is given twice"):
        parindex.simulate(M, _sheet(), twice, draws=10, missing="zero")


# ---------------------------------------------------------------- 3. the evaluation year


def test_check_year_bounds() -> None:
    assert (check_year(MIN_YEAR), check_year(MAX_YEAR), check_year(None)) == (1900, 2200, None)
    assert check_year(np.int64(2024)) == 2024
    for year in (MIN_YEAR - 1, MAX_YEAR + 1, 10**20, -2024, 0):
        with pytest.raises(InputFormatError, match=rf"^year={year} is outside .*MIN_YEAR = 1900"):
            check_year(year)
    for bad in (True, 2024.0, "2024"):
        with pytest.raises(InputFormatError, match=r"must be a whole number"):
            check_year(bad)


def test_rank_and_bands_refuse_a_year_out_of_range() -> None:
    scores = parindex.score(M, _sheet(), missing="zero")
    with pytest.raises(InputFormatError, match=r"year=100000000000000000000 is outside"):
        parindex.rank(scores, year=10**20)
    with pytest.raises(InputFormatError, match=r"MAX_YEAR = 2200"):
        parindex.get_methodology("province-2022").bands_for(2201)
    assert parindex.rank(scores, year=2024).year == 2024  # a real year still bands


def test_cli_year_out_of_range() -> None:
    with pytest.raises(InputFormatError, match=r"^year=100000000000000000000 is outside"):
        resolve_year(M, 10**20)
    assert resolve_year(M, 2024)[1] == 2024
    sheet = str(ROOT / "examples" / "illustrative-districts.csv")
    status, out, err = _cli(["score", "-m", M, "--year", "100000000000000000000", sheet])
    assert (status, out) == (2, "")
    assert err == (
        "parindex: error: --year 100000000000000000000 is outside the evaluation years "
        "parindex takes (MIN_YEAR = 1900 to MAX_YEAR = 2200)\n"
    )


# ---------------------------------------------------------------- 4. Excel settings cells


def _template(tmp_path: Path, **cells: tuple[str, str, object]) -> Path:
    m = parindex.get_methodology(M)
    path = parindex.write_excel_template(m, tmp_path / "t.xlsx", units=["A"])
    wb = openpyxl.load_workbook(path)
    row = 7 + [n.id for n in m.nodes()].index("1.4.2")
    col = 1 + [key for key, _, _ in EXCEL_COLUMNS].index("appraised_points")
    wb["A"].cell(row=row, column=col).value = 1
    for sheet, ref, value in cells.values():
        wb[sheet][ref].value = value
    wb.save(path)
    return path


def test_a_settings_cell_formula_is_named(tmp_path: Path) -> None:
    unit = _template(tmp_path, unit=("A", "B2", '=CONCATENATE("Huyện ","A")'))
    with pytest.raises(InputFormatError) as caught:
        parindex.load_excel_sheet(unit)
    assert str(caught.value) == (
        't.xlsx [A]: cell B2 (the unit\'s name) holds the formula \'=CONCATENATE("Huyện ","A")\', '
        "whose result was never saved; type the unit's name in the cell as a value, not a formula"
    )
    group = _template(tmp_path, group=("A", "B3", "=B2"))
    with pytest.raises(
        InputFormatError, match=r"cell B3 \(the unit's peer group\) holds the formula"
    ):
        parindex.load_excel_sheet(group)
    setting = _template(tmp_path, m=("parindex", "B2", '=LOWER("X")'))
    with pytest.raises(
        InputFormatError, match=r"cell B2 of worksheet 'parindex' \(the setting 'methodology'\)"
    ):
        parindex.load_excel_sheet(setting)
    # Text that starts with "=" typed as a string cell is a name, not a formula.
    text = _template(tmp_path)
    wb = openpyxl.load_workbook(text)
    wb["A"]["B2"].value, wb["A"]["B2"].data_type = "=A", "s"
    wb.save(text)
    assert parindex.load_excel_sheet(text).units == ("=A",)


# ---------------------------------------------------------------- 5. a wide frame's units


def test_a_wide_frame_needs_a_unit_column() -> None:
    with pytest.raises(InputFormatError) as caught:
        parindex.score_frame("province-2017", pd.DataFrame({"1": [5.0]}), wide=True)
    assert str(caught.value) == (
        "wide frame: needs a 'unit' column with the units' names (or the names as its "
        "index, which holds int64 values); its columns: ['1']"
    )
    many = pd.DataFrame({f"c\x1b{i}" + "x" * 50 * (i == 0): [1.0] for i in range(12)})
    with pytest.raises(InputFormatError) as caught:
        parindex.score_frame("province-2017", many, wide=True)
    shown = str(caught.value).split("its columns: ")[1]
    assert shown.startswith("['c\\x1b0xxx")
    assert "...'" in shown
    assert shown.endswith("'c\\x1b9', ... (12 in all)]")
    # Names in a `unit` column, or as the index, are read as before.
    named = pd.DataFrame({"1": [5.0]}, index=pd.Index(["Đắk Lắk"]))
    by_index = parindex.score_frame("province-2017", named, wide=True, missing="zero")
    by_column = parindex.score_frame(
        "province-2017", named.reset_index(names="unit"), wide=True, missing="zero"
    )
    assert by_index.unit("Đắk Lắk").total.points == by_column.unit("Đắk Lắk").total.points == 5.0


# ---------------------------------------------------------------- 6. a NUL byte


def test_a_nul_byte_is_named_with_its_line(tmp_path: Path) -> None:
    text = SURVEY.read_bytes()
    late = text + b"Huy\xe1\xbb\x87n A,CIT99,citizens,Q1\x00,4\n"  # far past the first 4 KiB
    path = tmp_path / "r.csv"
    path.write_bytes(late)
    lines = text.count(b"\n") + 1
    with pytest.raises(InputFormatError) as caught:
        load_responses(path)
    assert str(caught.value) == (
        f"{path}: the file has a NUL byte at line {lines} (byte {len(late) - 4}) and is not a "
        'text CSV; save it from the spreadsheet as "CSV UTF-8 (Comma delimited)"'
    )
    with pytest.raises(InputFormatError, match=r"NUL byte at line 2 \(character"):
        responses_from_csv_text("unit,respondent,item,answer\r\nA,r\x00,Q1,3\r\n")
    # UTF-16 saved without its byte-order mark is still told as such.
    path.write_bytes("unit,respondent,item,answer\nA,r1,Q1,3\n".encode("utf-16-le"))
    with pytest.raises(InputFormatError, match="UTF-16 without a byte-order mark"):
        load_responses(path)
    yaml = tmp_path / "m.yaml"
    yaml.write_bytes(b"id: x\n\x00\n")
    with pytest.raises(
        InputFormatError, match=r"NUL byte at line 2 \(byte 6\) and is not a text file"
    ):
        parindex.load_methodology(yaml)


# ---------------------------------------------------------------- 7. semicolons


def test_semicolon_survey_reads_as_the_comma_one(tmp_path: Path) -> None:
    comma = SURVEY.read_text(encoding="utf-8")
    semi = tmp_path / "semi.csv"
    semi.write_bytes(comma.replace(",", ";").replace("\n", "\r\n").encode("utf-8-sig"))
    frame = load_responses(semi)
    pd.testing.assert_frame_equal(frame, load_responses(SURVEY))
    q = get_questionnaire(M)
    a = parindex.aggregate_survey(frame, q, methodology=M).to_sheet().to_records()
    assert (
        a
        == parindex.aggregate_survey(load_responses(SURVEY), q, methodology=M)
        .to_sheet()
        .to_records()
    )
    status, out, err = _cli(["survey", "-m", M, str(semi)])
    assert (status, err) == (0, "")
    assert out == _cli(["survey", "-m", M, str(SURVEY)])[1]


def test_one_delimiter_rule_for_sheets_and_surveys() -> None:
    assert csv_delimiter("unit;node;points\nA;1;9,5\n") == ";"
    assert csv_delimiter("unit,node,points\nA;B,1,9\n") == ","  # the header decides
    assert csv_delimiter("unit;node,points\n") == ","  # both: the comma, as before
    assert csv_delimiter("") == ","
    sheet = parindex.sheet_from_csv("unit;node;points\nA;1;9,5\n")
    assert sheet.to_records() == [{"unit": "A", "node": "1", "points": 9.5}]


def test_score_and_score_frame_refuse_an_evaluation_year_out_of_range() -> None:
    import pandas as pd

    sheet = parindex.load_sheet("examples/daklak-2017.csv")
    with pytest.raises(parindex.errors.InputFormatError, match=r"year=100000000000000000000"):
        parindex.score("province-2017", sheet, year=10**20)
    wide = pd.DataFrame({"unit": ["Đắk Lắk"], "total": [80.0]})
    with pytest.raises(parindex.errors.InputFormatError, match=r"MAX_YEAR"):
        parindex.score_frame("province-2017", wide, wide=True, year=99999)
    assert parindex.score("province-2017", sheet, year=2017).year == 2017
