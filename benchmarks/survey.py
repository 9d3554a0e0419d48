"""Benchmark: aggregate 100,000 survey responses into survey points (run by hand).

    PYTHONPATH=src python benchmarks/survey.py [--rows 100000] [--repeat 5]

Prints one JSON object: rows, units, respondents, the best wall time of ``repeat`` runs
of :func:`parindex.aggregate_survey` (from a DataFrame already in memory), the time to
read the same responses from CSV text, and the time of a 200-replicate bootstrap.
Not part of the test suite: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import time

import numpy as np
import pandas as pd

import parindex
from parindex.io.survey import responses_from_csv_text


def make_responses(rows: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic responses to the illustrative questionnaire: 40 districts, every
    respondent answers every item asked of their group."""
    q = parindex.io.survey.get_questionnaire("illustrative-district")
    rng = np.random.default_rng(seed)
    per_group = {
        g.id: [i.id for i in q.items if not i.groups or g.id in i.groups] for g in q.groups
    }
    groups = rng.choice([g.id for g in q.groups], size=rows)  # more than enough respondents
    lengths = np.array([len(per_group[g]) for g in groups])
    n_resp = int(np.searchsorted(np.cumsum(lengths), rows)) + 1
    groups, lengths = groups[:n_resp], lengths[:n_resp]
    resp_ids = np.array([f"R{k:06d}" for k in range(n_resp)], dtype=object)
    units = rng.choice([f"Huyện {k:02d}" for k in range(40)], size=n_resp)
    items = np.concatenate([per_group[g] for g in groups])
    scale_hi = {i.id: q.scale_of(i.id).high for i in q.items}
    scale_lo = {i.id: q.scale_of(i.id).low for i in q.items}
    hi = np.array([scale_hi[i] for i in items])
    lo = np.array([scale_lo[i] for i in items])
    codes = lo + rng.integers(0, 1_000_000, size=len(items)) % (hi - lo + 1)
    answers = codes.astype(str).astype(object)
    answers[rng.random(len(items)) < 0.03] = "DK"
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units, lengths),
            "respondent": np.repeat(resp_ids, lengths),
            "group": np.repeat(groups, lengths),
            "item": items,
            "answer": answers,
        }
    )
    return frame.iloc[:rows].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    q = parindex.io.survey.get_questionnaire("illustrative-district")
    frame = make_responses(args.rows)
    parindex.aggregate_survey(frame, q)  # warm-up (methodology registry, imports)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = parindex.aggregate_survey(frame, q)
        times.append(time.perf_counter() - t0)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    t0 = time.perf_counter()
    responses_from_csv_text(buf.getvalue())
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result.bootstrap(200, seed=0)
    boot_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "benchmark": "survey aggregation",
                "rows": len(frame),
                "units": int(frame["unit"].nunique()),
                "respondents": int(frame["respondent"].nunique()),
                "aggregate_seconds_best": round(min(times), 4),
                "aggregate_seconds_all": [round(t, 4) for t in times],
                "read_csv_seconds": round(read_s, 4),
                "bootstrap_200_seconds": round(boot_s, 4),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "pandas": pd.__version__,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
