"""A small mutation tester: does a test fail when the code is made subtly wrong?

    python tools/mutate.py src/parindex/analysis/ranking.py --tests tests/analysis tests/golden
    python tools/mutate.py src/parindex/rules/tiers.py --tests tests/rules --list
    python tools/mutate.py src/parindex/engine/aggregate.py --tests tests/engine --only 1a2b3c4d

Run by hand, not in CI: it runs the given tests once per mutant, which takes minutes to
hours. It depends on nothing beyond the standard library and the project's own test
dependencies (pytest, hypothesis).

The repository is copied to a temporary directory (without .git, virtualenvs and
caches), so the working tree is never touched and others may edit it meanwhile. The
module is parsed with ``ast`` and changed one mutation at a time:

- comparisons: ``<`` <-> ``<=``, ``>`` <-> ``>=``, each also to its negation
  (``<`` -> ``>=``), ``==`` <-> ``!=``, ``is`` <-> ``is not``, ``in`` <-> ``not in``;
- arithmetic and logic: ``+`` <-> ``-``, ``*`` <-> ``/``, ``&`` <-> ``|`` (numpy's
  element-wise logic), also in augmented assignments; ``and`` <-> ``or``; ``not x`` and
  ``~x`` -> ``x``;
- constants: ``True`` <-> ``False``; ``0`` -> ``1``, ``1`` -> ``0`` and ``2``, any other
  number ``n`` -> ``n + 1`` and ``n - 1``;
- ``continue`` <-> ``break``; ``min`` <-> ``max`` (also ``np.minimum``/``np.maximum``,
  ``.min()``/``.max()``);
- dropped defaults: a keyword argument of a call, the default of ``mapping.get(key,
  default)``, a parameter's default.

Docstrings, f-strings, annotations and ``if TYPE_CHECKING:`` blocks are not mutated.
Each mutant runs ``python -m pytest -x -q -p no:cacheprovider --hypothesis-seed=0`` on
the given test paths, with ``PYTHONPATH`` set to the copy's ``src`` (checked: the copy,
not an installed parindex, is imported) and a per-mutant timeout. A mutant is *killed*
when the tests fail, *survived* when they pass, *timeout* when they hang (counted as
killed). The score is killed / (total - equivalent).

Equivalent mutants (no test can tell them apart from the original) are listed in
``tools/mutation-equivalents.txt``, one per line: the mutant's id (stable across line
shifts: a hash of the module, the stripped source line and the mutation), free text,
then `` -- `` and the reason. They are not run (``--check-equivalents`` runs them too,
to find entries that went stale).
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tools" / "mutation-equivalents.txt"
COPY_IGNORE = (
    ".git",
    ".venv",
    ".ci-venv",
    "venv",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".import_linter_cache",
    "build",
    "dist",
    "site",
    "*.egg-info",
)

# Comparison flips: the boundary shift first, then the negation.
COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
}
BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
MIN_MAX = {
    "min": "max",
    "max": "min",
    "minimum": "maximum",
    "maximum": "minimum",
    "fmin": "fmax",
    "fmax": "fmin",
    "nanmin": "nanmax",
    "nanmax": "nanmin",
    "argmin": "argmax",
    "argmax": "argmin",
}


@dataclass(frozen=True)
class Mutant:
    """One mutation: the source span it replaces and the text put there."""

    id: str
    line: int
    description: str
    start: tuple[int, int]  # (line, column) of the replaced span, 1-based line
    end: tuple[int, int]
    replacement: str


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, survived, timeout, equivalent
    seconds: float
    returncode: int | None


# --------------------------------------------------------------------------- generation


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    return (node.lineno, node.col_offset), (
        node.end_lineno or node.lineno,
        node.end_col_offset or 0,
    )  # type: ignore[attr-defined]


class _Collector(ast.NodeVisitor):
    """Walks a module and records, for every mutable node, a replacement text."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.in_class = False  # directly in a class body (not in one of its methods)
        self.found: list[tuple[ast.AST, str, str]] = []  # node, label, replacement text

    # Contexts left alone: what is not behaviour, or only seen by type checkers.
    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        return

    def visit_arg(self, node: ast.arg) -> None:
        return  # annotations

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            if self.in_class:  # a field's default (attrs, dataclasses): drop it
                self._drop_default(node.annotation, node.value, ast.unparse(node.target))
            self.visit(node.value)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            for stmt in node.orelse:
                self.visit(stmt)
            return
        self.generic_visit(node)

    def _body(self, body: list[ast.stmt]) -> None:
        start = 0
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            start = 1  # the docstring
        for stmt in body[start:]:
            self.visit(stmt)

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        outer, self.in_class = self.in_class, True
        self._body(node.body)
        self.in_class = outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        outer, self.in_class = self.in_class, False
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        # Dropping the first positional default is always valid syntax; any later one
        # would leave a parameter without a default after one with.
        if args.defaults:
            arg = positional[len(positional) - len(args.defaults)]
            self._drop_default(arg, args.defaults[0], arg.arg)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if default is not None:
                self._drop_default(arg, default, arg.arg)
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit(default)
        self._body(node.body)
        self.in_class = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _drop_default(self, after: ast.AST, default: ast.expr, name: str) -> None:
        # From the end of the parameter or field (with its annotation) to the end of
        # the default is " = default": replace it with nothing.
        end = (default.end_lineno or default.lineno, default.end_col_offset or 0)
        fake = ast.Pass(
            lineno=after.end_lineno,  # type: ignore[attr-defined]
            col_offset=after.end_col_offset,  # type: ignore[attr-defined]
            end_lineno=end[0],
            end_col_offset=end[1],
        )
        label = f"drop the default {name}={_short(ast.unparse(default), 30)}"
        self.found.append((fake, label, ""))

    # Mutations.
    def _expr(self, node: ast.AST, mutated: ast.AST, label: str | None = None) -> None:
        text = ast.unparse(mutated)
        label = label or f"{_short(ast.unparse(node))}  ->  {_short(text)}"
        self.found.append((node, label, f"({text})"))

    def visit_Compare(self, node: ast.Compare) -> None:
        for i, op in enumerate(node.ops):
            for new in COMPARE_SWAPS.get(type(op), ()):
                mutated = copy.deepcopy(node)
                mutated.ops[i] = new()
                self._expr(node, mutated)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        new = BINOP_SWAPS.get(type(node.op))
        if new is not None:
            mutated = copy.deepcopy(node)
            mutated.op = new()
            self._expr(node, mutated)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        new = BINOP_SWAPS.get(type(node.op))
        if new is not None:
            mutated = copy.deepcopy(node)
            mutated.op = new()
            text = ast.unparse(mutated)
            self.found.append((node, f"{_short(ast.unparse(node))}  ->  {_short(text)}", text))
        self.visit(node.value)
        if not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        mutated = copy.deepcopy(node)
        mutated.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self._expr(node, mutated)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not | ast.Invert):
            self._expr(node, node.operand)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._expr(node, ast.Constant(not value))
        elif isinstance(value, int | float) and not isinstance(value, complex):
            if value == 0:
                news = [value + 1]
            elif value == 1:
                news = [value - 1, value + 1]
            else:
                news = [value + 1, value - 1]
            for new in news:
                self._expr(node, ast.Constant(type(value)(new)))

    def visit_Continue(self, node: ast.Continue) -> None:
        self.found.append((node, "continue  ->  break", "break"))

    def visit_Break(self, node: ast.Break) -> None:
        self.found.append((node, "break  ->  continue", "continue"))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        attr = func.attr if isinstance(func, ast.Attribute) else None
        if name in ("min", "max"):
            mutated = copy.deepcopy(node)
            mutated.func = ast.Name(MIN_MAX[name])
            self._expr(node, mutated, f"{name}(...)  ->  {MIN_MAX[name]}(...)")
        if name in ("isinstance", "issubclass") and len(node.args) == 2:
            self.visit(node.args[0])  # not the type union: a mutant there only crashes
            return
        for i, kw in enumerate(node.keywords):
            if kw.arg is None:
                continue  # **kwargs
            mutated = copy.deepcopy(node)
            del mutated.keywords[i]
            label = f"drop keyword {kw.arg}={_short(ast.unparse(kw.value), 30)}"
            self._expr(node, mutated, label)
        if attr == "get" and len(node.args) == 2 and not node.keywords:
            mutated = copy.deepcopy(node)
            del mutated.args[1]
            label = f"drop the default of .get({_short(ast.unparse(node.args[0]), 30)}, ...)"
            self._expr(node, mutated, label)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MIN_MAX and isinstance(node.ctx, ast.Load):
            mutated = copy.deepcopy(node)
            mutated.attr = MIN_MAX[node.attr]
            self._expr(node, mutated, f".{node.attr}  ->  .{MIN_MAX[node.attr]}")
        self.generic_visit(node)


def _apply(source: str, start: tuple[int, int], end: tuple[int, int], text: str) -> str:
    lines = source.splitlines(keepends=True)
    # ast columns are UTF-8 byte offsets: cut the lines as bytes.
    head = b"".join(x.encode() for x in lines[: start[0] - 1])
    first = lines[start[0] - 1].encode()
    last = lines[end[0] - 1].encode()
    tail = b"".join(x.encode() for x in lines[end[0] :])
    out = head + first[: start[1]] + text.encode() + last[end[1] :] + tail
    return out.decode()


def mutants(source: str, module: str) -> list[Mutant]:
    """Every mutant of ``source`` that still compiles, in source order."""
    collector = _Collector(source)
    collector.visit(ast.parse(source))
    lines = source.splitlines()
    seen: dict[str, int] = {}
    out: list[Mutant] = []
    for node, label, text in collector.found:
        start, end = _span(node)
        mutated = _apply(source, start, end, text)
        try:
            compile(mutated, module, "exec")
        except SyntaxError:
            continue
        # The id survives edits elsewhere in the file: module, line text, mutation.
        key = f"{module}\0{lines[start[0] - 1].strip()}\0{label}"
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha1(f"{key}\0{seen[key]}".encode()).hexdigest()[:8]
        out.append(Mutant(digest, start[0], label, start, end, text))
    out.sort(key=lambda m: (m.start, m.end))
    return out


def read_equivalents(path: Path) -> dict[str, str]:
    """Mutant id -> reason, from ``id free text -- reason`` lines (``#`` comments)."""
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, sep, reason = line.partition(" -- ")
        if not sep or not reason.strip():
            sys.exit(f"{path}:{number}: an equivalent mutant needs ' -- reason'")
        out[head.split()[0]] = reason.strip()
    return out


# --------------------------------------------------------------------------- running


def _copy_tree(root: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="parindex-mutate-")) / "repo"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(*COPY_IGNORE), symlinks=True)
    return target


def _env(copy_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy_root / "src")
    # No .pyc: a mutant of the same size written within the same second as the last one
    # would otherwise be served from a stale cache.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """Run ``cmd``; on timeout kill its whole process group. (returncode|None, output)."""
    # A fresh process group, so a timeout also ends the children pytest started.
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, ""
    return proc.returncode, out


def _pytest(tests: list[str], extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-seed=0",  # the same examples for every mutant
        *extra,
        *tests,
    ]


def run(
    module: str,
    tests: list[str],
    *,
    root: Path,
    timeout: float | None,
    only: set[str] | None,
    equivalents: dict[str, str],
    check_equivalents: bool,
    extra: list[str],
    say: Callable[[str], None],
) -> list[Outcome]:
    work = _copy_tree(root)
    try:
        env = _env(work)
        rc, out = _run(
            [sys.executable, "-c", "import parindex; print(parindex.__file__)"], work, env, 120
        )
        imported = Path(out.strip().splitlines()[-1]) if rc == 0 and out.strip() else None
        if imported is None or work not in imported.resolve().parents:
            sys.exit(f"the copy is not what gets imported: parindex comes from {out.strip()!r}")
        target = work / module
        original = target.read_text(encoding="utf-8")
        found = [m for m in mutants(original, module) if only is None or m.id in only]
        say(f"{module}: {len(found)} mutants; copy at {work}; parindex from {imported}")
        cmd = _pytest(tests, extra)
        started = time.monotonic()
        rc, out = _run(cmd, work, env, 3600)
        baseline = time.monotonic() - started
        if rc != 0:
            sys.exit(f"the tests fail before any mutation (rc={rc}):\n{out[-3000:]}")
        limit = timeout if timeout is not None else max(60.0, 4 * baseline + 10)
        say(f"baseline passes in {baseline:.1f} s; timeout per mutant {limit:.0f} s")
        outcomes: list[Outcome] = []
        for number, m in enumerate(found, 1):
            if m.id in equivalents and not check_equivalents:
                outcomes.append(Outcome(m, "equivalent", 0.0, None))
                say(_line(number, len(found), outcomes[-1], module))
                continue
            target.write_text(_apply(original, m.start, m.end, m.replacement), encoding="utf-8")
            shutil.rmtree(work / ".hypothesis", ignore_errors=True)  # no replay across mutants
            started = time.monotonic()
            try:
                rc, _ = _run(cmd, work, env, limit)
            finally:
                target.write_text(original, encoding="utf-8")
            status = "timeout" if rc is None else "survived" if rc == 0 else "killed"
            if m.id in equivalents:
                status = "equivalent" if status == "survived" else f"{status} (listed equivalent!)"
            outcomes.append(Outcome(m, status, time.monotonic() - started, rc))
            say(_line(number, len(found), outcomes[-1], module))
        return outcomes
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)


def _line(number: int, total: int, o: Outcome, module: str) -> str:
    m = o.mutant
    return f"[{number}/{total}] {o.status:<10} {module}:{m.line}  {m.id}  {m.description}"


def summary(outcomes: list[Outcome]) -> tuple[int, int, str]:
    """(detected, scored, text): detected = killed + timeout; scored = not equivalent."""
    count: dict[str, int] = {}
    for o in outcomes:
        key = o.status.split(" ")[0]
        count[key] = count.get(key, 0) + 1
    equivalent = count.get("equivalent", 0)
    detected = count.get("killed", 0) + count.get("timeout", 0)
    scored = len(outcomes) - equivalent
    score = 100.0 * detected / scored if scored else 100.0
    text = (
        f"{len(outcomes)} mutants: {count.get('killed', 0)} killed, "
        f"{count.get('timeout', 0)} timeout, {count.get('survived', 0)} survived, "
        f"{equivalent} equivalent (excluded); score {detected}/{scored} = {score:.1f} %"
    )
    return detected, scored, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="the module to mutate, e.g. src/parindex/rules/tiers.py")
    parser.add_argument("--tests", nargs="+", default=["tests"], help="test files or folders")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default from baseline)")
    parser.add_argument("--only", nargs="+", help="run only these mutant ids")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--equivalents", type=Path, default=EQUIVALENTS)
    parser.add_argument("--check-equivalents", action="store_true", help="run them too")
    parser.add_argument("--json", type=Path, help="write the outcomes to this file")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to copy")
    parser.add_argument("--pytest-arg", action="append", default=[], help="extra pytest option")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    module = Path(args.module)
    module = str(module.resolve().relative_to(root) if module.is_absolute() else module)
    equivalents = read_equivalents(args.equivalents)
    if args.list:
        for m in mutants((root / module).read_text(encoding="utf-8"), module):
            mark = "  [equivalent]" if m.id in equivalents else ""
            print(f"{module}:{m.line}  {m.id}  {m.description}{mark}")
        return 0
    outcomes = run(
        module,
        args.tests,
        root=root,
        timeout=args.timeout,
        only=set(args.only) if args.only else None,
        equivalents=equivalents,
        check_equivalents=args.check_equivalents,
        extra=args.pytest_arg,
        say=lambda text: print(text, flush=True),
    )
    detected, scored, text = summary(outcomes)
    print("\nsurvivors:" if detected < scored else "", flush=True)
    for o in outcomes:
        if o.status == "survived":
            print(f"  {module}:{o.mutant.line}  {o.mutant.id}  {o.mutant.description}")
    print(text)
    if args.json:
        data = [{**asdict(o.mutant), "status": o.status, "seconds": o.seconds} for o in outcomes]
        args.json.write_text(json.dumps({"module": module, "outcomes": data}, indent=1) + "\n")
    return 0 if detected == scored else 1


if __name__ == "__main__":
    sys.exit(main())
