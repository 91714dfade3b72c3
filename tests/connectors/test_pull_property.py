"""Property: whatever order SAP returns rows in, whatever the page size, and wherever a pull
is cut off, the store ends with exactly SAP's billing documents, each once."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from config.settings import load_settings
from connectors.pull import pull
from sap.bapi import external_amount
from sap.client import Page
from sap.errors import SapUnavailable
from sap.rfc.client import RfcSapClient
from sap.simulator import SapSimulator
from sync.mirror.models import BillingDocumentRow
from sync.store import open_store


class CutOff:
    """The rfc adapter, with the connection lost for good after ``pages`` pages."""

    def __init__(self, inner: RfcSapClient, pages: int) -> None:
        self.inner, self.pages, self.name = inner, pages, "rfc"

    def billing_documents(self, company_code: str, *, since: str | None,
                          after_key: str | None) -> Iterator[Page]:
        for n, page in enumerate(self.inner.billing_documents(company_code, since=since,
                                                              after_key=after_key)):
            if n == self.pages:
                raise SapUnavailable("connection to SAP lost (cut off by the test)")
            yield page

    def __getattr__(self, name: str):  # noqa: ANN204 - delegate the rest of the port
        return getattr(self.inner, name)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=st.integers(0, 140), page_size=st.integers(1, 40),
       salts=st.tuples(st.text(min_size=1, max_size=6), st.text(min_size=1, max_size=6)),
       cut_after=st.one_of(st.none(), st.integers(0, 12)))
def test_pull_ends_with_exactly_sap_rows_each_once(documents, page_size, salts, cut_after):
    with tempfile.TemporaryDirectory(prefix="arbridge-prop-") as tmp:
        work = Path(tmp)
        simulator = SapSimulator(work / "sap.db")
        simulator.seed(customers=5, documents=documents, seed=documents)
        simulator.row_salt = salts[0]
        store = open_store(load_settings(home=work), create=True)
        sap = RfcSapClient(factory=simulator.connect, params={}, page_size=page_size)
        first = sap if cut_after is None else CutOff(sap, cut_after)
        try:
            pull(store, first, source="rfc", company_codes=["1000"],
                 entities=("billing_documents",))
        except SapUnavailable:
            pass
        simulator.row_salt = salts[1]  # the database may return another order next time
        pull(store, sap, source="rfc", company_codes=["1000"], entities=("billing_documents",))
        with store.engine.connect() as conn:
            stored = conn.execute(select(BillingDocumentRow.number, BillingDocumentRow.net)
                                  .order_by(BillingDocumentRow.number)).all()
        store.engine.dispose()
        sap_rows = _sap_rows(simulator)
        assert [n for n, _ in stored] == [n for n, _ in sap_rows]
        assert all(net == sap_net for (_, net), (_, sap_net) in zip(stored, sap_rows, strict=False))


@settings(max_examples=30, deadline=None)
@given(documents=st.integers(1, 140), page_size=st.integers(1, 40),
       salt=st.text(min_size=1, max_size=6), crash_after=st.integers(1, 10))
def test_pages_resumed_after_a_crash_hold_each_row_once(documents, page_size, salt,
                                                        crash_after):
    with tempfile.TemporaryDirectory(prefix="arbridge-prop-") as tmp:
        simulator = SapSimulator(Path(tmp) / "sap.db")
        simulator.seed(customers=5, documents=documents, seed=documents)
        simulator.row_salt = salt
        sap = RfcSapClient(factory=simulator.connect, params={}, page_size=page_size)
        seen: list[str] = []
        last_key = None
        for n, page in enumerate(sap.billing_documents("1000", since=None, after_key=None)):
            if n == crash_after:
                break
            seen += [d.number for d in page.records]
            last_key = page.last_key
        simulator.row_salt = salt + "'"
        seen += [d.number for page in sap.billing_documents("1000", since=None,
                                                            after_key=last_key)
                 for d in page.records]
        assert seen == [n for n, _ in _sap_rows(simulator)]


def _sap_rows(simulator: SapSimulator) -> list[tuple]:
    db = simulator.open_db()
    try:
        decimals = dict(db.execute("SELECT CURRKEY, CAST(CURRDEC AS INTEGER) FROM TCURX"))
        return [(n, external_amount(Decimal(net), decimals.get(c, 2))) for n, net, c in
                db.execute("SELECT VBELN, NETWR, WAERK FROM VBRK ORDER BY VBELN")]
    finally:
        db.close()
