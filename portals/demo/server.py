"""Serve both demo flavours on loopback: ``/coupa`` and ``/ariba``, each with its own state.
``workers.web_server.DemoServer`` runs the same app in a background thread."""

from __future__ import annotations

from pathlib import Path

import uvicorn
from fastapi import FastAPI

from portals.demo import ariba, coupa, cxml_api
from portals.demo.state import PortalState

FLAVOURS = ("coupa", "ariba")
DEFAULT_PORT = 8765


def states(folder: Path) -> dict[str, PortalState]:
    """The state of each flavour, kept in ``folder`` (``coupa.db``, ``ariba.db``)."""
    return {flavour: PortalState(folder / f"{flavour}.db") for flavour in FLAVOURS}


def create_app(folder: Path) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    portal_states = states(folder)
    for flavour in FLAVOURS:  # before the mounts: the cXML endpoint and the invoice lookup
        app.include_router(cxml_api.router(portal_states[flavour], flavour),
                           prefix=f"/{flavour}")
    app.mount("/coupa", coupa.create_app(portal_states["coupa"], root="/coupa"))
    app.mount("/ariba", ariba.create_app(portal_states["ariba"], root="/ariba"))
    return app


def serve_forever(folder: Path, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
    uvicorn.run(create_app(folder), host=host, port=port, log_level="info", lifespan="off")
