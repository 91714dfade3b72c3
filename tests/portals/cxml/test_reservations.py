"""Two cXML runs at once share the PO reservations of the browser path: between them they
never send more than the PO's remaining balance, even to a network that would take it."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from portals.cxml_uploads import CxmlUploads
from sync.po import reservations as po_reservations
from sync.work import claims
from tests.portals.cxml.conftest import NoPdfs, World


def two_runs_at_once(world: World) -> list[dict[str, int]]:
    """Two runs, as two hosts would start them: both read the PO before either sends."""
    world.queue()
    both_read = threading.Barrier(2, timeout=30)

    def read(portal: str, orders: list) -> int:  # type: ignore[type-arg]
        both_read.wait()
        return 0

    runs = [CxmlUploads(store=world.store, account=world.account(), pdfs=NoPdfs(),
                        evidence_root=world.settings.evidence_path, workers=1,
                        owner=claims.Owner.here(f"run-{n}"), on_po_read=read)
            for n in (1, 2)]
    tallies: list[dict[str, int]] = [{}, {}]

    def work(n: int) -> None:
        tallies[n] = runs[n].run()

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return tallies


@pytest.mark.parametrize("store", ["coupa", "coupa_on_postgres"])
def test_two_concurrent_runs_cannot_overdraw_a_po(request: pytest.FixtureRequest,
                                                  store: str) -> None:
    coupa: World = request.getfixturevalue(store)
    coupa.add_po("PO-200", "2500.00")
    coupa.state.set_fault("accept_over_balance", 1)  # only arbridge's own check is left
    documents = [coupa.add_invoice(90000101 + n, "PO-200", "1000.00") for n in range(4)]
    tallies = two_runs_at_once(coupa)
    sent = [i for i in coupa.state.invoices() if i.po_number == "PO-200"]
    assert len(sent) == 2 and sum(i.net for i in sent) <= Decimal("2500.00"), tallies
    states = sorted(coupa.upload(d).state for d in documents)
    assert states == ["held", "held", "submitted", "submitted"]
    assert sum(t.get("submitted", 0) for t in tallies) == 2
    with coupa.store.engine.connect() as conn:  # nothing left reserved: settled or dropped
        assert po_reservations.held_on(conn, "demo-coupa-cxml", "PO-200") == 0
