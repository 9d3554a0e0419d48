"""The CLI's output for every file in ``examples/`` is byte-identical to the copies kept
in ``tests/golden/cli/`` (made before the package was restructured into layers): a
change of numbers, keys, order or formatting fails here. The ``score-*.txt`` copies are
the terminal table as a person reads it (field names in Vietnamese, or English with
``--lang en``); they were written when the table gained its legends, not before."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from parindex.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "cli"

CASES = {
    "score-daklak-2017.json": ["score", "-m", "province-2017", "daklak-2017.csv", "--format", "json"],
    "score-binhduong-district-2017.json": [
        "score", "-m", "binhduong-district-2017", "binhduong-district-2017.csv", "--format", "json",
    ],
    "score-illustrative-district-2024.json": [
        "score", "-m", "illustrative-district", "illustrative-district-2024.csv", "--format", "json",
    ],
    "score-illustrative-districts.json": [
        "score", "-m", "illustrative-district", "illustrative-districts.csv", "--format", "json",
    ],
    # The table, as README.md's quick start and docs/getting-started.md print it.
    "score-daklak-2017.txt": ["score", "-m", "province-2017", "daklak-2017.csv"],
    "score-binhduong-district-2017.txt": [
        "score", "--methodology", "binhduong-district-2017", "binhduong-district-2017.csv",
    ],
    "score-illustrative-districts-en.txt": [
        "score", "-m", "illustrative-district", "illustrative-districts.csv", "--lang", "en",
    ],
    "score-haiphong-ward-2025.json": [
        "score", "-m", "haiphong-ward-2025", "haiphong-ward-2025.csv", "--format", "json",
    ],
    "survey-illustrative-district.json": [
        "survey", "-m", "illustrative-district", "survey-illustrative-district.csv", "--format", "json",
    ],
    "simulate-uncertainty-district.json": [
        "simulate", "-m", "illustrative-district", "illustrative-districts.csv",
        "-u", "uncertainty-district.yaml", "--draws", "2000", "--seed", "1", "--format", "json",
        "--no-progress",
    ],
    "simulate-uncertainty-survey.json": [
        "simulate", "-m", "binhduong-district-2017", "binhduong-district-2017.csv",
        "-u", "uncertainty-survey.yaml", "--draws", "2000", "--seed", "1", "--format", "json",
        "--no-progress",
    ],
    "methodologies.json": ["methodologies", "--format", "json"],
    "diff-2017-2022.json": ["diff", "province-2017", "province-2022", "--format", "json"],
    "diff-2017-2022.txt": ["diff", "province-2017", "province-2022"],
    "show-province-2017.txt": ["show", "province-2017"],
    "schema-methodology.json": ["schema", "methodology"],
    "schema-sheet.json": ["schema", "sheet"],
    "schema-result.json": ["schema", "result"],
}  # fmt: skip


def test_every_example_file_has_a_golden_output() -> None:
    used = {arg for args in CASES.values() for arg in args}
    examples = {p.name for p in (ROOT / "examples").iterdir() if p.suffix in (".csv", ".yaml")}
    assert examples <= used, f"no golden CLI output for {sorted(examples - used)}"
    assert {p.name for p in GOLDEN.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_output_is_byte_identical(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "examples")
    out, err = io.StringIO(), io.StringIO()
    assert main(CASES[name], stdout=out, stderr=err) == 0, err.getvalue()
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert out.getvalue() == expected
