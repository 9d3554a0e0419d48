"""The catalogue index (a lookup parses only the file it needs, safely across threads)
and the libyaml loader (as strict as the pure-Python one)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import threading
import time
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import parindex
from parindex.errors import InputFormatError, MethodologyError, UnknownMethodologyError
from parindex.io import catalogue, safe
from parindex.io.catalogue import INDEX_FILE, Registry, build_index, write_index

DATA = Path(str(resources.files("parindex") / "data" / "methodologies"))
FILES = sorted(DATA.glob("*.yaml"))
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the documents the catalogue parses, in order."""
    names: list[str] = []
    real = safe.safe_parse

    def recording(text: str, *, name: str = "<text>", **kw: Any) -> Any:
        names.append(name)
        return real(text, name=name, **kw)

    monkeypatch.setattr(catalogue, "safe_parse", recording)
    return names


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("write_index", ROOT / "tools" / "write_index.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ the index itself


def test_index_is_up_to_date() -> None:
    stored = json.loads((DATA / INDEX_FILE).read_text(encoding="utf-8"))
    assert stored == build_index(), (
        f"{INDEX_FILE} is out of date with the methodology files: run "
        "`python tools/write_index.py` and commit the result"
    )


def test_index_lists_every_file() -> None:
    stored = json.loads((DATA / INDEX_FILE).read_text(encoding="utf-8"))
    assert [e["file"] for e in stored["methodologies"]] == [p.name for p in FILES]


def test_tool_checks_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tool = _tool()
    assert tool.main(["--check"]) == 0
    shutil.copy(DATA / "camau-2013.yaml", tmp_path)
    assert tool.main([str(tmp_path)]) == 0
    assert tool.main(["--check", str(tmp_path)]) == 0
    shutil.copy(DATA / "province-2017.yaml", tmp_path)
    assert tool.main(["--check", str(tmp_path)]) == 1
    assert "out of date" in capsys.readouterr().out


def test_index_refuses_clashing_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "camau-2013.yaml", tmp_path / "a.yaml")
    shutil.copy(DATA / "camau-2013.yaml", tmp_path / "b.yaml")
    with pytest.raises(MethodologyError, match="already registered"):
        build_index(tmp_path)


# ------------------------------------------------------------------ lazy lookups


@pytest.mark.parametrize(
    ("key", "level", "file"),
    [
        ("province-2017", None, "province-2017.yaml"),
        ("2948/QĐ-BNV province", None, "province-2017.yaml"),
        ("876/qd-bnv", "ministry", "ministry-2022.yaml"),
        ("province-2023", None, "province-2022.yaml"),
        ("camau-2013", None, "camau-2013.yaml"),
    ],
)
def test_a_lookup_parses_one_file(
    parsed: list[str], key: str, level: str | None, file: str
) -> None:
    registry = Registry(load_shipped=True)
    m = registry.get(key, level=level)
    assert parsed == [INDEX_FILE, file]
    assert m == parindex.load_methodology(DATA / file)
    assert registry.get(key, level=level) is m  # parsed once
    assert parsed == [INDEX_FILE, file]


def test_get_methodology_parses_one_file(
    parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "default_registry", Registry(load_shipped=True))
    assert parindex.get_methodology("province-2017").id == "province-2017"
    assert parsed == [INDEX_FILE, "province-2017.yaml"]


def test_ids_len_and_errors_parse_no_file(parsed: list[str]) -> None:
    registry = Registry(load_shipped=True)
    ids = registry.ids()
    assert len(registry) == len(FILES)
    with pytest.raises(UnknownMethodologyError, match="known ids: illustrative-district, "):
        registry.get("nothing")
    with pytest.raises(UnknownMethodologyError, match="several methodologies"):
        registry.get("876/QĐ-BNV")
    with pytest.raises(UnknownMethodologyError, match="years covered"):
        registry.get("province-1999")
    with pytest.raises(UnknownMethodologyError, match="not district"):
        registry.get("province-2017", level="district")
    assert parsed == [INDEX_FILE]
    # Iterating parses every file, in the order ids() gave without parsing.
    assert [m.id for m in registry] == ids
    assert sorted(parsed[1:]) == [p.name for p in FILES]


def test_iteration_matches_the_files() -> None:
    registry = Registry(load_shipped=True)
    assert {m.id: m for m in registry} == {
        m.id: m for m in (parindex.load_methodology(p) for p in FILES)
    }


def test_clash_checks_see_unparsed_files(parsed: list[str]) -> None:
    m = parindex.load_methodology(DATA / "camau-2013.yaml")
    registry = Registry(load_shipped=True)
    with pytest.raises(MethodologyError, match="'camau-2013' is already registered"):
        registry.add(m)
    shipped_alias = parindex.load_methodology(DATA / "province-2017.yaml").aliases[0]
    other = parindex.load_methodology(DATA / "camau-2013.yaml")
    import attrs

    with pytest.raises(MethodologyError, match="is already taken"):
        registry.add(attrs.evolve(other, id="mine", aliases=(shipped_alias.upper(),)))
    registry.add(attrs.evolve(other, id="mine", aliases=("my-own",)))
    assert registry.get("MY-OWN").id == "mine"
    assert registry.ids()[-1] == "mine" or "mine" in registry.ids()
    assert parsed == [INDEX_FILE]


def test_stale_index_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "camau-2013.yaml"
    shutil.copy(DATA / path.name, path)
    write_index(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "evaluation_years: [", "evaluation_years: [2030, "
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogue, "_shipped_folder", lambda: tmp_path)
    with pytest.raises(MethodologyError, match=r"index \(index.json\) is out of date"):
        Registry(load_shipped=True).get("camau-2013")


def test_loading_is_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    real = safe.safe_parse
    calls: list[str] = []

    def slow(text: str, *, name: str = "<text>", **kw: Any) -> Any:
        calls.append(name)
        time.sleep(0.02)  # widen the window in which another thread could see half a load
        return real(text, name=name, **kw)

    monkeypatch.setattr(catalogue, "safe_parse", slow)
    monkeypatch.setattr(catalogue, "default_registry", Registry(load_shipped=True))
    keys = ["province-2017", "province-2023", "ministry-2022", "province-2017"] * 2
    barrier = threading.Barrier(len(keys))
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = parindex.get_methodology(keys[i]).id
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(keys))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [results[i] for i in range(len(keys))] == [
        "province-2017",
        "province-2022",
        "ministry-2022",
        "province-2017",
    ] * 2
    # The index once, each needed file once.
    assert sorted(calls) == sorted(
        [INDEX_FILE, "province-2017.yaml", "province-2022.yaml", "ministry-2022.yaml"]
    )


# ------------------------------------------------------------------ the libyaml loader

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")


@needs_libyaml
def test_libyaml_loader_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, strict = safe._loaders()
    assert fast is not None

    def refuse(*args: Any, **kw: Any) -> None:
        raise AssertionError("the pure-Python loader was used")

    monkeypatch.setattr(strict, "__init__", refuse)
    assert safe.safe_parse((DATA / "province-2017.yaml").read_text(encoding="utf-8"))["id"] == (
        "province-2017"
    )


@needs_libyaml
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_both_loaders_read_the_same_data(path: Path) -> None:
    fast, strict = safe._loaders()
    assert fast is not None
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=fast) == yaml.load(text, Loader=strict)


_ALIAS_BOMB = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _ALIAS_BOMB,
            "<text>: YAML aliases are not allowed (line 2); write the content out in full",
        ),
        ("a: &x 1\nb:\n  - *x\n", "<text>: YAML aliases are not allowed (line 3)"),
        ("a: &a [*a]\n", "<text>: YAML aliases are not allowed (line 1)"),
        ("a: 1\nb:\n  c: 2\n  c: 3\n", "<text>: duplicate key 'c' (line 4)"),
        ("{a: 1, b: 2, a: 3}\n", "<text>: invalid JSON at line 1"),
        ("x: {a: 1, a: 2}\n", "<text>: duplicate key 'a' (line 1)"),
        ("x: !!python/name:os.system\n", "could not determine a constructor for the tag"),
        ("!!python/object/apply:os.system [echo pwned]\n", "python/object/apply:os.system"),
        ("x: !custom 1\n", "could not determine a constructor for the tag '!custom'"),
        ("a: [1, 2\n", "<text>: invalid YAML at line 2: expected ',' or ']'"),
        ("a: b\tc\n", "<text>: invalid YAML at line 1: found character '\\t'"),
        ("a: \ud800\n", "<text>: invalid YAML: unacceptable character #xd800"),
        ("a: " + "[" * 50_000 + "]" * 50_000 + "\n", "<text>: document is nested too deeply"),
        ("".join(" " * i + f"k{i}:\n" for i in range(70)) + " " * 70 + "v: 1\n", "deeper than 64"),
        ("a: 2022-13-45\n", "<text>: cannot read a value: month must be in 1..12"),
        ("--- 1\n--- 2\n", "<text>: invalid YAML at line 2: but found another document"),
    ],
)
def test_loader_refuses_as_before(text: str, message: str) -> None:
    with pytest.raises(InputFormatError) as caught:
        safe.safe_parse(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        _ALIAS_BOMB,
        "a: 1\nb:\n  c: 2\n  c: 3\n",
        "a: [1, 2\n",
        "a: b\tc\n",
        "x: !!python/name:os.system\n",
        "k: 'unterminated\n",
        "- a\nb: 1\n",
    ],
)
def test_messages_equal_the_pure_python_loader(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputFormatError) as fast:
        safe.safe_parse(text)
    _, strict = safe._loaders()
    monkeypatch.setattr(safe, "_loaders", lambda: (None, strict))
    with pytest.raises(InputFormatError) as pure:
        safe.safe_parse(text)
    assert str(fast.value) == str(pure.value)


def test_anchor_without_alias_is_allowed() -> None:
    assert safe.safe_parse("a: &x 1\nb: 2\n") == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("!", None),
        ("a: ! 12\n", {"a": 12}),
        ('a: ! "true"\n', {"a": True}),
        ("a: !!str 12", {"a": "12"}),
    ],
)
def test_non_specific_tag_reads_as_before(text: str, value: object) -> None:
    assert safe.safe_parse(text) == value
