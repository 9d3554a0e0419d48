"""``snap_array`` is ``snap`` value for value (issue #16): the result documents snap
whole arrays at once, and must say what ``round`` says."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from parindex._numbers import snap, snap_array


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all((a == b) & (np.signbit(a) == np.signbit(b)) | (np.isnan(a) & np.isnan(b))))


_HALVES = st.integers(-(10**12), 10**12).map(lambda k: (k + 0.5) / 1e9)  # ties at 1e-9
_DECIMALS = st.integers(-(10**13), 10**13).map(lambda k: k / 1e11)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(arrays(np.float64, st.integers(0, 40), elements=st.one_of(st.floats(), _HALVES, _DECIMALS)))
def test_snap_array_is_snap(x: np.ndarray) -> None:
    expected = np.array([snap(v) for v in x.tolist()], dtype=np.float64)
    assert _same(snap_array(x), expected)
    assert snap_array(x) is not x


def test_the_values_np_round_gets_wrong() -> None:
    x = (np.arange(100_000) + 0.5) / 1e9  # half of them np.round takes the other way
    expected = np.array([snap(v) for v in x.tolist()])
    assert not _same(np.round(x, 9) + 0.0, expected)
    assert _same(snap_array(x), expected)


def test_shapes_orders_and_specials() -> None:
    grid = np.asfortranarray((np.arange(600.0) + 0.5).reshape(20, 30) / 1e9)
    assert _same(snap_array(grid), np.array([[snap(v) for v in row] for row in grid.tolist()]))
    assert snap_array(np.array(0.1 + 0.2)).shape == ()
    special = np.array([math.inf, -math.inf, math.nan, 1e300, -1e300, 5e-324, -0.0, 2.0**60])
    assert _same(snap_array(special), np.array([snap(v) for v in special.tolist()]))
