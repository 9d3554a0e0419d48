"""What the command line says: help for a bare call, suggestions for typos, and with
``--format json`` failures as one JSON error object (the HTTP error shape)."""

from __future__ import annotations

import io
import json

import pytest

from parindex.cli import main


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_bare_parindex_prints_the_help() -> None:
    status, out, err = _run([])
    assert status == 0
    assert out.startswith("usage: parindex")
    assert "score and rank the units of a score sheet" in out
    assert err == ""


def test_a_mistyped_command_gets_a_suggestion() -> None:
    status, _, err = _run(["scroe", "-m", "province-2017", "x.csv"])
    assert status == 2
    assert "did you mean 'score'?" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["score", "--format", "json", "-m", "province-2017", "no-such.csv"], "InputFormatError"),
        (
            ["score", "--format=json", "-m", "province-9999", "examples/daklak-2017.csv"],
            "UnknownMethodologyError",
        ),
        (
            ["score", "--format", "json", "-m", "province-2017", "--ties", "sideways", "x.csv"],
            "UsageError",
        ),
    ],
)
def test_json_format_failures_are_one_json_object(argv: list[str], kind: str) -> None:
    status, out, err = _run(argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    doc = json.loads(err)
    assert set(doc["error"]) >= {"type", "message", "unit", "node", "value"}
    assert doc["error"]["type"] == kind


def test_json_errors_keep_unit_node_and_value(tmp_path: object) -> None:
    import pathlib

    sheet = pathlib.Path(str(tmp_path)) / "s.csv"
    sheet.write_text("unit,node,points\nĐắk Lắk,9,1\n", encoding="utf-8")
    status, _, err = _run(["score", "--format", "json", "-m", "province-2017", str(sheet)])
    assert status == 2
    doc = json.loads(err)["error"]
    assert (doc["type"], doc["unit"], doc["node"]) == ("UnknownNodeError", "Đắk Lắk", "9")
