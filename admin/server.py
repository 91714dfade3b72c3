"""The admin app in a background thread (``arbridge run``, tests, the screenshot script):
``with AdminServer(app) as server: server.url``. Port 0 picks a free port."""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI

START_TIMEOUT_SECONDS = 15


class AdminServer:
    def __init__(self, app: FastAPI, *, host: str = "127.0.0.1", port: int = 0,
                 forwarded_allow_ips: str = "127.0.0.1") -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                                access_log=False, lifespan="off", proxy_headers=True,
                                forwarded_allow_ips=forwarded_allow_ips, server_header=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="admin-app", daemon=True)
        self.url = ""

    def start(self) -> AdminServer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the admin app did not start (is the port in use?)")
            time.sleep(0.02)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> AdminServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
