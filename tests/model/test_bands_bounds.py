"""Bands: an empty or inverted band is refused, the overlap check compares neighbours
after one sort (not every pair), and the number of bands a year is bounded."""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex.errors import LimitExceededError, MethodologyError
from parindex.limits import MAX_BANDS
from parindex.model import bands as bands_module
from parindex.model.bands import Band, _bands_overlap


def _doc(bands: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": "parindex-methodology/1",
        "id": "mini",
        "level": "district",
        "evaluation_years": [2024],
        "total_max": 10,
        "bands": {2024: bands},
        "tree": [{"id": "1", "max_points": 10}],
    }


@pytest.mark.parametrize(
    ("band", "bounds"),
    [
        ({"min_inclusive": 90, "max_exclusive": 80}, "min_inclusive: 90, max_exclusive: 80"),
        ({"min_inclusive": 80, "max_exclusive": 80}, "min_inclusive: 80, max_exclusive: 80"),
        ({"min_exclusive": 80, "max_inclusive": 80}, "min_exclusive: 80, max_inclusive: 80"),
    ],
)
def test_an_empty_or_inverted_band_is_refused_naming_methodology_label_and_bounds(
    band: dict[str, Any], bounds: str
) -> None:
    doc = _doc([{"label": "A", "min_inclusive": 90}, {"label": "X", **band}])
    with pytest.raises(MethodologyError) as caught:
        parindex.methodology_from_dict(doc)
    message = str(caught.value)
    assert "mini" in message
    assert "'X'" in message
    assert bounds in message
    assert "empty" in message
    # A band of one point, both bounds inclusive, is not empty.
    doc = _doc([{"label": "P", "min_inclusive": 80, "max_inclusive": 80}])
    (point,) = parindex.methodology_from_dict(doc).bands_for(2024)
    assert point.contains(80)
    assert not point.contains(80.001)


def test_more_than_max_bands_a_year_is_a_limit_error() -> None:
    m = parindex.get_methodology("illustrative-district")
    year = m.evaluation_years[0]
    many = tuple(Band(f"B{i}", lower=i, upper=i + 1) for i in range(MAX_BANDS + 1))
    with pytest.raises(LimitExceededError) as caught:
        attrs.evolve(m, bands={year: many})
    assert caught.value.limit == "MAX_BANDS"
    assert caught.value.value == MAX_BANDS + 1
    assert m.id in str(caught.value)
    attrs.evolve(m, bands={year: many[:MAX_BANDS]})  # the bound itself is allowed


def test_the_overlap_check_compares_neighbours_not_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = _bands_overlap

    def counted(a: Band, b: Band) -> bool:
        nonlocal calls
        calls += 1
        return real(a, b)

    # Wherever the check looks the function up (the bands module, or a name imported
    # into the methodology module).
    monkeypatch.setattr(bands_module, "_bands_overlap", counted)
    monkeypatch.setattr("parindex.model.methodology._bands_overlap", counted, raising=False)
    n = MAX_BANDS
    listed = [{"label": f"B{i}", "min_inclusive": i, "max_exclusive": i + 1} for i in range(n)]
    parindex.methodology_from_dict(_doc(listed[::-1]))  # listed from the top down
    assert 0 < calls <= n - 1  # every pair would be n (n - 1) / 2 = 4,950


_bound = st.one_of(st.none(), st.integers(0, 6).map(float))


@st.composite
def _bands(draw: st.DrawFn) -> list[Band]:
    out = []
    for i in range(draw(st.integers(0, 6))):
        band = Band(
            f"B{i}",
            lower=draw(_bound),
            upper=draw(_bound),
            lower_inclusive=draw(st.booleans()),
            upper_inclusive=draw(st.booleans()),
        )
        if not band.empty:
            out.append(band)
    return out


@given(_bands())
def test_the_sorted_check_finds_an_overlap_exactly_when_some_pair_overlaps(
    bands: list[Band],
) -> None:
    pair = bands_module._first_overlap(bands)
    every_pair = any(_bands_overlap(a, b) for a, b in itertools.combinations(bands, 2))
    assert (pair is not None) == every_pair
    if pair is not None:
        a, b = pair
        assert _bands_overlap(a, b)
        assert bands.index(a) < bands.index(b)  # named in the order listed
