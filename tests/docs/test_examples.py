"""The runnable examples in examples/: scripts run as subprocesses, the notebook's code
cells are executed in order in one namespace (no Jupyter needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run(script: Path) -> str:
    return _run_args(script)


def _run_args(script: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_example_script_is_tested() -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert scripts == ["plot_rank_distribution.py", "score_published_units.py"]


def test_plot_rank_distribution_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "rank.png"
    printed = _run_args(EXAMPLES / "plot_rank_distribution.py", str(out))
    assert printed.strip() == str(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_score_published_units_prints_the_published_figures() -> None:
    out = _run(EXAMPLES / "score_published_units.py")
    lines = out.splitlines()
    # Đắk Lắk 2017: 75.37, http://truyenhinhdaknong.vn/tin-tuc/dak-lak-chi-so-cai-cach-hanh-chinh-dung-dau-khu-vuc-tay-nguyen-2540.html
    daklak = next(line for line in lines if "Đắk Lắk" in line).split()
    assert daklak[-5:-2] == ["75.37", "75.37", "0.00"]
    # Bình Dương 2017, http://baubang.binhduong.gov.vn/Default.aspx?tabid=175&ID=1881
    last = next(line for line in lines if "Bắc Tân Uyên" in line).split()
    assert last[-5:] == ["71.46", "71.46", "0.00", "9", "9"]
    # Bộ Tư pháp 2023: parts add up to 89.96, published 89.95.
    moj = next(line for line in lines if line.strip().startswith("ministry-2022")).split()
    assert moj[-5:-2] == ["89.96", "89.95", "0.01"]


def _code_cells(path: Path) -> list[str]:
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    cells = notebook["cells"]
    for cell in cells:
        assert cell["cell_type"] in {"code", "markdown", "raw"}
        assert isinstance(cell["source"], list | str)
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    ]


def test_scenario_notebook_runs(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    # Jupyter (lab, notebook, nbconvert --execute) starts the kernel in the notebook's folder.
    monkeypatch.chdir(EXAMPLES)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    cells = _code_cells(EXAMPLES / "scenario.ipynb")
    assert len(cells) >= 4
    for i, source in enumerate(cells):
        exec(compile(source, f"scenario.ipynb[code cell {i}]", "exec"), namespace)
    out = capsys.readouterr().out
    assert "index 90.67 -> 93.79" in out
    moves = namespace["moves"]
    assert sorted(moves.loc[moves["change"] != 0, "unit"]) == ["Huyện Dầu Tiếng", "Huyện Phú Giáo"]
