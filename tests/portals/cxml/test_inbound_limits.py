"""The inbound endpoint's rate limits: a message that authenticates counts against its
network, one that does not against the client's address (as the trusted proxy forwards it,
never as a stranger claims it), and the table of counts stays bounded."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from admin.cxml_inbound import create_inbound_app
from admin.rate_limit import RateLimit
from config.secrets import SecretBox
from portals.demo import cxml_outbound
from portals.demo.seed import demo_cxml_accounts
from tests.portals.cxml.conftest import World
from workers.web_server import AdminServer

SUPPLIER = "AN01000000001"
COUPA, ARIBA = "AN02-coupa-buyer", "AN02-ariba-buyer"


def test_rate_limit_counts_a_sliding_minute_per_key() -> None:
    limit = RateLimit(2)
    assert [limit.allow("a", 0.0), limit.allow("a", 1.0), limit.allow("a", 2.0),
            limit.allow("b", 2.0), limit.allow("a", 61.0)] == [True, True, False, True, True]
    assert limit.allow("a", 61.5) and limit.over("a", 62.0) and not limit.over("b", 62.0)
    limit.refund("a", 61.5)  # given back: the minute has room again
    assert not limit.over("a", 62.0) and limit.allow("a", 62.0)


def test_the_table_of_counts_stays_bounded() -> None:
    limit = RateLimit(1, max_keys=3)
    assert all(limit.allow(f"10.0.0.{n}", 0.0) for n in range(100))
    assert len(limit) == 3  # the least recently seen forgotten
    assert limit.allow("10.0.0.0", 1.0)  # forgotten: its count started again
    assert not limit.allow("10.0.0.99", 1.0)  # still remembered
    limit.allow("10.0.0.200", 70.0)
    assert len(limit) == 1  # the quiet ones dropped as the table is used


def _app(coupa: World, per_minute: int):  # type: ignore[no-untyped-def]
    box = SecretBox.load(coupa.settings.home)
    settings = coupa.settings.model_copy(update={
        "portals": demo_cxml_accounts(coupa.server.url, box)})  # Coupa and Ariba
    return create_inbound_app(settings, coupa.store.engine, per_minute=per_minute)


def _message(buyer: str, n: int, secret: str | None = None) -> bytes:
    extra = {"secret": secret} if secret else {}
    return cxml_outbound.status_update(payload_id=f"{buyer}-{n}", invoice="90000009",
                                       status="paid", buyer=buyer, supplier=SUPPLIER, **extra)


def _code(reply) -> int:  # type: ignore[no-untyped-def]
    node = etree.fromstring(reply.content).find("Response/Status")
    return int(node.get("code"))


@pytest.fixture
def inbound(coupa: World) -> Iterator[TestClient]:
    with TestClient(_app(coupa, per_minute=2), base_url="http://127.0.0.1") as client:
        yield client


def test_networks_behind_one_address_each_have_their_own_budget(inbound) -> None:  # type: ignore[no-untyped-def]
    def post(document: bytes) -> int:
        return _code(inbound.post("/inbound", content=document))

    # an unknown invoice is a 400 from an authenticated network: counted against it
    assert [post(_message(COUPA, n)) for n in range(3)] == [400, 400, 429]
    assert [post(_message(ARIBA, n)) for n in range(2)] == [400, 400]
    # the networks' traffic left the address's budget for strangers untouched
    assert [post(_message(COUPA, 9, secret="guess")) for _ in range(3)] == [401, 401, 429]
    assert post(_message(ARIBA, 9)) == 429  # past it, the address is refused unread


@pytest.mark.parametrize(("trusted", "codes"), [
    ("127.0.0.1", [401, 401, 429, 401]),  # the proxy is trusted: each client counted apart
    ("", [401, 401, 429, 429]),  # not trusted: X-Forwarded-For is a stranger's claim
])
def test_the_address_is_the_trusted_proxys_client_and_nobody_elses(
        coupa: World, trusted: str, codes: list[int]) -> None:
    forged = _message(COUPA, 1, secret="guess")
    with AdminServer(_app(coupa, per_minute=2), forwarded_allow_ips=trusted) as server:
        def post(client: str) -> int:
            return _code(httpx.post(f"{server.url}/inbound", content=forged, timeout=10,
                                    headers={"X-Forwarded-For": client}))

        assert [post("203.0.113.7") for _ in range(3)] + [post("203.0.113.8")] == codes


def test_messages_sent_at_once_cannot_pass_the_limit_together(coupa: World) -> None:
    """The address was checked before a message was read and counted only once it had been
    answered: 30 forged messages of almost 1 MB sent at once were read far past a limit of 2
    (24 of them in one run)."""
    forged = _message(COUPA, 1, secret="guess") + b"<!--" + b"x" * 900_000 + b"-->"
    with AdminServer(_app(coupa, per_minute=2)) as server:
        def post(_: int) -> int:
            return _code(httpx.post(f"{server.url}/inbound", content=forged, timeout=60))

        with ThreadPoolExecutor(max_workers=30) as pool:
            codes = sorted(pool.map(post, range(30)))
    assert codes == [401] * 2 + [429] * 28
