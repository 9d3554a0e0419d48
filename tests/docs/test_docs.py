"""The documentation site stays in step with the code: every page in the navigation
exists, every page is in the navigation, and every national methodology
in the registry has its row in the worked-examples overview.

(The ``>>>`` blocks of the pages themselves run through ``--doctest-glob``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

import parindex

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _nav_pages(items: Any) -> Iterator[str]:
    if isinstance(items, str):
        yield items
    elif isinstance(items, list):
        for item in items:
            yield from _nav_pages(item)
    elif isinstance(items, dict):
        for value in items.values():
            yield from _nav_pages(value)


def _nav() -> list[str]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return list(_nav_pages(config["nav"]))


def test_every_nav_entry_is_a_page() -> None:
    pages = _nav()
    assert len(pages) == len(set(pages))
    missing = [p for p in pages if not (DOCS / p).is_file()]
    assert missing == []


def test_every_page_is_in_the_nav() -> None:
    # A page outside the nav is reachable only by a link, and mkdocs says so only at INFO.
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert sorted(pages - set(_nav())) == []


def test_readme_links_to_the_docs_and_every_relative_link_resolves() -> None:
    # The README's links must work on GitHub and in a checkout, without the built site.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    relative = [t for t in targets if "://" not in t and not t.startswith("#")]
    for page in ("docs/index.md", "docs/getting-started.md", "docs/methodologies/index.md"):
        assert page in relative
    assert [t for t in relative if not (ROOT / t).exists()] == []


def test_every_worked_example_is_in_the_nav() -> None:
    pages = set(_nav())
    examples = {f"methodologies/{p.name}" for p in (DOCS / "methodologies").glob("*.md")}
    assert examples - pages == set()
    decisions = ["1294-2012", "4361-2016", "2948-2017", "2636-2018", "1150-2019"]
    decisions += ["1149-2020", "876-2022", "2025"]
    assert {f"methodologies/{d}.md" for d in decisions} <= pages


def test_every_national_methodology_has_a_row_in_the_overview() -> None:
    overview = (DOCS / "methodologies" / "index.md").read_text(encoding="utf-8")
    national = [m.id for m in parindex.list_methodologies() if m.issuer_region is None]
    assert "province-2017" in national
    assert [i for i in national if f"`{i}`" not in overview] == []


def test_every_public_name_is_in_the_api_reference() -> None:
    reference = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((DOCS / "reference").glob("*.md"))
    )
    documented = {line.split()[1] for line in reference.splitlines() if line.startswith(":::")}
    assert {"parindex.rules", "parindex.errors", "parindex.testing"} <= documented
    error_names = set(parindex.errors.__all__)
    wanted = {
        f"parindex.{n}" for n in parindex.__all__ if n != "__version__" and n not in error_names
    }
    assert sorted(wanted - documented) == []
