"""Working on methodologies themselves: complete a partial one from an annex
table, compare two, validate one.

Modules load on first use: ``parindex.authoring.<module>`` works without importing it first.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name.startswith("_") or name not in {m.name for m in pkgutil.iter_modules(__path__)}:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")
