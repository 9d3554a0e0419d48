"""Monte Carlo in blocks: the same seed gives the same result whatever the block size,
draws x units is bounded by a named limit, and a bad seed is a typed error."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import parindex
from parindex.cli import main
from parindex.errors import InputFormatError, LimitExceededError
from parindex.limits import MAX_DRAW_CELLS

from ..conftest import ROOT

SHEET = "examples/illustrative-districts.csv"
SPEC = "examples/uncertainty-district.yaml"  # points and measure inputs, normal and uniform
M = "illustrative-district"
CLI = ["simulate", "-m", M, SHEET, "-u", SPEC]


def _run(draws: int, block: int | None) -> parindex.analysis.simulate.Simulation:
    sheet = parindex.load_sheet(SHEET)
    spec = parindex.load_uncertainty(SPEC)
    return parindex.simulate(M, sheet, spec, draws=draws, seed=11, block_draws=block)


@pytest.mark.parametrize("draws", [50, 1234])  # one stretch of random numbers; three
def test_block_sizes_one_seven_and_all_give_the_one_block_result(draws: int) -> None:
    whole = _run(draws, draws)
    for block in (1, 7):
        part = _run(draws, block)
        np.testing.assert_array_equal(part.index, whole.index)
        np.testing.assert_array_equal(part.ranks, whole.ranks)
        np.testing.assert_array_equal(part.band_codes, whole.band_codes)
        pd.testing.assert_frame_equal(part.summary(), whole.summary())
        pd.testing.assert_frame_equal(part.band_probabilities(), whole.band_probabilities())
        pd.testing.assert_frame_equal(part.drivers(top=None), whole.drivers(top=None))
    assert _run(draws, None).summary().equals(whole.summary())  # the default blocks too


def test_draws_times_units_is_bounded_and_the_bound_can_be_raised() -> None:
    sheet = parindex.load_sheet(SHEET)  # 8 units
    spec = {"inputs": [{"node": "2.3", "sd": 0.3}]}
    with pytest.raises(LimitExceededError) as caught:
        parindex.simulate(M, sheet, spec, draws=101, seed=1, max_draw_cells=800)
    err = caught.value
    assert (err.limit, err.value, err.maximum) == ("MAX_DRAW_CELLS", 808, 800)
    assert "max_draw_cells=" in str(err)
    assert parindex.simulate(M, sheet, spec, draws=100, seed=1, max_draw_cells=800).draws == 100
    with pytest.raises(LimitExceededError, match="MAX_DRAW_CELLS"):
        parindex.simulate(M, sheet, spec, draws=MAX_DRAW_CELLS // 8 + 1, seed=1)


@pytest.mark.parametrize(("name", "value"), [("seed", -1), ("seed", 1.5), ("block_draws", 0)])
def test_a_bad_seed_or_block_is_a_typed_error_naming_it(name: str, value: object) -> None:
    sheet = parindex.load_sheet(SHEET)
    spec = {"inputs": [{"node": "2.3", "sd": 0.3}]}
    with pytest.raises(InputFormatError, match=name):
        parindex.simulate(M, sheet, spec, draws=5, **{name: value})  # type: ignore[arg-type]


def test_cli_seed_must_be_a_whole_number_from_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CLI, "--draws", "10", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--seed" in err
    assert "-1" in err


def test_cli_max_draw_cells_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CLI, "--draws", "100", "--max-draw-cells", "799"]) == 2
    err = capsys.readouterr().err
    assert "MAX_DRAW_CELLS = 799" in err
    assert "--max-draw-cells" in err
    assert main([*CLI, "--draws", "100", "--max-draw-cells", "800", "--format", "csv"]) == 0


def _bounded(args: list[str], megabytes: int = 1024) -> subprocess.CompletedProcess[str]:
    """``parindex ARGS`` in a child whose address space is capped (a runaway allocation
    fails there, not in this process)."""
    limit = megabytes * 2**20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    # The child imports the parindex this process imported.
    src = str(Path(parindex.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-m", "parindex", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        preexec_fn=cap,
        timeout=120,
    )


@pytest.mark.parametrize("draws", ["10000000", "1000000000"])
def test_a_huge_draw_count_is_refused_by_name_within_bounded_memory(draws: str) -> None:
    done = _bounded([*CLI, "--draws", draws])
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "MAX_DRAW_CELLS" in done.stderr
    assert "--max-draw-cells" in done.stderr
