"""A web app served by uvicorn in a background thread, for the admin app (``arbridge run``,
tests, the screenshot script) and the bundled demo portal (``arbridge demo``, tests):
``with ThreadedServer(app, name="…") as server: server.url``. Port 0 picks a free port.

It lives here, beside the other process plumbing, so that ``admin/`` and ``portals/demo/``
share it without importing each other.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Self

import uvicorn

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
