"""Aggregation worked by hand: N/A re-basing, the three missing-data policies, points
given on an inner node, score components, self-assessed sums, and a batch that mixes
all of these (each unit as if scored alone). Written to kill the mutants of
``tools/mutate.py`` on ``parindex.engine.aggregate``.

The tree of every case (maxima in brackets; total 20 = fields 10 + 10 = components
appraisal 15 + survey 5)::

    1 [10]: 1.1 [4], 1.2 [6]
    2 [10]: 2.1 [5], 2.2 [5]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import parindex
from parindex.engine.aggregate import score_columns, score_dense
from parindex.engine.arrays import DenseSheet
from parindex.engine.compile import compile_methodology
from parindex.engine.scores import sheet_columns
from parindex.errors import (
    ConflictError,
    MissingDataError,
    PointsOutOfRangeError,
    ScoreSheetErrors,
)

FULL = {"1.1": 3.0, "1.2": 5.5, "2.1": 4.0, "2.2": 2.5}


def _methodology(**extra: Any) -> parindex.Methodology:
    doc: dict[str, Any] = {
        "format": "parindex-methodology/1",
        "id": "mini-aggregation",
        "level": "district",
        "evaluation_years": [2024],
        "total_max": 20,
        "components": [
            {"id": "appraisal", "max_points": 15, "method": "appraisal"},
            {"id": "survey", "max_points": 5, "method": "survey", "allow_na": True},
        ],
        "tree": [
            {
                "id": "1",
                "max_points": 10,
                "children": [{"id": "1.1", "max_points": 4}, {"id": "1.2", "max_points": 6}],
            },
            {
                "id": "2",
                "max_points": 10,
                "children": [{"id": "2.1", "max_points": 5}, {"id": "2.2", "max_points": 5}],
            },
        ],
        **extra,
    }
    return parindex.methodology_from_dict(doc)


M = _methodology()


def _records(unit: str, cells: dict[str, float | str | None]) -> list[dict[str, Any]]:
    """``node -> points`` (``"na"``: not applicable; ``None``: left out)."""
    out: list[dict[str, Any]] = []
    for node, value in cells.items():
        if value is None:
            continue
        if value == "na":
            out.append({"unit": unit, "node": node, "status": "na"})
        else:
            out.append({"unit": unit, "node": node, "points": value})
    return out


def _score(cells: dict[str, Any], missing: str = "error", unit: str = "U") -> Any:
    sheet = parindex.ScoreSheet.from_records(_records(unit, cells))
    return parindex.score(M, sheet, missing=missing).unit(unit)  # type: ignore[arg-type]


def _numbers(node: Any) -> tuple[Any, ...]:
    return (node.points, node.max_points, node.index, node.status)


# --------------------------------------------------------------------------- by hand


def test_every_leaf_given() -> None:
    unit = _score(FULL)
    # 1: 3 + 5.5 = 8.5 of 10 -> 85 %; 2: 4 + 2.5 = 6.5 of 10 -> 65 %; total 15 of 20 -> 75 %
    assert _numbers(unit.nodes["1"]) == (8.5, 10.0, 85.0, "scored")
    assert _numbers(unit.nodes["2"]) == (6.5, 10.0, 65.0, "scored")
    assert _numbers(unit.total) == (15.0, 20.0, 75.0, "scored")
    assert _numbers(unit.nodes["1.2"]) == (5.5, 6.0, 91.666666667, "scored")


def test_one_na_child_and_one_scored_child_rebase_the_parent() -> None:
    unit = _score({**FULL, "2.1": "na"})
    # 2.1 leaves the maximum of 2 and of the total: 2 is 2.5 of 5 -> 50 %;
    # total 3 + 5.5 + 2.5 = 11 of 20 - 5 = 15 -> 73.333... %
    assert _numbers(unit.nodes["2.1"]) == (None, 0.0, None, "na")
    assert _numbers(unit.nodes["2"]) == (2.5, 5.0, 50.0, "scored")
    assert _numbers(unit.total) == (11.0, 15.0, 73.333333333, "scored")
    assert _numbers(unit.nodes["1"]) == (8.5, 10.0, 85.0, "scored")


def test_a_node_whose_children_are_all_na_is_na() -> None:
    unit = _score({**FULL, "2.1": "na", "2.2": "na"})
    # 2 leaves the total: 8.5 of 10 -> 85 %. Its N/A children add 0 points.
    assert _numbers(unit.nodes["2"]) == (0.0, 0.0, None, "na")
    assert _numbers(unit.total) == (8.5, 10.0, 85.0, "scored")


def test_na_given_on_an_inner_node() -> None:
    unit = _score({"1.1": 3.0, "1.2": 5.5, "2": "na"})
    assert _numbers(unit.nodes["2"]) == (None, 0.0, None, "na")
    assert _numbers(unit.total) == (8.5, 10.0, 85.0, "scored")


def test_every_field_na_leaves_the_total_na() -> None:
    unit = _score({"1": "na", "2": "na"})
    assert unit.total.index is None
    assert unit.total.max_points == 0.0


def test_missing_unknown_with_some_children_given() -> None:
    unit = _score({**FULL, "1.2": None}, missing="unknown")
    # 1.2 is missing: 1 cannot be known, nor can the total; 2 is whole.
    assert unit.nodes["1"].points is None
    assert unit.nodes["1"].index is None
    assert unit.nodes["1.1"].points == 3.0
    assert _numbers(unit.nodes["2"]) == (6.5, 10.0, 65.0, "scored")
    assert unit.total.points is None
    assert unit.total.index is None


def test_missing_zero_counts_the_gap_as_no_points() -> None:
    unit = _score({**FULL, "1.2": None}, missing="zero")
    # 1: 3 + 0 = 3 of 10 -> 30 %; total 3 + 6.5 = 9.5 of 20 -> 47.5 %
    assert _numbers(unit.nodes["1"]) == (3.0, 10.0, 30.0, "scored")
    assert _numbers(unit.total) == (9.5, 20.0, 47.5, "scored")


def test_missing_zero_with_an_na_sibling() -> None:
    unit = _score({"1.1": 3.0, "2.1": "na"}, missing="zero")
    # 1: 3 + 0 = 3 of 10; 2: 2.1 N/A, 2.2 counted 0 -> 0 of 5; total 3 of 15 -> 20 %
    assert _numbers(unit.nodes["2"]) == (0.0, 5.0, 0.0, "scored")
    assert _numbers(unit.total) == (3.0, 15.0, 20.0, "scored")


def test_missing_error_names_the_unit_the_node_and_the_gap() -> None:
    with pytest.raises(MissingDataError) as caught:
        _score({**FULL, "1.2": None}, unit="Huyện A")
    err = caught.value
    assert (err.unit, err.node, err.value) == ("Huyện A", "1", "1.2")
    assert "node '1' is only partly given; missing 1.2" in str(err)


def test_missing_error_at_the_total() -> None:
    with pytest.raises(MissingDataError) as caught:
        _score({"1.1": 3.0, "1.2": 5.5})
    assert (caught.value.node, caught.value.value) == ("total", "2")
    assert "the total is only partly given" in str(caught.value)
    # With missing="zero" the absent field counts 0: 8.5 of 20 -> 42.5 %.
    assert _numbers(_score({"1.1": 3.0, "1.2": 5.5}, missing="zero").total) == (
        8.5,
        20.0,
        42.5,
        "scored",
    )


def test_points_given_on_an_inner_node_stand_for_its_children() -> None:
    unit = _score({"1": 7.0, "2.1": 4.0, "2.2": 2.5})
    # 1 given as 7 of 10 -> 70 %; total 7 + 6.5 = 13.5 of 20 -> 67.5 %
    assert _numbers(unit.nodes["1"]) == (7.0, 10.0, 70.0, "scored")
    assert unit.nodes["1.1"].points is None
    assert _numbers(unit.total) == (13.5, 20.0, 67.5, "scored")


# --------------------------------------------------------------------------- components


def test_components_alone_give_the_total() -> None:
    unit = _score({"appraisal": 12.0, "survey": 4.0})
    # 12 + 4 = 16 of 20 -> 80 %; appraisal 12 of 15 -> 80 %; survey 4 of 5 -> 80 %
    assert _numbers(unit.total) == (16.0, 20.0, 80.0, "scored")
    assert _numbers(unit.components["appraisal"]) == (12.0, 15.0, 80.0, "scored")
    assert _numbers(unit.components["survey"]) == (4.0, 5.0, 80.0, "scored")
    assert unit.nodes["1"].points is None


def test_an_na_component_leaves_the_total_maximum() -> None:
    unit = _score({"appraisal": 12.0, "survey": "na"})
    # 12 of 20 - 5 = 15 -> 80 %
    assert _numbers(unit.total) == (12.0, 15.0, 80.0, "scored")
    assert _numbers(unit.components["survey"]) == (None, 0.0, None, "na")


def test_fields_and_components_that_agree_and_that_clash() -> None:
    agree = _score({**FULL, "appraisal": 11.25, "survey": 3.75})  # 15 = 15
    assert _numbers(agree.total) == (15.0, 20.0, 75.0, "scored")
    noise = _score({**FULL, "appraisal": 11.25, "survey": 3.7500001})  # 1e-7 apart: equal
    assert noise.total.points == 15.0
    with pytest.raises(ConflictError) as caught:
        _score({**FULL, "appraisal": 11.25, "survey": 3.76}, unit="X")
    assert (caught.value.unit, caught.value.node) == ("X", "total")
    assert caught.value.value == (15.0, 15.01)
    assert "fields add up to 15 but score components add up to 15.01" in str(caught.value)


def test_partly_given_components() -> None:
    with pytest.raises(MissingDataError, match="the total is only partly given; missing survey"):
        _score({"appraisal": 12.0})
    assert _numbers(_score({"appraisal": 12.0}, missing="zero").total) == (
        12.0,
        20.0,
        60.0,
        "scored",
    )
    assert _score({"appraisal": 12.0}, missing="unknown").total.points is None
    # Whole fields and one component: the fields give the total, unless the missing
    # component counts 0, when 11.25 + 0 clashes with the fields' 15.
    assert _score({**FULL, "appraisal": 11.25}, missing="unknown").total.points == 15.0
    with pytest.raises(ConflictError, match=r"add up to 15 but score components add up to 11\.25"):
        _score({**FULL, "appraisal": 11.25}, missing="zero")


def test_whole_components_make_partial_fields_acceptable() -> None:
    unit = _score({"1.1": 3.0, "1.2": 5.5, "appraisal": 12.0, "survey": 4.0})
    # Field 2 is absent, but the components give the total: 16 of 20.
    assert _numbers(unit.total) == (16.0, 20.0, 80.0, "scored")
    assert unit.nodes["1"].points == 8.5


# --------------------------------------------------------------------------- extras


def test_self_assessed_and_appraised_points_are_summed_like_points() -> None:
    rows = [
        {"unit": "U", "node": "1.1", "points": 3.0, "self_points": 4.0, "appraised_points": 3.5},
        {"unit": "U", "node": "1.2", "points": 5.5, "self_points": 6.0, "appraised_points": 5.0},
        {"unit": "U", "node": "2.1", "status": "na"},
        {"unit": "U", "node": "2.2", "status": "na"},
    ]
    unit = parindex.score(M, parindex.ScoreSheet.from_records(rows)).unit("U")
    # 1: self 4 + 6 = 10, appraised 3.5 + 5 = 8.5; 2 is N/A (its sums are 0);
    # total: self 10, appraised 8.5.
    assert (unit.nodes["1"].self_points, unit.nodes["1"].appraised_points) == (10.0, 8.5)
    assert (unit.total.self_points, unit.total.appraised_points) == (10.0, 8.5)
    assert unit.nodes["2"].self_points in (0.0, None)


def test_self_assessed_points_partly_given_are_unknown() -> None:
    rows = [
        {"unit": "U", "node": "1.1", "points": 3.0, "self_points": 4.0},
        {"unit": "U", "node": "1.2", "points": 5.5},
        {"unit": "U", "node": "2.1", "points": 4.0, "self_points": 5.0},
        {"unit": "U", "node": "2.2", "points": 2.5, "self_points": 5.0},
    ]
    unit = parindex.score(M, parindex.ScoreSheet.from_records(rows)).unit("U")
    assert unit.nodes["1"].self_points is None  # 1.2's self-assessment is missing
    assert unit.nodes["2"].self_points == 10.0
    assert unit.total.self_points is None
    assert unit.nodes["1"].appraised_points is None  # none given at all


# --------------------------------------------------------------------------- batch

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "full": (FULL, "error"),
    "na-one": ({**FULL, "2.1": "na"}, "error"),
    "na-both": ({**FULL, "2.1": "na", "2.2": "na"}, "error"),
    "na-inner": ({"1.1": 3.0, "1.2": 5.5, "2": "na"}, "error"),
    "inner": ({"1": 7.0, "2.1": 4.0, "2.2": 2.5}, "error"),
    "components": ({"appraisal": 12.0, "survey": 4.0}, "error"),
    "component-na": ({"appraisal": 12.0, "survey": "na"}, "error"),
    "both": ({**FULL, "appraisal": 11.25, "survey": 3.75}, "error"),
    "gap-zero": ({**FULL, "1.2": None}, "zero"),
    "gap-unknown": ({**FULL, "1.2": None}, "unknown"),
    "na-gap-zero": ({"1.1": 3.0, "2.1": "na"}, "zero"),
    "na-gap-unknown": ({"1.1": 3.0, "2.1": "na", "2.2": 1.0}, "unknown"),
}


@pytest.mark.parametrize("missing", ["zero", "unknown"])
def test_a_mixed_batch_scores_every_unit_as_if_alone(missing: str) -> None:
    # Column-wide shortcuts (a whole column given, no N/A in it) must not leak from one
    # unit to another: every unit of the batch equals that unit scored alone.
    cases = {k: cells for k, (cells, policy) in CASES.items() if policy in ("error", missing)}
    records = [r for name, cells in cases.items() for r in _records(name, cells)]
    batch = parindex.score(M, parindex.ScoreSheet.from_records(records), missing=missing)  # type: ignore[arg-type]
    for name, cells in cases.items():
        alone = _score(cells, missing=missing, unit=name)
        together = batch.unit(name)
        assert together == alone, name


def test_batch_results_by_hand() -> None:
    records = [r for name in ("full", "na-one", "inner") for r in _records(name, CASES[name][0])]
    batch = parindex.score(M, parindex.ScoreSheet.from_records(records))
    assert [batch.unit(u).total.index for u in ("full", "na-one", "inner")] == [
        75.0,
        73.333333333,
        67.5,
    ]
    assert [batch.unit(u).nodes["2"].max_points for u in ("full", "na-one", "inner")] == [
        10.0,
        5.0,
        10.0,
    ]


# --------------------------------------------------------------------------- partial tree


def test_a_node_whose_listed_children_do_not_make_it_up_stays_unknown() -> None:
    partial = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "mini-partial",
            "level": "district",
            "evaluation_years": [2024],
            "total_max": 20,
            "complete": False,
            "tree": [
                {"id": "1", "max_points": 10, "children": [{"id": "1.1", "max_points": 4}]},
                {"id": "2", "max_points": 10},
            ],
        }
    )
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": "A", "node": "1.1", "points": 3.0},
            {"unit": "A", "node": "2", "points": 6.0},
            {"unit": "B", "node": "1", "points": 7.0},
            {"unit": "B", "node": "2", "points": 6.0},
        ]
    )
    scores = parindex.score(partial, sheet, missing="unknown")
    a, b = scores.unit("A"), scores.unit("B")
    # 1.1 (4 of 10) does not make up 1: 1's points stay unknown, and so the total.
    assert a.nodes["1"].points is None
    assert a.total.points is None
    assert a.nodes["2"].points == 6.0
    # Given directly, 1 is known: total 7 + 6 = 13 of 20 -> 65 %.
    assert b.nodes["1"].points == 7.0
    assert _numbers(b.total) == (13.0, 20.0, 65.0, "scored")


def test_fields_and_components_exactly_the_tolerance_apart_agree() -> None:
    # Fields 0.000001 + 0 + 0 + 0, components 0 + 0: 1e-6 apart, the tolerance itself.
    cells = {"1.1": 1e-6, "1.2": 0.0, "2.1": 0.0, "2.2": 0.0, "appraisal": 0.0, "survey": 0.0}
    assert _score(cells).total.points == 1e-6


def test_na_fields_with_whole_components_keep_the_fields_maximum() -> None:
    # Fields: 2.1 N/A, 3 + 5.5 + 2.5 = 11 of 15; components 8.25 + 2.75 = 11 agree.
    # The fields give the total, with their maximum: 11 of 15 -> 73.333... %.
    unit = _score({**FULL, "2.1": "na", "appraisal": 8.25, "survey": 2.75})
    assert _numbers(unit.total) == (11.0, 15.0, 73.333333333, "scored")


def test_components_above_the_total_maximum_are_named_in_the_message() -> None:
    m = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "mini-unknown-components",
            "level": "district",
            "evaluation_years": [2024],
            "total_max": 20,
            "components": [
                {"id": "appraisal", "method": "appraisal"},
                {"id": "survey", "method": "survey"},
            ],
            "tree": [{"id": "1", "max_points": 10}, {"id": "2", "max_points": 10}],
        }
    )
    # 15 + 10 = 25 > 20; each alone is within the total's 20.
    sheet = parindex.ScoreSheet.from_records(_records("U", {"appraisal": 15.0, "survey": 10.0}))
    with pytest.raises(PointsOutOfRangeError, match="sum of the score components given"):
        parindex.score(m, sheet)


# --------------------------------------------------------------------------- partial N/A


PARTIAL = parindex.methodology_from_dict(
    {
        "format": "parindex-methodology/1",
        "id": "mini-partial-na",
        "level": "district",
        "evaluation_years": [2024],
        "total_max": 20,
        "complete": False,
        "tree": [
            {"id": "1", "max_points": 10, "children": [{"id": "1.1", "max_points": 4}]},
            {
                "id": "2",
                "max_points": 10,
                "children": [{"id": "2.1", "max_points": 5}, {"id": "2.2", "max_points": 5}],
            },
        ],
    }
)


def test_an_absent_partial_node_loses_no_maximum() -> None:
    sheet = parindex.ScoreSheet.from_records(_records("U", {"2.1": "na", "2.2": 3.0}))
    unit = parindex.score(PARTIAL, sheet, missing="zero").unit("U")
    # 1 is absent (counted 0 of its full 10); 2.1 is N/A: 3 of 20 - 5 = 15 -> 20 %.
    assert _numbers(unit.total) == (3.0, 15.0, 20.0, "scored")


def test_a_partial_node_given_na_leaves_the_total_maximum() -> None:
    sheet = parindex.ScoreSheet.from_records(_records("U", {"1": "na", "2.1": 4.0, "2.2": 2.0}))
    unit = parindex.score(PARTIAL, sheet).unit("U")
    # 1 is N/A: 4 + 2 = 6 of 20 - 10 = 10 -> 60 %.
    assert _numbers(unit.nodes["1"]) == (None, 0.0, None, "na")
    assert _numbers(unit.total) == (6.0, 10.0, 60.0, "scored")


# --------------------------------------------------------------------------- engine calls


def _dense(rows: list[dict[str, float]], c: Any) -> DenseSheet:
    given = np.full((len(rows), len(c.slot_ids)), np.nan)
    for u, row in enumerate(rows):
        for node, points in row.items():
            given[u, c.pos[node]] = points
    nan = np.full(given.shape, np.nan)
    return DenseSheet(given, ~np.isnan(given), np.zeros(given.shape, dtype=bool), nan, nan.copy())


def test_score_dense_leaves_its_inputs_alone() -> None:
    c = compile_methodology(M)
    dense = _dense([FULL], c)
    # One unit: its arrays are column-major as well as row-major, the case in which
    # summing in place would be possible.
    dense.self_given[0, [c.pos["1.1"], c.pos["1.2"]]] = 4.0, 6.0
    before = [a.copy() for a in (dense.given, dense.present, dense.self_given)]
    batch = score_dense(c, ("U",), (None,), dense)
    assert float(batch.points[0, c.total_slot]) == 15.0
    assert float(batch.self_points[0, c.pos["1"]]) == 10.0
    for was, now in zip(before, (dense.given, dense.present, dense.self_given), strict=True):
        assert np.array_equal(was, now, equal_nan=True)


def test_score_dense_refuses_a_unit_with_nothing_given() -> None:
    c = compile_methodology(M)
    with pytest.raises(MissingDataError, match="no points for any node") as caught:
        score_dense(c, ("A", "B"), (None, None), _dense([FULL, {}], c))
    assert caught.value.unit == "B"


def test_engine_calls_raise_one_error_unless_asked_for_all() -> None:
    c = compile_methodology(M)
    with pytest.raises(MissingDataError):
        score_dense(c, ("A",), (None,), _dense([{"1.1": 3.0}], c))
    sheet = parindex.ScoreSheet.from_records(_records("A", {**FULL, "1.2": None}))
    with pytest.raises(MissingDataError):
        score_columns(c, sheet_columns(sheet))


def test_an_empty_sheet_scores_no_unit() -> None:
    assert parindex.score(M, parindex.ScoreSheet.from_records([])).units == ()
    empty = parindex.score(M, parindex.ScoreSheet.from_records([]), missing="unknown")
    assert empty.units == ()


def test_score_columns_raises_the_first_problem_alone_unless_asked_for_all() -> None:
    c = compile_methodology(M)
    # A gives 1.1 only, B 2.1 only: both leave a field and the total partly given.
    sheet = parindex.ScoreSheet.from_records(
        _records("A", {"1.1": 3.0}) + _records("B", {"2.1": 4.0})
    )
    with pytest.raises(MissingDataError) as first:
        score_columns(c, sheet_columns(sheet))
    assert (first.value.unit, first.value.node) == ("A", "1")
    with pytest.raises(ScoreSheetErrors) as every:
        score_columns(c, sheet_columns(sheet), collect_all=True)
    assert len(every.value.exceptions) == 4
    missing = [e for e in every.value.exceptions if isinstance(e, MissingDataError)]
    assert sorted((e.unit, e.node) for e in missing) == [
        ("A", "1"),
        ("A", "total"),
        ("B", "2"),
        ("B", "total"),
    ]


def test_a_total_from_the_fields_above_its_maximum_names_the_fields() -> None:
    # Fields of unknown maximum (each bounded only by the total's 20) that make up the
    # total (two fields counted), and one score component given alongside them.
    m = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "mini-unknown-fields",
            "level": "district",
            "evaluation_years": [2024],
            "total_max": 20,
            "counts": {"fields": 2},
            "components": [
                {"id": "appraisal", "max_points": 15, "method": "appraisal"},
                {"id": "survey", "max_points": 5, "method": "survey"},
            ],
            "tree": [{"id": "1"}, {"id": "2"}],
        }
    )
    sheet = parindex.ScoreSheet.from_records(
        _records("U", {"1": 15.0, "2": 10.0, "appraisal": 12.0})
    )
    # The fields give the total (survey is missing, so the components give nothing):
    # 15 + 10 = 25 > 20, and the message lists the fields that made it, not the
    # component that merely rode along.
    with pytest.raises(PointsOutOfRangeError) as caught:
        parindex.score(m, sheet, missing="unknown")
    assert (caught.value.node, caught.value.value) == ("total", 25.0)
    assert str(caught.value).endswith(
        "more than its maximum 20; the sum of the fields given (1 = 15, 2 = 10)"
    )


def test_unit_names_from_a_wide_frame_stay_in_their_array() -> None:
    # The names are not made Python strings unit by unit: the batch keeps the array
    # they came in (sorting and tables read it in C).
    wide = pd.DataFrame({"unit": ["B", "A"], **{node: [p, p] for node, p in FULL.items()}})
    batch = parindex.score_frame(M, wide, wide=True).batch
    assert batch.unit_array() is not None
    assert list(batch.unit_array()) == ["B", "A"]
    assert batch.units == ("B", "A")


def test_unit_names_given_in_a_list_come_back_as_a_tuple() -> None:
    c = compile_methodology(M)
    batch = score_dense(c, ["A", "B"], (None, None), _dense([FULL, FULL], c))
    assert type(batch.units) is tuple
    assert batch.units == ("A", "B")


def test_score_dense_in_place_sums_into_the_callers_array() -> None:
    # inplace=True is for the Monte Carlo blocks: with a column-major array the sums
    # are written into it, so no second units x slots array is made.
    c = compile_methodology(M)
    dense = _dense([FULL, {**FULL, "2.1": 1.0}], c)
    given = np.asfortranarray(dense.given)
    mine = DenseSheet(given, dense.present, dense.na_given, dense.self_given, dense.appr_given)
    batch = score_dense(c, ("A", "B"), (None, None), mine, inplace=True)
    assert batch.points is given
    # 1: 3 + 5.5 = 8.5; 2: 4 + 2.5 = 6.5 and 1 + 2.5 = 3.5; totals 15 and 12.
    assert given[:, c.pos["1"]].tolist() == [8.5, 8.5]
    assert given[:, c.pos["2"]].tolist() == [6.5, 3.5]
    assert given[:, c.total_slot].tolist() == [15.0, 12.0]
