"""The shipped strategies draw unit names a sheet accepts: never one unit spelled two
ways (letter case, tone-mark placement), which a sheet refuses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex.testing import score_sheets
from parindex.testing.strategies import _unit_key

M = parindex.get_methodology("ministry-2022")


def test_the_strategys_unit_key_is_the_sheets() -> None:
    assert _unit_key("A") == _unit_key(" a ")
    assert _unit_key("Hoà  An") == _unit_key("HÒA AN")
    assert _unit_key("Hòa An") != _unit_key("Hóa An")  # diacritics are kept


@given(st.data())
def test_sheets_drawn_from_names_spelled_two_ways_always_build(data: st.DataObject) -> None:
    # "A" and "a" used to be drawn as two units: the sheet then refused them while the
    # strategy drew, and a property using it failed at random.
    names = st.sampled_from(["A", "a", "Hoà", "Hòa", "B"])
    sheet = data.draw(score_sheets(M, max_units=3, names=names))
    keys = [_unit_key(u) for u in sheet.units]
    assert len(set(keys)) == len(keys)
