"""docs/catalogue.md is generated from the registry; regenerating must give the
committed text, so the page cannot drift from the shipped data."""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path

import parindex

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_catalogue", ROOT / "docs" / "gen_catalogue.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogue_page_is_in_step_with_the_registry() -> None:
    page = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    assert _generator().render() == page, (
        "docs/catalogue.md is stale: run PYTHONPATH=src python docs/gen_catalogue.py"
    )


def test_catalogue_page_lists_every_methodology() -> None:
    page = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    for m in parindex.list_methodologies():
        assert f"### `{m.id}`" in page
        if m.decision.number:
            assert m.decision.number in page
