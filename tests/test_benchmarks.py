"""Smoke test: the benchmark script runs (tiny sizes) and prints every ratio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "batch_speedup_vs_loop",
    "batch_vs_numpy_bound",
    "montecarlo_speedup_vs_naive",
    "vs_scikit_criteria",
    "import_ratio_vs_pandas",
    "batch_peak_memory_vs_input",
}


def test_quick_benchmark_prints_one_json_object() -> None:
    pytest.importorskip("skcriteria")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--json", "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) >= KEYS
    assert set(result["targets"]) == KEYS
    assert result["quick"] is True
    for key in KEYS:
        assert isinstance(result[key], float)
        assert result[key] > 0
