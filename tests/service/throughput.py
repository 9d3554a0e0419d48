"""The throughput benchmark of the HTTP service (standard library only):

    python -m tests.service.throughput [--workers 1,2] [--clients 4] [--seconds 3]
                                       [--rounds 7] [--before DIR] [--priority N] [--json]

which starts ``parindex serve`` on a free local port for each number of workers (and,
with ``--before DIR``, the service of another checkout, e.g. ``git worktree add DIR
HEAD``), all at once, and sends ``POST /score`` of ``examples/illustrative-districts.csv``
from N keep-alive connections for a few seconds per run. The client is a process of its
own (``tests/service/loadclient.py``: one thread, non-blocking sockets, answers compared
as bytes with that checkout's answer, itself checked against its CLI's result
document), so that it takes little of the CPU the servers need: 0.15 ms per request
against the threaded ``http.client`` one's 0.25 ms, and the server's 6 ms.

Before each round every server answers a warm-up; the rounds take turns between the
servers, in an order that alternates, so that whatever else the machine does weighs
on each alike; before each run the machine is given up to ``--settle`` seconds to fall
quiet. For each run it records, from ``/proc`` (Linux), the CPU the server's processes
used, the client's, and the rest of the machine's ("others"): the throughput of N
workers can only be N times one worker's when N cores are free for them. It prints the
median of the rounds and, for each pair of setups, the ratio round by round: over all
rounds, over the quiet ones, of the cores the servers got, and of the requests per
CPU second of the servers (what a request costs, whatever share of the machine the
server got). ``--priority N`` raises the servers and the client N nice levels (root
only; the session's scheduler group too, put back afterwards): what the service does
with the cores to itself on a machine others share.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .load import METHODOLOGY, ROOT, SHEET, score_body, serving_process
from .loadclient import run_client


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


# ------------------------------------------------------------------ the benchmark

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and waiting for I/O
    return (sum(ticks[:8]) - idle) / _TICK


def _tree_cpu(pid: int) -> float | None:
    """CPU seconds used by a process and its descendants still running (uvicorn's
    workers are children of the process that was started)."""
    try:
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    text = (entry / "stat").read_text()
                except OSError:
                    continue
                rest = text[text.rindex(")") + 2 :].split()
                stats[int(entry.name)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    except OSError:
        return None
    tree, grown = {pid}, True
    while grown:
        more = {p for p, (ppid, _) in stats.items() if ppid in tree} - tree
        grown = bool(more)
        tree |= more
    return sum(stats[p][1] for p in tree if p in stats) / _TICK


def _settle(most: float, wait: float) -> float | None:
    """Wait (up to ``wait`` seconds) for the rest of the machine to use at most ``most``
    cores; the cores it used over the last half second."""
    deadline = time.monotonic() + wait
    while True:
        before, start = _machine_busy(), time.monotonic()
        time.sleep(0.5)
        after = _machine_busy()
        if before is None or after is None:
            return None
        busy = (after - before) / (time.monotonic() - start)
        if busy <= most or time.monotonic() > deadline:
            return busy


@dataclass(frozen=True)
class Measured:
    """One benchmark run: what the client saw and what the CPU did meanwhile."""

    setup: str
    clients: int
    round: int
    per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int
    seconds: float
    server_cpu: float | None
    client_cpu: float
    others_cpu: float | None
    quiet_before: float | None

    @property
    def server_cores(self) -> float | None:
        return None if self.server_cpu is None else self.server_cpu / self.seconds

    @property
    def per_server_cpu_second(self) -> float | None:
        """Requests per CPU second of the server: its cost per request, whatever
        share of the machine it got."""
        return None if not self.server_cpu else self.requests / self.server_cpu


def measure(
    setup: str,
    pid: int,
    port: int,
    body: Path,
    expect: Path,
    *,
    clients: int,
    seconds: float,
    round: int = 0,
) -> Measured:
    """Run the light client (a process of its own) against one server."""
    busy, cpu, children = _machine_busy(), _tree_cpu(pid), _children_cpu()
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("loadclient.py")),
            *("--port", str(port), "--body", str(body), "--expect", str(expect)),
            *("--connections", str(clients), "--seconds", str(seconds)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    busy_after, cpu_after, children_after = _machine_busy(), _tree_cpu(pid), _children_cpu()
    got = json.loads(done.stdout)
    server = None if cpu is None or cpu_after is None else cpu_after - cpu
    others = None
    if busy is not None and busy_after is not None and server is not None:
        # The client process's whole CPU (its start-up too) is not "others".
        others = max(0.0, busy_after - busy - server - (children_after - children))
    return Measured(
        setup=setup,
        clients=clients,
        round=round,
        per_second=got["per_second"],
        p50_ms=got["p50_ms"],
        p99_ms=got["p99_ms"],
        requests=got["requests"],
        failures=got["failures"],
        seconds=got["seconds"],
        server_cpu=server,
        client_cpu=got["client_cpu_seconds"],
        others_cpu=others,
        quiet_before=None,
    )


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", default="4", help="connections, e.g. 1,4,8")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rounds", type=int, default=7, help="the median of this many")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait for quiet")
    parser.add_argument("--quiet-cores", type=float, default=0.3, help="what counts as quiet")
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="raise the priority of the servers and the client by this much (needs root): "
        "what the service does with the cores to itself on a machine others share",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",")]
    with _priority(args.priority):
        runs = _run(args, clients)
    report = _report(runs, [label for label, _, _ in _setups(args)], clients, args.quiet_cores)
    if args.json:
        print(json.dumps(report))
    else:
        _print(report)
    return 0


def _setups(args: argparse.Namespace) -> list[tuple[str, Path, tuple[str, ...]]]:
    setups: list[tuple[str, Path, tuple[str, ...]]] = []
    if args.before is not None:
        setups.append(("before", args.before, ()))
    setups += [(f"workers {w}", ROOT, ("--workers", w)) for w in args.workers.split(",")]
    return setups


def _run(args: argparse.Namespace, clients: list[int]) -> list[Measured]:
    """Start every server, then the rounds."""
    runs: list[Measured] = []
    setups = _setups(args)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        body = tmp / "body.json"
        body.write_bytes(score_body())
        servers = {}
        for label, tree, extra in setups:
            proc, port = stack.enter_context(serving_process(*extra, src=tree / "src", cwd=tree))
            # The answer each server gives, checked once against its checkout's CLI.
            answer = _answer(port, body.read_bytes())
            if json.loads(answer) != json.loads(_expected(tree / "src")):
                raise RuntimeError(f"{label}: the answer is not the CLI's result document")
            (tmp / f"expect-{len(servers)}").write_bytes(answer)
            servers[label] = (proc.pid, port, tmp / f"expect-{len(servers)}")
        for r in range(args.rounds):
            order = list(servers) if r % 2 == 0 else list(reversed(servers))
            for label in order:
                pid, port, expect = servers[label]
                for c in clients:
                    warm_up(port, body.read_bytes())
                    quiet = _settle(args.quiet_cores, args.settle)
                    m = measure(
                        label, pid, port, body, expect, clients=c, seconds=args.seconds, round=r
                    )
                    runs.append(dataclasses.replace(m, quiet_before=quiet))
    return runs


@contextmanager
def _priority(by: int) -> Iterator[None]:
    """Raise the priority of this process and of what it starts (servers, client) by
    ``by`` nice levels, for the runs. Where the kernel groups processes by session
    (autogroup), nice only orders a session's own processes: the session's group is
    raised too, and put back afterwards (it outlives this process)."""
    if not by:
        yield
        return
    group = Path("/proc/self/autogroup")
    before = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        before = int(group.read_text().split()[-1])
        group.write_text(str(-by))
    os.nice(-by)
    try:
        yield
    finally:
        if before is not None:
            with contextlib.suppress(OSError):
                group.write_text(str(before))


def warm_up(port: int, body: bytes) -> None:
    """A few requests on a few connections (every worker gets some), answered before a
    run starts."""
    run_client(port, body, connections=4, seconds=None, requests=12)


def _answer(port: int, body: bytes) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/score", body=body, headers={"Content-Type": "application/json"})
        answer = conn.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"POST /score answered {answer.status}: {data[:300]!r}")
        return data
    finally:
        conn.close()


def _report(
    runs: list[Measured], labels: list[str], clients: list[int], quiet_cores: float
) -> dict[str, object]:
    rows = []
    for label in labels:
        for c in clients:
            mine = [m for m in runs if (m.setup, m.clients) == (label, c)]
            rows.append(
                {
                    "setup": label,
                    "clients": c,
                    "per_second": _median([m.per_second for m in mine]),
                    "p50_ms": _median([m.p50_ms for m in mine]),
                    "p99_ms": _median([m.p99_ms for m in mine]),
                    "failures": sum(m.failures for m in mine),
                    "server_cores": _median_or_none([m.server_cores for m in mine]),
                    "per_server_cpu_second": _median_or_none(
                        [m.per_server_cpu_second for m in mine]
                    ),
                    "client_cpu_per_request_ms": _median(
                        [1000 * m.client_cpu / max(1, m.requests) for m in mine]
                    ),
                    "others_cores": _median_or_none(
                        [None if m.others_cpu is None else m.others_cpu / m.seconds for m in mine]
                    ),
                    "runs": len(mine),
                }
            )
    ratios: dict[str, object] = {}
    for k, label in enumerate(labels):
        for base, c in ((b, c) for b in labels[:k] for c in clients):
            pairs = [  # the same round: the same moment's load on both
                (a, b)
                for a in runs
                for b in runs
                if (a.setup, a.clients, b.setup, b.clients) == (label, c, base, c)
                and a.round == b.round
            ]
            per_round = [a.per_second / b.per_second for a, b in pairs]
            quiet = [
                a.per_second / b.per_second
                for a, b in pairs
                if all(
                    m.others_cpu is not None and m.others_cpu / m.seconds <= quiet_cores
                    for m in (a, b)
                )
            ]
            ratios[f"{label} / {base}, {c} clients"] = {
                "median": _median(per_round),
                "min": min(per_round),
                "max": max(per_round),
                "rounds": [round(x, 3) for x in per_round],
                # Rounds in which the rest of the machine left both runs their cores.
                "quiet_rounds": len(quiet),
                "quiet_median": _median(quiet) if quiet else None,
                # How many more cores the servers got: the bound on the throughput ratio.
                "cores_ratio": _median_or_none(
                    [
                        None
                        if not (a.server_cores and b.server_cores)
                        else a.server_cores / b.server_cores
                        for a, b in pairs
                    ]
                ),
                "cpu_normalised": _median_or_none(
                    [
                        None
                        if not (a.per_server_cpu_second and b.per_server_cpu_second)
                        else a.per_server_cpu_second / b.per_server_cpu_second
                        for a, b in pairs
                    ]
                ),
            }
    return {
        "sheet": SHEET.name,
        "niceness": os.nice(0),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "rows": rows,
        "ratios": ratios,
        "runs": [dataclasses.asdict(m) for m in runs],  # every run, for a closer look
    }


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return _median(known) if known else None


def _print(report: dict[str, object]) -> None:
    print(
        f"POST /score, {report['sheet']}; medians of the rounds; {report['cpus']} CPUs; "
        f"niceness {report['niceness']}"
    )
    head = ("setup", "clients", "req/s", "p50 ms", "p99 ms", "failed", "srv cores", "req/cpu-s")
    print(f"{head[0]:<12} {head[1]:>7} " + " ".join(f"{h:>9}" for h in head[2:]) + "  others")
    for row in report["rows"]:  # type: ignore[attr-defined]
        cells = [row["per_second"], row["p50_ms"], row["p99_ms"], row["failures"]]
        cells += [row["server_cores"], row["per_server_cpu_second"]]
        shown = " ".join(
            f"{'-':>9}" if v is None else f"{v:>9.2f}" if isinstance(v, float) else f"{v:>9}"
            for v in cells
        )
        others = "-" if row["others_cores"] is None else f"{row['others_cores']:.2f}"
        print(f"{row['setup']:<12} {row['clients']:>7} {shown}  {others}")
    for name, r in report["ratios"].items():  # type: ignore[attr-defined]
        quiet = "-" if r["quiet_median"] is None else f"{r['quiet_median']:.2f}x"
        print(
            f"{name}: {r['median']:.2f}x (rounds {r['min']:.2f}-{r['max']:.2f}; "
            f"quiet rounds {r['quiet_rounds']}: {quiet}; server cores {r['cores_ratio']:.2f}x; "
            f"per server CPU second {r['cpu_normalised']:.2f}x)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
