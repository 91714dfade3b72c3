"""The admin app in a background thread (``arbridge run``, tests, the screenshot script):
``with AdminServer(app) as server: server.url``. Port 0 picks a free port."""

from __future__ import annotations

from fastapi import FastAPI

from workers.web_server import ThreadedServer


class AdminServer(ThreadedServer):
    def __init__(self, app: FastAPI, *, host: str = "127.0.0.1", port: int = 0,
                 forwarded_allow_ips: str = "") -> None:
        super().__init__(app, name="admin-app", host=host, port=port,
                         proxy_headers=bool(forwarded_allow_ips.strip()),
                         forwarded_allow_ips=forwarded_allow_ips, server_header=False)
