"""Monte Carlo by updating only what a draw changes (the drawn nodes and their ancestors
up to the total) gives exactly what rescoring the whole tree gives: the same index,
ranks and bands for every draw, hence the same distributions, for random trees and
sheets (points at any level, score components, the total, N/A, gaps) and any block
size; where a draw breaks a check (a sum over its maximum, fields and components that
disagree, a component its leaves contradict) the same error; and the rank drivers are
computed only when read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex import Methodology, ScoreSheet
from parindex.analysis import _simulate_draws, simulate
from parindex.errors import ConflictError, ParIndexError
from parindex.model.sheet import ScoreEntry
from parindex.rules import Deduction, PercentTiers, Proportional
from parindex.testing import methodologies, score_sheets

from ..conftest import examples

DRAWS = 15  # blocks of 1, of 7 (7 + 7 + 1), and all


def _run(
    m: Methodology | str, sheet: ScoreSheet, spec: Any, *, full: bool, **kw: Any
) -> simulate.Simulation | tuple[type, str]:
    """The simulation (whole-tree rescoring with ``full``), or its error's type and
    message."""
    args: dict[str, Any] = {"draws": DRAWS, "seed": 3, "missing": "error", "rate_scale": None}
    args |= {"ties": None, "year": None, "progress": None, "block_draws": None}
    args |= {"max_draw_cells": 10**6} | kw
    if isinstance(m, str):
        m = parindex.get_methodology(m)
    try:
        return simulate._simulate(m, sheet, spec, full=full, **args)
    except ParIndexError as err:
        inner = getattr(err, "exceptions", ())
        return type(err), str(err) + "".join(f"\n{e}" for e in inner)


def _same(a: simulate.Simulation, b: simulate.Simulation) -> None:
    np.testing.assert_array_equal(a.index, b.index)
    np.testing.assert_array_equal(a.ranks, b.ranks)
    np.testing.assert_array_equal(a.band_codes, b.band_codes)
    for q in (0.05, 0.5, 0.95):  # the index distributions, to the bit
        np.testing.assert_array_equal(
            np.quantile(a.index, q, axis=0), np.quantile(b.index, q, axis=0)
        )
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    pd.testing.assert_frame_equal(a.band_probabilities(), b.band_probabilities())


def _steps(top: float | None) -> int:
    return int(Decimal(str(top or 0.0)) / Decimal("0.05"))


def _points(k: int) -> float:
    return float(k * Decimal("0.05"))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Methodology, ScoreSheet, dict[str, Any], str]:
    """A methodology; a sheet in which some units give a node's points instead of its
    leaves', or only the score components, or only the total; one to three uncertain
    inputs anywhere in the tree or on a component; and the missing policy."""
    m = draw(methodologies(max_fields=3))
    missing = draw(st.sampled_from(["error", "zero", "unknown"]))
    sheet = draw(score_sheets(m, min_units=2, max_units=5, partial=missing != "error", groups=True))
    inner = [n for n in m.nodes() if n.children]
    entries: list[ScoreEntry] = []
    for unit in sheet.units:
        mine = [e for e in sheet.entries if e.unit == unit]
        group = mine[0].group if mine else None
        how = draw(st.sampled_from(["leaves", "leaves", "node", "components", "total"]))
        if how == "node" and inner:
            node = draw(st.sampled_from(inner))
            mine = [e for e in mine if not e.node.startswith(node.id + ".")]
            k = draw(st.integers(0, _steps(node.max_points)))
            mine.append(ScoreEntry(unit, node.id, points=_points(k)))
        elif how == "components" and m.components:
            mine = [
                ScoreEntry(
                    unit, comp.id, points=_points(draw(st.integers(0, _steps(comp.max_points))))
                )
                for comp in m.components
            ]
        elif how == "total":
            k = draw(st.integers(0, _steps(m.total_max)))
            mine = [ScoreEntry(unit, "total", points=_points(k))]
        entries.extend(attrs.evolve(e, group=group) for e in mine)
    nodes = {n.id: n for n in m.nodes()}
    anywhere = [*nodes, *(comp.id for comp in m.components)]
    entered = sorted({e.node for e in entries if not e.na and e.node != "total"}) or anywhere
    inputs = []
    for _ in range(draw(st.integers(1, 3))):
        # Mostly a node some unit gave (a node nobody gave is drawn for nobody).
        node = draw(st.sampled_from(entered if draw(st.integers(0, 4)) else anywhere))
        scale = draw(st.sampled_from([0.0, 0.05, 0.5, 0.5, 3.0, 3.0]))
        item: dict[str, Any] = (
            {"node": node, "distribution": "normal", "sd": scale}
            if draw(st.booleans())
            else {"node": node, "distribution": "uniform", "delta": scale}
        )
        rule = nodes[node].rule if node in nodes else None
        if isinstance(rule, PercentTiers | Proportional | Deduction) and draw(st.booleans()):
            item["on"] = "measure"
        if draw(st.booleans()):
            item["units"] = draw(st.lists(st.sampled_from(sheet.units), min_size=1, max_size=3))
        inputs.append(item)
    return m, ScoreSheet(tuple(entries)), {"inputs": inputs}, missing


@settings(max_examples=examples(60), deadline=None)
@given(_cases())
def test_updating_ancestors_gives_what_rescoring_the_tree_gives(
    case: tuple[Methodology, ScoreSheet, dict[str, Any], str],
) -> None:
    m, sheet, spec, missing = case
    full = _run(m, sheet, spec, full=True, missing=missing, block_draws=DRAWS)
    for block in (1, 7, DRAWS):
        got = _run(m, sheet, spec, full=False, missing=missing, block_draws=block)
        if isinstance(full, tuple) or isinstance(got, tuple):
            assert got == full
            continue
        _same(got, full)
    if not isinstance(full, tuple):
        assert isinstance(got, simulate.Simulation)
        pd.testing.assert_frame_equal(got.drivers(top=None), full.drivers(top=None))


def _count_full_rescores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    rescore = simulate.rescore_block

    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return rescore(*args, **kw)

    monkeypatch.setattr(simulate, "rescore_block", counted)
    return calls


def test_a_plain_run_never_rescores_the_whole_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_full_rescores(monkeypatch)
    sheet = parindex.load_sheet("examples/illustrative-districts.csv")
    spec = parindex.load_uncertainty("examples/uncertainty-district.yaml")
    got = _run("illustrative-district", sheet, spec, full=False, draws=300, block_draws=7)
    assert not calls
    monkeypatch.undo()
    full = _run("illustrative-district", sheet, spec, full=True, draws=300)
    assert isinstance(got, simulate.Simulation)
    assert isinstance(full, simulate.Simulation)
    _same(got, full)


FIELDS = {"1": 20.0, "2": 15.0, "3": 15.0, "4": 15.0, "5": 14.0, "6": 10.0, "7": 10.0}  # 99


def test_fields_that_stop_agreeing_with_the_components_are_refused_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [{"unit": "A", "node": n, "points": p} for n, p in FIELDS.items()]
    records += [{"unit": "A", "node": "appraisal", "points": 68.5}]
    records += [{"unit": "A", "node": "survey", "points": 30.5}]
    sheet = ScoreSheet.from_records(records)
    spec = {"inputs": [{"node": "1", "distribution": "normal", "sd": 1.0}]}
    calls = _count_full_rescores(monkeypatch)
    got = _run("ministry-2022", sheet, spec, full=False, year=2022)
    assert calls  # the check fired: the block was rescored in full, which raised
    assert got == _run("ministry-2022", sheet, spec, full=True, year=2022)
    assert isinstance(got, tuple)
    assert got[0] is ConflictError


def test_a_component_its_drawn_leaves_contradict_is_refused_alike() -> None:
    # Unit A gives every survey leaf and the survey component their sum, but leaves a
    # gap among its appraisal leaves: its total is the components' (missing="unknown").
    m = parindex.get_methodology("illustrative-district")
    sheet = parindex.load_sheet("examples/illustrative-districts.csv")
    scored = parindex.score(m, sheet)
    a = sheet.units[0]
    survey = float(scored.batch.points[0, scored.batch.compiled.pos["survey"]])
    entries = [e for e in sheet.entries if not (e.unit == a and e.node == "1.1.1")]
    entries += [ScoreEntry(a, "survey", points=survey), ScoreEntry(a, "appraisal", points=60.0)]
    changed = ScoreSheet(tuple(entries))
    spec = {"inputs": [{"node": "2.3", "sd": 0.3, "units": [a]}]}
    got = _run(m, changed, spec, full=False, missing="unknown")
    assert got == _run(m, changed, spec, full=True, missing="unknown")
    assert isinstance(got, tuple)
    assert got[0] is ConflictError
    assert "component 'survey'" in got[1]


def test_drivers_are_computed_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    call = _simulate_draws.DriverSource.__call__

    def counted(self: Any, ranks: Any) -> Any:
        calls.append(1)
        return call(self, ranks)

    monkeypatch.setattr(_simulate_draws.DriverSource, "__call__", counted)
    sheet = parindex.load_sheet("examples/illustrative-districts.csv")
    spec = parindex.load_uncertainty("examples/uncertainty-district.yaml")
    sim = parindex.simulate("illustrative-district", sheet, spec, draws=200, seed=4)
    sim.summary()
    sim.band_probabilities()
    assert not calls
    first = sim.drivers(top=None)
    pd.testing.assert_frame_equal(sim.drivers(top=None), first)
    assert len(calls) == 1  # then kept
    again = parindex.simulate(
        "illustrative-district", sheet, spec, draws=200, seed=4, block_draws=3
    )
    pd.testing.assert_frame_equal(again.drivers(top=None), first)
