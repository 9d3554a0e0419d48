"""A bounded load generator for the HTTP service (standard library only), used by the
load test and as the benchmark:

    python -m tests.service.load [--clients 1,4,8] [--requests 200] [--workers 1,2]
                                 [--rounds 3] [--before DIR]

starts ``parindex serve`` on a free local port for each number of workers (and, with
``--before DIR``, the service of another checkout, e.g. ``git worktree add DIR
HEAD``), sends ``POST /score`` of ``examples/illustrative-districts.csv`` from N
concurrent clients (each on its own keep-alive connection when the server keeps it
open), checks every answer against that checkout's CLI result document, and prints
requests per second and the 50th / 99th percentile latency: the median of the rounds,
which take turns between the servers so that the rest of the machine's load weighs on
each alike. The clients run on the same machine, so they take CPU too.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHEET = ROOT / "examples" / "illustrative-districts.csv"
METHODOLOGY = "illustrative-district"


@dataclass(frozen=True)
class Run:
    """What one load run measured."""

    clients: int
    requests: int
    failures: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def score_body(path: Path = SHEET, methodology: str = METHODOLOGY) -> bytes:
    """The JSON body of ``POST /score`` for a sheet file."""
    code = (
        "import json, sys, parindex\n"
        "sheet = json.loads(parindex.load_sheet(sys.argv[1]).to_json())\n"
        "print(json.dumps({'methodology': sys.argv[2], 'sheet': sheet}, ensure_ascii=False))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), methodology],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return out.strip().encode("utf-8")


def load(
    port: int,
    body: bytes,
    *,
    requests: int,
    clients: int,
    check: Callable[[int, bytes], bool],
    path: str = "/score",
    timeout: float = 60,
) -> Run:
    """Send ``requests`` POSTs from ``clients`` threads; every answer is checked."""
    latencies: list[float] = []
    failures: list[tuple[int, bytes]] = []
    lock = threading.Lock()
    left = [requests]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                start = time.perf_counter()
                try:
                    conn.request(
                        "POST", path, body=body, headers={"Content-Type": "application/json"}
                    )
                    answer = conn.getresponse()
                    status, data = answer.status, answer.read()
                    if answer.will_close:
                        conn.close()  # HTTP/1.0 servers: reconnect for the next request
                except (OSError, http.client.HTTPException) as err:
                    conn.close()
                    status, data = 0, repr(err).encode()
                took = time.perf_counter() - start
                with lock:
                    latencies.append(took)
                    if not check(status, data):
                        failures.append((status, data[:300]))
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    latencies.sort()
    return Run(
        clients=clients,
        requests=len(latencies),
        failures=len(failures),
        seconds=seconds,
        p50_ms=1000 * latencies[len(latencies) // 2],
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    )


@contextmanager
def process_announcing(
    argv: list[str], announce: str, *, env: dict[str, str], cwd: Path, wait: float = 60
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Run ``argv`` until its stderr says ``announce`` followed by a port: the process
    and the port. Its stderr goes to a file, which nothing has to keep reading (a pipe
    left unread would stop the server once full of access-log lines); it is stopped on
    the way out (terminate, then kill)."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, cwd=cwd, env=env)
        try:
            deadline = time.monotonic() + wait
            while True:
                log.seek(0)
                text = log.read().decode("utf-8", "replace")
                if announce in text:
                    yield proc, int(text.split(announce)[1].split()[0].rstrip(")"))
                    return
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[2:4]} did not start:\n{text}")
                time.sleep(0.05)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)


@contextmanager
def serving(
    *args: str, src: Path = ROOT / "src", cwd: Path = ROOT, wait: float = 60
) -> Iterator[int]:
    """``parindex serve --port 0 --quiet ARGS`` from the source tree ``src``: the port,
    once ``/health`` answers; the server is stopped on the way out."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, "-m", "parindex", "serve", "--port", "0", "--quiet", *args]
    with process_announcing(argv, "serving on http://127.0.0.1:", env=env, cwd=cwd, wait=wait) as (
        proc,
        port,
    ):
        deadline = time.monotonic() + wait
        while True:  # with workers, the port is bound before they are up
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server does not answer /health") from None
                time.sleep(0.1)
        yield port


def _expected(src: Path) -> bytes:
    code = (
        "import contextlib, io, sys\n"
        "from parindex.cli import main\n"
        "out = io.StringIO()\n"
        f"main(['score', '-m', {METHODOLOGY!r}, {str(SHEET)!r}, '--format', 'json'], stdout=out)\n"
        "sys.stdout.write(out.getvalue())"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT, env=env
    )
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4,8")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rounds", type=int, default=3, help="the median of this many")
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    args = parser.parse_args(argv)
    body = score_body()
    clients = [int(c) for c in args.clients.split(",")]
    setups: list[tuple[str, Path, tuple[str, ...]]] = []
    if args.before is not None:
        setups.append(("before (http.server)", args.before, ()))
    setups += [(f"after, --workers {w}", ROOT, ("--workers", w)) for w in args.workers.split(",")]
    runs: dict[tuple[str, int], list[Run]] = {}
    with ExitStack() as stack:
        # Every server up at once, the rounds taking turns between them: whatever else
        # the machine does weighs on each alike.
        ports, checks = {}, {}
        for label, tree, extra in setups:
            ports[label] = stack.enter_context(serving(*extra, src=tree / "src", cwd=tree))
            checks[label] = _checker(json.loads(_expected(tree / "src")))  # its own CLI
            load(ports[label], body, requests=20, clients=1, check=checks[label])  # warm up
        for _ in range(args.rounds):
            for label, _, _ in setups:
                for c in clients:
                    r = load(
                        ports[label], body, requests=args.requests, clients=c, check=checks[label]
                    )
                    runs.setdefault((label, c), []).append(r)
    print(
        f"POST /score, {SHEET.name}: {args.requests} requests per run, median of {args.rounds} runs"
    )
    print(f"{'server':<24} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>6}")
    for (label, c), rs in runs.items():
        med = sorted(rs, key=lambda r: r.per_second)[len(rs) // 2]
        failed = sum(r.failures for r in rs)
        print(
            f"{label:<24} {c:>7} {med.per_second:>8.1f} {med.p50_ms:>8.1f} "
            f"{med.p99_ms:>8.1f} {failed:>6}"
        )
    return 0


def _checker(expected: object) -> Callable[[int, bytes], bool]:
    seen: dict[bytes, bool] = {}  # a deterministic answer is parsed once, then compared

    def check(status: int, data: bytes) -> bool:
        if data not in seen:
            seen[data] = status == 200 and json.loads(data) == expected
        return status == 200 and seen[data]

    return check


if __name__ == "__main__":
    raise SystemExit(main())
