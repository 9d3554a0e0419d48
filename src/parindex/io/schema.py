"""The JSON contract: JSON Schema (draft 2020-12) documents shipped with the package.

Three documents describe everything parindex reads and writes as JSON, for
applications written in other languages (Node, .NET, Java, PHP) that call parindex
as a calculation backend:

``methodology``
    a methodology (bộ chỉ số), as written by :func:`parindex.methodology_to_dict`;
``sheet``
    a score sheet (phiếu chấm điểm), as written by :meth:`parindex.ScoreSheet.to_json`;
``result``
    scores and ranks, as printed by ``parindex score --format json`` and returned by
    the HTTP service's ``POST /score``.

Each ``$id`` carries the contract version (``.../schemas/v1/...``); a breaking change
to a document bumps it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from parindex.errors import ParIndexError

__all__ = ["SCHEMA_NAMES", "json_schema"]

SCHEMA_NAMES = (
    "error",
    "health",
    "methodologies",
    "methodology",
    "rank-request",
    "ranking",
    "resolution",
    "resolve-request",
    "result",
    "score-request",
    "sheet",
    "succession",
    "unit",
    "units",
    "validation",
)
"""Names accepted by :func:`json_schema` (and ``parindex schema NAME``)."""


class UnknownSchemaError(LookupError, ParIndexError):
    """No shipped JSON Schema has this name."""


def schema_text(name: str) -> str:
    """The shipped schema file's text, unchanged."""
    if name not in SCHEMA_NAMES:
        raise UnknownSchemaError(
            f"no JSON Schema named {name!r} (known: {', '.join(SCHEMA_NAMES)})"
        )
    path = resources.files("parindex") / "data" / "schemas" / f"{name}.schema.json"
    return path.read_text(encoding="utf-8")


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a document parindex reads or writes.

    ``name`` is ``"methodology"``, ``"sheet"`` or ``"result"``. A fresh dict is
    returned each time, so callers may modify it.

    Example:
        >>> import parindex
        >>> schema = parindex.json_schema("result")
        >>> schema["$id"]
        'https://parindex.dev/schemas/v1/result.schema.json'
        >>> sorted(schema["properties"])
        ['methodology', 'official', 'ties', 'units', 'year']
        >>> parindex.json_schema("invoice")
        Traceback (most recent call last):
        ...
        parindex.io.schema.UnknownSchemaError: no JSON Schema named 'invoice' (known: error, health, methodologies, methodology, rank-request, ranking, resolution, resolve-request, result, score-request, sheet, succession, unit, units, validation)
    """
    data: dict[str, Any] = json.loads(schema_text(name))
    return data
