"""Scale: the public path on ``units x 100`` leaves, in a process of its own.

    PYTHONPATH=src python benchmarks/_scale.py 1000000

Prints one JSON object: the input frame's size (``memory_usage(deep=True)``: the raw
values and the unit names), the wall time of ``rank(score_frame(...))`` and its table,
and the peak of memory while a second, identical call runs, over the input's size:
the peak ``tracemalloc`` traces (NumPy and Python objects) plus the peak of what Arrow
allocated meanwhile (its own memory pool, which tracemalloc does not see: unit names
taken, sorted), an upper bound of the two together. A process of its own: the numbers are not mixed with what other
benchmarks left in memory, and the traced run (slower: tracemalloc sees every Python
object) does not slow anything else.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data

import parindex


def public_path(m: parindex.Methodology, wide: object, engine: bool = False) -> object:
    """Score the raw values of every unit, rank them, build the ranking table: with the
    facade's ``score_frame`` (unit names resolved first), or the engine's."""
    scorer = parindex.engine.batch.score_frame if engine else parindex.score_frame
    scores = scorer(m, wide, wide=True, cells="values", rate_scale="percent", max_rows=10**10)
    return parindex.rank(scores).to_frame()


def _peak(m: parindex.Methodology, wide: object, engine: bool) -> tuple[int, int]:
    """Traced and Arrow peaks (bytes) of one cold call."""
    gc.collect()
    arrow = _arrow_pool()
    tracemalloc.start()
    result = public_path(_data.fresh(m), wide, engine)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return traced, 0 if arrow is None else int(arrow.max_memory())


def _arrow_pool() -> Any:
    """A fresh Arrow memory pool (counting its own peak) made the default, or None
    without pyarrow. Kept alive for the process: Arrow still uses a pool after it was
    the default (arrays allocated from it)."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    pool = pa.proxy_memory_pool(pa.default_memory_pool())
    pa.set_memory_pool(pool)
    _POOLS.append(pool)
    return pool


_POOLS: list[Any] = []


def main(units: int) -> dict[str, object]:
    m = _data.methodology()
    wide = _data.wide_values(m, units)
    input_bytes = int(wide.memory_usage(deep=True).sum())
    gc.collect()
    start = time.perf_counter()
    public_path(_data.fresh(m), wide)
    seconds = time.perf_counter() - start
    traced, arrow_peak = _peak(m, wide, engine=False)
    peak = traced + arrow_peak
    engine_traced, engine_arrow = _peak(m, wide, engine=True)
    return {
        "units": units,
        "leaves": 100,
        "input_frame_bytes": input_bytes,
        "public_path_seconds": seconds,
        "peak_traced_bytes": traced,
        "peak_arrow_bytes": arrow_peak,
        "peak_over_input": peak / input_bytes,
        "engine_peak_over_input": (engine_traced + engine_arrow) / input_bytes,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
