"""The package's shape, checked from its source: every import points down the layers,
no import cycle, no private name taken from another package, no module over 600 lines.

Every ``import`` statement counts for the layers, those inside functions and under
``TYPE_CHECKING`` included; cycles are looked for among the imports that run (a cycle
made only of type-checking imports never executes). ``import-linter`` checks the same layers in CI (``.importlinter``); this test
also runs where it is not installed, and checks cycles, private names and sizes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "parindex"
MAX_LINES = 600

# Lower number = lower layer. A module may import from a lower layer or its own package.
LAYERS: dict[str, float] = {
    "errors": 0,
    "_numbers": 0,
    "_text": 0,
    "_version": 0,
    "_display": 0,
    "limits": 0.5,
    "rules": 1,
    "model": 2,
    "engine": 3,
    "io": 3,
    "analysis": 4,
    "authoring": 4,
    "present": 5,
    "service": 6,
    "cli": 7,  # `parindex serve` starts the service; the service never imports the CLI
}
FACADE = 8  # parindex/__init__.py and the other top-level modules (testing, _compat, ...)

# No exception: notebook display goes through the parindex._display registry, which
# parindex.present.html fills, so nothing below `present` imports it.


def _package(module: str) -> str:
    """``parindex.engine.batch`` -> ``engine``; ``parindex.testing`` -> ``testing``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _rank(module: str) -> float:
    return LAYERS.get(_package(module), FACADE)


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


class _Import:
    def __init__(
        self, target: str, names: list[str], line: int, function: str | None, typing_only: bool
    ) -> None:
        self.target, self.names, self.line, self.function = target, names, line, function
        self.typing_only = typing_only


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path) -> Iterator[_Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    stack: list[tuple[ast.AST, str | None, bool]] = [(tree, None, False)]
    while stack:
        node, function, typing_only = stack.pop()
        typing_only = typing_only or _is_type_checking(node)
        for child in ast.iter_child_nodes(node):
            fn = (
                child.name
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                else function
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "parindex":
                        yield _Import(alias.name, [], child.lineno, function, typing_only)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    target = child.module or ""
                if target.split(".")[0] == "parindex":
                    yield _Import(
                        target, [a.name for a in child.names], child.lineno, function, typing_only
                    )
            stack.append((child, fn, typing_only))


def _edges() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for imp in _imports(module, path):
            # A cycle through imports made only for type checking never runs.
            if imp.typing_only:
                continue
            # `from parindex.io import sheet` imports the module parindex.io.sheet
            targets = [f"{imp.target}.{n}" for n in imp.names if f"{imp.target}.{n}" in modules]
            targets = targets or [imp.target]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != module and target in modules:
                    edges[module].add(target)
    return edges


def layer_violations() -> list[str]:
    """Every import that points up or sideways, as ``module:line -> target``."""
    out = []
    for module, path in _modules().items():
        own = _package(module)
        for imp in _imports(module, path):
            target_pkg = _package(imp.target)
            if target_pkg == own and own in LAYERS:
                continue
            if _rank(imp.target) >= _rank(module) and not (
                _rank(module) == FACADE and imp.target == "parindex"
            ):
                if _rank(module) == FACADE and _rank(imp.target) < FACADE:
                    continue
                if _rank(module) == FACADE and _rank(imp.target) == FACADE:
                    continue
                out.append(f"{module}:{imp.line} -> {imp.target}")
    return sorted(out)


def private_imports() -> list[str]:
    """Private names (``_x``) taken from a module of another package."""
    out = []
    for module, path in _modules().items():
        for imp in _imports(module, path):
            if _package(imp.target) == _package(module):
                continue
            out.extend(
                f"{module}:{imp.line} imports {imp.target}.{name}"
                for name in imp.names
                if name.startswith("_") and not name.startswith("__")
            )
            # Private modules inside a layer package are that package's own; the
            # top-level ones (parindex._numbers, _text, _version, ...) are shared.
            parts = imp.target.split(".")
            if len(parts) > 2 and any(p.startswith("_") for p in parts[2:]):
                out.append(f"{module}:{imp.line} imports private module {imp.target}")
    return sorted(out)


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    edges = _edges()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def long_modules() -> list[str]:
    out = []
    for module, path in _modules().items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(f"{module}: {n} lines")
    return out


def test_every_import_points_down() -> None:
    assert layer_violations() == []


def test_no_private_name_crosses_a_package() -> None:
    assert private_imports() == []


def test_no_import_cycle() -> None:
    assert cycles() == []


def test_no_module_over_600_lines() -> None:
    assert long_modules() == []


def test_every_layer_is_a_package() -> None:
    for name, rank in LAYERS.items():
        path = SRC / name
        assert (path / "__init__.py").exists() or (SRC / f"{name}.py").exists(), name
        assert rank >= 0


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from parindex.cli.run import main\n", ["parindex.model.x:1 -> parindex.cli.run"]),
        (
            "def f():\n    from parindex.io.safe import safe_parse\n",
            ["parindex.model.x:2 -> parindex.io.safe"],
        ),
        ("from parindex.errors import ParIndexError\n", []),
    ],
)
def test_the_check_sees_a_wrong_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: list[str]
) -> None:
    """The checker itself: an upward import, even inside a function, is reported."""
    root = tmp_path / "parindex"
    (root / "model").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "model" / "__init__.py").write_text("")
    (root / "model" / "x.py").write_text(source)
    monkeypatch.setattr(__import__(__name__), "SRC", root, raising=False)
    globals()["SRC"] = root
    try:
        assert layer_violations() == expected
    finally:
        globals()["SRC"] = Path(__file__).resolve().parents[2] / "src" / "parindex"
