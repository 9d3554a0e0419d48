"""A bounded load test against the real server: 200 ``POST /score`` from 8 concurrent
clients, with one worker and with two; every answer is the CLI's result document, none
is a 5xx, and the service still answers ``/health`` afterwards. Counted, not timed:
the only clock is a generous bound on the whole run, so that a hang fails. And the
benchmark's own client (``loadclient.py``) counts an answer right only when it is the
expected bytes."""

from __future__ import annotations

import io
import json

import pytest

from parindex.cli import main

from .conftest import call
from .load import METHODOLOGY, SHEET, load, score_body, serving
from .loadclient import run_client

REQUESTS, CLIENTS = 200, 8
HANG = 600  # seconds for the whole run: a hang, never a slow machine


def _expected() -> object:
    out = io.StringIO()
    argv = ["score", "-m", METHODOLOGY, str(SHEET), "--format", "json"]
    assert main(argv, stdout=out, stderr=io.StringIO()) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("workers", [1, 2])
def test_every_answer_under_load_is_right(workers: int) -> None:
    expected = _expected()
    answers: list[int] = []

    def check(status: int, data: bytes) -> bool:
        answers.append(status)
        return status == 200 and json.loads(data) == expected

    with serving("--workers", str(workers)) as port:
        run = load(port, score_body(), requests=REQUESTS, clients=CLIENTS, check=check)
        assert (run.requests, run.failures) == (REQUESTS, 0)
        assert not [s for s in answers if s >= 500]
        assert run.seconds < HANG
        assert call(port, "GET", "/health")[0] == 200


def test_the_benchmark_client_checks_every_answer_byte_for_byte(port: int) -> None:
    body = score_body()
    status, _, text = call(port, "POST", "/score", body)
    assert status == 200
    assert json.loads(text) == _expected()
    answer = text.encode("utf-8")
    got = run_client(port, body, expect=answer, connections=4, seconds=None, requests=24)
    assert (got["requests"], got["failures"]) == (24, 0)
    assert got["client_cpu_seconds"] >= 0
    wrong = run_client(port, body, expect=answer + b" ", connections=2, seconds=None, requests=4)
    assert (wrong["requests"], wrong["failures"]) == (4, 4)
