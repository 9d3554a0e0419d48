"""Smoke test: the benchmark script runs (tiny sizes) and prints every figure of the
performance table, with the outputs of each comparison checked equal. No timing is
asserted: a figure only has to be a positive number."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The targets of issue #16, one per row of the README's performance table.
KEYS = {
    "public_vs_pandas_floor",
    "vs_scikit_criteria",
    "batch_vs_numpy_floor",
    "montecarlo_vs_numpy",
    "batch_speedup_vs_loop",
    "peak_memory_1m_over_input",
    "cli_score_vs_import_pandas",
    "service_request_ms_63_units",
    "import_ratio_vs_pandas",
}
# Both sides of a comparison gave the same answer before they were timed.
AGREE = {
    "public_same_ranks",
    "skcriteria_same_ranks_after_snapping",
    "numpy_floor_sums_bit_identical",
    "montecarlo_same_ranks_and_bands",
}


def test_quick_benchmark_prints_one_json_object() -> None:
    pytest.importorskip("skcriteria")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--json", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) >= KEYS | AGREE
    assert set(result["targets"]) == KEYS
    assert result["quick"] is True
    for key in KEYS:
        measured = result[result["targets"][key]["measured_as"]]
        assert isinstance(measured, float)
        assert measured > 0
    for key in AGREE:
        assert result[key] is True, key
    assert result["cli_imports_pandas"] is False
