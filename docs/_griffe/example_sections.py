"""Griffe extension for the docs build: make parindex docstrings render well.

* parindex docstrings title their doctests ``Example:`` (one example). Griffe's Google
  parser treats only ``Examples:`` as an examples section and would otherwise render the
  ``>>>`` lines as Markdown (nested block quotes), so the title is renamed before
  parsing.
* Docstrings cross-reference with Sphinx roles (``:func:`parindex.score```), which
  Markdown shows verbatim; they are turned into inline code (``score``).

The source docstrings stay as they are (they are also doctests).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_TITLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):`~?([^`]+)`")


def _short(match: re.Match[str]) -> str:
    target = match.group(1)
    return f"`{target.rsplit('.', 1)[-1] if match.group(0).find('~') >= 0 else target}`"


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section titles to ``Examples:`` and unwrap Sphinx roles."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        doc = obj.docstring
        if doc is None:
            return
        doc.value = _ROLE.sub(_short, _TITLE.sub(r"\1Examples:", doc.value))
