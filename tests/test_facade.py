"""The facade: ``parindex.__all__`` is what really imports, and every name that left the
top level (or was renamed to the one naming scheme) still works for one minor release,
with a DeprecationWarning naming its new home."""

from __future__ import annotations

import importlib
import types
import warnings

import pytest

import parindex
from parindex import _compat

from .conftest import fresh_python

SUBPACKAGES = {
    "analysis", "authoring", "cli", "engine", "errors", "io", "model", "limits", "present", "rules",
    "service", "testing",
}  # fmt: skip


def test_every_name_in_all_imports_from_a_fresh_interpreter() -> None:
    names = ", ".join(n for n in parindex.__all__ if n != "__version__")
    assert fresh_python(f"from parindex import {names}; print('ok')") == "ok"


def test_the_namespace_holds_all_and_nothing_else_public() -> None:
    """Read the module's real globals (``dir()`` is ``__all__`` by construction), after
    loading every lazy name: anything public that is neither in ``__all__`` nor a
    subpackage is an accidental export."""
    for name in parindex.__all__:
        getattr(parindex, name)
    public = {
        n
        for n, v in vars(parindex).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert public == set(parindex.__all__) - {"__version__"}
    modules = {n for n, v in vars(parindex).items() if isinstance(v, types.ModuleType)}
    assert {m for m in modules if not m.startswith("_")} <= SUBPACKAGES
    assert sorted(parindex.__all__) == parindex.__all__
    assert len(parindex.__all__) <= 40  # a small facade; the layers hold the rest


def test_dir_lists_all() -> None:
    assert dir(parindex) == sorted(parindex.__all__)


@pytest.mark.parametrize("name", sorted(_compat.MOVED))
def test_moved_names_warn_and_resolve_to_their_new_home(name: str) -> None:
    module = importlib.import_module(_compat.MOVED[name])
    with pytest.warns(DeprecationWarning, match=f"use {_compat.MOVED[name]}.{name}"):
        value = getattr(parindex, name)
    if name == "wide_to_tidy":  # wrapped so that it still takes a methodology key
        assert value.__wrapped__ is getattr(module, name)
    elif callable(value):
        assert value is getattr(module, name)
    else:  # data read from the shipped files on access (COMPONENT_IDS)
        assert value == getattr(module, name)


@pytest.mark.parametrize("old", sorted(_compat.RENAMED))
def test_renamed_names_warn_and_resolve(old: str) -> None:
    module, new = _compat.RENAMED[old]
    with pytest.warns(DeprecationWarning, match=f"use {module}.{new}"):
        value = getattr(parindex, old)
    assert value is getattr(importlib.import_module(module), new)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = parindex.no_such_name  # type: ignore[attr-defined]


def test_deprecated_sheet_readers_forward_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="use parindex.load_sheet"):
        old = parindex.ScoreSheet.read("examples/daklak-2017.csv")  # type: ignore[attr-defined]
    assert old == parindex.load_sheet("examples/daklak-2017.csv")
    text = "unit,node,points\nA,1,5\n"
    with pytest.warns(DeprecationWarning, match="use parindex.sheet_from_csv"):
        assert parindex.ScoreSheet.from_csv_text(text) == parindex.sheet_from_csv(text)  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parindex.load_sheet("examples/daklak-2017.csv")  # the new name does not warn
