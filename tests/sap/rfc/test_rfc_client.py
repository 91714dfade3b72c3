"""The rfc adapter, unchanged, over the simulator's pyrfc-compatible Connection."""

from decimal import Decimal

import pytest

from sap.errors import SapBusinessError, SapConfigError, SapTimeout, SapUnavailable
from sap.rfc.client import RfcSapClient, import_factory
from sap.simulator.ddic import TABLES


def _all(pages):
    return [record for page in pages for record in page.records]


def test_billing_documents_page_in_key_order_with_customer_po(client, simulator):
    pages = list(client.billing_documents("1000", since=None, after_key=None))
    documents = _all(pages)
    assert len(documents) == simulator.counts()["VBRK"]
    assert len(pages) > 1 and all(len(p.records) <= 50 for p in pages)
    numbers = [d.number for d in documents]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert all(d.gross == d.net + d.tax and isinstance(d.net, Decimal) for d in documents)
    assert sum(1 for d in documents if d.customer_po) > len(documents) * 0.7
    raw = simulator.connect().call(
        "RFC_READ_TABLE", QUERY_TABLE="VBKD", FIELDS=[{"FIELDNAME": "BSTKD"}])
    po_numbers = {row["WA"].strip() for row in raw["DATA"]}
    assert {d.customer_po for d in documents if d.customer_po} <= po_numbers


def test_resuming_after_a_key_skips_what_was_written(client):
    first = next(iter(client.billing_documents("1000", since=None, after_key=None)))
    rest = _all(client.billing_documents("1000", since=None, after_key=first.last_key))
    assert rest and min(d.number for d in rest) > first.last_key


def test_delta_reads_only_documents_changed_since_the_cursor(client, simulator):
    full = list(client.billing_documents("1000", since=None, after_key=None))
    since = max(p.high_water for p in full)
    later = simulator.today().strftime("%Y%m%d")
    assert since < later  # seeded history ends yesterday
    target = full[1].records[3].number
    simulator.change_billing_document(target, customer_po="PO-NEW-1")
    changed = _all(client.billing_documents("1000", since=later, after_key=None))
    assert [d.number for d in changed] == [target]
    assert changed[0].customer_po == "PO-NEW-1"


def test_all_customer_fields_read_even_beyond_one_512_char_row(client):
    fields = [f.name for f in TABLES["KNA1"][1]]
    assert sum(client.field_lengths("KNA1").values()) > 512
    rows = client.read_wide("KNA1", fields, ["KUNNR"])
    assert len(rows) == 40
    assert all(r["KNURL"].startswith("https://") and r["NAME1"] for r in rows)


def test_customers_carry_contact_terms_and_portal_group(client):
    customers = _all(client.customers("1000", since=None, after_key=None))
    assert len(customers) == 40
    assert all(c.email and "@" in c.email and c.payment_terms for c in customers)
    assert {c.customer_group for c in customers} & {"P01", "P02"}


def test_open_items_are_signed_and_complete_per_customer(client):
    customers = [c.number for c in _all(client.customers("1000", since=None, after_key=None))]
    pages = list(client.open_items("1000", customers=customers, key_date=client.today(),
                                   after_key=None))
    assert sorted(c for p in pages for c in p.scope) == sorted(customers)
    items = _all(pages)
    assert any(i.amount < 0 for i in items) and any(i.amount > 0 for i in items)
    assert all(i.due_date >= i.posting_date for i in items if i.amount > 0)


def test_one_dropped_connection_is_retried_transparently(client, simulator):
    simulator.faults.fail_next(1, "RFC_READ_TABLE")
    assert len(_all(client.billing_documents("1000", since=None, after_key=None))) == 300


def test_outage_outlasting_retries_is_reported_as_unavailable(client, simulator):
    simulator.faults.fail_from(0)
    with pytest.raises(SapUnavailable, match="not reachable"):
        client.ping()


def test_call_slower_than_the_timeout_is_an_uncertain_timeout(simulator):
    simulator.faults.slow("RFC_PING", 5)
    sap = RfcSapClient(factory=simulator.connect, params={}, timeout_seconds=0.05)
    with pytest.raises(SapTimeout, match="timed out"):
        sap.ping()


def test_wrong_password_is_a_configuration_error_naming_the_fix(simulator):
    simulator.set_logon("ARBRIDGE", "right")
    sap = RfcSapClient(factory=simulator.connect, params={"user": "ARBRIDGE", "passwd": "nope"},
                       where="simulator")
    with pytest.raises(SapConfigError, match="ARBRIDGE_SAP__PASSWD"):
        sap.ping()


def test_bapi_error_message_reaches_the_user(client):
    with pytest.raises(SapBusinessError, match="not defined in company code 1000"):
        list(client.open_items("1000", customers=["0009999999"], key_date=client.today(),
                               after_key=None))


def test_abap_exception_is_a_business_error(client):
    with pytest.raises(SapBusinessError, match="TABLE_NOT_AVAILABLE"):
        client.read_table("ZNOPE", ["X"])


def test_missing_pyrfc_explains_how_to_install_it():
    with pytest.raises(SapConfigError, match=r"arbridge\[rfc\]"):
        import_factory("pyrfc:Connection")


def test_call_that_commits_then_times_out_is_reported_as_uncertain(simulator):
    from sap.simulator.pyrfc_errors import RFCLibError

    simulator.faults.commit_then_timeout("RFC_SYSTEM_INFO")
    with pytest.raises(RFCLibError) as raw:
        simulator.connect().call("RFC_SYSTEM_INFO")
    assert raw.value.key == "RFC_CANCELED"
    sap = RfcSapClient(factory=simulator.connect, params={})
    with pytest.raises(SapTimeout) as classified:
        sap.call("RFC_SYSTEM_INFO")
    from config.errors import UncertainOutcome
    assert isinstance(classified.value, UncertainOutcome)


def test_dropped_connection_is_reopened_not_abandoned(simulator):
    opened = []

    def factory(**params):
        connection = simulator.connect(**params)
        opened.append(connection)
        return connection

    sap = RfcSapClient(factory=factory, params={})
    simulator.faults.fail_next(1, "RFC_PING")
    sap.ping()
    assert len(opened) == 1 and opened[0].alive  # the same connection, reopened
