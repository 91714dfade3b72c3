"""What a real SAP does that a kind simulator would not, each pinned by a test named after the
rule: the simulator behaves that way, and the rfc adapter reads SAP's data right over it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from sap import bapi
from sap.errors import SapDataError
from sap.rfc.client import RfcSapClient
from sap.rfc.table import parse_rows
from sap.simulator.pyrfc_errors import ExternalRuntimeError


def _all(pages):
    return [record for page in pages for record in page.records]


def _read(simulator, table, fields, where="", **params):
    return simulator.connect().call("RFC_READ_TABLE", QUERY_TABLE=table, DELIMITER="|",
                                    FIELDS=[{"FIELDNAME": f} for f in fields],
                                    OPTIONS=[{"TEXT": where}] if where else [], **params)


def _sql(simulator, sql, *params):
    db = simulator.open_db()
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


# -- 1. RFC_READ_TABLE returns rows in no particular order ------------------------------------
def test_rfc_read_table_returns_rows_in_no_key_order_and_rowcount_cuts_that_order(simulator):
    rows = [r["WA"] for r in _read(simulator, "VBRK", ["VBELN"])["DATA"]]
    assert len(rows) == 300 and rows != sorted(rows)
    first_ten = [r["WA"] for r in _read(simulator, "VBRK", ["VBELN"], ROWCOUNT=10)["DATA"]]
    assert first_ten == rows[:10] and first_ten != sorted(rows)[:10]


def test_get_sorted_exists_only_on_releases_that_offer_it(simulator):
    with pytest.raises(ExternalRuntimeError) as unknown:
        _read(simulator, "VBRK", ["VBELN"], GET_SORTED="X")
    assert unknown.value.key == "RFC_INVALID_PARAMETER"
    simulator.sort_option = True
    rows = [r["WA"] for r in _read(simulator, "VBRK", ["VBELN"], GET_SORTED="X")["DATA"]]
    assert rows == sorted(rows)


@pytest.mark.parametrize("salt", ["ARB", "HANA-1", "another-order"])
def test_unordered_pages_still_read_every_billing_document_once(simulator, salt):
    simulator.row_salt = salt
    sap = RfcSapClient(factory=simulator.connect, params={}, page_size=20)
    documents = _all(sap.billing_documents("1000", since=None, after_key=None))
    numbers = [d.number for d in documents]
    expected = sorted(r[0] for r in _sql(simulator, "SELECT VBELN FROM VBRK"))
    assert numbers == expected  # each once, in key order, none skipped


def test_unordered_pages_still_read_every_customer_once(simulator):
    sap = RfcSapClient(factory=simulator.connect, params={}, page_size=7)
    numbers = [c.number for c in _all(sap.customers("1000", since=None, after_key=None))]
    assert numbers == sorted(r[0] for r in _sql(simulator, "SELECT KUNNR FROM KNB1"))


def test_resumed_unordered_read_continues_after_the_last_whole_page(simulator):
    sap = RfcSapClient(factory=simulator.connect, params={}, page_size=20)
    pages = iter(sap.billing_documents("1000", since=None, after_key=None))
    seen = [d.number for _ in range(3) for d in next(pages).records]
    rest = [d.number for d in _all(sap.billing_documents("1000", since=None,
                                                         after_key=seen[-1]))]
    expected = sorted(r[0] for r in _sql(simulator, "SELECT VBELN FROM VBRK"))
    assert seen + rest == expected


@pytest.mark.parametrize("salt", ["ARB", "HANA-1"])
def test_billing_items_come_back_unordered_and_are_read_in_item_order(simulator, salt):
    """VBRP rows come back in no order, not even each document's items together and in
    POSNR order; every item is still read once, onto its document, in item order."""
    simulator.row_salt = salt
    raw = [r["WA"].split("|") for r in _read(simulator, "VBRP", ["VBELN", "POSNR"])["DATA"]]
    position = {(v.strip(), p.strip()): i for i, (v, p) in enumerate(raw)}
    assert any(position[(v, "000020")] < position[(v, "000010")]
               for v, p in position if p == "000020"), "some second item comes back first"
    sap = RfcSapClient(factory=simulator.connect, params={}, page_size=20)
    documents = _all(sap.billing_documents("1000", since=None, after_key=None))
    read = [(d.number, i.number, i.material, i.quantity, i.net, i.tax)
            for d in documents for i in d.items]
    expected = [(v, p, m, Decimal(q), Decimal(n), Decimal(t)) for v, p, m, q, n, t in _sql(
        simulator, "SELECT VBRP.VBELN, POSNR, MATNR, FKIMG, VBRP.NETWR, MWSBP FROM VBRP "
                   "JOIN VBRK ON VBRK.VBELN = VBRP.VBELN WHERE WAERK NOT IN ('JPY', 'KWD') "
                   "ORDER BY VBRP.VBELN, POSNR")]
    assert [r for r in read if r[0] in {e[0] for e in expected}] == expected
    assert len(read) == _sql(simulator, "SELECT COUNT(*) FROM VBRP")[0][0]


# -- 2. CURR amounts are stored with two decimals whatever the currency -----------------------
def test_curr_amounts_are_converted_with_the_currency_decimals_of_tcurx(client, simulator):
    documents = {d.number: d for d in _all(client.billing_documents("1000", since=None,
                                                                     after_key=None))}
    foreign = _sql(simulator, "SELECT VBELN, WAERK, NETWR FROM VBRK WHERE WAERK IN "
                              "('JPY', 'KWD')")
    assert {currency for _, currency, _ in foreign} == {"JPY", "KWD"}
    for vbeln, currency, stored in foreign:
        places = {"JPY": 0, "KWD": 3}[currency]
        net = documents[vbeln].net
        assert net == Decimal(stored).scaleb(2 - places)  # 1.00 JPY stored is 100 yen
        assert net == net.quantize(Decimal(1).scaleb(-places))
    with_items = _sql(simulator, "SELECT VBRK.VBELN, BSID.KUNNR FROM VBRK JOIN BSID ON "
                                 "BSID.VBELN = VBRK.VBELN WHERE WAERK IN ('JPY', 'KWD')")
    assert with_items
    for vbeln, customer in with_items:
        items = client.call("BAPI_AR_ACC_GETOPENITEMS", COMPANYCODE="1000", CUSTOMER=customer,
                            KEYDATE=client.today())["LINEITEMS"]
        item = next(i for i in items if i["BILL_DOC"] == vbeln)
        assert documents[vbeln].gross == item["AMT_DOCCUR"]  # the BAPI's external amount


def test_item_amounts_are_converted_with_the_currency_decimals_and_add_up_to_the_header(
        client, simulator):
    """VBRP's NETWR and MWSBP are CURR too (the header's currency): 1.00 JPY stored is 100
    yen. The items' net and VAT add up to the header's; each item's VAT is 15% of its net,
    rounded half up, as SAP rounds per item."""
    documents = _all(client.billing_documents("1000", since=None, after_key=None))
    billed = [d for d in documents if d.items]
    assert {d.currency for d in billed} >= {"ZAR", "JPY", "KWD"}
    for document in billed:
        places = {"JPY": 0, "KWD": 3}.get(document.currency, 2)
        unit = Decimal(1).scaleb(-places)
        assert sum(i.net for i in document.items) == document.net
        assert sum(i.tax for i in document.items) == document.tax
        for item in document.items:
            assert item.net == item.net.quantize(unit)
            assert item.tax == (item.net * Decimal("0.15")).quantize(unit, ROUND_HALF_UP)
            assert item.quantity > 0 and item.unit and item.description
    assert any(len(d.items) > 1 for d in billed)


def test_item_amounts_with_a_trailing_minus_are_negative_and_a_bad_one_names_the_item():
    row = {"POSNR": "000010", "MATNR": "MAT-PPE", "ARKTX": "Safety equipment",
           "FKIMG": "2.000-", "VRKME": "EA", "NETWR": "10.00-", "MWSBP": "1.50-"}
    (item,) = bapi.map_billing_items([row], "0090000001", 2)
    assert (item.quantity, item.net, item.tax) == (Decimal("-2"), Decimal("-10"), Decimal("-1.5"))
    with pytest.raises(SapDataError, match="VBRP 0090000001/000010: field MWSBP is not an "
                                           "amount: '1,50'"):
        bapi.map_billing_items([row | {"MWSBP": "1,50"}], "0090000001", 2)


def test_vbrk_amount_fields_have_sap_lengths(client):
    lengths = client.field_lengths("VBRK")
    assert (lengths["NETWR"], lengths["MWSBK"]) == (15, 13)


# -- 3. net due date --------------------------------------------------------------------------
BASE = date(2026, 11, 2)


def _line(**overrides):
    line = {"COMP_CODE": "1000", "CUSTOMER": "0000100001", "DOC_NO": "1400000001",
            "FISC_YEAR": "2026", "ITEM_NUM": "001", "AMT_DOCCUR": Decimal("100.00"),
            "CURRENCY": "ZAR", "PSTNG_DATE": BASE, "DOC_DATE": BASE, "BLINE_DATE": BASE,
            "DB_CR_IND": "S", "DSCT_DAYS1": Decimal(0), "DSCT_DAYS2": Decimal(0),
            "NETTERMS": Decimal(0), "INV_REF": ""}
    return {**line, **overrides}


@pytest.mark.parametrize(("days", "due_after"), [
    ((30, 0, 0), 30),   # one term: "30 days net" is ZBD1T
    ((7, 30, 0), 30),   # two terms: discount in 7, net in 30 (ZBD2T)
    ((10, 20, 45), 45),  # three terms: net in ZBD3T
    ((0, 0, 0), 0),     # due at once
])
def test_net_due_date_is_zbd3t_else_zbd2t_else_zbd1t(days, due_after):
    item = bapi.map_open_item(_line(DSCT_DAYS1=Decimal(days[0]), DSCT_DAYS2=Decimal(days[1]),
                                    NETTERMS=Decimal(days[2])))
    assert item.due_date == BASE + timedelta(days=due_after)


def test_credit_item_without_invoice_reference_is_due_on_its_baseline_date():
    credit = _line(DB_CR_IND="H", DSCT_DAYS1=Decimal(30))
    assert bapi.map_open_item(credit).due_date == BASE
    referenced = _line(DB_CR_IND="H", DSCT_DAYS1=Decimal(30), INV_REF="1400000001")
    assert bapi.map_open_item(referenced).due_date == BASE + timedelta(days=30)


def test_open_items_over_every_terms_shape_are_due_as_sap_says(client, simulator):
    customers = [c.number for c in _all(client.customers("1000", since=None, after_key=None))]
    items = _all(client.open_items("1000", customers=customers, key_date=client.today(),
                                   after_key=None))
    terms = {r[0]: r[1:] for r in _sql(simulator, "SELECT BELNR, ZBD1T, ZBD2T, ZBD3T, SHKZG, "
                                                  "REBZG, ZFBDT FROM BSID")}
    shapes = set()
    for item in items:
        zbd1t, zbd2t, zbd3t, shkzg, rebzg, zfbdt = terms[item.document]
        baseline = date.fromisoformat(zfbdt)
        days = 0 if shkzg == "H" and not rebzg else int(zbd3t) or int(zbd2t) or int(zbd1t)
        assert item.due_date == baseline + timedelta(days=days), item.document
        shapes.add((int(zbd1t) > 0, int(zbd2t) > 0, int(zbd3t) > 0, shkzg, bool(rebzg)))
    assert {(True, False, False, "S", False), (True, True, False, "S", False),
            (True, True, True, "S", False)} <= shapes
    assert any(s[3] == "H" and s[4] for s in shapes)  # credit memos with an invoice reference
    assert any(s[3] == "H" and not s[4] for s in shapes)  # and without one


# -- 4. ADR6: the company's own e-mail, not a contact person's --------------------------------
def test_company_email_is_the_default_one_and_never_a_contact_persons(client, simulator):
    customers = {c.number: c for c in _all(client.customers("1000", since=None,
                                                            after_key=None))}
    adr6 = _sql(simulator, "SELECT KNA1.KUNNR, PERSNUMBER, FLGDEFAULT, SMTP_ADDR FROM ADR6 "
                           "JOIN KNA1 ON KNA1.ADRNR = ADR6.ADDRNUMBER")
    persons = {(k, e) for k, p, _, e in adr6 if p}
    defaults = {k: e for k, p, flag, e in adr6 if not p and flag == "X"}
    assert persons and any(k for k, p, flag, _ in adr6 if not p and not flag)
    for number, customer in customers.items():
        assert customer.email == defaults[number]
        assert (number, customer.email) not in persons


def test_company_emails_prefer_the_default_flag_over_the_sequence():
    rows = [{"ADDRNUMBER": "1", "PERSNUMBER": "", "CONSNUMBER": "001", "FLGDEFAULT": "",
             "SMTP_ADDR": "info@x.co.za"},
            {"ADDRNUMBER": "1", "PERSNUMBER": "77", "CONSNUMBER": "001", "FLGDEFAULT": "X",
             "SMTP_ADDR": "thandi@x.co.za"},
            {"ADDRNUMBER": "1", "PERSNUMBER": "", "CONSNUMBER": "002", "FLGDEFAULT": "X",
             "SMTP_ADDR": "accounts@x.co.za"},
            {"ADDRNUMBER": "2", "PERSNUMBER": "", "CONSNUMBER": "003", "FLGDEFAULT": "",
             "SMTP_ADDR": "b@y.co.za"},
            {"ADDRNUMBER": "2", "PERSNUMBER": "", "CONSNUMBER": "002", "FLGDEFAULT": "",
             "SMTP_ADDR": "a@y.co.za"}]
    assert bapi.company_emails(rows) == {"1": "accounts@x.co.za", "2": "a@y.co.za"}


def test_adresse_change_document_object_id_holds_the_address_number():
    assert bapi.address_number("BP  0009000007") == "0009000007"


# -- 6. pyrfc errors: permanent ones are not retried ------------------------------------------
def test_a_parameter_sap_does_not_have_fails_at_once_not_retried(client, simulator):
    from sap.errors import SapCallError

    before = simulator.faults.calls
    with pytest.raises(SapCallError, match="GET_SORTED"):
        client.call("RFC_READ_TABLE", QUERY_TABLE="VBRK", GET_SORTED="X")
    assert simulator.faults.calls == before + 1


def test_a_value_of_the_wrong_type_fails_at_once_not_retried(client, simulator):
    from sap.errors import SapCallError

    before = simulator.faults.calls
    with pytest.raises(SapCallError, match="RFCTypeError"):
        client.call("RFC_READ_TABLE", QUERY_TABLE="VBRK", ROWCOUNT="ten")
    assert simulator.faults.calls == before + 1


def test_a_wrong_client_is_reported_as_the_client_not_the_password(simulator):
    from sap.errors import SapConfigError

    simulator.set_logon("ARBRIDGE", "right", client="100")
    sap = RfcSapClient(factory=simulator.connect,
                       params={"user": "ARBRIDGE", "passwd": "right", "client": "999"})
    with pytest.raises(SapConfigError, match="ARBRIDGE_SAP__CLIENT") as refused:
        sap.ping()
    assert "PASSWD" not in str(refused.value)


# -- 7. RFC_READ_TABLE's WA counts characters, not bytes --------------------------------------
def test_rfc_read_table_pads_by_characters_not_bytes(simulator):
    _sql_write(simulator, "UPDATE KNA1 SET NAME1 = 'Zoë O’Brien Traders' WHERE KUNNR = ?",
               "0000100003")
    result = _read(simulator, "KNA1", ["KUNNR", "NAME1", "ERDAT"], "KUNNR = '0000100003'")
    wa = result["DATA"][0]["WA"]
    assert wa[10] == "|" and wa[46] == "|" and wa[11:46].rstrip() == "Zoë O’Brien Traders"
    assert parse_rows(result, "KNA1")[0]["ERDAT"].isdigit()


def _sql_write(simulator, sql, *params):
    db = simulator.open_db()
    with db:
        db.execute(sql, params)
    db.close()


LAYOUT = [{"FIELDNAME": "KUNNR", "OFFSET": "000000", "LENGTH": "000010"},
          {"FIELDNAME": "NAME1", "OFFSET": "000011", "LENGTH": "000035"},
          {"FIELDNAME": "ERDAT", "OFFSET": "000047", "LENGTH": "000008"}]


def test_a_row_padded_by_bytes_is_refused_with_its_key_never_shifted():
    name = "Zoë | O’Brien"  # a delimiter in the value, padded as a byte-counting system would
    padded = name.encode().ljust(35).decode(errors="replace")
    result = {"FIELDS": LAYOUT, "DATA": [{"WA": f"0000100001|{'Good Name'.ljust(35)}|20200101"},
                                         {"WA": f"0000100002|{padded}|20200101"}]}
    with pytest.raises(SapDataError, match="KNA1 KUNNR '0000100002'"):
        parse_rows(result, "KNA1")


def test_a_row_longer_than_its_layout_is_refused_with_its_key():
    result = {"FIELDS": LAYOUT, "DATA": [{"WA": "0000100009|" + "x" * 40 + "|20200101"}]}
    with pytest.raises(SapDataError, match="0000100009"):
        parse_rows(result, "KNA1")


def test_a_value_holding_the_delimiter_is_cut_by_character_offsets():
    result = {"FIELDS": LAYOUT,
              "DATA": [{"WA": "0000100001|" + "Zoë | Sons".ljust(35) + "|20200101"}]}
    assert parse_rows(result, "KNA1") == [
        {"KUNNR": "0000100001", "NAME1": "Zoë | Sons", "ERDAT": "20200101"}]


# -- 8. what pyrfc returns ---------------------------------------------------------------------
def test_wa_lines_come_back_right_trimmed_as_pyrfc_rstrip_does(simulator):
    rows = _read(simulator, "VBRK", ["VBELN", "FKSTO"])["DATA"]
    assert rows and all(r["WA"] == r["WA"].rstrip() for r in rows)
    assert any(len(r["WA"]) < 12 for r in rows)  # blank FKSTO trimmed away
    untrimmed = simulator.connect(config={"rstrip": False}).call(
        "RFC_READ_TABLE", QUERY_TABLE="VBRK", DELIMITER="|",
        FIELDS=[{"FIELDNAME": "VBELN"}, {"FIELDNAME": "FKSTO"}])["DATA"]
    assert all(len(r["WA"]) == 12 for r in untrimmed)


def test_right_trimmed_rows_with_blank_trailing_fields_parse_to_empty_values():
    result = {"FIELDS": LAYOUT, "DATA": [{"WA": "0000100001|Name|"},
                                         {"WA": "0000100002|" + "A|B".ljust(35) + "|"}]}
    assert parse_rows(result, "KNA1") == [
        {"KUNNR": "0000100001", "NAME1": "Name", "ERDAT": ""},
        {"KUNNR": "0000100002", "NAME1": "A|B", "ERDAT": ""}]


def test_no_data_gives_the_layout_even_of_a_table_wider_than_a_row(simulator):
    conn = simulator.connect()
    layout = conn.call("RFC_READ_TABLE", QUERY_TABLE="KNA1", NO_DATA="X")
    assert layout["DATA"] == [] and sum(int(f["LENGTH"]) for f in layout["FIELDS"]) > 512
    from sap.simulator.pyrfc_errors import ABAPApplicationError
    with pytest.raises(ABAPApplicationError, match="exceeds"):
        conn.call("RFC_READ_TABLE", QUERY_TABLE="KNA1")


# -- 6. every pyrfc exception class, classified explicitly ------------------------------------
def _pyrfc(name, key, message="boom"):
    from sap.simulator import pyrfc_errors

    return getattr(pyrfc_errors, name)(message, 1, key)


@pytest.mark.parametrize(("name", "key", "message", "expected", "exit_code"), [
    ("CommunicationError", "RFC_COMMUNICATION_FAILURE", "partner not reached",
     "SapUnavailable", 3),
    ("LogonError", "RFC_LOGON_FAILURE", "Name or password is incorrect", "SapConfigError", 2),
    ("ExternalAuthorizationError", "RFC_AUTHORIZATION_FAILURE", "no S_RFC for SDTX",
     "SapConfigError", 2),
    ("ABAPApplicationError", "NOT_AUTHORIZED", "no authority for table VBRK",
     "SapConfigError", 2),
    ("ABAPApplicationError", "TABLE_NOT_AVAILABLE", "Table ZX not available",
     "SapBusinessError", 1),
    ("ABAPRuntimeError", "RFC_ABAP_RUNTIME_FAILURE", "TSV_TNEW_PAGE_ALLOC_FAILED",
     "SapBusinessError", 1),
    ("RFCTypeError", "RFC_CONVERSION_FAILURE", "an integer is required", "SapCallError", 1),
    ("ExternalRuntimeError", "RFC_INVALID_PARAMETER", "field 'X' not found", "SapCallError", 1),
    ("ExternalApplicationError", "RFC_EXTERNAL_FAILURE", "server program failed",
     "SapCallError", 1),
    ("RFCLibError", "RFC_CANCELED", "Connection was canceled", "SapTimeout", 3),
    ("RFCLibError", "RFC_INVALID_HANDLE", "connection is closed", "SapUnavailable", 3),
    ("RFCLibError", "RFC_VERSION_MISMATCH", "version mismatch", "SapCallError", 1),
])
def test_each_pyrfc_error_class_is_classified_by_what_to_do(name, key, message, expected,
                                                            exit_code):
    from workers.cli.output import exit_code as exit_code_of

    error = bapi.classify_rfc_error(_pyrfc(name, key, message), "RFC_READ_TABLE", "PRD")
    assert type(error).__name__ == expected
    assert exit_code_of(error) == exit_code
    assert message in str(error)


def test_an_unknown_exception_is_permanent_not_retried_forever():
    from sap.errors import SapCallError

    assert isinstance(bapi.classify_rfc_error(ValueError("bad"), "RFC_PING", "PRD"),
                      SapCallError)


def test_paging_by_a_key_that_is_not_unique_stops_with_a_clear_error(simulator):
    sap = RfcSapClient(factory=simulator.connect, params={}, page_size=2)
    with pytest.raises(SapDataError, match="KUNAG is not unique"):
        list(sap._keyset("VBRK", ["VBELN", "KUNAG"], "KUNAG", "", None))


def test_customer_po_comes_from_the_first_item_whatever_order_items_come_in(client,
                                                                            simulator):
    vbeln, = next(r for r in _sql(simulator, "SELECT VBELN FROM VBRP GROUP BY VBELN "
                                             "HAVING COUNT(*) = 2"))
    _sql_write(simulator, "INSERT INTO VBKD (VBELN, POSNR, BSTKD) VALUES "
                          "('0077777777', '000000', 'PO-OF-ITEM-20')")
    _sql_write(simulator, "UPDATE VBRP SET AUBEL = '0077777777' WHERE VBELN = ? AND "
                          "POSNR = '000020'", vbeln)
    expected = _sql(simulator, "SELECT BSTKD FROM VBKD WHERE POSNR = '000000' AND VBELN = "
                               "(SELECT AUBEL FROM VBRP WHERE VBELN = ? AND POSNR = '000010')",
                    vbeln)[0][0]
    for salt in ("a", "b", "c", "d"):
        simulator.row_salt = salt
        documents = {d.number: d for d in _all(client.billing_documents(
            "1000", since=None, after_key=None))}
        assert (documents[vbeln].customer_po or "") == expected
