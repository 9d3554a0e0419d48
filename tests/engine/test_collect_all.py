"""``collect_all=True`` reports every problem of a sheet at once (#18 item 9): a cell
that cannot be read no longer hides the problems of the other rows; each problem has its
own error class and its row; the group carries a ``failure_cases`` table; one mistake is
one problem."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import parindex
from parindex.cli import main
from parindex.errors import (
    InvalidValueError,
    MissingDataError,
    PointsOutOfRangeError,
    ScoreSheetErrors,
    UnknownNodeError,
)

# One unreadable cell, points above a maximum and an unknown node, in that order.
CSV = "unit,node,points\nGia Lai,1,x\nGia Lai,2,8\nKon Tum,1,11\nKon Tum,9,1\n"


def _problems(call) -> ScoreSheetErrors:  # type: ignore[no-untyped-def]
    with pytest.raises(ScoreSheetErrors) as caught:
        call()
    return caught.value


def test_an_unreadable_cell_does_not_hide_the_other_rows_problems() -> None:
    frame = pd.read_csv(__import__("io").StringIO(CSV), dtype=str)
    group = _problems(
        lambda: parindex.score("province-2017", frame, collect_all=True, missing="zero")
    )
    assert [(type(e), e.row) for e in group.exceptions] == [
        (InvalidValueError, 1),
        (PointsOutOfRangeError, 3),
        (UnknownNodeError, 4),
    ]
    assert str(group).startswith("3 problems in the score sheet")


def test_the_same_from_a_file_through_load_sheet_and_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(CSV, encoding="utf-8")
    code = main(["score", "-m", "province-2017", "--missing", "zero", "--collect-all", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    for said in ("'x' is not a number", "points 11 outside 0-10", "has no such node"):
        assert said in err, err
    code = main(
        ["score", "-m", "province-2017", "--missing", "zero", "--collect-all", "--format", "json", str(path)]
    )  # fmt: skip
    doc = json.loads(capsys.readouterr().err)
    assert code == 2
    assert [(p["type"], p["row"]) for p in doc["error"]["errors"]] == [
        ("InvalidValueError", 1),
        ("PointsOutOfRangeError", 3),
        ("UnknownNodeError", 4),
    ]


def test_failure_cases_is_a_table_of_every_problem() -> None:
    frame = pd.DataFrame(
        {"unit": ["Gia Lai", "Gia Lai", "Kon Tum"], "node": ["1", "9", "2"], "points": ["x", "1", "11"]}
    )  # fmt: skip
    group = _problems(
        lambda: parindex.score("province-2017", frame, collect_all=True, missing="zero")
    )
    cases = group.failure_cases
    assert list(cases.columns) == ["row", "unit", "node", "value", "check"]
    assert cases["row"].tolist() == [1, 2, 3]
    assert cases["check"].tolist() == [
        "InvalidValueError",
        "UnknownNodeError",
        "PointsOutOfRangeError",
    ]
    assert cases["value"].tolist() == ["x", "9", "11.0"]


def test_rows_count_the_rows_as_given_even_when_some_were_set_aside() -> None:
    frame = pd.DataFrame(
        {"unit": ["Gia Lai"] * 4, "node": ["1", "2", "3", "4"], "points": ["x", "y", "5", "12"]}
    )
    group = _problems(
        lambda: parindex.score("province-2017", frame, collect_all=True, missing="zero")
    )
    # Row 4 is the fourth row given, though only rows 3 and 4 could be read.
    assert [(type(e).__name__, e.row) for e in group.exceptions] == [
        ("InvalidValueError", 1),
        ("InvalidValueError", 2),
        ("PointsOutOfRangeError", 4),
    ]


def test_a_unit_partly_given_because_of_an_unreadable_cell_is_not_reported_again() -> None:
    rows = "unit,node,points\n" + "".join(f"Gia Lai,{i},1\n" for i in range(2, 9)) + "Gia Lai,1,x\n"
    frame = pd.read_csv(__import__("io").StringIO(rows), dtype=str)
    with pytest.raises(InvalidValueError) as caught:  # one problem alone: itself
        parindex.score("province-2017", frame, collect_all=True)
    assert caught.value.row == 8
    # A unit with no unreadable cell still gets its missing-data problem.
    other = pd.concat([frame, pd.DataFrame({"unit": ["Kon Tum"], "node": ["1"], "points": ["5"]})])
    group = _problems(lambda: parindex.score("province-2017", other, collect_all=True))
    assert [type(e) for e in group.exceptions] == [InvalidValueError, MissingDataError]
    assert group.exceptions[1].unit == "Kon Tum"


def test_an_answer_that_is_not_one_of_the_choices_is_an_invalid_value_not_out_of_range() -> None:
    sheet = parindex.ScoreSheet.from_records(
        [{"unit": "Huyện A", "node": "1.1.1", "value": "maybe"}]
    )
    with pytest.raises(InvalidValueError, match="maybe"):
        parindex.score("illustrative-district", sheet, missing="unknown", units="free")
    with pytest.raises(InvalidValueError, match="not a number"):
        parindex.ScoreSheet.from_records([{"unit": "A", "node": "1", "points": "x"}])
    # A number that is read but too large stays out of range.
    with pytest.raises(PointsOutOfRangeError):
        parindex.score("province-2017", parindex.ScoreSheet.from_records(
            [{"unit": "Gia Lai", "node": "1", "points": 11}]), missing="zero")  # fmt: skip


def test_points_over_the_maximum_in_several_columns_are_one_problem() -> None:
    frame = pd.DataFrame(
        {"unit": ["Gia Lai"], "node": ["1"], "points": [11.0], "self_points": [12.0],
         "appraised_points": [11.0]}
    )  # fmt: skip
    with pytest.raises(PointsOutOfRangeError) as caught:
        parindex.score("province-2017", frame, collect_all=True, missing="zero")
    assert str(caught.value) == (
        "unit 'Gia Lai', node '1': points 11, self_points 12 and appraised_points 11 outside 0-10"
    )
    assert caught.value.row == 1


def test_counts_agree_with_their_nouns() -> None:
    frame = pd.DataFrame({"unit": ["Gia Lai"], "node": ["1"], "points": ["x"]})
    with pytest.raises(ScoreSheetErrors, match=r"^1 problem in the score sheet"):
        parindex.ScoreSheet.from_frame(frame, collect_all=True)
    m = parindex.get_methodology("illustrative-district")
    described = [n.rule.describe() for n in m.nodes() if n.rule is not None]
    assert not any(" 1 points" in d for d in described)
    assert parindex.rules.YesNo(yes_points=1.0).describe() == "yes: 1 point; no: 0 points"
