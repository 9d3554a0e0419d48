"""`parindex simulate` on the command line."""

from __future__ import annotations

import json

import pytest

from parindex.cli import main

from ..conftest import DAKLAK_2023_CSV

ARGS = [
    "simulate",
    "-m",
    "illustrative-district",
    "examples/illustrative-districts.csv",
    "-u",
    "examples/uncertainty-district.yaml",
    "--draws",
    "300",
    "--seed",
    "3",
]


def test_table_output_and_no_bar_off_a_tty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ARGS) == 0
    out, err = capsys.readouterr()
    assert "300 draws, seed 3" in out
    assert "NOT OFFICIAL" in out
    assert "Huyện Minh Họa D" in out
    assert err == ""  # stderr is not a TTY under pytest and --progress was not given


def test_progress_bar_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--progress", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("unit,group,par_index,rank,rank_median,rank_p5,rank_p95")
    assert "100% 300/300 draws" in err


def test_json_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--format", "json"]) == 0
    first = capsys.readouterr().out
    assert main([*ARGS, "--format", "json"]) == 0
    doc = json.loads(first)
    assert first == capsys.readouterr().out
    assert doc["draws"] == 300
    assert {"summary", "band_probabilities", "drivers", "drivers_method"} <= set(doc)
    d = next(r for r in doc["summary"] if r["unit"] == "Huyện Minh Họa D")
    assert d["rank"] == 3


def test_bad_spec_is_one_line_and_exit_2(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    spec = Path(str(tmp_path)) / "bad.json"
    spec.write_text('{"inputs": [{"node": "9.9", "sd": 1}]}', encoding="utf-8")
    args = [*ARGS[:4], "-u", str(spec)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "9.9" in err


def test_draws_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS[:-4], "--draws", "0"]) == 2
    assert "must be >= 1" in capsys.readouterr().err


def test_a_level_year_key_bands_with_its_year(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "sheet.csv").write_text(DAKLAK_2023_CSV, encoding="utf-8")
    (folder / "u.yaml").write_text('inputs:\n  - {node: "sipas", sd: 0.5}\n', encoding="utf-8")
    args = ["simulate", "-m", "province-2023", str(folder / "sheet.csv")]
    args += ["-u", str(folder / "u.yaml"), "--draws", "20", "--format", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"][0]["likely_band"] == "B"
    assert main([*args, "--year", "2024"]) == 2
    assert "'province-2023' names 2023, not 2024" in capsys.readouterr().err
