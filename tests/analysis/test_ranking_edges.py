"""Ranking at its edges: an index exactly on a band bound, peer groups (ungrouped units,
a group with no ranked unit), every tie policy worked by hand, rounding to the
published precision, and rank movement. Written to kill the mutants of
``tools/mutate.py`` on ``parindex.analysis.ranking``."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex.analysis.ranking import (
    assign_band,
    band_codes,
    rank_keys,
    rank_matrix,
    rank_values,
)
from parindex.errors import (
    DuplicateEntryError,
    InputFormatError,
    NoBandsWarning,
    UnknownMethodologyError,
    UnknownUnitError,
)

from ..conftest import examples

# Listed so that, at every bound, the band that must NOT get the bound comes before the
# one that must: "first matching band wins" then exposes an inclusive/exclusive flip on
# either side. low < 50 <= mid <= 70 < high < 90 <= top.
BANDS: list[dict[str, Any]] = [
    {"label": "low", "max_exclusive": 50},
    {"label": "high", "min_exclusive": 70, "max_exclusive": 90},
    {"label": "top", "min_inclusive": 90},
    {"label": "mid", "min_inclusive": 50, "max_inclusive": 70},
]
ON_BOUNDS = [
    (0.0, "low"),
    (49.99, "low"),
    (50.0, "mid"),  # low excludes 50, mid includes it
    (60.0, "mid"),
    (70.0, "mid"),  # mid includes 70, high excludes it
    (70.01, "high"),
    (89.99, "high"),
    (90.0, "top"),  # high excludes 90, top includes it
    (100.0, "top"),
]


def _methodology(
    bands: list[dict[str, Any]] | None = None, years: tuple[int, ...] = (2024,), **ranking: Any
) -> parindex.Methodology:
    """One directly scored node of 100 points: a unit's index is its points."""
    doc: dict[str, Any] = {
        "format": "parindex-methodology/1",
        "id": "mini-ranking",
        "level": "district",
        "evaluation_years": list(years),
        "total_max": 100,
        "tree": [{"id": "1", "max_points": 50}, {"id": "2", "max_points": 50}],
        "ranking": {"ties": "min", **ranking},
    }
    if bands is not None:
        doc["bands"] = {years[0]: bands}
    return parindex.methodology_from_dict(doc)


def _scores(
    units: dict[str, float | None],
    groups: dict[str, str] | None = None,
    m: parindex.Methodology | None = None,
) -> parindex.Scores:
    """Score ``unit -> index`` (``None``: only node 1 given, so the total is unknown)."""
    groups = groups or {}
    records = []
    for unit, index in units.items():
        parts = [("1", 0.0)] if index is None else [("1", index / 2), ("2", index / 2)]
        for node, points in parts:
            record: dict[str, Any] = {"unit": unit, "node": node, "points": points}
            if unit in groups:
                record["group"] = groups[unit]
            records.append(record)
    sheet = parindex.ScoreSheet.from_records(records)
    return parindex.score(m or _methodology(BANDS), sheet, missing="unknown")


def _by_unit(ranking: parindex.Ranking) -> dict[str, Any]:
    return {row.unit: row for row in ranking.rows()}


# --------------------------------------------------------------------------- bands


@pytest.mark.parametrize(("index", "label"), ON_BOUNDS)
def test_an_index_exactly_on_a_band_bound_gets_the_band_that_includes_it(
    index: float, label: str
) -> None:
    bands = _methodology(BANDS).bands_for(2024)
    assert assign_band(index, bands) == label
    assert bands[int(band_codes(np.array([index]), bands)[0])].label == label


def test_rank_rows_carry_the_band_of_assign_band_for_units_on_every_bound() -> None:
    units = {f"U{i}": index for i, (index, _) in enumerate(ON_BOUNDS)}
    ranking = parindex.rank(_scores(units))
    bands = ranking.methodology.bands_for(2024)
    rows = ranking.rows()
    assert len(rows) == len(ON_BOUNDS)
    for i, row in enumerate(rows):
        assert row.band == assign_band(row.index, bands), i
    expected = {f"U{i}": label for i, (_, label) in enumerate(ON_BOUNDS)}
    assert {row.unit: row.band for row in rows} == expected
    assert ranking.to_frame().set_index("unit")["band"].to_dict() == expected


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([0.0, 50.0, 70.0, 90.0, 100.0]),
            st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_band_of_every_row_is_the_first_band_containing_its_index(values: list[float]) -> None:
    ranking = parindex.rank(_scores({f"U{i}": v for i, v in enumerate(values)}))
    bands = ranking.methodology.bands_for(2024)
    for row in ranking.rows():
        assert row.index is not None
        # The model's own Band.contains is the oracle for the vectorised band_codes.
        first = next((b.label for b in bands if b.contains(row.index)), None)
        assert row.band == first == assign_band(row.index, bands)


def test_a_gap_between_bands_and_an_unknown_index_give_no_band() -> None:
    m = _methodology([{"label": "A", "min_inclusive": 80}, {"label": "C", "max_exclusive": 60}])
    ranking = parindex.rank(_scores({"gap": 70.0, "a": 80.0, "c": 59.0, "unknown": None}, m=m))
    rows = _by_unit(ranking)
    assert rows["gap"].band is None
    assert (rows["a"].band, rows["c"].band) == ("A", "C")
    assert rows["unknown"].band is None
    assert rows["unknown"].index is None
    assert rows["unknown"].points is None
    assert rows["unknown"].rank is None
    assert rows["unknown"].ranked  # ranked, but with no index no rank can be given
    assert ranking.units[-1] == "unknown"  # an unknown index sorts last


def test_band_codes_mark_nan_and_out_of_band_keys_minus_one() -> None:
    bands = _methodology(BANDS[:3]).bands_for(2024)  # without mid: 50-70 is a gap
    codes = band_codes(np.array([np.nan, 60.0, 10.0, 80.0, 95.0]), bands)
    assert codes.tolist() == [-1, -1, 0, 1, 2]
    assert assign_band(60.0, bands) is None
    with pytest.raises(InputFormatError, match="not a number"):
        assign_band("high", bands)  # type: ignore[arg-type]


def test_no_bands_warning_only_when_the_year_is_unknown_and_bands_exist() -> None:
    two_years = _methodology(BANDS, years=(2024, 2025))
    scores = _scores({"a": 95.0}, m=two_years)
    with pytest.warns(NoBandsWarning):
        ranking = parindex.rank(scores)
    assert ranking.rows()[0].band is None
    assert ranking.year is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parindex.rank(scores, year=2024).rows()[0].band == "top"
        # One evaluation year: its bands, no warning.
        assert parindex.rank(_scores({"a": 95.0})).year == 2024


def test_rank_refuses_a_year_other_than_the_scores_year() -> None:
    m = _methodology(BANDS, years=(2024, 2025))
    sheet = parindex.ScoreSheet.from_records(
        [{"unit": "a", "node": n, "points": 10} for n in ("1", "2")]
    )
    scores = parindex.score(m, sheet, year=2024)
    assert parindex.rank(scores, year=2024).year == 2024
    with pytest.raises(UnknownMethodologyError, match="not 2025"):
        parindex.rank(scores, year=2025)


# --------------------------------------------------------------------------- groups

GROUPED = {"u1": 50.0, "u2": 40.0, "a1": 90.0, "a2": 60.0, "b1": 70.0}
GROUPS = {"a1": "A", "a2": "A", "b1": "B"}  # u1, u2: no group


def test_ungrouped_units_are_ranked_apart_from_every_named_group() -> None:
    ranking = parindex.rank(_scores(GROUPED, GROUPS))
    # Rows: no group first, then groups by name; best first within each.
    assert ranking.units == ("u1", "u2", "a1", "a2", "b1")
    assert [r.rank for r in ranking.rows()] == [1, 2, 1, 2, 1]
    assert [r.group for r in ranking.rows()] == [None, None, "A", "A", "B"]


def test_without_groups_ranks_run_over_all_units_but_rows_stay_grouped() -> None:
    ranking = parindex.rank(_scores(GROUPED, GROUPS), within_groups=False)
    assert ranking.units == ("u1", "u2", "a1", "a2", "b1")
    # a1 90 > b1 70 > a2 60 > u1 50 > u2 40
    assert [r.rank for r in ranking.rows()] == [4, 5, 1, 3, 2]
    policy = parindex.rank(_scores(GROUPED, GROUPS, _methodology(BANDS, within_groups=False)))
    assert [r.rank for r in policy.rows()] == [4, 5, 1, 3, 2]


def test_a_group_with_no_ranked_unit_does_not_stop_the_ranking_of_later_groups() -> None:
    ranking = parindex.rank(_scores(GROUPED, GROUPS), unranked=["u1", "u2", "a1", "a2"])
    rows = _by_unit(ranking)
    assert [rows[u].rank for u in ("u1", "u2", "a1", "a2")] == [None] * 4
    assert not any(rows[u].ranked for u in ("u1", "u2", "a1", "a2"))
    assert rows["b1"].rank == 1
    assert rows["b1"].ranked
    assert ranking.rank_of("b1") == 1
    assert ranking.rank_of("a1") is None


def test_rank_matrix_groups_and_draws() -> None:
    keys = np.array([[50.0, 40.0, 90.0, 60.0], [40.0, 50.0, 60.0, 90.0]])
    names = ["u1", "u2", "a1", "a2"]
    groups = [None, None, "A", "A"]
    assert rank_matrix(keys, names, groups=groups).tolist() == [
        [1.0, 2.0, 1.0, 2.0],
        [2.0, 1.0, 2.0, 1.0],
    ]
    assert rank_matrix(keys, names).tolist() == [[3.0, 4.0, 1.0, 2.0], [4.0, 3.0, 2.0, 1.0]]
    ranked = np.array([False, False, True, True])
    assert rank_matrix(keys, names, groups=groups, ranked=ranked)[:, 2:].tolist() == [
        [1.0, 2.0],
        [2.0, 1.0],
    ]
    assert np.isnan(rank_matrix(keys, names, ranked=ranked)[:, :2]).all()


def test_rank_values_groups_ungrouped_units_apart() -> None:
    ranks = rank_values(GROUPED, groups=GROUPS)
    assert ranks.to_dict() == {"u1": 1, "u2": 2, "a1": 1, "a2": 2, "b1": 1}


# --------------------------------------------------------------------------- ties

# Units a..f with indices 90, 80, 80, 70, 70, unknown; names break "first" ties.
TIED = {"a": 90.0, "c": 80.0, "b": 80.0, "e": 70.0, "d": 70.0, "f": None}
TIE_RANKS = {
    # min: tied units share the best rank, the next skips (1, 2, 2, 4, 4)
    "min": {"a": 1, "b": 2, "c": 2, "d": 4, "e": 4, "f": None},
    # max: they share the worst (1, 3, 3, 5, 5)
    "max": {"a": 1, "b": 3, "c": 3, "d": 5, "e": 5, "f": None},
    # average: (2 + 3) / 2 = 2.5, (4 + 5) / 2 = 4.5
    "average": {"a": 1.0, "b": 2.5, "c": 2.5, "d": 4.5, "e": 4.5, "f": None},
    # dense: no gaps (1, 2, 2, 3, 3)
    "dense": {"a": 1, "b": 2, "c": 2, "d": 3, "e": 3, "f": None},
    # first: by name within a tie (b before c, d before e)
    "first": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": None},
}


@pytest.mark.parametrize("ties", list(TIE_RANKS))
def test_every_tie_policy_worked_by_hand(ties: str) -> None:
    ranking = parindex.rank(_scores(TIED), ties=ties)  # type: ignore[arg-type]
    assert {r.unit: r.rank for r in ranking.rows()} == TIE_RANKS[ties]
    assert ranking.units == ("a", "b", "c", "d", "e", "f")
    values = {u: math.nan if v is None else v for u, v in TIED.items()}
    ranks = rank_values(values, ties=ties)  # type: ignore[arg-type]
    assert {u: None if pd.isna(r) else r for u, r in ranks.items()} == TIE_RANKS[ties]
    frame = ranking.to_frame().set_index("unit")["rank"]
    assert frame.isna().tolist() == [False] * 5 + [True]
    assert frame.iloc[:5].tolist() == [TIE_RANKS[ties][u] for u in "abcde"]


@pytest.mark.parametrize("ties", list(TIE_RANKS))
def test_rank_matrix_applies_each_tie_policy_to_every_draw(ties: str) -> None:
    names = list(TIED)
    first = [math.nan if v is None else v for v in TIED.values()]
    second = [100.0 - x for x in first]  # reversed order in the second draw
    out = rank_matrix(np.array([first, second]), names, ties=ties)  # type: ignore[arg-type]
    expected = [TIE_RANKS[ties][u] for u in names]
    assert [None if math.isnan(x) else x for x in out[0]] == expected
    # Reversed: e, d (30) lead; then c, b (20); then a (10); f unknown.
    reversed_ranks = {
        "min": [5, 3, 3, 1, 1],
        "max": [5, 4, 4, 2, 2],
        "average": [5, 3.5, 3.5, 1.5, 1.5],
        "dense": [3, 2, 2, 1, 1],
        "first": [5, 3, 4, 1, 2],  # d before e, b before c: by name
    }[ties]
    by_name = dict(zip(names, out[1].tolist(), strict=True))
    assert [by_name[u] for u in "abcde"] == reversed_ranks
    assert math.isnan(by_name["f"])


def test_an_unranked_unit_leaves_no_gap_in_the_ranks() -> None:
    ranking = parindex.rank(_scores({"a": 90.0, "b": 80.0, "c": 70.0}), unranked=["b"])
    assert {r.unit: r.rank for r in ranking.rows()} == {"a": 1, "b": None, "c": 2}
    assert [r.ranked for r in ranking.rows()] == [True, False, True]


# --------------------------------------------------------------------------- precision


@pytest.mark.parametrize(
    ("index", "precision", "key"),
    [
        (87.825, 2, 87.83),  # half-up although 87.825 * 100 is 8782.4999... in floats
        (87.82499996, 2, 87.82),  # 4e-8 below the half: not noise, stays below
        (87.8249, 2, 87.82),
        (87.5, 0, 88.0),
        (0.0, 9, 0.0),
        (12.3456789, 9, 12.3456789),
    ],
)
def test_rank_keys_round_half_up_to_the_published_precision(
    index: float, precision: int, key: float
) -> None:
    assert rank_keys(np.array([index]), precision).tolist() == [key]


def test_ranking_on_rounded_indices_ties_what_rounds_equal() -> None:
    scores = _scores({"a": 87.826, "b": 87.825, "c": 87.8249})
    assert [r.rank for r in parindex.rank(scores).rows()] == [1, 2, 3]
    assert {r.unit: r.rank for r in parindex.rank(scores, precision=2).rows()} == {
        "a": 1,
        "b": 1,
        "c": 3,
    }
    policy = _methodology(BANDS, precision=2)
    assert parindex.rank(_scores({"a": 87.826, "b": 87.825}, m=policy)).rows()[1].rank == 1


@pytest.mark.parametrize("precision", [True, -1, 10, 2.0, "2"])
def test_a_precision_outside_0_to_9_whole_decimals_is_refused(precision: object) -> None:
    scores = _scores({"a": 80.0})
    with pytest.raises(InputFormatError, match="precision"):
        parindex.rank(scores, precision=precision)  # type: ignore[arg-type]
    with pytest.raises(InputFormatError, match="precision"):
        rank_values({"a": 80.0}, precision=precision)  # type: ignore[arg-type]


@pytest.mark.parametrize("precision", [0, 9])
def test_precision_0_and_9_are_accepted(precision: int) -> None:
    assert parindex.rank(_scores({"a": 80.0}), precision=precision).precision == precision


@pytest.mark.parametrize("ties", ["MIN", "random", 1, None])
def test_an_unknown_tie_policy_is_refused(ties: object) -> None:
    if ties is None:  # None means "the methodology's": accepted
        assert parindex.rank(_scores({"a": 80.0}), ties=None).ties == "min"
        return
    with pytest.raises(InputFormatError, match="ties="):
        parindex.rank(_scores({"a": 80.0}), ties=ties)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- unranked


def test_unranked_names_are_checked() -> None:
    scores = _scores({"Huyện Minh Họa A": 80.0, "Huyện Minh Họa B": 70.0})
    with pytest.raises(InputFormatError, match="list of unit names"):
        parindex.rank(scores, unranked="Huyện Minh Họa A")  # type: ignore[arg-type]
    with pytest.raises(UnknownUnitError, match="not among the scored units"):
        parindex.rank(scores, unranked=["Huyện Không Có"])
    with pytest.raises(UnknownUnitError, match="not a unit name"):
        parindex.rank(scores, unranked=["  "])
    # A loose spelling (no diacritics) that fits one unit is that unit.
    loose = parindex.rank(scores, unranked=["huyen minh hoa a"])
    assert {r.unit: r.rank for r in loose.rows()} == {
        "Huyện Minh Họa A": None,
        "Huyện Minh Họa B": 1,
    }
    assert parindex.rank(scores, unranked=[]).rank_of("Huyện Minh Họa B") == 2
    with pytest.raises(UnknownUnitError, match="not in this ranking"):
        loose.rank_of("Huyện Khác")


def test_rank_values_refuses_one_unit_twice() -> None:
    with pytest.raises(DuplicateEntryError):
        rank_values(pd.Series([80.0, 70.0], index=["Huyện A", "huyện a"]))


# --------------------------------------------------------------------------- change


def test_rank_change_is_previous_minus_current_rank_and_index_difference() -> None:
    before = parindex.rank(_scores({"a": 80.0, "b": 70.0, "c": 60.0, "gone": 50.0}))
    now = parindex.rank(_scores({"a": 65.5, "b": 75.25, "c": 90.0, "new": 10.0}))
    out = parindex.rank_change(now, before).set_index("unit")
    # a: rank 1 -> 3 (down 2), index 80 -> 65.5 (-14.5)
    # b: rank 2 -> 2, index 70 -> 75.25 (+5.25)
    # c: rank 3 -> 1 (up 2), index 60 -> 90 (+30)
    assert out.loc["a", "change"] == -2
    assert out.loc["b", "change"] == 0
    assert out.loc["c", "change"] == 2
    assert out.loc["a", "index_change"] == -14.5
    assert out.loc["b", "index_change"] == 5.25
    assert out.loc["c", "index_change"] == 30.0
    # A unit in one ranking only has no change.
    assert pd.isna(out.loc["gone", "change"])
    assert pd.isna(out.loc["new", "index_change"])
    assert out.loc["gone", "previous_rank"] == 4


def test_rank_change_keeps_nine_decimals_of_the_index_difference() -> None:
    # 66.666...% (200 / 3) against 60: 6.666666666... kept to 9 decimals, float noise gone.
    before = parindex.rank(_scores({"a": 60.0}))
    now = parindex.rank(_scores({"a": 200 / 3}))
    assert parindex.rank_change(now, before).loc[0, "index_change"] == 6.666666667
    assert parindex.rank_change(now, now).loc[0, "index_change"] == 0.0


# --------------------------------------------------------------------------- errors


def test_errors_name_the_unit_and_value() -> None:
    scores = _scores({"Huyện Minh Họa A": 80.0, "Thị xã Minh Họa A": 70.0, "B": 60.0})
    with pytest.raises(UnknownUnitError) as caught:
        parindex.rank(scores, unranked=[5])  # type: ignore[list-item]
    assert "not a unit name" in str(caught.value)
    assert (caught.value.unit, caught.value.value) == ("5", 5)
    with pytest.raises(UnknownUnitError, match="ambiguous") as caught:
        parindex.rank(scores, unranked=["minh hoa a"])
    assert caught.value.unit == "minh hoa a"
    assert sorted(caught.value.value) == ["Huyện Minh Họa A", "Thị xã Minh Họa A"]
    with pytest.raises(UnknownUnitError, match="not among") as caught:
        parindex.rank(scores, unranked=["Huyện Khác"])
    assert (caught.value.unit, caught.value.value) == ("Huyện Khác", "Huyện Khác")
    ranking = parindex.rank(scores)
    with pytest.raises(UnknownUnitError) as caught:
        ranking.rank_of("C")
    assert (caught.value.unit, caught.value.value) == ("C", "C")


def test_an_empty_ranking_refuses_the_first_unranked_name() -> None:
    empty = parindex.score(_methodology(BANDS), parindex.ScoreSheet.from_records([]))
    assert len(parindex.rank(empty)) == 0
    assert parindex.rank(empty).rows() == ()
    with pytest.raises(UnknownUnitError, match="'x'") as caught:
        parindex.rank(empty, unranked=["x", "y"])
    assert caught.value.unit == "x"
    assert rank_matrix(np.empty((2, 0)), []).shape == (2, 0)


def test_rank_values_errors() -> None:
    with pytest.raises(InputFormatError, match="must be numbers"):
        rank_values({"a": "high", "b": 1.0})  # type: ignore[dict-item]
    with pytest.raises(InputFormatError, match="unit 'b'"):
        rank_values({"a": 1.0, "b": math.inf, "c": -math.inf})
    # The same name in two spacings: the message says so.
    with pytest.raises(DuplicateEntryError, match="another Unicode form") as caught:
        rank_values(pd.Series([1.0, 2.0], index=["Huyện  A", "Huyện A"]))
    assert (caught.value.unit, caught.value.value) == ("Huyện A", "Huyện A")
    with pytest.raises(DuplicateEntryError) as caught:
        rank_values(pd.Series([1.0, 2.0], index=["A", "A"]))
    assert "another" not in str(caught.value)
    # One name spelled two ways (letter case): both spellings named.
    with pytest.raises(DuplicateEntryError, match="spelled two ways") as caught:
        rank_values({"Huyện Minh Hoà": 1.0, "Huyện Minh Hòa": 2.0})
    assert caught.value.unit in {"Huyện Minh Hoà", "Huyện Minh Hòa"}
    assert caught.value.unit == caught.value.value[1]
    assert len(caught.value.value) == 2


def test_rank_values_break_first_ties_by_the_name_as_text() -> None:
    # As text "10" sorts before "9": it gets the first rank of the tie.
    assert rank_values({9: 80.0, 10: 80.0}, ties="first").to_dict() == {9: 2, 10: 1}  # type: ignore[dict-item]


def test_the_no_bands_warning_points_at_the_caller() -> None:
    scores = _scores({"a": 95.0}, m=_methodology(BANDS, years=(2024, 2025)))
    with pytest.warns(NoBandsWarning) as record:
        parindex.rank(scores)
    assert record[0].filename == __file__


def test_a_ranking_is_hashable_and_equal_only_to_itself() -> None:
    scores = _scores({"a": 95.0})
    one, two = parindex.rank(scores), parindex.rank(scores)
    assert len({one, two}) == 2
    assert one == one  # identity is the equality of a ranking
    assert one != two
