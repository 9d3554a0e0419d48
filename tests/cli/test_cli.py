"""The CLI contract: output formats, and exit status 2 with one line on bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from parindex.cli import main

from ..conftest import DAKLAK_2023_CSV, ROOT


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(args), stdout=out, stderr=err)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def test_score_daklak_prints_75_37_and_the_eight_field_indices() -> None:
    code, out, err = run(
        "score", "--methodology", "province-2017", str(ROOT / "examples/daklak-2017.csv")
    )
    assert code == 0, err
    assert "75.37" in out
    for value in ("55.00", "81.60", "100.00", "74.82", "69.50", "72.00", "55.38", "90.06"):
        assert value in out


def test_score_json_contract() -> None:
    code, out, _ = run(
        "score", "-m", "province-2017", str(ROOT / "examples/daklak-2017.csv"), "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["methodology"] == "province-2017"
    unit = doc["units"][0]
    assert set(unit) >= {"unit", "points", "max_points", "index", "rank", "band", "nodes"}
    assert unit["index"] == 75.37
    assert unit["rank"] == 1
    assert unit["band"] is None
    assert unit["nodes"]["3"] == {
        "points": 14.5,
        "max_points": 14.5,
        "index": 100.0,
        "status": "scored",
    }


def test_score_json_is_byte_identical_across_runs() -> None:
    args = (
        "score",
        "-m",
        "binhduong-district-2017",
        str(ROOT / "examples/binhduong-district-2017.csv"),
        "--format",
        "json",
    )
    assert run(*args)[1] == run(*args)[1]


def test_score_reads_stdin_and_writes_csv() -> None:
    text = (ROOT / "examples/binhduong-district-2017.csv").read_text(encoding="utf-8")
    code, out, _ = run("score", "-m", "binhduong-district-2017", "-", "--format", "csv", stdin=text)
    assert code == 0
    assert out.splitlines()[0].startswith(
        "unit,unit_code,given_name,group,node,kind,depth,points,max_points,par_index,status,self_points,appraised_points,rank,band"
    )


def test_methodologies_json_lists_required_keys() -> None:
    code, out, _ = run("methodologies", "--format", "json")
    assert code == 0
    items = json.loads(out)
    for item in items:
        assert {
            "id",
            "aliases",
            "decision",
            "level",
            "evaluation_years",
            "complete",
            "sources",
        } <= set(item)
    assert any(i["id"] == "province-2017" for i in items)


def test_show_marks_unknown_maxima() -> None:
    code, out, _ = run("show", "ministry-2022")
    assert code == 0
    assert "max unknown" in out
    assert "appraisal 68.5" in out


BAD = {
    "unknown node": ("unit,node,points\nĐắk Lắk,9,1\n", ["Đắk Lắk", "'9'"]),
    "points above the maximum": ("unit,node,points\nĐắk Lắk,1,10.5\n", ["Đắk Lắk", "'1'", "10.5"]),
    "negative value": ("unit,node,points\nĐắk Lắk,1,-1\n", ["Đắk Lắk", "'1'", "-1"]),
    "NaN": ("unit,node,points\nĐắk Lắk,1,nan\n", ["Đắk Lắk", "'1'", "nan"]),
    "infinity": ("unit,node,points\nĐắk Lắk,1,inf\n", ["Đắk Lắk", "'1'", "inf"]),
    "duplicate row": ("unit,node,points\nĐắk Lắk,1,5\nĐắk Lắk,1,5\n", ["Đắk Lắk", "'1'", "twice"]),
    "overlapping levels": (
        "unit,node,points\n"
        + "".join(f"Đắk Lắk,{i},1\n" for i in range(1, 9))
        + "Đắk Lắk,total,8\n",
        ["Đắk Lắk", "total"],
    ),
    "blank cell": ("unit,node,points\nĐắk Lắk,1,\n", ["Đắk Lắk", "'1'", "blank"]),
    "decimal comma": ('unit,node,points\nĐắk Lắk,1,"5,5"\n', ["Đắk Lắk", "'1'", "5,5", "decimal"]),
    "partial fields": ("unit,node,points\nĐắk Lắk,1,5\n", ["Đắk Lắk", "missing 2, 3"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_line_naming_the_offender(case: str) -> None:
    text, fragments = BAD[case]
    code, out, err = run("score", "-m", "province-2017", "-", stdin=text)
    assert code == 2, (out, err)
    assert out == ""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_unknown_methodology_and_missing_file() -> None:
    code, _, err = run("score", "-m", "province-1990", str(ROOT / "examples/daklak-2017.csv"))
    assert code == 2
    assert "years covered" in err
    code, _, err = run("score", "-m", "province-2017", "no/such/file.csv")
    assert code == 2
    assert "no/such/file.csv" in err


def test_a_level_year_key_bands_with_its_year() -> None:
    code, out, err = run(
        "score", "-m", "province-2023", "-", "--format", "json", stdin=DAKLAK_2023_CSV
    )
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["methodology"], doc["year"]) == ("province-2022", 2023)
    assert (doc["units"][0]["index"], doc["units"][0]["band"]) == (87.33, "B")
    code, out, err = run("score", "-m", "province-2023", "-", stdin=DAKLAK_2023_CSV)
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("1 "))
    assert row.split()[-1] == "B"


@pytest.mark.parametrize(
    ("key", "year", "fragment"),
    [
        ("province-2022", "2021", "covers 2022, 2023, 2024, not 2021"),
        ("province-2023", "2024", "'province-2023' names 2023, not 2024"),
    ],
)
def test_a_year_the_methodology_does_not_cover_exits_2(key: str, year: str, fragment: str) -> None:
    code, out, err = run("score", "-m", key, "--year", year, "-", stdin=DAKLAK_2023_CSV)
    assert (code, out) == (2, "")
    assert fragment in err
    assert err.count("\n") == 1


def test_usage_errors_are_one_line() -> None:
    code, _, err = run("score")
    assert code == 2
    assert err.count("\n") == 1


def test_the_installed_entry_point_never_prints_a_traceback(tmp_path: object) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "parindex", "score", "-m", "province-2017", "-"],
        input="unit,node,points\nX,1,99\n",
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize("argv", [["methodologies", "--format", "json"], ["show", "province-2023"]])
def test_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    # As in `parindex ... | head`: the reader is gone before parindex writes (closed
    # before it starts, so the outcome does not depend on timing).
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "parindex", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            cwd=ROOT,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (1, "")


def test_a_closed_pipe_in_process_writes_nothing_to_stderr() -> None:
    class Closed(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    assert main(["methodologies"], stdout=Closed(), stderr=err) == 1
    assert err.getvalue() == ""
