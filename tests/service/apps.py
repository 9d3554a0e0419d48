"""Applications for the tests to serve with uvicorn's own command line
(``uvicorn --factory tests.service.apps:NAME``): the service with small bounds, and
the service mounted inside another Starlette application."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from parindex.service import create_app


def small() -> Starlette:
    """The service with bounds small enough to reach in a test, and a 1 s body timeout."""
    return create_app(
        max_body_bytes=4096, max_json_depth=8, max_sheet_rows=5, max_units=2, body_timeout=1.0
    )


def mounted() -> Starlette:
    """Someone else's application with the service mounted at ``/parindex``."""

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse("the host application")

    return Starlette(routes=[Route("/", home), Mount("/parindex", app=create_app())])
