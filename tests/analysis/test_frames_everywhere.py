"""A tidy DataFrame (as pandas.read_csv gives it, integer node ids included) is accepted
wherever a score sheet is, with the same results."""

from __future__ import annotations

import pandas as pd
import pytest

import parindex

CSV = "examples/binhduong-district-2017.csv"
UNIT = "Thị xã Tân Uyên"


def test_integer_node_ids_from_read_csv_are_ids() -> None:
    frame = pd.read_csv("examples/daklak-2017.csv")
    assert frame["node"].dtype.kind == "i"  # the trap: read_csv makes "1" an integer
    from_frame = parindex.score("province-2017", frame).unit("Đắk Lắk").total.index
    from_sheet = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
    assert from_frame == from_sheet.unit("Đắk Lắk").total.index == 75.37
    assert parindex.score_frame("province-2017", frame).unit("Đắk Lắk").total.index == 75.37


def test_a_float_node_id_is_still_refused() -> None:
    frame = pd.DataFrame({"unit": ["A"], "node": [3.1], "points": [1.0]})
    with pytest.raises(parindex.errors.InputFormatError, match="decimal structure"):
        parindex.score("province-2017", frame)


def test_what_if_takes_a_frame() -> None:
    sheet = parindex.load_sheet(CSV)
    frame = pd.read_csv(CSV)
    changes = {"appraisal": 50.0, "survey": 35.0}
    by_frame = parindex.what_if("binhduong-district-2017", frame, UNIT, changes)
    by_sheet = parindex.what_if("binhduong-district-2017", sheet, UNIT, changes)
    assert by_frame.headline() == by_sheet.headline()


def test_gap_takes_a_frame() -> None:
    frame = pd.read_csv(CSV)
    by_frame = parindex.gap("binhduong-district-2017", frame, UNIT)
    by_sheet = parindex.gap("binhduong-district-2017", parindex.load_sheet(CSV), UNIT)
    assert by_frame.points_needed == by_sheet.points_needed
    assert frame.equals(pd.read_csv(CSV))  # not modified
