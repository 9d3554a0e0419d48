"""The service row of ``run.py``: ``POST /score`` of 63 provinces in-process (the ASGI
application called on one event loop, no socket), against ``rank(score(m, sheet))``
alone on the same sheet (the target of issue #16), and against the same work done
through the library in this process (JSON text in, the result document's JSON text
out), which shows what the service itself adds.

A server keeps its event loop and its worker threads between requests; so does this
benchmark: every request runs inside one long-lived task, so that the worker thread a
request is computed in is reused as in a server (a task per request would start a
thread per request, a cost a server never pays). The three sides take turns in an
order that rotates, as ``run.py`` pairs its sides, and the answers are checked equal
before anything is timed. Each side is timed by the wall clock (the target's measure)
and by the CPU time of the process, every thread of it (what the work costs: on a
machine others load, the wall clock also counts the waits for a core, and a request
waits twice, handed to its worker thread and back).
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import _data

import parindex

__all__ = ["bench_service"]


async def _post(app: Any, path: str, body: bytes) -> tuple[int, bytes]:
    """One ``POST`` to the ASGI application: its status and body."""
    from parindex.service.asgi import call_app

    return await call_app(app, "POST", path, body, headers={"content-type": "application/json"})


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's, as uvicorn serves with it when installed; else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def bench_service(repeat: int) -> dict[str, Any]:
    """The service row: times, ratios and whether the answers agree."""
    try:
        from parindex.present.documents import result_document
        from parindex.service.asgi import default_app
    except ImportError as err:  # the service extra is not installed
        return {"service_request_ms_63_units": None, "service_skipped": str(err)}
    from parindex.io.sheet import sheet_from_dict

    records = _data.province_records(63)
    body = json.dumps(
        {"methodology": "province-2022", "year": 2023, "sheet": {"entries": records}},
        ensure_ascii=False,
    ).encode()
    m = parindex.get_methodology("province-2022")
    sheet = parindex.ScoreSheet.from_records(records)
    app = default_app()

    def alone() -> parindex.Ranking:  # as the service scores: names resolved first
        return parindex.rank(parindex.score(m, sheet, year=2023), year=2023)

    def library() -> bytes:  # the service's work, without the service
        data = json.loads(body)
        scores = parindex.score(m, sheet_from_dict(data["sheet"], name="sheet"), year=2023)
        doc = result_document(scores, parindex.rank(scores, year=2023))
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")

    async def rounds() -> dict[str, list[float]]:
        status, answer = await _post(app, "/score", body)  # loads, starts its thread
        assert status == 200, answer[:300]
        ranks = {u["unit"]: u["rank"] for u in json.loads(answer)["units"]}
        same = answer == library() and ranks == {r.unit: r.rank for r in alone().rows()}
        took: dict[str, list[float]] = {}
        sides: dict[str, Callable[[], object]] = {"alone": alone, "library": library}
        for i in range(repeat):
            names = ["request", "alone", "library"]
            for name in names[i % 3 :] + names[: i % 3]:  # each side first in turn
                gc.collect()
                start, cpu = time.perf_counter(), time.process_time()
                if name == "request":
                    status, _ = await _post(app, "/score", body)
                    assert status == 200, status
                else:
                    sides[name]()
                took.setdefault(name, []).append(time.perf_counter() - start)
                # The CPU of every thread of the process: what the work costs, however
                # much of the machine others take (the wall clock waits for them).
                took.setdefault(f"{name}_cpu", []).append(time.process_time() - cpu)
        took["same"] = [float(same)]
        return took

    loop = _event_loop()
    try:
        took = loop.run_until_complete(rounds())
    finally:
        loop.close()
    out: dict[str, Any] = {"service_same_answer": bool(took["same"][0])}
    for clock in ("", "_cpu"):
        pairs = list(
            zip(
                took[f"request{clock}"], took[f"alone{clock}"], took[f"library{clock}"], strict=True
            )
        )
        out |= {
            f"service_request{clock}_ms_63_units": statistics.median(took[f"request{clock}"])
            * 1000.0,
            f"service_vs_score_rank{clock}": statistics.median(r / a for r, a, _ in pairs),
            f"score_rank{clock}_ms_63_units": statistics.median(took[f"alone{clock}"]) * 1000.0,
            f"service_vs_library_path{clock}": statistics.median(r / lib for r, _, lib in pairs),
            f"library_path{clock}_ms_63_units": statistics.median(took[f"library{clock}"]) * 1000.0,
        }
    return out
