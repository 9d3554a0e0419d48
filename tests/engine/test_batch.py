"""Batch scoring from DataFrames equals scoring unit by unit, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import parindex
from parindex import Methodology, ScoreSheet
from parindex.testing import methodologies, score_sheets

partial_na = methodologies().flatmap(
    lambda m: score_sheets(m, partial=True, na=True, groups=True).map(lambda s: (m, s))
)
points_only = methodologies().flatmap(
    lambda m: score_sheets(m, partial=True, na=False, values=False, max_units=6).map(
        lambda s: (m, s)
    )
)
FIELDS = ("points", "max_points", "index", "na", "self_points", "appraised_points")


def _assert_unit_equal(batch: parindex.Scores, i: int, alone: parindex.Scores) -> None:
    for name in FIELDS:
        a = getattr(batch.batch, name)[i]
        b = getattr(alone.batch, name)[0]
        np.testing.assert_array_equal(a, b, err_msg=f"{batch.units[i]}: {name}")  # NaN == NaN
        assert a.tobytes() == b.tobytes(), (batch.units[i], name)  # bit for bit (-0.0, NaN)
    assert batch.batch.groups[i] == alone.batch.groups[0]


@given(partial_na, st.sampled_from(["unknown", "zero"]))
def test_tidy_batch_equals_unit_by_unit(case: tuple[Methodology, ScoreSheet], missing: str) -> None:
    m, sheet = case
    frame = sheet.to_frame()
    before = frame.copy()
    batch = parindex.score_frame(m, frame, missing=missing)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    assert batch.units == sheet.units
    for i, unit in enumerate(batch.units):
        alone = parindex.score(m, sheet.for_unit(unit), missing=missing)  # type: ignore[arg-type]
        _assert_unit_equal(batch, i, alone)


@given(points_only, st.sampled_from(["unknown", "zero"]))
def test_wide_batch_equals_unit_by_unit(case: tuple[Methodology, ScoreSheet], missing: str) -> None:
    m, sheet = case
    wide = sheet.to_frame().pivot(index="unit", columns="node", values="points")
    wide = wide.reindex(list(sheet.units)).reset_index()
    batch = parindex.score_frame(m, wide, wide=True, missing=missing)  # type: ignore[arg-type]
    for i, unit in enumerate(batch.units):
        alone = parindex.score(m, sheet.for_unit(unit), missing=missing)  # type: ignore[arg-type]
        _assert_unit_equal(batch, i, alone)


@given(partial_na)
def test_wide_frame_with_na_and_values_takes_the_exact_path(
    case: tuple[Methodology, ScoreSheet],
) -> None:
    m, sheet = case
    cells = {}
    for e in sheet.entries:
        cell: object = e.points if e.points is not None else ("na" if e.na else str(e.value))
        cells.setdefault(e.unit, {})[e.node] = cell
    wide = pd.DataFrame.from_dict(cells, orient="index").rename_axis("unit").reset_index()
    batch = parindex.score_frame(m, wide, wide=True, missing="unknown")
    tidy = parindex.score_frame(m, parindex.engine.batch.wide_to_tidy(wide, m), missing="unknown")
    for name in FIELDS[:4]:
        np.testing.assert_array_equal(getattr(batch.batch, name), getattr(tidy.batch, name))


def test_many_scenarios_of_one_unit_in_one_call() -> None:
    m = parindex.get_methodology("ministry-2022")
    wide = pd.DataFrame(
        {"unit": ["base", "survey +1", "survey +2"], "appraisal": 55.0, "survey": [28, 29, 30]}
    )
    totals = parindex.score_frame(m, wide, wide=True).totals()
    assert totals["par_index"].tolist() == [83.0, 84.0, 85.0]


def test_values_in_a_wide_frame_are_read_by_the_rules() -> None:
    m = parindex.get_methodology("illustrative-district")
    wide = pd.DataFrame({"unit": ["A", "B"], "1.1.2": [100.0, 79.9], "1.2.1": [0.0, 3.0]})
    s = parindex.score_frame(
        m, wide, wide=True, cells="values", missing="unknown", rate_scale="percent"
    )
    assert s.unit("A").nodes["1.1.2"].points == 3.0
    assert s.unit("B").nodes["1.1.2"].points == 1.0
    assert s.unit("B").nodes["1.2.1"].points == 0.5


def _message(fn: object) -> tuple[type, str]:
    with pytest.raises(parindex.ParIndexError) as info:
        fn()  # type: ignore[operator]
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "rows",
    [
        [{"unit": "A", "node": "appraisal", "points": 1.0}] * 2,  # duplicate
        [{"unit": " ", "node": "appraisal", "points": 1.0}],  # blank unit
        [{"unit": "A", "node": "appraisal", "points": float("inf")}],  # inf
        [{"unit": "A", "node": "appraisal", "points": -1.0}],  # negative
        [{"unit": "A", "node": "appraisal", "points": None}],  # blank row
        [{"unit": "A", "node": "appraisal", "points": 1.0, "status": "maybe"}],  # bad status
        [{"unit": "A", "node": "nope", "points": 1.0}],  # unknown node
        [{"unit": "A", "node": "appraisal", "points": 99.0}],  # out of range
        [{"unit": "A", "node": "appraisal", "points": 1.0, "colour": "red"}],  # unknown column
        [
            {"unit": "A", "node": "appraisal", "points": 1.0, "group": "x"},
            {"unit": "A", "node": "survey", "points": 1.0, "group": "y"},
        ],
    ],
)
def test_bad_frames_raise_the_same_error_as_the_sheet_path(rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(rows)
    expected = _message(lambda: parindex.score("ministry-2022", frame))
    assert _message(lambda: parindex.score_frame("ministry-2022", frame)) == expected


def test_unknown_wide_column_is_refused() -> None:
    wide = pd.DataFrame({"unit": ["A"], "appraisal": [1.0], "colour": [2.0]})
    with pytest.raises(parindex.errors.UnknownNodeError, match="colour"):
        parindex.score_frame("ministry-2022", wide, wide=True)


def test_wide_duplicate_units_are_refused_like_the_sheet() -> None:
    wide = pd.DataFrame({"unit": ["A", "A"], "appraisal": [1.0, 2.0], "survey": [1.0, 1.0]})
    with pytest.raises(parindex.errors.DuplicateEntryError, match="given twice"):
        parindex.score_frame("ministry-2022", wide, wide=True)


def test_two_wide_columns_for_one_node_are_refused_not_overwritten() -> None:
    # " appraisal" normalises to "appraisal": the second column used to win silently.
    wide = pd.DataFrame(
        {"unit": ["A"], "appraisal": [60.0], " appraisal": [10.0], "survey": [30.0]}
    )
    with pytest.raises(parindex.errors.DuplicateEntryError, match="'appraisal': given twice"):
        parindex.score_frame("ministry-2022", wide, wide=True)


def test_wide_unit_names_are_normalised_and_checked_like_the_sheet() -> None:
    wide = pd.DataFrame(
        {"unit": [" Đắk  Lắk ", "Gia Lai"], "appraisal": [60.0, 50.0], "survey": [30.0, 20.0]}
    )
    assert parindex.score_frame("ministry-2022", wide, wide=True).units == ("Đắk Lắk", "Gia Lai")
    nfd = pd.DataFrame(
        {
            "unit": ["Đắk Lắk", "Đắk Lắk".replace("ắ", "a\u0306\u0301")],
            "appraisal": [1.0, 2.0],
            "survey": [1.0, 1.0],
        }
    )
    with pytest.raises(parindex.errors.DuplicateEntryError, match="given twice"):
        parindex.score_frame("ministry-2022", nfd, wide=True)
    blank = pd.DataFrame({"unit": ["A", "  "], "appraisal": [1.0, 2.0], "survey": [1.0, 1.0]})
    with pytest.raises(parindex.errors.InputFormatError, match="'unit' is blank"):
        parindex.score_frame("ministry-2022", blank, wide=True)


@given(partial_na, st.sampled_from(["unknown", "zero"]))
def test_shortcut_for_absent_self_points_equals_the_full_sum(
    case: tuple[Methodology, ScoreSheet], missing: str
) -> None:
    from parindex.engine.aggregate import _aggregate, _extra_sums
    from parindex.engine.compile import compile_methodology
    from parindex.engine.scores import sheet_columns

    m, sheet = case
    c = compile_methodology(m)
    cols = sheet_columns(sheet)
    n_units, size = len(cols.units), len(c.slot_ids)
    tree_only = np.zeros((n_units, size), dtype=bool)
    na_given = np.zeros((n_units, size), dtype=bool)
    for u, node, na in zip(cols.unit_idx, cols.node, cols.na, strict=True):
        s = c.pos[node]
        if s < c.n_nodes:
            tree_only[u, s] = True
        na_given[u, s] = na
    empty = np.full((n_units, size), np.nan)
    na = _aggregate(c, empty, tree_only, na_given, missing, None)[2]  # type: ignore[arg-type]
    full = _aggregate(c, empty, tree_only, na_given, "unknown", None)[0]
    quick = _extra_sums(c, empty, tree_only, na_given, na, True)
    assert full.tobytes() == np.ascontiguousarray(quick).tobytes()


def test_wide_groups_and_index_units() -> None:
    wide = pd.DataFrame(
        {"appraisal": [60.0, 50.0, 55.0], "survey": [30.0, 20.0, 25.0], "group": ["x", "y", " x "]},
        index=pd.Index(["A", "B", "C"], name="unit"),
    )
    s = parindex.score_frame("ministry-2022", wide, wide=True)
    assert s.units == ("A", "B", "C")
    assert s.batch.groups == ("x", "y", "x")
    ranks = parindex.rank(s).to_frame().set_index("unit")["rank"].to_dict()
    assert ranks == {"A": 1, "B": 1, "C": 2}  # ranked within groups


complete_points = methodologies().flatmap(
    lambda m: score_sheets(m, partial=False, na=False, values=False, max_units=6).map(
        lambda s: (m, s)
    )
)


@given(complete_points)
def test_a_complete_wide_frame_equals_unit_by_unit(case: tuple[Methodology, ScoreSheet]) -> None:
    # No cell missing: the wide path checks bounds with column minima and maxima.
    m, sheet = case
    wide = sheet.to_frame().pivot(index="unit", columns="node", values="points")
    wide = wide.reindex(list(sheet.units)).reset_index()
    batch = parindex.score_frame(m, wide, wide=True)
    for i, unit in enumerate(batch.units):
        _assert_unit_equal(batch, i, parindex.score(m, sheet.for_unit(unit)))


def _outcome(fn: object) -> object:
    try:
        s = fn()  # type: ignore[operator]
    except parindex.ParIndexError as err:
        return type(err), str(err)
    return [getattr(s.batch, name).tobytes() for name in FIELDS[:4]]


@given(methodologies(), st.integers(1, 4), st.sampled_from(["values", "points"]), st.data())
def test_numeric_values_in_a_wide_frame_equal_the_tidy_path(
    m: Methodology, n_units: int, cells: str, data: st.DataObject
) -> None:
    # Raw numbers for every leaf (rates in percent, counts, 0/1), some missing, some
    # out of range for their rule: the wide path and the tidy path agree, error or not.
    leaves = [n for n in m.nodes() if n.is_leaf]
    cols: dict[str, object] = {"unit": [f"Đơn vị {i}" for i in range(n_units)]}
    for leaf in leaves:
        top = leaf.max_points or 1.0  # points within the maximum are common too
        cell = st.sampled_from([0.0, top / 2, top, 57.0, 100.0, float("nan"), -1.0, 1e300])
        cols[leaf.id] = data.draw(st.lists(cell, min_size=n_units, max_size=n_units))
    wide = pd.DataFrame(cols)
    kw: dict[str, object] = {"cells": cells, "missing": "unknown", "rate_scale": "percent"}
    tidy = parindex.engine.batch.wide_to_tidy(wide, m, cells=cells)  # type: ignore[arg-type]
    # A row with nothing given has no tidy rows: that unit is in one form only.
    assume(tidy["unit"].nunique() == n_units)
    assert _outcome(lambda: parindex.score_frame(m, wide, wide=True, **kw)) == _outcome(
        lambda: parindex.score_frame(m, tidy, missing="unknown", rate_scale="percent")
    )


@pytest.mark.parametrize("bad", [99.0, -1.0, float("inf"), -float("inf"), -0.5])
@pytest.mark.parametrize("gap", [False, True])
def test_a_bad_cell_in_a_wide_frame_gets_the_tidy_paths_error(bad: float, gap: bool) -> None:
    wide = pd.DataFrame(
        {
            "unit": ["A", "B", "C"],
            "appraisal": [50.0, bad, 40.0],
            "survey": [20.0, 20.0, np.nan if gap else 10.0],
        }
    )
    tidy = parindex.engine.batch.wide_to_tidy(wide, parindex.get_methodology("ministry-2022"))
    expected = _message(lambda: parindex.score_frame("ministry-2022", tidy, missing="unknown"))
    assert "'B'" in expected[1]
    got = _message(
        lambda: parindex.score_frame("ministry-2022", wide, wide=True, missing="unknown")
    )
    assert got == expected
