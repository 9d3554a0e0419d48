"""Numbers are numbers and text is text, on every input path: a value that is not a
finite number, text holding a control character, an invisible character or a lone
surrogate, and a sheet over the row limit are refused with one error type, naming the
unit, the node and the value, whether the sheet comes as CSV, JSON, Python objects, a
DataFrame or an HTTP request; a sheet written as CSV cannot run as a spreadsheet
formula and reads back equal."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex._numbers import NUMBER_PATTERN
from parindex.errors import (
    InputFormatError,
    LimitExceededError,
    PointsOutOfRangeError,
    QuestionnaireError,
)
from parindex.io.sheet import sheet_from_csv, sheet_from_dict, sheet_from_json
from parindex.model.sheet import TEXT_COLUMNS, ScoreSheet
from parindex.rules.conversion import SURVEY_ID_PATTERN
from parindex.service import dispatch

M = "illustrative-district"
DEDUCTION = "1.2.1"  # a count of occurrences: infinity used to deduct everything


def _score(sheet: Any) -> Any:
    return parindex.score(M, sheet, missing="zero")


def _http(value: str) -> None:
    body = f'{{"methodology": "{M}", "missing": "zero", "sheet": '
    body += f'[{{"unit": "A", "node": "{DEDUCTION}", "value": {value}}}]}}'
    status, text = dispatch("POST", "/score", body.encode())
    if status == 200:
        return  # scored: the test fails
    err = json.loads(text)["error"]
    assert (status, err["type"]) == (422, "PointsOutOfRangeError"), text
    raise PointsOutOfRangeError(err["message"], unit=err["unit"], node=err["node"])


# --------------------------------------------------------------------------- numbers

FEEDS: dict[str, Callable[[], object]] = {
    "csv inf": lambda: _score(sheet_from_csv(f"unit,node,value\nA,{DEDUCTION},inf\n")),
    "csv 1e309": lambda: _score(sheet_from_csv(f"unit,node,value\nA,{DEDUCTION},1e309\n")),
    "json Infinity": lambda: _score(
        sheet_from_json(f'[{{"unit": "A", "node": "{DEDUCTION}", "value": Infinity}}]')
    ),
    "json 1e309": lambda: _score(
        sheet_from_json(f'[{{"unit": "A", "node": "{DEDUCTION}", "value": 1e309}}]')
    ),
    "json -1e309": lambda: _score(
        sheet_from_json(f'[{{"unit": "A", "node": "{DEDUCTION}", "value": -1e309}}]')
    ),
    "ScoreEntry inf": lambda: _score(
        ScoreSheet((parindex.ScoreEntry("A", DEDUCTION, value=float("inf")),))
    ),
    "from_records numpy inf": lambda: _score(
        ScoreSheet.from_records([{"unit": "A", "node": DEDUCTION, "value": np.float64("inf")}])
    ),
    "from_records 10**400": lambda: _score(
        ScoreSheet.from_records([{"unit": "A", "node": DEDUCTION, "value": 10**400}])
    ),
    "frame": lambda: parindex.score_frame(
        M,
        pd.DataFrame({"unit": ["A"], "node": [DEDUCTION], "value": [np.inf]}),
        missing="zero",
    ),
    "wide frame": lambda: parindex.score_frame(
        M,
        pd.DataFrame({"unit": ["A"], DEDUCTION: [np.inf]}),
        wide=True,
        cells="values",
        missing="zero",
    ),
    "http 1e309": lambda: _http("1e309"),
}


@pytest.mark.parametrize("feed", FEEDS.values(), ids=FEEDS.keys())
def test_a_value_that_is_not_a_finite_number_is_refused_on_every_path(
    feed: Callable[[], object],
) -> None:
    with pytest.raises(PointsOutOfRangeError) as info:
        feed()  # used to score the deduction 0 points
    assert (info.value.unit, info.value.node) == ("A", DEDUCTION)
    message = str(info.value)
    assert "'A'" in message
    assert f"'{DEDUCTION}'" in message
    assert "finite" in message or "too large" in message


@pytest.mark.parametrize(
    "rule",
    [
        parindex.rules.Deduction(per_occurrence=0.5),
        parindex.rules.Proportional(full_at=10, rate=False),
        parindex.rules.DirectPoints(),
    ],
    ids=["deduction", "proportional count", "direct points"],
)
@pytest.mark.parametrize("x", [np.inf, -np.inf])
def test_vectorised_rules_leave_infinity_to_the_parser(rule: Any, x: float) -> None:
    assert np.isnan(rule.measures(np.array([x]), max_points=None)).all()
    with pytest.raises(PointsOutOfRangeError, match="finite"):
        rule.parse(str(x), max_points=None)


def test_infinity_written_as_text_gets_the_same_words_as_a_json_infinity() -> None:
    rule = parindex.get_methodology(M).node(DEDUCTION).rule
    assert rule is not None
    for raw in ("inf", "-Infinity", "nan", float("inf")):
        with pytest.raises(PointsOutOfRangeError, match="must be a finite number"):
            rule.parse(raw, max_points=2.0)


# --------------------------------------------------------------------------- patterns


def test_survey_ids_refuse_a_trailing_newline() -> None:
    assert SURVEY_ID_PATTERN.fullmatch("Q1")
    assert not SURVEY_ID_PATTERN.fullmatch("Q1\n")
    with pytest.raises(QuestionnaireError, match="well-formed"):
        parindex.rules.conversion.ConversionPolicy("linear_mean\n", lambda s: s.n)


def _methodology_doc() -> dict[str, Any]:
    doc = parindex.methodology_to_dict(parindex.get_methodology(M))
    data: dict[str, Any] = json.loads(json.dumps(doc))
    return data


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "id": lambda d: d.update(id=d["id"] + "\n"),
    "level": lambda d: d.update(level=d["level"] + "\n"),
    "node id": lambda d: d["tree"][0].update(id=d["tree"][0]["id"] + "\n"),
    "component id": lambda d: d["components"][0].update(id=d["components"][0]["id"] + "\n"),
    "band year": lambda d: d.update(bands={f"{y}\n": b for y, b in d["bands"].items()}),
    "decision date": lambda d: d["decision"].update(date="2024-01-31\n"),
    "node id, CR": lambda d: d["tree"][0].update(id=d["tree"][0]["id"] + "\r"),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_the_methodology_schema_refuses_a_final_line_break(
    edit: Callable[[dict[str, Any]], None],
) -> None:
    validator = jsonschema.Draft202012Validator(parindex.json_schema("methodology"))
    doc = _methodology_doc()
    assert validator.is_valid(doc)
    bad = copy.deepcopy(doc)
    edit(bad)
    assert not validator.is_valid(bad)  # jsonschema uses re.search, where $ matches before \n


def test_the_methodology_schema_still_takes_a_missing_date() -> None:
    validator = jsonschema.Draft202012Validator(parindex.json_schema("methodology"))
    doc = _methodology_doc()
    doc["decision"]["date"] = None
    assert validator.is_valid(doc)


# --------------------------------------------------------------------------- text

BAD_TEXT = {
    "escape": "\x1b[2J",
    "vertical tab": "\x0b",  # used to be folded into a space silently
    "next line": "\x85",
    "NUL": "\x00",
    "lone surrogate": "\ud800",
}
FIELDS = ("unit", "node", "group", "value", "note")


def _record(field: str, bad: str) -> dict[str, Any]:
    rec: dict[str, Any] = {"unit": "A", "node": DEDUCTION, "value": "1", "group": "g"}
    rec["note" if field == "note" else field] = f"x{bad}y" if field != "value" else f"1{bad}"
    return rec


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bad", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize("path", ["records", "json", "csv"])
def test_control_characters_and_lone_surrogates_are_refused_in_every_text_field(
    field: str, bad: str, path: str
) -> None:
    rec = _record(field, bad)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rec), lineterminator="\n")
    writer.writeheader()
    writer.writerow(rec)
    read = {
        "records": lambda: ScoreSheet.from_records([rec]),
        "json": lambda: sheet_from_dict({"entries": [rec]}),
        "csv": lambda: sheet_from_csv(buf.getvalue()),
    }[path]
    with pytest.raises(InputFormatError) as info:
        read()
    message = str(info.value)
    assert f"U+{ord(bad[0]):04X}" in message
    assert field in message
    assert message.isprintable()  # the message shows the character escaped


def test_a_note_may_hold_line_breaks_tabs_and_invisible_characters() -> None:
    note = "line 1\r\nline\t2 \u200d"
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1", "points": 1, "note": note}])
    assert sheet.entries[0].note == note
    with pytest.raises(InputFormatError, match=r"U\+200B"):
        ScoreSheet.from_records([{"unit": "A", "node": "1", "value": "yes\u200b"}])


@pytest.mark.parametrize("wide", [False, True], ids=["tidy", "wide"])
@pytest.mark.parametrize(
    ("unit", "group", "char"),
    [("A\u200b", "g", "U+200B"), ("A", "g\x1b[31m", "U+001B"), ("A\x0b", "g", "U+000B")],
)
def test_score_frame_refuses_the_text_score_refuses(
    wide: bool, unit: str, group: str, char: str
) -> None:
    if wide:
        frame = pd.DataFrame({"unit": [unit], "appraisal": [50.0], "group": [group]})
    else:
        frame = pd.DataFrame(
            {"unit": [unit], "node": ["appraisal"], "points": [50.0], "group": [group]}
        )
    with pytest.raises(InputFormatError, match=char.replace("+", "[+]")):
        parindex.score_frame("ministry-2022", frame, wide=wide, missing="zero")


# --------------------------------------------------------------------------- row limit

ROWS = [{"unit": "A", "node": str(i), "points": 1} for i in range(1, 4)]
CSV3 = "unit,node,points\n" + "".join(f"A,{r['node']},1\n" for r in ROWS)

READERS: dict[str, Callable[[int], object]] = {
    "csv": lambda n: sheet_from_csv(CSV3, max_rows=n),
    "json": lambda n: sheet_from_json(json.dumps(ROWS), max_rows=n),
    "dict": lambda n: sheet_from_dict({"entries": ROWS}, max_rows=n),
    "records, a generator": lambda n: ScoreSheet.from_records(iter(ROWS), max_rows=n),
    "frame": lambda n: ScoreSheet.from_frame(pd.DataFrame(ROWS), max_rows=n),
}


@pytest.mark.parametrize("read", READERS.values(), ids=READERS.keys())
def test_every_reader_enforces_the_row_limit(read: Callable[[int], object]) -> None:
    assert len(read(3)) == 3  # type: ignore[arg-type]
    with pytest.raises(LimitExceededError) as info:
        read(2)
    assert (info.value.limit, info.value.value, info.value.maximum) == ("MAX_SHEET_ROWS", 3, 2)
    assert "MAX_SHEET_ROWS" in str(info.value)
    assert "max_rows=" in str(info.value)


# --------------------------------------------------------------------------- CSV output

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Names as a spreadsheet user might type them, formula starts among them.
NAME = st.text(
    alphabet=st.sampled_from(list("=+-@'\t\r ,\"\nAĐắk1.")), min_size=1, max_size=8
).filter(lambda t: parindex.model.entries.forbidden_character(t) is None and " ".join(t.split()))


@given(unit=NAME, group=NAME, note=st.text(alphabet=st.sampled_from(list("=+-@'\t\r\nA"))))
def test_a_sheet_written_as_csv_runs_no_formula_and_reads_back_equal(
    unit: str, group: str, note: str
) -> None:
    entries = [
        parindex.ScoreEntry(unit, "1.4.2", points=1.5, group=group, note=note),
        parindex.ScoreEntry(unit, DEDUCTION, value="-1"),
    ]
    sheet = ScoreSheet(entries)
    text = sheet.to_csv()
    for row in csv.DictReader(io.StringIO(text, newline="")):
        for column in TEXT_COLUMNS:
            cell = row[column]
            if cell.startswith(FORMULA_STARTS):
                assert NUMBER_PATTERN.fullmatch(cell), (column, cell)  # "-1" stays a number
    assert sheet_from_csv(text) == sheet


def test_a_unit_named_like_a_formula_is_written_quoted_and_read_back() -> None:
    sheet = ScoreSheet.from_records([{"unit": "=x", "node": "1", "points": 1, "note": "@y"}])
    assert sheet.to_csv().splitlines()[1] == "'=x,1,1.0,,,,,,'@y"
    assert sheet_from_csv(sheet.to_csv()) == sheet


def test_a_unit_starting_with_an_apostrophe_and_a_formula_sign_reads_back() -> None:
    sheet = ScoreSheet.from_records([{"unit": "'=x", "node": "1", "points": 1}])
    assert sheet_from_csv(sheet.to_csv()) == sheet


# --------------------------------------------------------------------------- lookups


class _CountingTuple(tuple):  # type: ignore[type-arg]
    """The entries, counting how often they are scanned."""

    scans = 0

    def __iter__(self) -> Any:
        type(self).scans += 1
        return super().__iter__()


def test_per_unit_lookups_do_not_scan_the_entries() -> None:
    rows = [{"unit": f"U{i}", "node": "1", "points": 1, "group": f"g{i % 3}"} for i in range(50)]
    sheet = ScoreSheet.from_records(rows)
    object.__setattr__(sheet, "entries", _CountingTuple(sheet.entries))
    _CountingTuple.scans = 0
    groups = [sheet.group_of(u) for u in sheet.units]
    parts = [sheet.for_unit(u) for u in sheet.units]
    assert groups == [f"g{i % 3}" for i in range(50)]
    assert [p.units for p in parts] == [(f"U{i}",) for i in range(50)]
    assert _CountingTuple.scans <= 1  # once, to index the rows for for_unit
