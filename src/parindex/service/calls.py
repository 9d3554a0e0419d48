"""What the service's handlers and its OpenAPI document are built from: one request as
a handler sees it (:class:`Call`), and an operation's description (:class:`Endpoint`,
:class:`Param`). The table of operations is :data:`parindex.service.routes.ENDPOINTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from parindex.limits import MAX_SHEET_ROWS, MAX_UNITS

__all__ = ["Call", "CsvSheet", "Endpoint", "Param", "Settings"]


@dataclass(frozen=True)
class Settings:
    """The bounds a handler applies (the ASGI application applies the others).

    Example:
        >>> from parindex.service.routes import Settings
        >>> Settings().max_units
        20000
    """

    max_sheet_rows: int = MAX_SHEET_ROWS
    max_units: int = MAX_UNITS


@dataclass(frozen=True)
class CsvSheet:
    """A sheet sent as CSV text (``Content-Type: text/csv``), read by
    :func:`parindex.io.sheet.sheet_from_csv` with the request's options.

    Example:
        >>> from parindex.service.routes import Call, CsvSheet, endpoint
        >>> body = {"methodology": "province-2017", "sheet": CsvSheet("unit,node,points\\nĐắk Lắk,1,5\\n"),
        ...         "missing": "zero"}
        >>> endpoint("POST", "/score").handler(Call(body=body))["units"][0]["points"]
        5.0
    """

    text: str


@dataclass(frozen=True)
class Call:
    """One request, as a handler sees it: the body (validated, with the query options
    of a score request merged in), the path and other query parameters (those defined
    in a shipped schema read as it says: ``limit`` is an int), the bounds.

    Example:
        >>> from parindex.service.routes import Call, endpoint
        >>> endpoint("GET", "/health").handler(Call())["status"]
        'ok'
    """

    body: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    root_path: str = ""
    """Where the application is mounted in another one (``"/parindex"``), or ``""``."""


@dataclass(frozen=True)
class Param:
    """A path or query parameter: its JSON Schema is inline, or a reference into a
    shipped schema (``"score-request#/$defs/ties"``: the query parameter stands for
    the body property of the same name, and is validated against its definition).

    Example:
        >>> from parindex.service.routes import endpoint
        >>> [p.name for p in endpoint("GET", "/methodologies/{id}").params]
        ['id', 'level']
    """

    name: str
    description: str
    schema: Mapping[str, Any] | str
    where: str = "query"
    required: bool = False


@dataclass(frozen=True)
class Endpoint:
    """One operation of the service: what the routes and the OpenAPI document are
    built from.

    Example:
        >>> from parindex.service.routes import endpoint
        >>> ep = endpoint("POST", "/score")
        >>> ep.operation_id, ep.body, ep.answer, ep.csv
        ('score', 'score-request', 'result', True)
    """

    method: str
    path: str
    operation_id: str
    summary: str
    handler: Callable[[Call], object]
    answer: str | Mapping[str, Any]
    body: str | None = None
    csv: bool = False
    judges_body: bool = False
    """The handler checks the body against its schema itself: a refusal is its answer
    (422), as for ``/validate``; otherwise a body the schema refuses is answered 400
    before the handler runs."""
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()
    finite_answer: bool = False
    """The handler's document holds no NaN or infinity by construction (its builder
    writes null for what is unknown and refuses infinity): the answer is encoded
    without looking through it again (:func:`~parindex.service.protocol.encode`)."""
