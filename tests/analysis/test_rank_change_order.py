"""``rank_change`` gives its rows in order of the units' names on every supported
pandas (an outer merge sorts its keys from pandas 2.2 on, and did not always before)."""

from __future__ import annotations

import parindex


def _ranking(points: dict[str, float]) -> parindex.Ranking:
    sheet = parindex.ScoreSheet.from_records(
        [{"unit": u, "node": "total", "points": p} for u, p in points.items()]
    )
    return parindex.rank(parindex.score("illustrative-district", sheet, units="free"))


def test_rows_in_name_order_with_units_of_one_year_only() -> None:
    now = _ranking({"Zeta": 80.0, "Alpha": 90.0, "Mu": 85.0})
    before = _ranking({"Mu": 70.0, "Beta": 95.0, "Zeta": 75.0})
    table = parindex.rank_change(now, before)
    assert table["unit"].tolist() == ["Alpha", "Beta", "Mu", "Zeta"]
    row = table.set_index("unit").loc["Mu"]
    assert (row["rank"], row["previous_rank"], row["change"]) == (2, 3, 1)
    assert table.set_index("unit")["change"].isna().tolist() == [True, True, False, False]
