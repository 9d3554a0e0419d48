"""A maximum, total or band bound written ``-0`` is stored as ``0.0``: its sign would
only ever show, as ``-0.0``, in a document or table."""

from __future__ import annotations

import math

from parindex.model.bands import Band
from parindex.model.parts import ScoreComponent
from parindex.model.tree import Node


def test_negative_zero_is_zero() -> None:
    values = [
        Node("1", "x", max_points=-0.0).max_points,
        ScoreComponent("sipas", -0.0).max_points,
        Band("A", lower=-0.0).lower,
    ]
    assert all(v == 0.0 and math.copysign(1.0, v) == 1.0 for v in values)  # type: ignore[arg-type]
