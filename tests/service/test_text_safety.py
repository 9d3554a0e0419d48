"""Text in HTTP requests: a control character or a lone surrogate in any text field of
any request (a key or a value, a sheet, an option, a methodology document) gets a 4xx
answer in the one error shape, which can itself be encoded and printed; the server
never drops the connection."""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import parindex
from parindex.service import dispatch, serve_in_thread
from parindex.service.protocol import dumps

M = "illustrative-district"
BAD = {"lone surrogate": "\ud800", "escape": "\x1b[2J", "NUL": "\x00", "DEL": "\x7f"}
SHAPE = {"type", "message", "unit", "node", "value"}


def _score_body() -> dict[str, Any]:
    return {
        "methodology": M,
        "ties": "min",
        "missing": "zero",
        "rate_scale": "percent",
        "sheet": {
            "methodology": M,
            "entries": [
                {"unit": "Huyện A", "node": "1.4.2", "points": 1.5, "group": "g", "note": "n"},
                {"unit": "Huyện A", "node": "1.1.1", "value": "đúng hạn"},
                {"unit": "Huyện A", "node": "1.3.2", "status": "na"},
            ],
        },
    }


def _methodology_doc() -> dict[str, Any]:
    doc = parindex.methodology_to_dict(parindex.get_methodology(M))
    data: dict[str, Any] = json.loads(json.dumps(doc))
    return data


def _strings(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every text in ``data``: ``(..., key, "key")`` for a key itself."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*path, k, "key")
            yield from _strings(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, (*path, i))
    elif isinstance(data, str):
        yield path


def _spoil(data: Any, path: tuple[Any, ...], bad: str, at: int = 1) -> Any:
    out = copy.deepcopy(data)
    if path[-1] == "key":
        *parent, key, _ = path
        holder = out
        for p in parent:
            holder = holder[p]
        holder[key[:at] + bad + key[at:]] = holder.pop(key)
        return out
    holder = out
    for p in path[:-1]:
        holder = holder[p]
    text = holder[path[-1]]
    holder[path[-1]] = text[:at] + bad + text[at:]
    return out


def _check_refused(status: int, text: str) -> dict[str, Any]:
    assert 400 <= status < 500, text
    text.encode("utf-8")  # the answer can be sent
    err: dict[str, Any] = json.loads(text)["error"]
    assert set(err) >= SHAPE, err
    assert err["type"] in ("InputFormatError", "BadRequest") or err["type"].endswith("Error")
    assert str(err["message"]).isprintable()
    return err


REQUESTS = {
    "/score": _score_body(),
    "/rank": {"values": {"Huyện A": 80.5, "Huyện B": 70.0}, "groups": {"Huyện A": "g"}},
    "/validate": _methodology_doc(),
}
CASES = [
    pytest.param(route, path, bad, id=f"{route} {'.'.join(map(str, path))} {name}")
    for route, body in REQUESTS.items()
    for path in _strings(body)
    # A methodology document repeats itself: the first of each list stands for the rest.
    if route != "/validate" or not any(isinstance(p, int) and p > 0 for p in path)
    for name, bad in BAD.items()
]


@pytest.mark.parametrize(("route", "path", "bad"), CASES)
def test_a_hidden_character_in_any_text_field_gets_a_4xx_json_error(
    route: str, path: tuple[Any, ...], bad: str
) -> None:
    status, text = dispatch("POST", route, json.dumps(_spoil(REQUESTS[route], path, bad)).encode())
    err = _check_refused(status, text)
    assert f"U+{ord(bad[0]):04X}" in err["message"]


def test_the_unspoiled_requests_are_answered() -> None:
    for route, body in REQUESTS.items():
        status, text = dispatch("POST", route, json.dumps(body).encode())
        assert status == 200, text


def test_the_error_names_the_unit_and_node_of_the_entry() -> None:
    body = _score_body()
    body["sheet"]["entries"][0]["note"] = "see \ud800"
    status, text = dispatch("POST", "/score", json.dumps(body).encode())
    err = _check_refused(status, text)
    assert (err["type"], err["unit"], err["node"]) == ("InputFormatError", "Huyện A", "1.4.2")
    assert err["message"].startswith("sheet.entries[0].note: text 'see \\ud800'")


def test_a_json_number_too_large_for_a_float_is_refused_naming_the_entry() -> None:
    body = _score_body()
    body["sheet"]["entries"][0] = {"unit": "Huyện A", "node": "1.2.1", "value": 1}
    text = json.dumps(body).replace('"value": 1}', '"value": 1e309}')
    status, answer = dispatch("POST", "/score", text.encode())
    err = _check_refused(status, answer)
    assert (status, err["type"], err["unit"], err["node"]) == (
        422,
        "PointsOutOfRangeError",
        "Huyện A",
        "1.2.1",
    )


@given(
    pick=st.integers(min_value=0, max_value=10_000),
    at=st.integers(min_value=0, max_value=20),
    bad=st.sampled_from(["\ud800", "\udfff", "\x1b", "\x00", "\x9b", "\x08"]),
)
def test_any_text_spoiled_anywhere_is_refused(pick: int, at: int, bad: str) -> None:
    route = sorted(REQUESTS)[pick % len(REQUESTS)]
    paths = list(_strings(REQUESTS[route]))
    body = _spoil(REQUESTS[route], paths[pick % len(paths)], bad, at)
    _check_refused(*dispatch("POST", route, json.dumps(body).encode()))


def test_dumps_escapes_a_lone_surrogate_rather_than_fail() -> None:
    text = dumps({"error": {"value": "A\ud800"}})
    text.encode("utf-8")
    assert json.loads(text) == {"error": {"value": "A\ud800"}}


def test_a_lone_surrogate_in_a_band_label_gets_an_answer_from_the_server() -> None:
    doc = _methodology_doc()
    year = next(iter(doc["bands"]))
    doc["bands"][year][0]["label"] = "Xuất sắc\ud800"
    body = json.dumps({"methodology": doc, "sheet": _score_body()["sheet"]}).encode()
    server, thread = serve_in_thread("127.0.0.1", 0)
    try:
        port = server.server_address[1]
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/score",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(req, timeout=10)
        with info.value as answer:
            text = answer.read().decode("utf-8")
        err = _check_refused(info.value.code, text)
        assert "bands" in err["message"]
        assert "U+D800" in err["message"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
