"""The one YAML loader builds plain data only: a ``!!python/...`` tag is refused on every
path that reads YAML (libyaml and pure Python; methodology, questionnaire and
uncertainty files; the registry), and stays refused when another library in the same
process registers constructors or resolvers on PyYAML's own safe loader."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml.constructor import BaseConstructor, FullConstructor, SafeConstructor
from yaml.resolver import BaseResolver, Resolver

import parindex
from parindex.errors import InputFormatError
from parindex.io import safe
from parindex.io.catalogue import Registry
from parindex.io.safe import safe_parse

from ..conftest import ROOT

METHODOLOGY = ROOT / "src/parindex/data/methodologies/illustrative-district.yaml"
QUESTIONNAIRE = ROOT / "src/parindex/data/questionnaires/illustrative-district.yaml"
UNCERTAINTY = ROOT / "examples/uncertainty-district.yaml"

# Each would run a command (or hand out a module or function) under an unsafe loader.
PAYLOADS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/new:os.system ["touch {marker}"]',
    "!!python/object:os.system {{}}",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/tuple [1, 2]",
    '!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]',
]
# A tab sends a text to the pure-Python parser (see parindex.io.safe); none: libyaml.
PATHS = {"libyaml": "", "python": "  # \t\n"}


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a YAML payload ran a command"


@pytest.fixture
def rebuilt_loaders() -> Iterator[None]:
    """The loaders built afresh for the test and again after it."""
    safe._loaders.cache_clear()
    yield
    safe._loaders.cache_clear()


def _document(payload: str, marker: Path, path: str) -> str:
    return f"a: 1\nb: {payload.format(marker=marker)}\n{PATHS[path]}"


def test_both_loaders_are_safe_loaders_with_only_the_plain_yaml_types() -> None:
    plain = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "binary")}
    plain |= {f"tag:yaml.org,2002:{t}" for t in ("timestamp", "omap", "pairs", "set", "str")}
    plain |= {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", None}
    loaders = [loader for loader in safe._loaders() if loader is not None]
    assert loaders, "no YAML loader"
    for loader in loaders:
        assert issubclass(loader, SafeConstructor)
        assert not issubclass(loader, FullConstructor)  # the base of the unsafe loaders
        assert set(loader.yaml_constructors) == plain
        assert dict(loader.yaml_multi_constructors) == {}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_parse_refuses_python_tags(payload: str, path: str, marker: Path) -> None:
    with pytest.raises(InputFormatError, match=r"invalid YAML at line 2: .*python/"):
        safe_parse(_document(payload, marker, path))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_loader_alone_refuses_python_tags(payload: str, marker: Path) -> None:
    for loader in safe._loaders():
        if loader is not None:
            with pytest.raises(yaml.constructor.ConstructorError, match="python/"):
                yaml.load(_document(payload, marker, "libyaml"), Loader=loader)


def test_a_tag_directive_cannot_smuggle_a_python_tag(marker: Path) -> None:
    for path in PATHS:
        text = "%TAG !p! tag:yaml.org,2002:python/\n---\n" + _document(
            '!p!object/apply:os.system ["touch {marker}"]', marker, path
        )
        with pytest.raises(InputFormatError, match="python/object/apply"):
            safe_parse(text)


READERS: dict[str, Callable[[Path], object]] = {
    "methodology": parindex.load_methodology,
    "registry": lambda path: Registry().add_file(path),
    "questionnaire": parindex.load_questionnaire,
    "uncertainty": parindex.load_uncertainty,
}


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("methodology", METHODOLOGY),
        ("registry", METHODOLOGY),
        ("questionnaire", QUESTIONNAIRE),
        ("uncertainty", UNCERTAINTY),
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_every_yaml_file_reader_refuses_python_tags(
    kind: str, source: Path, path: str, tmp_path: Path, marker: Path
) -> None:
    """A real file with one hostile key added: refused while parsing, before the
    model looks at the keys (an unsafe loader would have run the command by then)."""
    payload = PAYLOADS[0].format(marker=marker)
    hostile = tmp_path / source.name
    text = source.read_text(encoding="utf-8") + f"\npwned: {payload}\n{PATHS[path]}"
    hostile.write_text(text, encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"invalid YAML at line \d+: .*python/object"):
        READERS[kind](hostile)


def _evil(*args: Any) -> str:
    return "EVIL"


def _keep_tables(monkeypatch: pytest.MonkeyPatch, cls: type[Any]) -> None:
    """Give ``cls`` its own copies of PyYAML's tables, restored after the test."""
    for table in (
        "yaml_constructors",
        "yaml_multi_constructors",
        "yaml_implicit_resolvers",
        "yaml_path_resolvers",
    ):
        if hasattr(cls, table):
            current = getattr(cls, table)
            copy = {k: list(v) if isinstance(v, list) else v for k, v in current.items()}
            monkeypatch.setattr(cls, table, copy)


HOSTS = [yaml.SafeLoader, SafeConstructor, BaseConstructor, Resolver, BaseResolver]


@pytest.mark.usefixtures("rebuilt_loaders")
@pytest.mark.parametrize("build_first", [True, False], ids=["built-before", "built-after"])
@pytest.mark.parametrize("host", HOSTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("path", PATHS)
def test_constructors_registered_elsewhere_never_reach_the_loaders(
    host: type[Any], path: str, build_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another library may extend PyYAML's SafeLoader (a ``!env`` tag, an implicit
    resolver for ``${VAR}``, even python tags): parindex reads plain YAML regardless,
    and the same on both parsers."""
    if build_first:
        safe._loaders()
    _keep_tables(monkeypatch, host)
    if issubclass(host, BaseConstructor):
        host.add_multi_constructor("tag:yaml.org,2002:python/", _evil)
        host.add_constructor("!env", _evil)
        host.add_constructor("tag:yaml.org,2002:str", _evil)
    if issubclass(host, BaseResolver):
        host.add_implicit_resolver("!env", re.compile(r"^\$\{.*\}$"), ["$"])
    with pytest.raises(InputFormatError, match="python/object/apply"):
        safe_parse(f"a: !!python/object/apply:os.system ['true']\n{PATHS[path]}")
    with pytest.raises(InputFormatError, match="!env"):
        safe_parse(f"a: !env HOME\n{PATHS[path]}")
    assert safe_parse(f"a: ${{HOME}}\nb: text\n{PATHS[path]}") == {"a": "${HOME}", "b": "text"}
