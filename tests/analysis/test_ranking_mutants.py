"""These tests pin behaviour that mutation testing found unpinned.

``tools/mutate.py`` run on ``parindex.analysis.ranking`` and
``parindex.analysis._rank_arrays`` left mutants alive that the tests of
``test_ranking_edges.py`` and ``test_ranking_rows.py`` did not see: a ranking's repr,
its rows' maxima, warnings from the result frame, rounding to the published precision
(one test is an expected failure: a bug, see its reason), the numbering of groups, and
the name order of units with equal indices. Index values are read through
``Ranking.rows()`` and the arrays, not a frame column, so the tests do not depend on
that column's name.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import parindex
from parindex._numbers import round_half_up
from parindex.analysis._rank_arrays import group_numbers
from parindex.analysis.ranking import rank_keys
from parindex.errors import NoBandsWarning

BANDS: list[dict[str, Any]] = [
    {"label": "good", "min_inclusive": 80},
    {"label": "fair", "min_inclusive": 50, "max_exclusive": 80},
]


def _methodology(years: tuple[int, ...] = (2024,)) -> parindex.Methodology:
    """One 100-point tree (two nodes of 50): a unit's index is its points."""
    doc: dict[str, Any] = {
        "format": "parindex-methodology/1",
        "id": "mini-mutants",
        "level": "district",
        "evaluation_years": list(years),
        "total_max": 100,
        "tree": [{"id": "1", "max_points": 50}, {"id": "2", "max_points": 50}],
        "ranking": {"ties": "min"},
        "bands": {years[0]: BANDS},
    }
    return parindex.methodology_from_dict(doc)


def _scores(
    units: Mapping[str, float | None], m: parindex.Methodology | None = None
) -> parindex.Scores:
    """Score ``unit -> index`` (``None``: only node 1 given, so the total is unknown)."""
    records = []
    for unit, index in units.items():
        parts = [("1", 0.0)] if index is None else [("1", index / 2), ("2", index / 2)]
        for node, points in parts:
            records.append({"unit": unit, "node": node, "points": points})
    sheet = parindex.ScoreSheet.from_records(records)
    return parindex.score(m or _methodology(), sheet, missing="unknown")


# --------------------------------------------------------------------------- the object


def test_repr_names_the_methodology_size_policy_and_year_only_when_known() -> None:
    scores = _scores({"a": 90.0, "b": 70.0, "c": 60.0})
    assert repr(parindex.rank(scores)) == "<Ranking mini-mutants: 3 units, ties min, 2024>"
    # Two evaluation years and none chosen: no year, so none in the repr.
    two_years = _scores({"a": 90.0}, m=_methodology(years=(2024, 2025)))
    with pytest.warns(NoBandsWarning):
        ranking = parindex.rank(two_years, ties="dense")
    assert repr(ranking) == "<Ranking mini-mutants: 1 units, ties dense>"


def test_rows_carry_the_maximum_points_and_none_only_where_unknown() -> None:
    rows = parindex.rank(_scores({"a": 90.0, "b": None})).rows()
    assert [(r.unit, r.points, r.max_points, r.index) for r in rows] == [
        ("a", 90.0, 100.0, 90.0),
        ("b", None, 100.0, None),  # unknown total, known maximum
    ]
    assert all(isinstance(r.max_points, float) for r in rows)


@pytest.mark.parametrize("ties", ["min", "average"])
def test_the_frame_of_a_ranking_with_unranked_units_raises_no_warning(ties: str) -> None:
    # Unranked units have NaN ranks; turning them into the nullable rank column must not
    # cast NaN to an integer (numpy warns "invalid value encountered in cast").
    scores = _scores({"a": 90.0, "b": 80.0, "c": None})
    ranking = parindex.rank(scores, ties=ties, unranked=["b"])  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = ranking.to_frame()
    assert frame["rank"].isna().tolist() == [False, True, True]
    assert frame["rank"].iloc[0] == 1


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("index", "precision"),
    [(87.825, 2), (87.815, 2), (0.125, 2), (87.5, 0), (87.4999, 0), (12.3456785, 6)],
)
def test_rank_keys_round_as_the_published_tables_round(index: float, precision: int) -> None:
    # Ranks on rounded indices tie exactly the units whose printed indices are equal.
    assert rank_keys(np.array([index]), precision)[0] == round_half_up(index, precision)


@pytest.mark.parametrize(
    ("index", "precision", "published"),
    [
        (87.824999996, 2, 87.82),  # 4e-9 below the half: printed 87.82
        (87.4999996, 0, 87.0),  # 4e-7 below the half: printed 87
        (79.448879755, 8, 79.44887976),  # exactly a half: 7944887975.499999 in floats
    ],
)
def test_rank_keys_round_every_nine_decimal_index_as_the_published_tables_round(
    index: float, precision: int, published: float
) -> None:
    # Indices are exact to 9 decimals (snapped), so each of these is a real value;
    # ranking on rounded indices must tie it with the units printed the same.
    assert rank_keys(np.array([index]), precision)[0] == published


# --------------------------------------------------------------------------- group codes


def test_group_numbers_give_no_group_zero_whether_or_not_other_units_have_groups() -> None:
    # 0 is "no group" in both branches (all ungrouped, or mixed), and named groups are
    # numbered 1, 2, ... in name order, so that ungrouped units sort first.
    assert group_numbers(None, 3).tolist() == [0, 0, 0]
    assert group_numbers([None, None], 2).tolist() == [0, 0]
    assert group_numbers(["b", None, "a", "b"], 4).tolist() == [2, 0, 1, 2]
    assert group_numbers(["a"], 1).tolist() == [1]


# --------------------------------------------------------------------------- equal indices


def test_units_with_equal_indices_are_listed_and_first_ranked_by_name() -> None:
    # Twenty units, two indices, given in reverse name order: within each index the rows
    # (and "first" ranks) must follow the names, which needs a stable sort (numpy's
    # default sort reorders equal keys at this size).
    names = [f"Huyện {i:02d}" for i in range(20, 0, -1)]
    units = {name: 80.0 if i % 2 else 70.0 for i, name in enumerate(names)}
    high = sorted(u for u, v in units.items() if v == 80.0)
    low = sorted(u for u, v in units.items() if v == 70.0)
    ranking = parindex.rank(_scores(units), ties="first")
    assert ranking.units == (*high, *low)
    assert [r.rank for r in ranking.rows()] == list(range(1, 21))
    shared = parindex.rank(_scores(units))  # min: each index shares its best rank
    assert shared.units == (*high, *low)
    assert [r.rank for r in shared.rows()] == [1] * 10 + [11] * 10
