"""Benchmarks for batch scoring and the Monte Carlo, as ratios measured side by side.

Run ``python benchmarks/run.py --json`` (``--quick`` for tiny sizes). Prints one JSON
object: each ratio is a median over repeated runs, alternating the contenders so that
machine noise hits both alike. Needs the ``bench`` extra (scikit-criteria).

Slow baselines are timed on a subset and scaled per item (the output says which):
the unit-by-unit loop on ``loop_units`` units, the naive Monte Carlo on ``naive_draws``
draws.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data  # noqa: E402

import parindex  # noqa: E402


def _median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _side_by_side(
    a: Callable[[], object], b: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median times of a and b, alternating a, b, a, b, ..."""
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(_median_time(a, 1))
        tb.append(_median_time(b, 1))
    return statistics.median(ta), statistics.median(tb)


# --------------------------------------------------------------------------- batch


def bench_batch(units: int, loop_units: int, repeat: int) -> dict[str, Any]:
    m = _data.methodology()
    wide = _data.wide_values(m, units)
    leaves = [n for n in m.nodes() if n.is_leaf]

    def batch() -> parindex.Scores:
        return parindex.score_frame(m, wide, wide=True, cells="values", rate_scale="percent")

    # The unit-by-unit path: one ScoreSheet per unit (built beforehand), score() each.
    sheets = []
    for row in wide.head(loop_units).itertuples(index=False):
        unit = row[0]
        sheets.append(
            parindex.ScoreSheet(
                tuple(
                    parindex.ScoreEntry(unit, leaf.id, value=float(v))
                    for leaf, v in zip(leaves, row[1:], strict=True)
                )
            )
        )

    def loop() -> None:
        for sheet in sheets:
            parindex.score(m, sheet, rate_scale="percent")

    # Exactness on the subset, then the numpy lower bound on the same data.
    got = batch()
    for i, sheet in enumerate(sheets[:20]):
        alone = parindex.score(m, sheet, rate_scale="percent")
        assert got.batch.index[i].tobytes() == alone.batch.index[0].tobytes()

    c = got.batch.compiled
    x = wide[[leaf.id for leaf in leaves]].to_numpy()
    ancestors = np.zeros((len(leaves), len(c.slot_ids)))
    for i, leaf in enumerate(leaves):
        s = c.pos[leaf.id]
        while s >= 0:
            ancestors[i, s] = 1.0
            s = int(c.parent[s])
        ancestors[i, c.total_slot] = 1.0
    maxima = np.where(np.isnan(c.maxima), 1.0, c.maxima)

    def numpy_bound() -> np.ndarray:
        pts = np.empty_like(x)
        for i, leaf in enumerate(leaves):
            rule = leaf.rule
            assert rule is not None
            measures = rule.measures(x[:, i], max_points=leaf.max_points, rate_scale="percent")
            pts[:, i] = rule.points(measures, leaf.max_points or 0.0)
        return (pts @ ancestors) / maxima * 100.0

    bound = numpy_bound()
    assert np.allclose(bound[:, c.total_slot], got.batch.index[:, c.total_slot])

    t_batch, t_loop = _side_by_side(batch, loop, repeat)
    t_batch2, t_bound = _side_by_side(batch, numpy_bound, repeat * 2)
    per_unit_loop = t_loop / loop_units

    gc.collect()
    tracemalloc.start()
    batch()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "batch_speedup_vs_loop": per_unit_loop * units / t_batch,
        "batch_vs_numpy_bound": t_batch2 / t_bound,
        "batch_peak_memory_vs_input": peak / x.nbytes,
        "batch_seconds": t_batch,
        "loop_seconds_per_unit": per_unit_loop,
        "numpy_bound_seconds": t_bound,
        "batch_units": units,
        "batch_leaves": len(leaves),
        "batch_slots": len(c.slot_ids),
        "loop_timed_on_units": loop_units,
        "input_array_bytes": x.nbytes,
        "peak_traced_bytes": peak,
    }


# --------------------------------------------------------------------------- Monte Carlo


def bench_montecarlo(draws: int, naive_draws: int, n_units: int, repeat: int) -> dict[str, Any]:
    m = _data.methodology()
    wide = _data.wide_values(m, n_units, seed=1)
    tidy = parindex.engine.batch.wide_to_tidy(wide, m, cells="values")
    sheet = parindex.ScoreSheet.from_frame(tidy)
    base = parindex.score(m, sheet, rate_scale="percent")
    uncertain = [n.id for n in m.nodes() if n.is_leaf][3::10]  # 10 leaves (yes/no rules)
    spec = {"inputs": [{"node": n, "distribution": "normal", "sd": 0.1} for n in uncertain]}

    def fast() -> parindex.analysis.simulate.Simulation:
        return parindex.simulate(m, sheet, spec, draws=draws, seed=0, rate_scale="percent")

    # Naive: every draw perturbs a points table with pandas, rescores and reranks it.
    frame = base.to_frame()
    points = frame.loc[frame["kind"] == "node"].merge(
        pd.DataFrame({"node": [n.id for n in m.nodes() if n.is_leaf]}), on="node"
    )[["unit", "node", "points"]]
    maxima = {n.id: n.max_points for n in m.nodes()}

    def naive() -> np.ndarray:
        rng = np.random.default_rng(0)
        ranks = []
        for _ in range(naive_draws):
            df = points.copy()
            mask = df["node"].isin(uncertain)
            noise = rng.normal(0.0, 0.1, int(mask.sum()))
            upper = df.loc[mask, "node"].map(maxima)
            df.loc[mask, "points"] = np.clip(df.loc[mask, "points"] + noise, 0.0, upper)
            table = parindex.rank(parindex.score(m, df)).to_frame()
            ranks.append(table.set_index("unit")["rank"])
        return np.array(ranks)

    t_fast, t_naive = _side_by_side(fast, naive, repeat)
    per_draw_naive = t_naive / naive_draws
    return {
        "montecarlo_speedup_vs_naive": per_draw_naive * draws / t_fast,
        "montecarlo_seconds": t_fast,
        "naive_seconds_per_draw": per_draw_naive,
        "montecarlo_draws": draws,
        "montecarlo_units": n_units,
        "montecarlo_uncertain_leaves": len(uncertain),
        "naive_timed_on_draws": naive_draws,
    }


# --------------------------------------------------------------------------- scikit-criteria


def bench_skcriteria(units: int, criteria: int, repeat: int) -> dict[str, Any]:
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler

    m = _data.flat_methodology(criteria)
    rng = np.random.default_rng(2)
    maxima = np.array([n.max_points for n in m.tree], dtype=float)
    x = np.round(rng.uniform(0.0, 1.0, (units, criteria)) * maxima / 0.05) * 0.05
    names = [f"Đơn vị {i:05d}" for i in range(units)]
    wide = pd.DataFrame(x, columns=[n.id for n in m.tree])
    wide.insert(0, "unit", names)
    pipe = mkpipe(SumScaler(target="weights"), WeightedSumModel())

    # Both get the same numbers and the same unit names, and return a rank per unit:
    # scikit-criteria a RankResult, parindex its public rank() table (with bands and
    # the checks every sheet gets).
    def skcriteria_result() -> Any:
        dm = skc.mkdm(
            x,
            [max] * criteria,
            weights=np.ones(criteria),
            alternatives=names,
            criteria=[n.id for n in m.tree],
        )
        return pipe.evaluate(dm)

    def skcriteria_rank() -> np.ndarray:
        return np.asarray(skcriteria_result().rank_)

    def parindex_rank() -> pd.DataFrame:
        return parindex.rank(parindex.score_frame(m, wide, wide=True), ties="dense").to_frame()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The same weighted sum: scikit-criteria's scores and parindex's indices are
        # proportional (ranks differ only where float noise splits exact ties, which
        # scikit-criteria does not snap).
        sk_scores = np.asarray(skcriteria_result().e_.score)
        scores = parindex.score_frame(m, wide, wide=True)
        index = scores.batch.index[:, scores.batch.compiled.total_slot]
        agree = float(np.corrcoef(sk_scores, index)[0, 1])
        t_sk, t_pi = _side_by_side(skcriteria_rank, parindex_rank, repeat)
    # What the unit-name checks alone cost (text, Unicode form, spacing, repeats, one
    # unit spelled two ways): the part of parindex's time that no numeric work can cut.
    from parindex.engine.batch import _unit_keys

    unit_column = wide["unit"]
    t_names = statistics.median(
        _median_time(lambda: _unit_keys(unit_column), 1) for _ in range(repeat)
    )
    return {
        "vs_scikit_criteria": t_sk / t_pi,
        "skcriteria_seconds": t_sk,
        "parindex_rank_seconds": t_pi,
        "parindex_name_checks_seconds": t_names,
        "vs_scikit_criteria_target_seconds": t_sk / 5,
        "skcriteria_score_correlation": agree,
        "flat_shape": [units, criteria],
    }


# --------------------------------------------------------------------------- import


def bench_import(repeat: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

    def run(module: str) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)
        return time.perf_counter() - t

    run("parindex")  # warm the bytecode caches
    run("pandas")
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(run("parindex"))
        theirs.append(run("pandas"))
    return {
        "import_ratio_vs_pandas": statistics.median(ours) / statistics.median(theirs),
        "import_parindex_seconds": statistics.median(ours),
        "import_pandas_seconds": statistics.median(theirs),
    }


TARGETS = {
    "batch_speedup_vs_loop": (">=", 100),
    "batch_vs_numpy_bound": ("<=", 3),
    "montecarlo_speedup_vs_naive": (">=", 50),
    "vs_scikit_criteria": (">=", 5),
    "import_ratio_vs_pandas": ("<=", 1.2),
    "batch_peak_memory_vs_input": ("<=", 3),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        sizes = {"units": 100, "loop": 5, "draws": 100, "naive": 1, "mc_units": 8, "rep": 1}
        sizes |= {"import_rep": 1, "sk_units": 100}
    else:
        sizes = {"units": 10_000, "loop": 300, "draws": 10_000, "naive": 20, "mc_units": 63}
        sizes |= {"rep": 5, "import_rep": 9, "sk_units": 10_000}
    result: dict[str, Any] = {}
    result |= bench_batch(sizes["units"], sizes["loop"], sizes["rep"])
    result |= bench_montecarlo(sizes["draws"], sizes["naive"], sizes["mc_units"], sizes["rep"])
    result |= bench_skcriteria(sizes["sk_units"], 100, sizes["rep"] * 2)
    result |= bench_import(sizes["import_rep"])
    result["targets"] = {
        k: {"target": f"{op} {v}", "met": bool(result[k] >= v if op == ">=" else result[k] <= v)}
        for k, (op, v) in TARGETS.items()
    }
    result["quick"] = args.quick
    result["python"] = sys.version.split()[0]
    result["notes"] = (
        "medians of repeated runs, contenders alternated; the unit-by-unit loop is timed on "
        "loop_timed_on_units units and the naive Monte Carlo on naive_timed_on_draws draws, "
        "both scaled per item; peak memory is tracemalloc's peak during one batch over the "
        "size of the input values array (units x leaves float64)"
    )
    for k, v in list(result.items()):
        if isinstance(v, float):
            result[k] = round(v, 4)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
