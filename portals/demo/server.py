"""Serve both demo flavours on loopback: ``/coupa`` and ``/ariba``, each with its own state."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from portals.demo import ariba, coupa
from portals.demo.state import PortalState

FLAVOURS = ("coupa", "ariba")
DEFAULT_PORT = 8765
START_TIMEOUT_SECONDS = 15


def states(folder: Path) -> dict[str, PortalState]:
    """The state of each flavour, kept in ``folder`` (``coupa.db``, ``ariba.db``)."""
    return {flavour: PortalState(folder / f"{flavour}.db") for flavour in FLAVOURS}


def create_app(folder: Path) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    portal_states = states(folder)
    app.mount("/coupa", coupa.create_app(portal_states["coupa"], root="/coupa"))
    app.mount("/ariba", ariba.create_app(portal_states["ariba"], root="/ariba"))
    return app


class DemoServer:
    """The demo portal in a background thread: ``with DemoServer(folder) as server: server.url``.

    Port 0 picks a free port.
    """

    def __init__(self, folder: Path, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self.folder = folder
        self.states = states(folder)
        config = uvicorn.Config(create_app(folder), host=host, port=port, log_level="warning",
                                lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="demo-portal",
                                        daemon=True)
        self.url = ""

    def start(self) -> DemoServer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the demo portal did not start (is the port in use?)")
            time.sleep(0.02)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(folder: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
    uvicorn.run(create_app(folder), host=host, port=port, log_level="info", lifespan="off")
