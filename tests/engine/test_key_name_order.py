"""The order of a ranking: by key, ties by name. Arrow's one sort on both columns gives
exactly the name order followed by a stable sort of the keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parindex.engine.arrays import key_name_order, lazy_units, name_order
from parindex.engine.names import table_str_dtype

NAMES = st.lists(
    st.text(alphabet="aAbĐđ ắẮ中\U0001d400é", min_size=1, max_size=4),
    min_size=1,
    max_size=30,
    unique=True,
)
KEYS = st.sampled_from([0.0, -0.0, 1.5, -2.25, 100.0, np.inf, -np.inf])


@given(NAMES, st.data())
def test_one_arrow_sort_equals_name_order_then_a_stable_key_sort(
    names: list[str], data: st.DataObject
) -> None:
    keys = np.array(data.draw(st.lists(KEYS, min_size=len(names), max_size=len(names))))
    column = pd.Series(names, dtype=table_str_dtype()).array
    if not hasattr(column, "__arrow_array__") or not isinstance(
        column, pd.arrays.ArrowExtensionArray
    ):
        pytest.skip("this pandas keeps names as Python strings: no Arrow sort to compare")
    by_name = name_order(tuple(names))
    expected = by_name[np.argsort(keys[by_name], kind="stable")]
    assert key_name_order(lazy_units(column), keys).tolist() == expected.tolist()
    assert key_name_order(tuple(names), keys).tolist() == expected.tolist()
