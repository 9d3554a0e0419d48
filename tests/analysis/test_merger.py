"""Results across the 1 July 2025 merger: each former unit beside its successor."""

from __future__ import annotations

import pandas as pd
import pytest

import parindex
from parindex.analysis.merger import change_across_merger
from parindex.errors import InputFormatError, UnknownUnitError

M = parindex.get_methodology("province-2022")
AFTER = parindex.io.rosters.province_roster(2025)


def _ranked(totals: dict[str, float], **options: object) -> parindex.Ranking:
    # Illustrative totals (test data), scored under a methodology with a known maximum.
    wide = pd.DataFrame({"unit": list(totals), "total": list(totals.values())})
    return parindex.rank(parindex.score_frame(M, wide, wide=True, year=2024), **options)


def test_every_former_unit_appears_once_beside_its_successor() -> None:
    before = _ranked({"Bắc Kạn": 80.0, "Thái Nguyên": 86.0, "Phú Yên": 70.0, "Đắk Lắk": 84.0})
    after = _ranked({"Thái Nguyên": 85.0, "Đắk Lắk": 83.0})
    table = change_across_merger(after, before, roster=AFTER)
    assert sorted(table["previous_unit"]) == sorted(r.unit for r in before.rows())
    by_former = table.set_index("previous_unit")
    assert by_former.loc["Phú Yên", "unit"] == "Đắk Lắk"
    assert by_former.loc["Phú Yên", "unit_code"] == AFTER.by_code("66").code
    assert by_former.loc["Phú Yên", "index_change"] == 13.0  # 83 - 70
    assert by_former.loc["Bắc Kạn", "joined"] == 2
    assert "change" not in table.columns  # ranks among 63 and among 34 are not one scale


def test_a_successor_not_in_the_current_ranking_has_no_rank_or_index() -> None:
    before = _ranked({"Bắc Kạn": 80.0, "Hà Nội": 90.0})
    after = _ranked({"Thái Nguyên": 85.0})
    row = change_across_merger(after, before, roster=AFTER).set_index("previous_unit").loc["Hà Nội"]
    assert row["unit"] == "Hà Nội"
    assert pd.isna(row["rank"])
    assert pd.isna(row["par_index"])
    assert pd.isna(row["index_change"])


def test_average_ties_keep_half_ranks() -> None:
    before = _ranked({"Bắc Kạn": 80.0, "Cao Bằng": 80.0}, ties="average")
    after = _ranked({"Thái Nguyên": 85.0}, ties="average")
    table = change_across_merger(after, before, roster=AFTER)
    assert table["previous_rank"].tolist() == [1.5, 1.5]


def test_a_ranking_before_the_merger_needs_the_roster_after_it() -> None:
    before = _ranked({"Bắc Kạn": 80.0})
    with pytest.raises(InputFormatError, match="roster="):
        change_across_merger(before, before)


def test_a_unit_that_never_existed_is_refused() -> None:
    wide = pd.DataFrame({"unit": ["Huyện Minh Họa A"], "total": [80.0]})
    before = parindex.rank(parindex.score_frame(M, wide, wide=True, year=2024, units="free"))
    with pytest.raises(UnknownUnitError, match="Minh Họa A"):
        change_across_merger(before, before, roster=AFTER)
