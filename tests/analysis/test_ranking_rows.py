"""The array-backed Ranking: rows(), to_frame(), rank_of() and units say the same thing."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex.analysis.ranking import RankedUnit, assign_band, band_codes, rank, rank_values
from parindex.errors import InputFormatError
from parindex.model.bands import Band

from ..conftest import examples


def _sheet(values: list[float]) -> parindex.ScoreSheet:
    return parindex.ScoreSheet.from_records(
        [
            {"unit": f"Huyện {i:03d}", "node": node, "points": p}
            for i, v in enumerate(values)
            for node, p in (("appraisal", v * 0.685), ("survey", v * 0.315))
        ]
    )


@pytest.mark.parametrize("ties", ["min", "dense", "average", "first", "max"])
@settings(max_examples=examples(25), deadline=None)
@given(
    values=st.lists(
        st.sampled_from([50.0, 62.5, 62.5, 80.0, 91.25, 100.0]), min_size=1, max_size=12
    )
)
def test_rows_and_frame_agree(ties: str, values: list[float]) -> None:
    ranking = rank(parindex.score("ministry-2022", _sheet(values)), ties=ties, year=2022)  # type: ignore[arg-type]
    frame = ranking.to_frame()
    rows = ranking.rows()
    assert [r.unit for r in rows] == frame["unit"].tolist() == list(ranking.units)
    assert len(ranking) == len(rows)
    for row, rec in zip(rows, frame.to_dict("records"), strict=True):
        assert isinstance(row, RankedUnit)
        assert row.index == rec["par_index"]
        assert row.points == rec["points"]
        # A missing band is None in a record and <NA> in the table.
        assert row.band == (None if pd.isna(rec["band"]) else rec["band"])
        assert row.ranked == rec["ranked"]
        assert row.rank == float(rec["rank"])
        assert ranking.rank_of(row.unit) == row.rank
        # Only the average policy gives fractional ranks; others are whole numbers.
        assert isinstance(row.rank, float if ties == "average" else int)


def test_average_rank_is_not_truncated() -> None:
    ranking = rank(parindex.score("ministry-2022", _sheet([80.0, 80.0, 50.0])), ties="average")
    assert [r.rank for r in ranking.rows()] == [1.5, 1.5, 3.0]
    assert ranking.rank_of("Huyện 000") == 1.5
    buf = io.StringIO()  # the printed table shows 1.5 too, not a truncated 1
    parindex.present.tables.score_table(buf, ranking.methodology, ranking.scores, ranking)
    assert "\n1.5 " in buf.getvalue()


BANDS = [
    Band("A", lower=90),
    Band("B", lower=80, upper=90),
    Band("C", lower=70, upper=80, lower_inclusive=False, upper_inclusive=True),
]


@pytest.mark.parametrize("value", [90.0, 89.999999, 80.0, 79.999, 70.0, 70.000001, 0.0, 100.0])
def test_assign_band_and_band_codes_agree_on_every_bound(value: float) -> None:
    code = int(band_codes(np.array([value]), BANDS)[0])
    expected = next((b.label for b in BANDS if b.contains(value)), None)
    assert assign_band(value, BANDS) == expected == (None if code < 0 else BANDS[code].label)


def test_unknown_index_has_no_band() -> None:
    import pandas as pd

    assert assign_band(None, BANDS) is None
    assert assign_band(math.nan, BANDS) is None
    assert assign_band(pd.NA, BANDS) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.inf, -math.inf])
def test_rank_values_refuses_infinite_values(bad: float) -> None:
    with pytest.raises(InputFormatError, match="not a finite number"):
        rank_values({"A": bad, "B": 50.0})
