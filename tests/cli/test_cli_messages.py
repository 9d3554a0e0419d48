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


def test_missing_year_is_a_note_naming_the_flag(tmp_path: object) -> None:
    import pathlib

    sheet = pathlib.Path(str(tmp_path)) / "p22.csv"
    sheet.write_text(
        "unit,node,points\nA,appraisal,50\nA,impact,5\nA,leader_survey,15\nA,sipas,8\n",
        encoding="utf-8",
    )
    status, out, err = _run(["score", "--units", "free", "-m", "province-2022", str(sheet)])
    assert status == 0
    assert "1     A" in out
    assert err == (
        "parindex: note: province-2022: no bands without an evaluation year (bands are "
        "known for 2022, 2023, 2024); pass --year YEAR\n"
    )
    status, out, err = _run(
        ["score", "--units", "free", "-m", "province-2022", "--year", "2023", str(sheet)]
    )
    assert (status, err) == (0, "")


def test_missing_year_warns_in_python_naming_the_argument() -> None:
    import parindex
    from parindex.analysis.ranking import rank
    from parindex.errors import NoBandsWarning

    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": "A", "node": n, "points": p}
            for n, p in [("appraisal", 50), ("impact", 5), ("leader_survey", 15), ("sipas", 8)]
        ]
    )
    scores = parindex.score(parindex.get_methodology("province-2022"), sheet, units="free")
    with pytest.warns(NoBandsWarning, match=r"pass year=$"):
        rank(scores)


def test_validate_json_lists_every_finding_and_counts_read_in_english() -> None:
    path = "src/parindex/data/methodologies/province-2017.yaml"
    status, out, _ = _run(["validate", path, "--format", "json"])
    assert status == 0
    doc = json.loads(out)
    assert (doc["id"], doc["valid"]) == ("province-2017", True)
    assert {"severity", "code", "node", "message"} <= set(doc["findings"][0])
    status, out, _ = _run(["validate", path, "-q"])
    assert out.rstrip().endswith("1 warning)")


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("ilustrative-district", "did you mean 'illustrative-district'?"),
        ("provnce-2017", "did you mean 'province-2017'?"),
        ("876", "did you mean 'ministry-2022' or 'province-2022'?"),
    ],
)
def test_a_mistyped_methodology_gets_a_suggestion(key: str, suggestion: str) -> None:
    status, _, err = _run(["show", key])
    assert status == 2
    assert suggestion in err


def test_every_command_has_a_description_and_runnable_looking_examples() -> None:
    from parindex.cli.run import EXAMPLES, _subparser, build_parser

    parser = build_parser()
    sub = next(
        a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction)
    )
    assert set(EXAMPLES) == set(sub.choices)
    for name in sub.choices:
        command = _subparser(parser, name)
        assert command is not None
        assert command.description
        assert f"parindex {name}" in (command.epilog or "")
