"""The inbound cXML endpoint, ``POST /cxml/inbound``: where Coupa and SAP Business Network
send invoice statuses and payment remittances. Its own small app (mounted by ``admin.app``):
no session or CSRF token — the network authenticates with its shared secret in the message.
Size-limited, rate-limited per client, XML parsed with no entities and no network; every
answer is a cXML ``Response`` (``portals.cxml_inbound`` decides it).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from config.secrets import SecretBox
from config.settings import Settings
from portals.accounts import PortalAccount, resolve

MAX_BYTES = 1_000_000
RATE_PER_MINUTE = 600


class RateLimit:
    """At most ``per_minute`` requests per client in any sliding minute."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._seen.setdefault(client, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            return True


def answer(code: int, text: str) -> Response:
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.045/cXML.dtd">\n'
            f'<cXML payloadID="{time.time_ns()}@arbridge" timestamp="{stamp}">'
            f'<Response><Status code="{code}" text="{safe}"/></Response></cXML>')
    http = code if code >= 400 else 200
    return Response(body, status_code=http, media_type="text/xml")


def create_inbound_app(settings: Settings, engine: Engine, *,
                       clock: Callable[[], datetime] | None = None,
                       per_minute: int = RATE_PER_MINUTE) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    limit = RateLimit(per_minute)
    accounts: dict[str, PortalAccount] = {}

    def cxml_accounts() -> dict[str, PortalAccount]:
        if not accounts:
            chosen = {n: p for n, p in settings.portals.items() if p.channel == "cxml"}
            accounts.update(resolve(chosen, SecretBox.load(settings.home)))
        return accounts

    @app.post("/inbound")
    async def inbound(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not limit.allow(client):
            return answer(429, "Too Many Requests: slow down")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BYTES:
            return answer(413, f"Request Entity Too Large: at most {MAX_BYTES} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BYTES:
                return answer(413, f"Request Entity Too Large: at most {MAX_BYTES} bytes")
        from portals.cxml_inbound import handle

        now = (clock or (lambda: datetime.now(UTC)))()
        import asyncio

        code, text = await asyncio.to_thread(handle, engine, bytes(body), cxml_accounts(),
                                             now=now)
        return answer(code, text)

    return app
