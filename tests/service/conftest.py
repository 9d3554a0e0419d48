"""The service under test: one real ``parindex serve`` process (uvicorn) on 127.0.0.1 for
the whole session, and a small HTTP client that any answer, refused or not, comes back
from as ``(status, headers, text)``."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from .load import ROOT, process_announcing, serving


@pytest.fixture(scope="session")
def port() -> Iterator[int]:
    """The port of a ``parindex serve`` process, once it answers ``/health``."""
    with serving() as p:
        yield p


@pytest.fixture(scope="session")
def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request on its own connection: ``(status, headers, text)``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = {"Content-Type": "application/json"} if body is not None else {}
        sent.update(headers or {})
        conn.request(method, path, body=body, headers=sent)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode()
    finally:
        conn.close()


def post_json(port: int, path: str, doc: Any) -> tuple[int, str]:
    status, _, text = call(port, "POST", path, json.dumps(doc, ensure_ascii=False).encode())
    return status, text


def raw(port: int, data: bytes, *, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are and read until the server closes the connection (send
    HTTP/1.0 or ``Connection: close``): the answer's status, headers and body, or
    status 0 if it closed without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    if not head:
        return 0, {}, b""
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


@contextmanager
def uvicorn_serving(*args: str, wait: float = 60) -> Iterator[int]:
    """``python -m uvicorn ARGS --port 0`` from the repository root: the port, once the
    server says it runs; stopped on the way out."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", "0"]
    with process_announcing(argv, "running on http://127.0.0.1:", env=env, cwd=ROOT, wait=wait) as (
        _,
        port,
    ):
        yield port
