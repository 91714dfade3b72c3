"""Inbound replays are per portal: a payloadID one network used does not make another
network's message a replay; and the same message twice at the same moment on PostgreSQL is
answered once and as a replay, never with a 500."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select, text

from config.secrets import SecretBox
from portals.accounts import PortalAccount, resolve
from portals.cxml_inbound import handle
from portals.demo import cxml_outbound
from portals.demo.seed import demo_cxml_accounts
from sync.uploads.cxml_payloads import PAYLOADS
from tests.portals.cxml.conftest import World

SUPPLIER = "AN01000000001"


def _accounts(world: World) -> dict[str, PortalAccount]:
    box = SecretBox.load(world.settings.home)
    return resolve(demo_cxml_accounts(world.server.url, box), box)


def _sent(world: World) -> str:
    world.add_po("PO-100", "50000.00")
    document = world.add_invoice(90000001, "PO-100", "1000.00")
    assert world.run() == {"submitted": 1}
    return document


def test_a_payload_id_reused_by_another_portal_is_not_a_replay(coupa: World) -> None:
    document = _sent(coupa)
    accounts = _accounts(coupa)
    now = datetime.now(UTC)
    from_coupa = cxml_outbound.status_update(payload_id="same-1", invoice="90000001",
                                             status="paid", buyer="AN02-coupa-buyer",
                                             supplier=SUPPLIER)
    from_ariba = cxml_outbound.status_update(payload_id="same-1", invoice="90000001",
                                             status="rejected", reason="not ours",
                                             buyer="AN02-ariba-buyer", supplier=SUPPLIER)
    assert handle(coupa.store.engine, from_coupa, accounts, now=now)[0] == 200
    code, answer = handle(coupa.store.engine, from_ariba, accounts, now=now)
    assert (code, answer) == (400, "Bad Request: invoice 90000001 is not known on "
                                   "demo-ariba-cxml")  # its own answer, not coupa's
    assert coupa.upload(document).state == "paid"
    with coupa.store.engine.connect() as conn:
        assert conn.execute(select(PAYLOADS.c.portal).where(
            PAYLOADS.c.direction == "in").order_by(PAYLOADS.c.portal)).scalars().all() == [
            "demo-ariba-cxml", "demo-coupa-cxml"]


def test_the_same_message_twice_at_once_on_postgresql_is_answered_as_a_replay(
        coupa_on_postgres: World) -> None:
    world = coupa_on_postgres
    document = _sent(world)
    accounts = _accounts(world)
    message = cxml_outbound.status_update(payload_id="twice-1", invoice="90000001",
                                          status="paid", buyer="AN02-coupa-buyer",
                                          supplier=SUPPLIER)
    answers: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def post() -> None:
        try:
            answers.append(handle(world.store.engine, message, accounts,
                                  now=datetime.now(UTC)))
        except BaseException as exc:  # noqa: BLE001 - the 500 the test looks for
            failures.append(exc)

    with world.store.engine.connect() as holder:  # both pass "seen?" and wait on the upload
        holder.execute(text("SELECT id FROM portal_upload WHERE billing_document = :d FOR UPDATE"),
                       {"d": document})
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        holder.commit()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert [code for code, _ in answers] == [200, 200]
    assert answers[0] == answers[1]
    assert world.upload(document).state == "paid"
    with world.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(PAYLOADS).where(
            PAYLOADS.c.direction == "in")).scalar_one() == 1
