"""The inbound cXML endpoint, ``POST /cxml/inbound``: where Coupa and SAP Business Network
send invoice statuses and payment remittances. Its own small app (mounted by ``admin.app``):
no session or CSRF token — the network authenticates with its shared secret in the message.
Size-limited, XML parsed with no entities and no network; every answer is a cXML
``Response`` (``portals.cxml_inbound`` decides it).

Rate-limited twice: a message that authenticates counts against its network (the portal its
``From`` identity and shared secret resolve to), so networks behind one address do not share
a budget; one that does not (wrong secret, not cXML, too large) counts against the client's
address, and an address past its limit is refused before its message is read (each message
counts against its address before it is read and is given back once it authenticates, so
messages sent at once cannot pass the limit together). The address
is the peer's, or, from a proxy trusted in ``admin.forwarded_allow_ips``, the client's as
the proxy forwards it (uvicorn's proxy headers); from anyone else ``X-Forwarded-For`` is
ignored. So behind a reverse proxy not named there, every sender has the proxy's address, and
a flood of bad messages gets the networks' genuine ones refused unread too (docs/cxml.md says
to name the proxy).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from admin.rate_limit import RateLimit
from config.secrets import SecretBox
from config.settings import Settings
from portals.accounts import PortalAccount, resolve

MAX_BYTES = 1_000_000
RATE_PER_MINUTE = 600  # per network, and unauthenticated messages per client address
SLOW_DOWN = "Too Many Requests: slow down"


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
    networks = RateLimit(per_minute)  # by portal, once the message authenticates
    strangers = RateLimit(per_minute)  # by client address, messages that did not
    accounts: dict[str, PortalAccount] = {}

    def cxml_accounts() -> dict[str, PortalAccount]:
        if not accounts:
            chosen = {n: p for n, p in settings.portals.items() if p.channel == "cxml"}
            accounts.update(resolve(chosen, SecretBox.load(settings.home)))
        return accounts

    @app.post("/inbound")
    async def inbound(request: Request) -> Response:
        address = request.client.host if request.client else "?"
        # counted before the message is read (given back once it authenticates), so that
        # messages in flight at once cannot all pass a check made before any was counted
        reserved = time.monotonic()
        if not strangers.allow(address, reserved):
            return answer(429, SLOW_DOWN)
        too_large = answer(413, f"Request Entity Too Large: at most {MAX_BYTES} bytes")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BYTES:
            return too_large
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BYTES:
                return too_large
        from portals.cxml_inbound import handle

        now = (clock or (lambda: datetime.now(UTC)))()
        import asyncio

        admitted: list[str] = []

        def admit(portal: str) -> bool:
            admitted.append(portal)
            return networks.allow(portal)

        code, text = await asyncio.to_thread(handle, engine, bytes(body), cxml_accounts(),
                                             now=now, admit=admit)
        if admitted:  # its network's budget counted it, not the address's
            strangers.refund(address, reserved)
        return answer(code, text)

    return app
