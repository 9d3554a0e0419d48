"""The dask recipes in docs/how-to/dask.md run as written (when dask is installed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("dask")
pytest.importorskip("dask.dataframe")

DOC = Path(__file__).resolve().parent.parent / "docs" / "how-to" / "dask.md"


def test_dask_recipes_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # the docs' own code, no input
    assert namespace["n"] == 2_000
