"""The service's JSON: orjson where it gives exactly what ``json`` gives (issue #16),
the careful ``json`` reading (and its messages) wherever it might not."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.service import protocol
from parindex.service.protocol import HttpError, encode, parse_json_body

pytest.importorskip("orjson")

_TEXT = st.text(alphabet=st.sampled_from(list('ab:[]{}",\\ đ\u00e0\t\x01')), max_size=6)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


def _careful(body: bytes) -> object:
    try:
        return ("ok", protocol._parse(body.decode("utf-8-sig"), HttpError(413, "deep")))
    except HttpError as err:
        return ("refused", err.status, str(err))


def _parsed(body: bytes) -> object:
    try:
        return ("ok", parse_json_body(body))
    except HttpError as err:
        return ("refused", err.status, str(err))


def _typed(x: Any) -> Any:
    """Values with their types: 1 and 1.0 are different answers."""
    if isinstance(x, dict):
        return {k: _typed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_typed(v) for v in x]
    return (type(x).__name__, repr(x))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_JSON, st.booleans())
def test_parsing_is_the_careful_parse(value: Any, spaced: bool) -> None:
    text = json.dumps(value, ensure_ascii=spaced, indent=1 if spaced else None)
    fast, careful = _parsed(text.encode()), _careful(text.encode())
    if careful[0] == "ok" and fast[0] == "ok":
        assert _typed(fast[1]) == _typed(careful[1])
    elif careful[0] == "ok":  # refused only for a character parindex refuses in text
        assert fast[1] == 422
    else:
        assert fast == careful


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": 1, "a": 2}',
        b'{"sheet": [{"unit": "A", "node": "1", "unit": "B"}]}',
        b'[{"a": 1}, {"b": {"c": 1, "c": 2}}]',
        b'{"a": {"x": 1, "x": 1}, "b": [1, 2]}',
        b'{"n": 123456789012345678901234567890}',
        b'{"n": 9007199254740993}',
        b'{"x": 1e999}',
        b'{"a": NaN}',
        b'\xef\xbb\xbf{"a": 1}',
        b'{"k:": 1, "k:": 2}',
        b'{"a\\"b": 1, "a\\"b": 2}',
        b"null",
        b"[]",
    ],
)
def test_what_orjson_reads_otherwise_is_read_carefully(body: bytes) -> None:
    fast, careful = _parsed(body), _careful(body)
    assert (_typed(fast[1]) if fast[0] == "ok" else fast) == (
        _typed(careful[1]) if careful[0] == "ok" else careful
    )


def test_a_repeated_key_is_refused_by_name() -> None:
    with pytest.raises(HttpError, match="'unit'"):
        parse_json_body(b'{"sheet": [{"unit": "A", "node": "1", "unit": "B"}]}')


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_JSON)
def test_compact_answers_are_the_same_json(value: Any) -> None:
    try:
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except UnicodeEncodeError:  # pragma: no cover - the strategy has no lone surrogate
        return
    assert _typed(json.loads(encode(value, pretty=False))) == _typed(json.loads(expected))
    assert (
        encode(value, pretty=True)
        == (json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode()
    )


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_compact_or_not(bad: float) -> None:
    for doc in ({"index": bad}, {"a": None, "b": [1.0, bad]}, [None, {"x": bad}]):
        for pretty in (True, False):
            with pytest.raises(ValueError, match="not JSON compliant"):
                encode(doc, pretty=pretty)


def test_a_builder_that_vouches_is_not_looked_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "_finite", lambda doc: pytest.fail("looked through"))
    assert encode({"index": None}, pretty=False, finite=True) == b'{"index":null}'
    assert encode({"index": 1.5}, pretty=False) == b'{"index":1.5}'  # no null: no look


def test_keys_that_are_no_text_and_lone_surrogates_fall_back_to_json() -> None:
    assert encode({1: "a"}, pretty=False) == b'{"1":"a"}'
    assert encode({"a": "\ud800"}, pretty=False) == b'{"a":"\\ud800"}'
    assert encode({"n": 2**70}, pretty=False) == b'{"n":1180591620717411303424}'
