"""Thread and process safety (issue #14): the Python API and the HTTP service used from
many threads on a cold start, the registry's first concurrent use, and a fork while
another thread holds the registry's lock.

A cold start is only cold once per interpreter, so the API and service cases each run
in a fresh process: there every lazy import (pandas, the analysis modules, the YAML
loaders) and every lazy load (the methodology registry) is still to come, and happens
in whichever thread gets there first while the others are mid-call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

import parindex
from parindex.io.catalogue import Registry

from .conftest import ROOT

# Overall limit for a child process: catches a hang, never a slow machine.
HANG = 300

SHEET = "examples/illustrative-districts.csv"


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _run(code: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=HANG,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


# Loaders: each first use loads something (pandas, a lazy module, a deprecated name, a
# shipped file). Scorers: score in a loop until every loader is done, so that some of
# their calls land while a loader's import is under way (a race seen: pandas found
# half-imported). Everything is compared with a reference computed afterwards.
_API_SCRIPT = r"""
import json, threading, traceback, warnings
warnings.simplefilter("ignore")  # deprecated names are used on purpose; filters are global
import parindex

SHEET = "examples/illustrative-districts.csv"
KEY = "illustrative-district"


def totals(result):
    return {u.unit: u.total.index for u in result}


LOADERS = [
    lambda: len(parindex.score(KEY, parindex.load_sheet(SHEET)).to_frame()),
    lambda: parindex.rank(parindex.score(KEY, parindex.load_sheet(SHEET))).to_frame()
        ["rank"].tolist(),
    lambda: len(parindex.load_sheet(SHEET).to_frame()),
    lambda: len(parindex.get_methodology("province-2017").to_frame()),
    lambda: parindex.what_if(KEY, parindex.load_sheet(SHEET), "Huyện Minh Họa D",
                             {"3.2.1": "100%"}).rank_after,
    lambda: parindex.analysis.ranking.rank_values({"a": 2.0, "b": 1.0}).tolist(),
    lambda: parindex.analysis.simulate.Simulation.__name__,  # not yet imported
    lambda: parindex.simulate(KEY, parindex.load_sheet(SHEET),
                              parindex.load_uncertainty("examples/uncertainty-district.yaml"),
                              draws=20, seed=1)
        .summary()["index_mean"].round(6).tolist(),
    lambda: parindex.rank_values({"a": 2.0, "b": 1.0}).tolist(),  # a deprecated name
    lambda: len(parindex.load_uncertainty("examples/uncertainty-district.yaml").inputs),
    lambda: sorted(parindex.model.questionnaire.installed_scales()),
    lambda: parindex.io.catalogue.default_registry.lookup("province-2023")[1],
]
SCORERS = 6
barrier = threading.Barrier(len(LOADERS) + SCORERS)
lock = threading.Lock()
errors, scored, loaded = [], [], [None] * len(LOADERS)
pending = [len(LOADERS)]


def record_error():
    with lock:
        errors.append(traceback.format_exc(limit=6))


def load(i):
    try:
        barrier.wait()
        loaded[i] = LOADERS[i]()
    except BaseException:
        record_error()
    finally:
        with lock:
            pending[0] -= 1


def score():
    try:
        barrier.wait()
        sheet = parindex.load_sheet(SHEET)
        rounds = 0
        while rounds < 3 or (pending[0] and rounds < 400):
            rounds += 1
            try:
                result = totals(parindex.score(KEY, sheet))
            except BaseException:
                record_error()
                continue
            with lock:
                scored.append(result)
    except BaseException:
        record_error()


threads = [threading.Thread(target=load, args=(i,)) for i in range(len(LOADERS))]
threads += [threading.Thread(target=score) for _ in range(SCORERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
reference = totals(parindex.score(KEY, parindex.load_sheet(SHEET)))
expected = [f() for f in LOADERS]
print(json.dumps({
    "errors": sorted(set(errors)),
    "scores": len(scored),
    "wrong_scores": sum(s != reference for s in scored),
    "wrong_loads": [i for i, (a, b) in enumerate(zip(loaded, expected)) if a != b],
}))
"""


def test_python_api_from_many_threads_on_a_cold_start() -> None:
    report = _run(_API_SCRIPT)
    assert report["errors"] == []
    assert report["scores"] > 0
    assert report["wrong_scores"] == 0
    assert report["wrong_loads"] == []


def _post(port: int, path: str, body: bytes) -> tuple[int, str]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=HANG) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode("utf-8")


def test_http_service_from_many_threads_on_a_cold_start() -> None:
    """``parindex serve`` just started: ``POST /rank`` with values (which needs pandas)
    and a stream of ``POST /score`` arrive at once. Once, a score that arrived while
    the first ranking was importing pandas got a 500 (fixed)."""
    sheet = json.loads(parindex.load_sheet(SHEET).to_json())
    score_body = json.dumps({"methodology": "illustrative-district", "sheet": sheet}).encode()
    rank_body = json.dumps({"values": {"A": 2.0, "B": 1.0}}).encode()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parindex",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--quiet",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=_env(),
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()  # "parindex: serving on http://127.0.0.1:PORT ..."
        assert "serving on http://127.0.0.1:" in line, line
        port = int(line.split("http://127.0.0.1:")[1].split()[0])
        rankers, scorers = 2, 6
        barrier = threading.Barrier(rankers + scorers)
        lock = threading.Lock()
        answers: list[tuple[str, int, str]] = []
        pending = [rankers]

        def rank() -> None:
            barrier.wait()
            try:
                status, text = _post(port, "/rank", rank_body)
                with lock:
                    answers.append(("rank", status, text))
            finally:
                with lock:
                    pending[0] -= 1

        def score() -> None:
            barrier.wait()
            rounds = 0
            while rounds < 3 or (pending[0] and rounds < 200):
                rounds += 1
                status, text = _post(port, "/score", score_body)
                with lock:
                    answers.append(("score", status, text))

        threads = [threading.Thread(target=rank) for _ in range(rankers)]
        threads += [threading.Thread(target=score) for _ in range(scorers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.communicate(timeout=HANG)
    failed = [(kind, status, text[:300]) for kind, status, text in answers if status != 200]
    assert failed == []
    assert len({text for kind, _, text in answers if kind == "score"}) == 1
    assert len({text for kind, _, text in answers if kind == "rank"}) == 1


_USES: list[Callable[[Registry], object]] = [
    lambda r: r.get("illustrative-district").id,
    lambda r: r.lookup("province-2023")[1],
    lambda r: r.ids(),
    lambda r: len(r),
]


def _first_use(registry: Registry, threads: int) -> list[object]:
    """What each of ``threads`` threads gets from ``registry`` (or the error it raised),
    all starting at once."""
    barrier = threading.Barrier(threads)
    found: list[object] = [None] * threads

    def use(i: int) -> None:
        barrier.wait()
        try:
            found[i] = _USES[i % len(_USES)](registry)
        except Exception as err:  # kept: an assertion in a thread is lost
            found[i] = err

    started = [threading.Thread(target=use, args=(i,)) for i in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join()
    return found


def test_registry_first_use_from_many_threads() -> None:
    """Every thread sees the whole catalogue on a registry's first use (once, the loaded
    flag was set before the index was read; a lookup could find no methodology)."""
    ids = Registry(load_shipped=True).ids()
    want = ["illustrative-district", 2023, ids, len(ids)]
    for _ in range(10):
        assert _first_use(Registry(load_shipped=True), 4 * len(_USES)) == want * 4


_FORK_SCRIPT = r"""
import json, os, signal, threading
import parindex
from parindex.io.catalogue import Registry

registry = Registry(load_shipped=True)
held, release = threading.Event(), threading.Event()


def hold():
    with registry._lock:  # another thread mid-lookup at the moment of the fork
        held.set()
        release.wait()


t = threading.Thread(target=hold)
t.start()
held.wait()
pid = os.fork()
if pid == 0:
    signal.alarm(30)  # a deadlocked child must not outlive the test
    try:
        ok = registry.get("province-2017").id == "province-2017"
        ok = ok and parindex.get_methodology("ministry-2022").id == "ministry-2022"
        os._exit(0 if ok else 3)
    except BaseException:
        os._exit(2)
release.set()
t.join()
_, status = os.waitpid(pid, 0)
print(json.dumps({"exit": os.waitstatus_to_exitcode(status)}))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_registry_works_in_a_child_forked_while_another_thread_held_its_lock() -> None:
    """A process pool or a pre-forking server may fork while a thread is in a lookup:
    the child must not inherit a lock that nobody in it can release."""
    assert _run(_FORK_SCRIPT) == {"exit": 0}


def test_errors_with_keyword_fields_survive_pickling() -> None:
    # A process pool sends a worker's exception back pickled.
    import pickle

    from parindex.errors import LimitExceededError, NoBandsWarning

    err = pickle.loads(
        pickle.dumps(LimitExceededError("too many", limit="MAX_X", value=3, maximum=2))
    )
    assert (str(err), err.limit, err.value, err.maximum) == ("too many", "MAX_X", 3, 2)
    warning = pickle.loads(pickle.dumps(NoBandsWarning("province-2022", (2022,))))
    assert (warning.methodology, warning.years) == ("province-2022", (2022,))
