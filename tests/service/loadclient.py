"""A light HTTP/1.1 load client (standard library only), run as a process of its own so
that it takes as little CPU as it can from the server it measures:

    python tests/service/loadclient.py --port PORT --body FILE [--expect FILE]
                                       [--connections 4] [--seconds 3 | --requests N]

``--connections`` keep-alive connections, served by one thread with non-blocking
sockets (no thread per client, no ``http.client`` objects): each sends the same
prebuilt ``POST`` again as soon as its answer is in. An answer counts as right when its
status is 200 and its body is the bytes of ``--expect`` (the service's answers are
deterministic, so comparing bytes replaces parsing 30 kB of JSON per answer). Prints one
JSON object: requests, failures, seconds, p50/p99 latency and the client's own CPU
seconds, so that what the client took from a shared machine is known.
"""

from __future__ import annotations

import argparse
import json
import selectors
import socket
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["run_client"]


class _Connection:
    """One keep-alive connection and the answer it is reading."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = bytearray()
        self.started = 0.0
        self.pending = b""

    def send(self, request: bytes) -> None:
        self.started = time.perf_counter()
        self.buffer.clear()
        self.pending = request
        self.flush()

    def flush(self) -> None:
        while self.pending:
            try:
                sent = self.sock.send(self.pending)
            except BlockingIOError:
                return
            self.pending = self.pending[sent:]

    def answer(self) -> tuple[int, bytes] | None:
        """The status and body once the whole answer is in, else None."""
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = bytes(self.buffer[:head_end]).decode("latin-1")
        lines = head.split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        start = head_end + 4
        if len(self.buffer) < start + length:
            return None
        return int(lines[0].split()[1]), bytes(self.buffer[start : start + length])


def run_client(
    port: int,
    body: bytes,
    *,
    expect: bytes | None = None,
    connections: int = 4,
    seconds: float | None = 3.0,
    requests: int | None = None,
    path: str = "/score",
) -> dict[str, Any]:
    """Send ``POST path`` with ``body`` on ``connections`` keep-alive connections until
    ``seconds`` have passed (or ``requests`` were answered): what it measured."""
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body
    cpu = time.process_time()
    conns = [_Connection(port) for _ in range(connections)]
    selector = selectors.DefaultSelector()
    for c in conns:
        selector.register(c.sock, selectors.EVENT_READ, c)
    latencies: list[float] = []
    failures: list[str] = []
    start = time.perf_counter()
    deadline = None if seconds is None else start + seconds
    sent = 0

    def send(c: _Connection) -> None:
        c.send(request)
        if c.pending:  # what the socket did not take at once is sent as it drains
            selector.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    for c in conns:
        if requests is None or sent < requests:
            send(c)
            sent += 1
    busy = sent
    while busy:
        ready = selector.select(timeout=60)
        if not ready:
            failures.append("no answer within 60 seconds")
            break
        for key, events in ready:
            c = key.data
            if events & selectors.EVENT_WRITE:
                c.flush()
                if not c.pending:
                    selector.modify(c.sock, selectors.EVENT_READ, c)
            if not events & selectors.EVENT_READ:
                continue
            try:
                chunk = c.sock.recv(1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                failures.append("the server closed the connection")
                selector.unregister(c.sock)
                busy -= 1
                continue
            c.buffer += chunk
            got = c.answer()
            if got is None:
                continue
            now = time.perf_counter()
            latencies.append(now - c.started)
            status, data = got
            if status != 200 or (expect is not None and data != expect):
                failures.append(f"{status}: {data[:200]!r}")
            more = (deadline is None or now < deadline) and (requests is None or sent < requests)
            if more:
                send(c)
                sent += 1
            else:
                busy -= 1
    elapsed = time.perf_counter() - start
    for c in conns:
        c.sock.close()
    latencies.sort()
    n = len(latencies)
    return {
        "connections": connections,
        "requests": n,
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "seconds": elapsed,
        "per_second": n / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * latencies[n // 2] if n else None,
        "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else None,
        "client_cpu_seconds": time.process_time() - cpu,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--expect", type=Path)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--path", default="/score")
    args = parser.parse_args(argv)
    result = run_client(
        args.port,
        args.body.read_bytes(),
        expect=None if args.expect is None else args.expect.read_bytes(),
        connections=args.connections,
        seconds=None if args.requests is not None else args.seconds,
        requests=args.requests,
        path=args.path,
    )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
