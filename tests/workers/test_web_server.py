"""The admin app and the demo portal in a background thread (one shared server): they answer
on the URL they report, stop when asked, and a port already in use is said so."""

from __future__ import annotations

import pytest
import requests
from fastapi import FastAPI

from workers.web_server import AdminServer, DemoServer


def _hello() -> FastAPI:
    app = FastAPI()
    app.get("/hello")(lambda: {"hello": "world"})
    return app


def test_admin_server_answers_and_a_taken_port_is_named(tmp_path):
    with AdminServer(_hello()) as server:
        answer = requests.get(f"{server.url}/hello", timeout=5)
        assert answer.json() == {"hello": "world"}
        assert "server" not in answer.headers  # no server header, as before
        port = int(server.url.rsplit(":", 1)[1])
        with pytest.raises(RuntimeError, match=r"the admin app did not start \(is the port "
                                               r"in use\?\)"):
            AdminServer(_hello(), port=port).start()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/hello", timeout=2)


def test_demo_portal_serves_both_flavours_with_their_states(tmp_path):
    with DemoServer(tmp_path) as server:
        assert set(server.states) == {"coupa", "ariba"}
        for flavour in ("coupa", "ariba"):
            assert requests.get(f"{server.url}/{flavour}/", timeout=5).status_code < 500
        port = int(server.url.rsplit(":", 1)[1])
        with pytest.raises(RuntimeError, match="the demo portal did not start"):
            DemoServer(tmp_path / "other", port=port).start()
