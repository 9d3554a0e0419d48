"""The laws of scoring and ranking, stated as hypothesis properties."""

from __future__ import annotations

import random

import attrs
import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex import Methodology, ScoreEntry, ScoreSheet
from parindex.io.sheet import sheet_from_csv, sheet_from_json
from parindex.testing import assert_scores_equal, methodologies, score_sheets

cases = methodologies().flatmap(lambda m: score_sheets(m).map(lambda s: (m, s)))
partial_cases = methodologies().flatmap(
    lambda m: score_sheets(m, partial=True).map(lambda s: (m, s))
)


def _all_scores(result: parindex.Scores) -> list[parindex.engine.scores.NodeScore]:
    out = []
    for unit in result:
        out += [unit.total, *unit.nodes.values(), *unit.components.values()]
    return out


@given(cases)
def test_every_index_is_between_0_and_100(case: tuple[Methodology, ScoreSheet]) -> None:
    m, sheet = case
    for node in _all_scores(parindex.score(m, sheet)):
        if node.index is not None:
            assert 0.0 <= node.index <= 100.0, node
        if node.points is not None and node.max_points is not None:
            assert node.points <= node.max_points + 1e-9, node


@given(partial_cases, st.sampled_from(["zero", "unknown"]))
def test_index_bounds_hold_for_partial_sheets(
    case: tuple[Methodology, ScoreSheet], missing: str
) -> None:
    m, sheet = case
    for node in _all_scores(parindex.score(m, sheet, missing=missing)):  # type: ignore[arg-type]
        assert node.index is None or 0.0 <= node.index <= 100.0


@given(cases, st.data())
def test_raising_a_leaf_never_lowers_an_ancestor(
    case: tuple[Methodology, ScoreSheet], data: st.DataObject
) -> None:
    m, sheet = case
    scored = [e for e in sheet.entries if e.points is not None]
    if not scored:
        return
    entry = data.draw(st.sampled_from(scored))
    mx = m.node(entry.node).max_points or 0.0
    higher = data.draw(st.floats(entry.points or 0.0, mx))
    before = parindex.score(m, sheet).unit(entry.unit)
    after = parindex.score(m, sheet.replace(entry.unit, entry.node, points=higher)).unit(entry.unit)
    node_id: str | None = entry.node
    while node_id is not None:
        b, a = before.nodes[node_id], after.nodes[node_id]
        if b.points is not None:
            assert a.points is not None
            assert a.points >= b.points - 1e-12
        node_id = m.parent_of(node_id)
    if before.total.points is not None:
        assert after.total.points is not None
        assert after.total.points >= before.total.points - 1e-12


@given(cases, st.randoms(use_true_random=False))
def test_ranks_do_not_depend_on_input_order(
    case: tuple[Methodology, ScoreSheet], rnd: random.Random
) -> None:
    m, sheet = case
    shuffled = list(sheet.entries)
    rnd.shuffle(shuffled)
    a = parindex.rank(parindex.score(m, sheet)).to_frame().sort_values("unit")
    b = parindex.rank(parindex.score(m, ScoreSheet(tuple(shuffled)))).to_frame().sort_values("unit")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@given(cases, st.data())
def test_na_removes_a_leaf_from_points_and_maximum(
    case: tuple[Methodology, ScoreSheet], data: st.DataObject
) -> None:
    m, sheet = case
    candidates = [e for e in sheet.entries if e.points is not None and m.node(e.node).allow_na]
    if not candidates:
        return
    entry = data.draw(st.sampled_from(candidates))
    with_points = parindex.score(m, sheet).unit(entry.unit).total
    with_na = (
        parindex.score(m, sheet.replace(entry.unit, entry.node, na=True)).unit(entry.unit).total
    )
    leaf_max = m.node(entry.node).max_points or 0.0
    assert with_points.points is not None
    assert with_na.points is not None
    # Each total is snapped to 1e-9 (up to 0.5e-9 off), so their difference may be 1e-9 off.
    assert abs((with_points.points - with_na.points) - (entry.points or 0.0)) < 2e-9
    if with_points.max_points is not None and with_na.max_points is not None:
        assert abs((with_points.max_points - with_na.max_points) - leaf_max) < 1e-9


@given(cases)
def test_scoring_is_deterministic(case: tuple[Methodology, ScoreSheet]) -> None:
    m, sheet = case
    a, b = parindex.score(m, sheet), parindex.score(m, sheet)
    for name in ("points", "max_points", "index"):
        np.testing.assert_array_equal(getattr(a.batch, name), getattr(b.batch, name))


def _batch_row(scores: parindex.Scores, unit: str) -> parindex.Scores:
    """One unit's rows of a batch result as a one-unit ``Scores`` (sliced, not re-scored)."""
    b = scores.batch
    i = b.units.index(unit)
    rows = {
        f.name: getattr(b, f.name)[i : i + 1]
        for f in attrs.fields(type(b))
        if isinstance(getattr(b, f.name), np.ndarray)
    }
    return attrs.evolve(scores, batch=attrs.evolve(b, units=(unit,), groups=(b.groups[i],), **rows))


@given(
    methodologies().flatmap(
        lambda m: score_sheets(m, partial=True, groups=True).map(lambda s: (m, s))
    )
)
def test_one_unit_at_a_time_equals_the_batch(case: tuple[Methodology, ScoreSheet]) -> None:
    m, sheet = case
    batch = parindex.score(m, sheet, missing="unknown")
    for unit in sheet.units:
        alone = parindex.score(m, sheet.for_unit(unit), missing="unknown")
        one = batch.unit(unit)
        # The helper names the node and field that differ; `==` below also covers the
        # self-assessed and appraised points, which the helper does not compare.
        assert_scores_equal(alone, _batch_row(batch, unit))
        got = alone.unit(unit)
        assert got == one


@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=12),
    st.sampled_from(["min", "dense", "average", "first", "max"]),
)
def test_tied_scores_share_a_rank_and_higher_never_ranks_below(
    values: list[float], ties: str
) -> None:
    series = {f"u{i}": v for i, v in enumerate(values)}
    ranks = parindex.analysis.ranking.rank_values(series, ties=ties)  # type: ignore[arg-type]
    # Differences below 1e-9 are float noise by policy (see docs/concepts/rounding.md).
    snapped = {k: round(v, 9) for k, v in series.items()}
    for a, va in snapped.items():
        for b, vb in snapped.items():
            if va > vb:
                assert ranks[a] < ranks[b]
            if va == vb and ties != "first":
                assert ranks[a] == ranks[b]


def test_entries_round_trip_through_csv_and_json() -> None:
    sheet = ScoreSheet(
        (
            ScoreEntry("Đắk Lắk", "1", points=5.5, group="Tây Nguyên"),
            ScoreEntry("Đắk Lắk", "2", value="97.5%", group="Tây Nguyên"),
            ScoreEntry("Gia Lai", "1", na=True, self_points=1.25, appraised_points=1.0),
        )
    )
    assert sheet_from_csv(sheet.to_csv()) == sheet
    assert sheet_from_json(sheet.to_json()) == sheet


def test_float_noise_never_breaks_a_tie() -> None:
    # 0.1 + 0.2 != 0.3 in float64; the two units scored the same exact points.
    ranks = parindex.analysis.ranking.rank_values({"a": 0.1 + 0.2, "b": 0.3, "c": 0.2999})
    assert ranks.tolist() == [1, 1, 3]


@given(
    methodologies().flatmap(
        lambda m: score_sheets(m, groups=True, min_units=2, max_units=8).map(lambda s: (m, s))
    ),
    st.sampled_from(["min", "dense", "average", "first", "max"]),
    st.sampled_from([None, 0, 1, 2]),
    st.booleans(),
    st.data(),
)
def test_rank_equals_the_pandas_reference(
    case: tuple[Methodology, ScoreSheet],
    ties: str,
    precision: int | None,
    within_groups: bool,
    data: st.DataObject,
) -> None:
    # rank() is vectorised; rank_values() ranks with pandas' groupby rank: the two agree
    # on every unit, with groups, units left unranked and every tie policy.
    m, sheet = case
    scores = parindex.score(m, sheet)
    unranked = data.draw(st.lists(st.sampled_from(scores.units), unique=True, max_size=2))
    table = parindex.rank(
        scores,
        ties=ties,  # type: ignore[arg-type]
        precision=precision,
        within_groups=within_groups,
        unranked=unranked,
    ).to_frame()
    totals = scores.totals().set_index("unit")
    kept = totals.drop(index=unranked)
    groups = dict(zip(totals.index, totals["group"], strict=True)) if within_groups else None
    expected = parindex.analysis.ranking.rank_values(
        kept["par_index"],
        ties=ties,
        precision=precision,
        groups=groups,  # type: ignore[arg-type]
    )
    got = table.set_index("unit")["rank"]
    for unit in scores.units:
        want = None if unit in unranked or pd.isna(expected[unit]) else float(expected[unit])
        have = None if pd.isna(got[unit]) else float(got[unit])
        assert have == want, (unit, have, want)
    # Rows: best first (on the ranked value) within each group (no group first), then
    # by name.
    key = table["par_index"].map(
        lambda x: x if precision is None or pd.isna(x) else parindex.round_half_up(x, precision)
    )
    order = table.assign(g=table["group"].fillna(""), k=-key.fillna(-np.inf))
    assert order.sort_values(["g", "k", "unit"], kind="stable").index.tolist() == list(
        range(len(table))
    )
