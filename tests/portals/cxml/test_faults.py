"""Each answer and fault of the demo's cXML endpoint: every invoice ends on the portal exactly
once, and what cannot be known is looked up before anything is sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.portals.cxml.conftest import World


def later(hours: float = 3):  # type: ignore[no-untyped-def]
    return lambda: datetime.now(UTC) + timedelta(hours=hours)


@pytest.fixture
def one_invoice(world: World) -> str:
    world.add_po("PO-100", "50000.00")
    return world.add_invoice(90000001, "PO-100", "1000.00")


def test_5xx_before_storing_is_retried_after_a_lookup(world: World, one_invoice: str) -> None:
    world.state.set_fault("cxml_5xx", 1)
    assert world.run() == {"retry": 1}
    assert world.upload(one_invoice).state == "ready"
    assert world.state.copies() == {}
    assert world.run(clock=later()) == {"submitted": 1}
    assert world.state.copies() == {"90000001": 1}
    first, second = world.attempts(one_invoice)
    assert first["outcome"] == "retry" and "500" in first["detail"]
    assert first["idempotency_key"] != second["idempotency_key"]  # a payloadID per message


@pytest.mark.parametrize("fault", ["cxml_store_then_5xx", "cxml_drop"])
def test_stored_but_unanswered_is_found_by_the_lookup(world: World, one_invoice: str,
                                                      fault: str) -> None:
    world.state.set_fault(fault, 1)
    assert world.run() == {"submitted": 1}
    assert "found on the portal afterwards" in world.attempts(one_invoice)[0]["detail"]
    assert world.run(clock=later()) == {}
    assert world.state.copies() == {"90000001": 1}


def test_acceptance_after_arbridges_timeout_ends_once(world: World, one_invoice: str) -> None:
    world.state.set_fault("cxml_late_ms", 2500)
    assert world.run(timeout_seconds=0.5) == {"submitted": 1}
    world.state.set_fault("cxml_late_ms", 0)
    assert world.run(clock=later()) == {}
    assert world.state.copies() == {"90000001": 1}
    assert "no answer from the network" in world.attempts(one_invoice)[0]["detail"]


def test_slow_network_within_the_timeout_is_fine(world: World, one_invoice: str) -> None:
    world.state.set_fault("cxml_slow_ms", 300)
    assert world.run() == {"submitted": 1}


def test_duplicate_refusal_is_believed_only_when_the_lookup_finds_it(
        world: World, one_invoice: str) -> None:
    world.state.set_fault("cxml_duplicate", 1)
    assert world.run() == {"failed": 1}
    reason = world.upload(one_invoice).reason or ""
    assert "already there" in reason and "lookup does not find it" in reason
    assert world.state.copies() == {}


def test_invoice_keyed_in_by_hand_counts_as_already_there(world: World,
                                                          one_invoice: str) -> None:
    from datetime import date
    from decimal import Decimal

    world.state.submit_invoice(number="90000001", po_number="PO-100",
                               invoice_date=date.today(), net=Decimal("1000.00"),
                               tax=Decimal("150.00"), currency="ZAR",
                               attachment_name="by-hand.pdf", attachment_size=10,
                               today=date.today())
    assert world.run() == {"found": 1}
    assert world.upload(one_invoice).state == "submitted"
    assert "refused a duplicate" in world.attempts(one_invoice)[0]["detail"]
    assert world.state.copies() == {"90000001": 1}


def test_business_refusal_goes_to_a_person_with_the_networks_text(world: World) -> None:
    from portals.cxml_uploads import CxmlUploads
    from portals.drivers.cxml.driver import CxmlDriver

    world.add_po("PO-200", "50000.00")
    document = world.add_invoice(90000002, "PO-200", "1000.00")

    class ClosedMeanwhile(CxmlDriver):  # the buyer closes the PO after arbridge read it
        def read_orders(self):  # type: ignore[no-untyped-def]
            orders = super().read_orders()
            world.add_po("PO-200", "50000.00", status="Closed")
            return orders

    world.queue()
    account = world.account()
    assert CxmlUploads(store=world.store, account=account, pdfs=None,
                       evidence_root=world.settings.evidence_path,
                       driver=ClosedMeanwhile(account)).run() == {"failed": 1}
    assert "Purchase order PO-200 is closed" in (world.upload(document).reason or "")
    response = (world.settings.evidence_path / world.portal / document / "attempt-1" /
                "response.xml").read_text()
    assert "PO-200 is closed" in response


def test_wrong_shared_secret_stops_the_portal_and_sends_nothing(world: World,
                                                               one_invoice: str) -> None:
    from config.secrets import SecretBox
    from portals.errors import PortalLoginFailed

    wrong = SecretBox.load(world.settings.home).encrypt("not-the-secret")
    with pytest.raises(PortalLoginFailed, match="shared secret"):
        world.run(password_encrypted=wrong)
    assert world.upload(one_invoice).state == "ready"
    assert world.state.copies() == {}


def test_unreachable_network_is_retried_and_nothing_sent(world: World,
                                                         one_invoice: str) -> None:
    from portals.cxml_uploads import CxmlUploads
    from portals.drivers.cxml.driver import CxmlDriver

    class Unreachable(CxmlDriver):
        invoices_url = "http://127.0.0.1:9/cxml/invoices"  # nothing listens there

    world.queue()
    account = world.account()
    assert CxmlUploads(store=world.store, account=account, pdfs=None,
                       evidence_root=world.settings.evidence_path,
                       driver=Unreachable(account)).run() == {"retry": 1}
    assert "nothing was sent" in (world.upload(one_invoice).reason or "")
    assert world.state.copies() == {}
    assert world.run(clock=later()) == {"submitted": 1}
    assert world.state.copies() == {"90000001": 1}


def test_run_that_died_after_the_post_is_looked_up_not_resent(world: World,
                                                              one_invoice: str) -> None:
    from sync.txn import writing
    from sync.uploads import cxml_payloads
    from sync.uploads import queue as uploads

    assert world.run() == {"submitted": 1}
    with writing(world.store.engine) as conn:  # as if the run died before recording it
        conn.execute(uploads.UPLOADS.update().values(state="submitting"))
        sent = cxml_payloads.outbound_of(conn, world.upload(one_invoice).id)
    assert len(sent) == 1
    assert world.run(clock=later()) == {"found": 1}
    assert world.state.copies() == {"90000001": 1}


def test_uncertain_outcome_without_a_lookup_goes_to_a_person(world: World,
                                                             one_invoice: str) -> None:
    world.state.set_fault("cxml_store_then_5xx", 1)
    cxml = world.account().settings.cxml
    assert cxml is not None
    assert world.run(cxml=cxml.model_copy(update={"status_path": ""})) == {"failed": 1}
    assert "offers no invoice lookup" in (world.upload(one_invoice).reason or "")
    assert world.state.copies() == {"90000001": 1}


def test_expired_po_is_held_before_anything_is_sent(world: World) -> None:
    from datetime import date, timedelta

    world.add_po("PO-300", "50000.00", valid_to=date.today() - timedelta(days=2))
    document = world.add_invoice(90000003, "PO-300", "1000.00")
    assert world.run() == {"held": 1}
    assert "PO PO-300 is closed" in (world.upload(document).reason or "")  # expired: not open
    assert world.state.copies() == {}


def test_on_postgresql_many_invoices_with_faults_each_end_once(coupa_on_postgres: World
                                                               ) -> None:
    world = coupa_on_postgres
    world.add_po("PO-100", "500000.00")
    documents = [world.add_invoice(90000100 + i, "PO-100", "1000.00") for i in range(12)]
    world.state.set_fault("cxml_store_then_5xx", 2)
    world.state.set_fault("cxml_drop", 2)
    first = world.run()
    assert first.get("submitted", 0) + first.get("retry", 0) == 12
    world.run(clock=later())
    assert all(world.upload(d).state == "submitted" for d in documents)
    assert world.state.copies() == {f"{90000100 + i}": 1 for i in range(12)}
