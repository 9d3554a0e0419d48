"""A Monte Carlo draw never scores a sum above its maximum: an input whose own maximum
is unknown is drawn up to its ancestor's bound, and a draw that pushes the sum over is
refused, saying which input and how to fix it (never an index above 100)."""

from __future__ import annotations

import pytest

import parindex
from parindex.errors import PointsOutOfRangeError

FIELDS = {"1": 20.0, "2": 15.0, "3": 15.0, "4": 15.0, "5": 14.0, "6": 10.0, "7": 10.0}  # 99


def _sheet() -> parindex.ScoreSheet:
    return parindex.ScoreSheet.from_records(
        [{"unit": u, "node": n, "points": p} for u in ("A", "B") for n, p in FIELDS.items()]
    )


def test_draws_that_push_a_sum_over_its_maximum_are_refused_with_the_cause() -> None:
    spec = {"inputs": [{"node": "1", "distribution": "normal", "sd": 3.0}]}
    with pytest.raises(PointsOutOfRangeError) as info:
        parindex.simulate("ministry-2022", _sheet(), spec, draws=200, seed=1, year=2022)
    message = str(info.value)
    assert "Monte Carlo draw" in message
    assert "state that node's maximum" in message
    assert info.value.node == "total"


def test_draws_within_the_maxima_give_indices_within_0_and_100() -> None:
    spec = {"inputs": [{"node": "1", "distribution": "uniform", "delta": 0.5}]}
    sim = parindex.simulate("ministry-2022", _sheet(), spec, draws=200, seed=1, year=2022)
    assert (sim.index <= 100 + 1e-9).all()
