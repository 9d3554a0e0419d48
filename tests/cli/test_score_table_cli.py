"""``parindex score``'s table as a person reads it: field names in Vietnamese, or in
English with ``--lang en``; the README quick start without "(decision unknown)" or an
empty band column; the note on stderr when bands need ``--year``."""

from __future__ import annotations

import io
import sys

import pytest

from parindex.cli import main

from ..conftest import DAKLAK_2023_CSV, ROOT


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        status = main(list(args), stdout=out, stderr=err)
    finally:
        sys.stdin = old
    return status, out.getvalue(), err.getvalue()


DAKLAK = str(ROOT / "examples" / "daklak-2017.csv")


def test_field_names_are_vietnamese_by_default() -> None:
    status, out, err = _run("score", "-m", "province-2017", DAKLAK)
    assert (status, err) == (0, "")
    assert "3  Cải cách thủ tục hành chính" in out.splitlines()
    assert "field 3" not in out


def test_lang_en_names_fields_in_english() -> None:
    status, out, err = _run("score", "-m", "province-2017", "--lang", "en", DAKLAK)
    assert (status, err) == (0, "")
    assert "3  Administrative procedure reform" in out.splitlines()
    assert "Cải cách thủ tục hành chính" not in out


def test_an_unknown_lang_exits_2_naming_the_flag() -> None:
    status, out, err = _run("score", "-m", "province-2017", "--lang", "fr", DAKLAK)
    assert (status, out) == (2, "")
    assert "--lang" in err
    assert "'fr'" in err
    assert err.count("\n") == 1


def test_the_readme_quick_start_says_what_is_known_of_the_decision() -> None:
    # README.md "Quick start": Bình Dương's districts, 2017. The decision's number is
    # not in the sources, its issuer is; the methodology has no bands at all.
    status, out, err = _run(
        "score",
        "--methodology",
        "binhduong-district-2017",
        str(ROOT / "examples" / "binhduong-district-2017.csv"),
    )
    assert (status, err) == (0, "")
    assert "decision unknown" not in out
    lines = out.splitlines()
    assert lines[1] == "decision: number not identified in the sources (UBND tỉnh Bình Dương)"
    assert "no bands in this methodology" in lines[2]
    assert lines[4].split() == ["rank", "unit", "group", "points", "max", "index"]
    assert max(len(line) for line in lines) <= 100


def test_bands_without_a_year_are_a_note_on_stderr_and_no_empty_column() -> None:
    status, out, err = _run("score", "-m", "province-2022", "-", stdin=DAKLAK_2023_CSV)
    assert status == 0
    assert err == (
        "parindex: note: province-2022: no bands without an evaluation year (bands are "
        "known for 2022, 2023, 2024); pass --year YEAR\n"
    )
    header = next(line for line in out.splitlines() if line.startswith("rank"))
    assert header.split()[-1] == "index"
    status, out, err = _run(
        "score", "-m", "province-2022", "--year", "2023", "-", stdin=DAKLAK_2023_CSV
    )
    assert (status, err) == (0, "")
    rows = out.splitlines()
    at = next(i for i, line in enumerate(rows) if line.startswith("rank"))
    assert (rows[at].split()[-1], rows[at + 1].split()[-1]) == ("band", "B")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_lang_leaves_machine_readable_output_alone(fmt: str) -> None:
    runs = {
        lang: _run("score", "-m", "province-2017", "--format", fmt, "--lang", lang, DAKLAK)
        for lang in ("vi", "en")
    }
    assert runs["vi"][0] == 0
    assert runs["vi"] == runs["en"]
