"""The service on the standard library's HTTP server (:mod:`http.server`, one thread per
request): reads bounded bodies and hands every request to
:func:`parindex.service.routes.dispatch`."""

from __future__ import annotations

import importlib
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from parindex._version import __version__
from parindex.io.catalogue import list_methodologies
from parindex.service.protocol import MAX_BODY_BYTES, HttpError, dumps
from parindex.service.routes import dispatch

__all__ = ["make_server", "serve_in_thread"]

_DRAIN_BYTES = 8 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    server_version = f"parindex/{__version__}"
    protocol_version = "HTTP/1.0"
    timeout = 10  # seconds a client may stall mid-request
    quiet = True

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method) as JSON too."""
        self.request_version = "HTTP/1.0"  # always send a status line, even to HTTP/0.9
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code = HTTPStatus.METHOD_NOT_ALLOWED
        err = HttpError(
            code, message or HTTPStatus(code).phrase, type=HTTPStatus(code).phrase.replace(" ", "")
        )
        self._send(code, dumps(err.document()))

    def _send(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            pass  # the client went away; nothing to answer
        self.close_connection = True

    def _read_body(self) -> bytes | None:
        """The body, or None after answering an error."""
        if self.headers.get("Transfer-Encoding"):
            self._send(
                411,
                dumps(
                    HttpError(
                        411, "send a Content-Length (no chunked bodies)", type="LengthRequired"
                    ).document()
                ),
            )
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            if self.command == "POST":
                self._send(
                    411,
                    dumps(
                        HttpError(
                            411, "a POST needs a Content-Length", type="LengthRequired"
                        ).document()
                    ),
                )
                return None
            return b""
        try:
            length = int(raw)
            if length < 0:
                raise ValueError
        except ValueError:
            self._send(
                400,
                dumps(HttpError(400, f"bad Content-Length {raw!r}", type="BadRequest").document()),
            )
            return None
        if length > MAX_BODY_BYTES:
            # Read and drop a moderately large body so the client sees the answer
            # instead of a reset connection; beyond that, just answer and close.
            if length <= _DRAIN_BYTES:
                remaining = length
                try:
                    while remaining > 0:
                        chunk = self.rfile.read(min(remaining, 65536))
                        if not chunk:
                            break
                        remaining -= len(chunk)
                except OSError:
                    pass
            err = HttpError(
                413,
                f"the body is {length} bytes, over the limit of {MAX_BODY_BYTES}",
                type="TooLarge",
            )
            self._send(413, dumps(err.document()))
            return None
        try:
            data = self.rfile.read(length)
        except OSError:
            self.close_connection = True
            return None
        if len(data) < length:
            self._send(
                400,
                dumps(
                    HttpError(
                        400, "the body is shorter than its Content-Length", type="BadRequest"
                    ).document()
                ),
            )
            return None
        return data

    def _answer(self) -> None:
        body = self._read_body()
        if body is None:
            return
        status, text = dispatch(self.command, self.path, body)
        self._send(status, text)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer

    def do_HEAD(self) -> None:
        status, text = dispatch("GET", self.path)  # same headers as GET, no body
        self._send(status, text)


def _warm_up() -> None:
    """Load now, before the first requests arrive each in its own thread, what they
    would otherwise load on first use: the registry with every shipped methodology
    parsed, and pandas (ranking by values needs it). An import half done by one
    request thread must not be what another finds (a freshly started server answered
    some of its first requests with a 500)."""
    list_methodologies()
    importlib.import_module("pandas")


def make_server(
    host: str = "127.0.0.1", port: int = 8000, *, quiet: bool = True
) -> ThreadingHTTPServer:
    """A ready (not yet serving) HTTP server; call ``serve_forever()`` on it, and
    ``shutdown()`` from another thread to stop it. ``port=0`` picks a free port
    (``server.server_address[1]``).

    Example:
        >>> from parindex.service.app import make_server
        >>> server = make_server("127.0.0.1", 0)
        >>> server.server_address[1] > 0
        True
        >>> server.server_close()
    """
    _warm_up()
    handler = type("Handler", (_Handler,), {"quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start a server in a background thread (for tests and notebooks); stop it with
    ``server.shutdown(); server.server_close()``.

    Example:
        >>> from parindex.service.app import serve_in_thread
        >>> server, thread = serve_in_thread()
        >>> thread.is_alive()
        True
        >>> server.shutdown(); server.server_close()
    """
    server = make_server(host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server, thread
