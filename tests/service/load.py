"""Load for the HTTP service (standard library only): :func:`load`, a bounded load from
client threads, every answer checked (the load test), and the servers it is sent to
(:func:`serving`: ``parindex serve`` on a free local port). The throughput benchmark
is :mod:`tests.service.throughput` (``python -m tests.service.load`` runs it too).
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
                # The whole line, not a part of it: a port read while the process is
                # still writing its digits ("...:35" of ":35141") refuses connections.
                line = text.split(announce, 1)[1] if announce in text else ""
                if "\n" in line:
                    yield proc, int(line.split()[0].rstrip(")"))
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
    with serving_process(*args, src=src, cwd=cwd, wait=wait) as (_, port):
        yield port


@contextmanager
def serving_process(
    *args: str, src: Path = ROOT / "src", cwd: Path = ROOT, wait: float = 60
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """As :func:`serving`, with the server's process (its workers are its children)."""
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
        yield proc, port


if __name__ == "__main__":
    from .throughput import main

    raise SystemExit(main())
