"""A small HTTP service: parindex as a calculation backend for other applications.

Standard library only (:mod:`http.server`, one thread per request). Endpoints:

=======================  ==============================================================
``GET /methodologies``   the shipped methodologies (as ``parindex methodologies --format json``)
``GET /methodologies/ID``  one methodology document (``parindex show ID --format json``)
``POST /score``          ``{"methodology": ID, "sheet": {...}, ...}`` -> the result document
``POST /rank``           the same body -> the ranking only; or ``{"values": {...}}``
``POST /validate``       a methodology document -> ``{"valid": true, ...}`` or a 422
``GET /schemas/NAME``    a JSON Schema (``methodology``, ``sheet``, ``result``)
``GET /openapi.json``    the OpenAPI 3.1 description of all of the above
=======================  ==============================================================

Every answer is JSON. Bad requests get a 4xx with
``{"error": {"type", "message", "unit", "node", "value"}}``; the service never dies on
bad input. Bodies are bounded (:data:`MAX_BODY_BYTES`, else 413) and so is JSON nesting
(:data:`MAX_JSON_DEPTH`). The service has no authentication: bind it to localhost (the
default) or put it behind your application's own gateway.

The pieces: :mod:`parindex.service.protocol` (bodies, limits, error documents),
:mod:`parindex.service.routes` (:func:`dispatch`, pure, no sockets) and
:mod:`parindex.service.server` (the HTTP server around it).

Example:
    >>> from parindex.service.app import dispatch
    >>> dispatch("GET", "/health")[0]
    200
"""

from __future__ import annotations

from parindex.service.protocol import MAX_BODY_BYTES, MAX_JSON_DEPTH, HttpError, parse_json_body
from parindex.service.routes import dispatch, openapi_document
from parindex.service.server import make_server, serve_in_thread

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "HttpError",
    "dispatch",
    "make_server",
    "openapi_document",
    "parse_json_body",
    "serve_in_thread",
]
