"""Web apps served by uvicorn in a background thread: the admin app (``arbridge run``, tests,
the screenshot script) and the bundled demo portal (``arbridge demo``, tests):
``with AdminServer(app) as server: server.url``, ``with DemoServer(folder) as server: …``.
Port 0 picks a free port.

It lives here, beside the other process plumbing, and hosts both: ``admin/`` and
``portals/demo/`` only build their apps and never import ``workers/``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import uvicorn

if TYPE_CHECKING:
    from fastapi import FastAPI

START_TIMEOUT_SECONDS = 15
STOP_TIMEOUT_SECONDS = 10


class ThreadedServer:
    """``app`` on ``host:port`` in a daemon thread named ``name``; ``start()`` returns once
    it listens (``url`` is then set) and raises if it did not within the timeout."""

    def __init__(self, app: Any, *, name: str, host: str = "127.0.0.1", port: int = 0,
                 **options: Any) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                                access_log=False, lifespan="off", **options)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)
        self.name = name
        self.url = ""

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {self.name.replace('-', ' ')} did not start "
                                   "(is the port in use?)")
            time.sleep(0.02)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STOP_TIMEOUT_SECONDS)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AdminServer(ThreadedServer):
    """The admin app in a background thread."""

    def __init__(self, app: FastAPI, *, host: str = "127.0.0.1", port: int = 0,
                 forwarded_allow_ips: str = "") -> None:
        super().__init__(app, name="admin-app", host=host, port=port,
                         proxy_headers=bool(forwarded_allow_ips.strip()),
                         forwarded_allow_ips=forwarded_allow_ips, server_header=False)


class DemoServer(ThreadedServer):
    """The demo portal in a background thread: ``with DemoServer(folder) as server: server.url``.

    Port 0 picks a free port.
    """

    def __init__(self, folder: Path, *, port: int = 0, host: str = "127.0.0.1") -> None:
        from portals.demo.server import create_app, states

        self.folder = folder
        self.states = states(folder)
        super().__init__(create_app(folder), name="demo-portal", host=host, port=port)
