"""The service served by uvicorn: :func:`run` (``parindex serve``) and
:func:`serve_in_thread` (tests, notebooks).

uvicorn speaks HTTP/1.1 with keep-alive and closes an idle connection after
:data:`~parindex.service.protocol.KEEP_ALIVE_TIMEOUT` seconds; the application bounds
the time a body may take (:data:`~parindex.service.protocol.BODY_TIMEOUT`). Each
worker is a process with its own interpreter, so N workers score N requests at once
(one process computes on one core at a time).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from parindex.service.asgi import default_app
from parindex.service.protocol import KEEP_ALIVE_TIMEOUT

__all__ = ["ServerHandle", "run", "serve_in_thread"]

APP = "parindex.service:app"
"""What each worker process imports (uvicorn needs an import string for workers)."""


def _config(app: Any, host: str, port: int, *, workers: int, quiet: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        server_header=False,
    )


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    workers: int = 1,
    quiet: bool = False,
    announce: Callable[[str, int], None] | None = None,
) -> None:
    """Serve :data:`parindex.service.app` until interrupted (Ctrl+C, SIGTERM).

    ``port=0`` picks a free port; ``announce(host, port)`` is called once the socket
    is bound (with one worker, also once the application is loaded). With ``workers``
    above 1, each worker process imports the application (and loads everything it
    needs) before it serves.

    Example (an ``announce`` that stops it at once, before it serves):
        >>> from parindex.service import run
        >>> class Bound(Exception):
        ...     pass
        >>> def announce(host, port):
        ...     raise Bound(f"{host} {port > 0}")
        >>> try:
        ...     run("127.0.0.1", 0, quiet=True, announce=announce)
        ... except Bound as bound:
        ...     print("bound to", bound)
        bound to 127.0.0.1 True
    """
    if workers > 1:
        if port == 0:  # uvicorn binds in the parent; pick the port to announce it
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        if announce is not None:
            announce(host, port)
        uvicorn.run(
            APP,
            host=host,
            port=port,
            workers=workers,
            timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
            log_level="warning" if quiet else "info",
            access_log=not quiet,
            server_header=False,
        )
        return
    config = _config(default_app(), host, port, workers=1, quiet=quiet)
    server = uvicorn.Server(config)
    config.load()
    sock = config.bind_socket()
    # Listen before announcing: a client that connects at once then waits in the
    # backlog while the server starts, instead of being refused (bind alone refuses).
    sock.listen(config.backlog)
    try:
        if announce is not None:
            announce(host, int(sock.getsockname()[1]))
        server.run(sockets=[sock])
    finally:
        sock.close()


class ServerHandle:
    """A server running in a background thread (from :func:`serve_in_thread`),
    stopped by :meth:`shutdown` (the names of :class:`http.server.HTTPServer`, which
    the service used before).

    Example:
        >>> import urllib.request
        >>> from parindex.service import serve_in_thread
        >>> handle, thread = serve_in_thread()
        >>> handle.url == f"http://127.0.0.1:{handle.server_address[1]}"
        True
        >>> handle.shutdown(); handle.server_close()
    """

    def __init__(
        self, server: uvicorn.Server, sock: socket.socket, thread: threading.Thread
    ) -> None:
        self._server = server
        self._socket = sock
        self._thread = thread
        host, port = sock.getsockname()[:2]
        self.server_address: tuple[str, int] = (str(host), int(port))

    @property
    def url(self) -> str:
        """``http://HOST:PORT``.

        Example:
            >>> from parindex.service import serve_in_thread
            >>> handle, _ = serve_in_thread()
            >>> handle.url.startswith("http://127.0.0.1:")
            True
            >>> handle.shutdown(); handle.server_close()
        """
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def shutdown(self, timeout: float = 30) -> None:
        """Stop the server, once the requests under way are answered (as
        :meth:`http.server.HTTPServer.shutdown`, this returns when it has stopped).

        Example:
            >>> from parindex.service import serve_in_thread
            >>> handle, thread = serve_in_thread()
            >>> handle.shutdown(); thread.is_alive()
            False
            >>> handle.server_close()
        """
        self._server.should_exit = True
        self._thread.join(timeout)

    def server_close(self) -> None:
        """Release the listening socket.

        Example:
            >>> from parindex.service import serve_in_thread
            >>> handle, _ = serve_in_thread()
            >>> handle.shutdown(); handle.server_close()
            >>> handle._socket.fileno()
            -1
        """
        self._socket.close()


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, *, app: Any = None, timeout: float = 30
) -> tuple[ServerHandle, threading.Thread]:
    """Serve ``app`` (default: :data:`parindex.service.app`) from a background thread,
    once it answers; stop it with ``handle.shutdown(); handle.server_close()``.

    Example:
        >>> import urllib.request
        >>> from parindex.service import serve_in_thread
        >>> handle, thread = serve_in_thread()
        >>> with urllib.request.urlopen(handle.url + "/health", timeout=10) as answer:
        ...     answer.status
        200
        >>> handle.shutdown(); handle.server_close()
        >>> thread.is_alive()
        False
    """
    config = _config(default_app() if app is None else app, host, port, workers=1, quiet=True)
    server = uvicorn.Server(config)
    sock = config.bind_socket()
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="parindex-service", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the service did not start")
        time.sleep(0.01)
    return ServerHandle(server, sock, thread), thread
