"""The one-pass reading of JSON's usual sheet (``{unit, node, points}`` rows, issue
#16) gives exactly the sheet, or the error, of reading every row on its own."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex.model import sheet as sheet_module
from parindex.model.entries import ScoreEntry
from parindex.model.plain import plain_entries
from parindex.model.sheet import sheet_from_rows


def _row_by_row(recs: list[dict[str, Any]]) -> object:
    try:
        rows = [(f"entry {i + 1}", r) for i, r in enumerate(recs)]
        return _shown(sheet_from_rows(rows, decimal_comma=False, collect_all=False))
    except Exception as err:
        return _shown(err)


def _one_pass(recs: list[dict[str, Any]]) -> object:
    try:
        return _shown(parindex.ScoreSheet.from_records(recs))
    except Exception as err:
        return _shown(err)


def _shown(x: object) -> object:
    """A sheet entry by entry, field by field with its type (``-0.0``); an error by its
    type, message and attributes."""
    if isinstance(x, parindex.ScoreSheet):
        return [
            [
                (f.name, type(v), repr(v))
                for f in attrs.fields(ScoreEntry)
                for v in [getattr(e, f.name)]
            ]
            for e in x.entries
        ]
    assert isinstance(x, BaseException)
    return (type(x), str(x), [repr(getattr(x, a, None)) for a in ("unit", "node", "value", "row")])


_NFD = unicodedata.normalize("NFD", "Đắk Lắk")
_GOOD_UNITS = st.sampled_from(["Đắk Lắk", " Đắk  Lắk ", _NFD, "Gia Lai", "gia lai"])
_UNITS = st.one_of(
    _GOOD_UNITS, _GOOD_UNITS, _GOOD_UNITS, st.sampled_from(["A\u200b", "", " ", "\x0b"])
)
_NODES = st.one_of(st.sampled_from(["1", " 1 ", "2", "3.2"]), st.sampled_from(["x\u200b", "", "1"]))
_POINTS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 7, -1, 2**53, 2**53 - 1, 10**400, True, -0.0, "8.5", None]),
)


@st.composite
def _records(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = draw(
        st.lists(
            st.fixed_dictionaries({"unit": _UNITS, "node": _NODES, "points": _POINTS}), max_size=6
        )
    )
    if rows and draw(st.booleans()):  # now and then a row of another shape
        i = draw(st.integers(0, len(rows) - 1))
        rows[i] = {
            **rows[i],
            **draw(st.sampled_from([{"note": "x"}, {"points": None, "status": "na"}])),
        }
    return rows


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_records())
def test_one_pass_reads_as_row_by_row(recs: list[dict[str, Any]]) -> None:
    assert _one_pass(recs) == _row_by_row(recs)


def test_the_usual_sheet_takes_the_one_pass(monkeypatch: Any) -> None:
    recs = [{"unit": u, "node": n, "points": 1.5} for u in ("A", "B") for n in ("1", "2")]
    assert plain_entries(recs) is not None

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read row by row")

    monkeypatch.setattr(sheet_module, "sheet_from_rows", refuse)
    assert parindex.ScoreSheet.from_records(recs).units == ("A", "B")


def test_rows_of_another_shape_are_read_row_by_row() -> None:
    for odd in (
        {"unit": "A", "node": "1", "points": "8.5"},
        {"unit": "A", "node": "1", "points": -1.0},
        {"unit": "A", "node": "1", "points": math.nan},
        {"unit": "A", "node": "1", "points": math.inf},
        {"unit": "A", "node": "1", "points": 2**53},
        {"unit": "A", "node": "1", "points": True},
        {"unit": "A", "node": 1, "points": 1.0},
        {"unit": "A", "node": "1", "value": "97%"},
        {"unit": "A\u200b", "node": "1", "points": 1.0},
    ):
        assert plain_entries([odd]) is None, odd
    assert plain_entries([{"unit": "A", "node": "1", "points": 3}])[0].points == 3.0  # type: ignore[index]


def test_a_duplicate_is_named_as_before() -> None:
    recs = [{"unit": "A", "node": "1", "points": 1.0}, {"unit": " A", "node": "1 ", "points": 2.0}]
    assert _one_pass(recs) == _row_by_row(recs)
    assert "given twice (entries 1 and 2)" in str(_one_pass(recs))
