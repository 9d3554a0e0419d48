"""Monte Carlo: reproducible, agrees with rank() without noise, sensible drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parindex
from parindex import Methodology, ScoreSheet
from parindex.analysis.ranking import rank_matrix
from parindex.io.sheet import load_sheet
from parindex.io.uncertainty import load_uncertainty
from parindex.testing import methodologies, score_sheets

from ..conftest import examples

SHEET = "examples/illustrative-districts.csv"
M = "illustrative-district"
SURVEY = {
    "inputs": [
        {"node": n, "distribution": "normal", "sd": 0.3} for n in ("1.4.2", "2.3", "4.3", "7.4")
    ]
}

grouped = methodologies().flatmap(
    lambda m: score_sheets(m, partial=True, groups=True, min_units=2, max_units=6).map(
        lambda s: (m, s)
    )
)


@settings(max_examples=examples(40))
@given(grouped, st.sampled_from(["min", "max", "dense", "average", "first"]))
def test_without_noise_every_draw_ranks_like_rank(
    case: tuple[Methodology, ScoreSheet], ties: str
) -> None:
    m, sheet = case
    leaf = next(n for n in m.nodes() if n.is_leaf)
    spec = {"inputs": [{"node": leaf.id, "distribution": "normal", "sd": 0}]}
    sim = parindex.simulate(m, sheet, spec, draws=3, seed=0, missing="unknown", ties=ties)  # type: ignore[arg-type]
    table = parindex.rank(parindex.score(m, sheet, missing="unknown"), ties=ties).table  # type: ignore[arg-type]
    expected = table.set_index("unit").loc[list(sim.units), "rank"]
    expected_f = expected.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for d in range(3):
        np.testing.assert_array_equal(sim.ranks[d], expected_f)
    bands = table.set_index("unit").loc[list(sim.units), "band"].tolist()
    got = [sim.band_labels[b] if b >= 0 else None for b in sim.band_codes[0]]
    assert got == [None if pd.isna(b) else b for b in bands]


@given(
    st.lists(
        st.lists(st.sampled_from([70.0, 80.0, 80.0, 85.5, np.nan]), min_size=4, max_size=4),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["min", "max", "dense", "average", "first"]),
)
def test_rank_matrix_equals_rank_values_row_by_row(rows: list[list[float]], ties: str) -> None:
    keys = np.array(rows)
    names = ["d", "b", "a", "c"]
    got = rank_matrix(keys, names, ties=ties)  # type: ignore[arg-type]
    for d, row in enumerate(rows):
        want = parindex.analysis.ranking.rank_values(dict(zip(names, row, strict=True)), ties=ties)  # type: ignore[arg-type]
        np.testing.assert_array_equal(
            got[d], want.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        )


def test_seeded_runs_are_reproducible_and_seeds_matter() -> None:
    sheet = load_sheet(SHEET)
    a = parindex.simulate(M, sheet, SURVEY, draws=300, seed=5)
    b = parindex.simulate(M, sheet, SURVEY, draws=300, seed=5)
    c = parindex.simulate(M, sheet, SURVEY, draws=300, seed=6)
    np.testing.assert_array_equal(a.index, b.index)
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    assert not np.array_equal(a.index, c.index)


def test_summary_bands_and_drivers() -> None:
    sheet = load_sheet(SHEET)
    before = sheet.to_frame()
    spec = {
        "inputs": [
            *SURVEY["inputs"],
            {"node": "3.2.1", "distribution": "uniform", "delta": 4, "on": "measure"},
        ]
    }
    sim = parindex.simulate(M, sheet, spec, draws=2000, seed=1)
    pd.testing.assert_frame_equal(sheet.to_frame(), before)
    summary = sim.summary().set_index("unit")
    assert (summary["rank_p5"] <= summary["rank_median"]).all()
    assert (summary["rank_median"] <= summary["rank_p95"]).all()
    probs = sim.band_probabilities()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    # D's one-stop rate is 97 %: +-4 points crosses 100 % (6 instead of 3 points) in
    # about 1/8 of the draws, so D's index is sometimes 3 points higher.
    d = sim.units.index("Huyện Minh Họa D")
    base = summary.loc["Huyện Minh Họa D", "par_index"]
    share_up = np.mean(sim.index[:, d] > base + 2)
    assert 0.05 < share_up < 0.25
    top = sim.drivers("Huyện Minh Họa D", top=1).iloc[0]
    assert top["input_unit"] == "Huyện Minh Họa D"
    assert top["correlation"] < 0  # more points, better (smaller) rank
    assert 0 <= top["r2"] <= 1


def test_progress_is_reported() -> None:
    calls: list[tuple[int, int]] = []
    parindex.simulate(
        M,
        load_sheet(SHEET),
        SURVEY,
        draws=50,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (50, 50)


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ({"inputs": [{"node": "9.9", "sd": 1}]}, parindex.errors.UnknownNodeError, "9.9"),
        (
            {"inputs": [{"node": "1.4.2", "sd": 1, "on": "measure"}]},
            parindex.errors.InputFormatError,
            "measure",
        ),
        (
            {"inputs": [{"node": "2.3", "distribution": "uniform", "sd": 1}]},
            parindex.errors.InputFormatError,
            "delta",
        ),
        ({"inputs": [{"node": "2.3", "sd": -1}]}, parindex.errors.InputFormatError, "scale"),
        (
            {"inputs": [{"node": "2.3", "sd": 1, "colour": 1}]},
            parindex.errors.InputFormatError,
            "colour",
        ),
        (
            {"inputs": [{"node": "2.3", "sd": 1, "units": ["Nowhere"]}]},
            parindex.errors.UnknownUnitError,
            "Nowhere",
        ),
        ({"inputs": []}, parindex.errors.InputFormatError, "non-empty"),
    ],
)
def test_bad_specs_are_refused(spec: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        parindex.simulate(M, load_sheet(SHEET), spec, draws=5, seed=1)


def test_uncertainty_reads_yaml(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "spec.yaml"
    path.write_text(
        "inputs:\n  - {node: '2.3', distribution: uniform, delta: 0.5}\n", encoding="utf-8"
    )
    assert load_uncertainty(path).inputs[0].describe() == "2.3: points + U(-0.5, +0.5)"


def test_deprecated_uncertainty_readers_forward_with_a_warning() -> None:
    from parindex.io.uncertainty import uncertainty_from_dict
    from parindex.model.uncertainty import Uncertainty

    path = "examples/uncertainty-district.yaml"
    with pytest.warns(DeprecationWarning, match="use parindex.load_uncertainty"):
        old = Uncertainty.read(path)  # type: ignore[attr-defined]
    assert old == load_uncertainty(path)
    data = {"inputs": [{"node": "survey", "sd": 1.0}]}
    with pytest.warns(DeprecationWarning, match="uncertainty_from_dict"):
        assert Uncertainty.from_dict(data) == uncertainty_from_dict(data)  # type: ignore[attr-defined]
