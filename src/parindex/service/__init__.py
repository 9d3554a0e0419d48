"""The HTTP calculation service: parindex as a backend for other applications.

An ASGI application on Starlette, served by uvicorn (the ``service`` extra installs
both; nothing else in parindex needs them):

- ``app``: the application with the default bounds (``uvicorn parindex.service:app``);
- ``create_app(...)``: one with bounds of your own, to serve or to mount in your own
  ASGI application;
- ``run(...)``: serve it (``parindex serve``); ``serve_in_thread(...)`` for tests and
  notebooks; ``dispatch(...)``: call it in this process, without a socket.

The modules: :mod:`~parindex.service.protocol` (bounds, JSON bodies, error answers),
:mod:`~parindex.service.schemas` (validation by the shipped JSON Schemas),
:mod:`~parindex.service.routes` (the endpoints and their handlers),
:mod:`~parindex.service.units` (the roster endpoints: ``/units``),
:mod:`~parindex.service.openapi` (the OpenAPI document built from both),
:mod:`~parindex.service.asgi` (the Starlette application) and
:mod:`~parindex.service.server` (uvicorn). Names and modules load on first use, so
``import parindex.service`` imports neither Starlette nor uvicorn.

Example:
    >>> from parindex.service import app, dispatch
    >>> dispatch("GET", "/health", app=app)[0]
    200
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

__all__ = [
    "BODY_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "app",
    "create_app",
    "dispatch",
    "run",
    "serve_in_thread",
]

_HOMES = {
    "BODY_TIMEOUT": "protocol",
    "KEEP_ALIVE_TIMEOUT": "protocol",
    "MAX_BODY_BYTES": "protocol",
    "MAX_JSON_DEPTH": "protocol",
    "create_app": "asgi",
    "dispatch": "asgi",
    "run": "server",
    "serve_in_thread": "server",
}


def __getattr__(name: str) -> Any:
    if name == "app":
        from parindex.service.asgi import default_app

        value = globals()["app"] = default_app()  # built once, then a plain attribute
        return value
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    if name.startswith("_") or name not in {m.name for m in pkgutil.iter_modules(__path__)}:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")


def __dir__() -> list[str]:
    return sorted({*__all__, *(m.name for m in pkgutil.iter_modules(__path__))})
