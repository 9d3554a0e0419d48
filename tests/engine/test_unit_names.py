"""Unit names of a wide frame: the Arrow fast path (bytes checked in NumPy, Unicode
asked of one joined string) decides exactly as reading the names one by one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import parindex
from parindex.engine import names
from parindex.engine.names import Fallback, unit_keys

# Characters that each take a different turn in the checks: spaces and other white
# space, controls (NUL, DEL, C1), invisible format characters, a combining mark (NFC),
# letters whose case or tone-mark placement folds (ß / ẞ / ss, ς / σ, oà / òa), and
# plain letters and digits.
ALPHABET = [
    " ", "\t", "\n", "\x00", "\x7f", "\x85", "\xa0", "\u2028", "\u200b", "\ufeff",
    "\u0301", "a", "A", "á", "e", "é", "ß", "ẞ", "s", "S", "ς", "σ", "Σ", "İ", "i",
    "o", "à", "ò", "u", "ỳ", "ù", "y", "Đ", "đ", "1", "\U0001d400", "\ue000",
]  # fmt: skip


def _outcome(read: Callable[[], Sequence[str]]) -> object:
    try:
        return list(read())
    except Fallback:
        return "fallback"


def _arrow_column(values: list[str]) -> pd.Series:
    col = pd.Series(values, dtype=names.table_str_dtype())
    if names._arrow_text(pd.Series(["a"], dtype=names.table_str_dtype())) is None:
        pytest.skip("this pandas keeps names as Python strings: no Arrow path to compare")
    return col


@given(st.lists(st.text(alphabet=ALPHABET, max_size=5), min_size=1, max_size=6))
@example(["Đơn vị 1", "Đơn vị 2"])
@example(["Hoà An", "Hòa An"])  # one name, two tone-mark placements
@example(["Straße", "STRASSE"])  # one name, two cases (casefold, not lower)
@example(["A", " A"])
@example(["A  B", "C"])
@example(["A\u00a0B"])
@example(["", "A"])
@example(["e\u0301"])
def test_arrow_names_decide_as_names_read_one_by_one(values: list[str]) -> None:
    fast = _outcome(lambda: unit_keys(_arrow_column(values)))
    slow = _outcome(lambda: unit_keys(pd.Series(values, dtype=object)))
    assert fast == slow


def _fast(values: list[str]) -> tuple[bool | None, str | None] | None:
    """What the fast path makes of an Arrow column: ``None`` when its bytes are refused,
    else whether the names are distinct, told from the bytes, and the names decoded
    and checked."""
    text = names._arrow_text(_arrow_column(values))
    return None if text is None else (names._plain_distinct(*text), names._normal_joined(*text))


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (["A", " B"], "an edge space"),
        (["A ", "B"], "an edge space"),
        (["A  B"], "two spaces"),
        (["A\tB"], "a control"),
        (["A\x7fB"], "DEL"),
        (["A\u00a0B"], "not printable"),
        (["e\u0301"], "not NFC"),
        (["A", ""], "an empty name"),
    ],
)
def test_the_arrow_path_leaves_each_doubt_to_the_long_way(values: list[str], why: str) -> None:
    # Each case is one check of the fast path: it answers None, so the long way (which
    # normalises, or names the error) decides. Deleting any one check fails here.
    assert _fast(values) in (None, (None, None)), why


def test_the_arrow_path_reads_latin_from_the_bytes_and_other_text_decoded() -> None:
    assert _fast(["Đắk Lắk", "GIA LAI", "A"]) == (True, "Đắk Lắk\x00GIA LAI\x00A")
    assert _fast(["Gia Lai", "GIA LAI"]) == (False, "Gia Lai\x00GIA LAI")
    assert _fast(["Hoà An", "Hòa An"]) == (False, "Hoà An\x00Hòa An")  # decoded: old tone
    assert _fast(["Αθήνα", "A"]) == (None, "Αθήνα\x00A")  # Greek: asked of the text
    col = _arrow_column(["Gia Lai", "Đắk Lắk", "GIA LAI"]).iloc[1:]  # an offset slice
    text = names._arrow_text(col)
    assert text is not None
    assert names._plain_distinct(*text) is True


def test_a_sliced_arrow_column_is_read_from_its_own_offsets() -> None:
    wide = pd.DataFrame({"unit": ["X", "Đắk Lắk", "Gia Lai"], "appraisal": [1.0, 60.0, 50.0]})
    wide["survey"] = 20.0
    s = parindex.score_frame("ministry-2022", wide.iloc[1:], wide=True)
    assert s.units == ("Đắk Lắk", "Gia Lai")
    assert s.totals()["par_index"].tolist() == [80.0, 70.0]


@given(st.lists(st.text(alphabet="ab Đ", min_size=1, max_size=3), min_size=1, max_size=12))
def test_names_counted_in_parts_are_counted_as_a_whole(values: list[str]) -> None:
    # A million names are counted in parts (Arrow's memory); parts of two names here.
    import numpy as np

    pytest.importorskip("pyarrow")  # the count is Arrow's

    encoded = [v.encode() for v in values]
    ends = np.cumsum([len(e) for e in encoded]).astype(np.int64)
    body = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    whole = len(set(values)) == len(values)
    assert names._distinct_bytes(ends, body) == whole
    saved = names._COUNTED_AT_ONCE
    names._COUNTED_AT_ONCE = 2
    try:
        assert names._distinct_bytes(ends, body) == whole
    finally:
        names._COUNTED_AT_ONCE = saved
