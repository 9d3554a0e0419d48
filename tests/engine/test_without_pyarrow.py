"""pyarrow is optional: a plain install (pandas without pyarrow) scores frames too."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

import parindex


def test_wide_frames_score_when_pyarrow_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # "import pyarrow" raises ImportError
    wide = pd.DataFrame({"unit": ["A", "B"], "appraisal": [60.0, 50.0], "survey": [30.1, 20.0]})
    scores = parindex.score_frame("ministry-2022", wide, wide=True, units="free")
    assert scores.totals()["index"].tolist() == [90.1, 70.0]
