"""The hypothesis entry point: ``import parindex.testing`` works in a fresh interpreter.

Hypothesis runs its entry points while ``import hypothesis`` executes, and
``parindex.testing`` imports hypothesis, so the hook must not need ``parindex.testing``
to be fully imported. Each check runs a fresh interpreter (this session has long imported
both); the entry point comes from the installed package metadata.
"""

from __future__ import annotations

import tomllib

import pytest

from .conftest import ROOT, fresh_python


def test_import_parindex_testing_first() -> None:
    code = (
        "import parindex.testing\n"
        "from hypothesis import strategies as st\n"
        "import parindex\n"
        "print(type(st.from_type(parindex.Methodology).example()).__name__)"
    )
    assert fresh_python(code) == "Methodology"


@pytest.mark.parametrize("first", ["hypothesis", "parindex", "parindex.testing"])
def test_strategies_are_registered_whatever_is_imported_first(first: str) -> None:
    code = (
        f"import {first}\n"
        "from hypothesis import strategies as st\n"
        "import parindex\n"
        "print(type(st.from_type(parindex.model.methodology.AdministrativeUnit).example()).__name__)"
    )
    assert fresh_python(code) == "AdministrativeUnit"


def test_the_hook_module_loads_without_parindex_testing() -> None:
    # What keeps the import cycle away, checked from pyproject.toml itself (the installed
    # metadata the tests above use may be older than the source tree).
    with (ROOT / "pyproject.toml").open("rb") as f:
        target = tomllib.load(f)["project"]["entry-points"]["hypothesis"]["_"]
    module, _, attr = target.partition(":")
    code = (
        f"import sys, {module}\n"
        f"print(callable({module}.{attr}), 'parindex.testing' in sys.modules, "
        "'hypothesis' in sys.modules)"
    )
    assert fresh_python(code) == "True False False"
