"""The simulator's accounting as strict as SAP: number ranges per document type and fiscal
year, documents by their full key, reversal the way the document was posted (REV_POST only for
interface documents, with the original's logical system; FB08 for FB05's), reversal reasons,
and F.13 on the OB74 criteria only."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from sap.simulator import SapSimulator


def rows(sim: SapSimulator, sql: str, *params: object) -> list[tuple]:
    db = sqlite3.connect(sim.path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def invoice(sim: SapSimulator, *, assignment_is_billing_document: bool = False) -> dict:
    """An open ZAR invoice item (RV), optionally one whose assignment is its billing document
    (the sort key the docs ask for)."""
    extra = " AND ZUONR = VBELN" if assignment_is_billing_document else ""
    kunnr, belnr, gjahr, buzei, wrbtr, zuonr, vbeln = rows(
        sim, "SELECT KUNNR, BELNR, GJAHR, BUZEI, WRBTR, ZUONR, VBELN FROM BSID WHERE "
        f"BLART = 'RV' AND WAERS = 'ZAR'{extra} ORDER BY BELNR LIMIT 1")[0]
    return {"kunnr": kunnr, "belnr": belnr, "gjahr": gjahr, "buzei": buzei,
            "amount": Decimal(wrbtr), "zuonr": zuonr, "vbeln": vbeln}


def post_payment(conn, kunnr: str, amount: Decimal, *, assignment: str, day: date,  # type: ignore[no-untyped-def]
                 reference: str = "ARBPTEST") -> tuple[str, str]:
    """A payment on account through BAPI_ACC_DOCUMENT_POST + commit; (number, year)."""
    result = conn.call("BAPI_ACC_DOCUMENT_POST", DOCUMENTHEADER={
        "COMP_CODE": "1000", "DOC_DATE": day, "PSTNG_DATE": day, "DOC_TYPE": "DZ",
        "REF_DOC_NO": reference, "HEADER_TXT": "test"},
        ACCOUNTGL=[{"ITEMNO_ACC": "0000000001", "GL_ACCOUNT": "0011000000"}],
        ACCOUNTRECEIVABLE=[{"ITEMNO_ACC": "0000000002", "CUSTOMER": kunnr,
                            "ALLOC_NMBR": assignment}],
        CURRENCYAMOUNT=[{"ITEMNO_ACC": "0000000001", "CURRENCY": "ZAR", "AMT_DOCCUR": amount},
                        {"ITEMNO_ACC": "0000000002", "CURRENCY": "ZAR",
                         "AMT_DOCCUR": -amount}])
    assert result["RETURN"][0]["TYPE"] == "S", result["RETURN"]
    conn.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    return result["OBJ_KEY"][:10], result["OBJ_KEY"][14:18]


def rev_post(conn, sim: SapSimulator, belnr: str, gjahr: str, *, reason: str = "01",  # type: ignore[no-untyped-def]
             day: date | None = None, obj_type: str | None = None,
             obj_sys: str | None = None) -> list[dict]:
    awtyp, awkey, awsys, budat = rows(sim, "SELECT AWTYP, AWKEY, AWSYS, BUDAT FROM BKPF WHERE "
                                      "BUKRS = '1000' AND BELNR = ? AND GJAHR = ?",
                                      belnr, gjahr)[0]
    result = conn.call("BAPI_ACC_DOCUMENT_REV_POST", REVERSAL={
        "OBJ_TYPE": awtyp if obj_type is None else obj_type, "OBJ_KEY_R": awkey,
        "OBJ_SYS": awsys if obj_sys is None else obj_sys, "OBJ_KEY": "ARBRTEST",
        "PSTNG_DATE": day or date(int(budat[:4]), int(budat[4:6]), int(budat[6:])),
        "COMP_CODE": "1000", "REASON_REV": reason}, BUS_ACT="RFBU")
    if result["RETURN"][0]["TYPE"] == "S":
        conn.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    return result["RETURN"]


def clearing(conn, item: dict, key: str, day: date) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    result = conn.call("Z_ARB_POST_CLEARING", I_BUKRS="1000", I_KUNNR=item["kunnr"],
                       I_WAERS="ZAR", I_BLDAT=day, I_BUDAT=day, I_BLART="DZ", I_XBLNR=key,
                       I_BKTXT="test", I_HKONT="0011000000", I_WRBTR=item["amount"],
                       IT_CLEAR=[{"BELNR": item["belnr"], "GJAHR": item["gjahr"],
                                  "BUZEI": item["buzei"], "WRBTR": item["amount"],
                                  "RESIDUAL": Decimal(0), "SGTXT": "", "WAERS": "ZAR"}])
    assert result["ET_RETURN"][0]["TYPE"] == "S", result["ET_RETURN"]
    return result["E_BELNR"], result["E_GJAHR"]


def test_a_payment_never_takes_a_credit_memos_number_and_its_reversal_leaves_others_alone(
        simulator: SapSimulator) -> None:
    memos = rows(simulator, "SELECT BELNR, GJAHR, KUNNR FROM BSID WHERE BLART = 'DG'")
    assert memos
    _belnr, gjahr, kunnr = memos[0]
    other = rows(simulator, "SELECT KUNNR FROM KNB1 WHERE KUNNR <> ? LIMIT 1", kunnr)[0][0]
    conn = simulator.connect()
    day = date(int(gjahr), 12, 1)
    number, year = post_payment(conn, other, Decimal("100.00"), assignment="X", day=day)
    assert (number, year) not in {(m[0], m[1]) for m in memos}
    assert number.startswith("15")  # DZ: number range 15, not the credit memos' 16
    assert rev_post(conn, simulator, number, year)[0]["TYPE"] == "S"
    for memo, memo_year, memo_customer in memos:  # every credit memo is still open
        assert simulator.is_open(memo, memo_year, customer=memo_customer)


def test_numbers_start_again_each_fiscal_year_and_a_document_is_its_full_key(
        simulator: SapSimulator) -> None:
    conn = simulator.connect()
    customer = rows(simulator, "SELECT KUNNR FROM KNB1 LIMIT 1")[0][0]
    this_year = post_payment(conn, customer, Decimal("10.00"), assignment="A",
                             day=date(2026, 12, 30))
    next_year = post_payment(conn, customer, Decimal("20.00"), assignment="B",
                             day=date(2027, 1, 4))
    assert next_year == ("1500000001", "2027")  # a new year, a new interval
    assert this_year[1] == "2026" and this_year[0] > "1500000001"
    assert rev_post(conn, simulator, *next_year)[0]["TYPE"] == "S"
    assert simulator.is_open(*this_year, customer=customer)  # the 2026 one is untouched
    assert not simulator.is_open(*next_year, customer=customer)


def test_rev_post_refuses_an_fb05_document_which_the_fb08_wrapper_reverses(
        simulator: SapSimulator) -> None:
    item = invoice(simulator)
    conn = simulator.connect()
    day = simulator.today()
    payment, year = clearing(conn, item, "ARBPFB05", day)
    reset = conn.call("Z_ARB_RESET_CLEARING", I_BUKRS="1000", I_AUGBL=payment, I_GJAHR=year)
    assert reset["ET_RETURN"][0]["TYPE"] == "S"
    # what arbridge used to send: reference type BKPFF for an FB05 document
    refused = rev_post(conn, simulator, payment, year, obj_type="BKPFF")
    assert refused[0]["TYPE"] == "E" and "FB08" in refused[0]["MESSAGE"]
    assert rev_post(conn, simulator, payment, year)[0]["TYPE"] == "E"  # BKPF: not by REV_POST
    done = conn.call("Z_ARB_REVERSE_DOCUMENT", I_BUKRS="1000", I_BELNR=payment, I_GJAHR=year,
                     I_STGRD="01", I_BUDAT=day)
    assert done["ET_RETURN"][0]["TYPE"] == "S"
    assert simulator.is_open(item["belnr"], item["gjahr"], customer=item["kunnr"])
    again = conn.call("Z_ARB_REVERSE_DOCUMENT", I_BUKRS="1000", I_BELNR=payment, I_GJAHR=year,
                      I_STGRD="01", I_BUDAT=day)
    assert again["ET_RETURN"][0]["TYPE"] == "W" and again["E_BELNR"] == done["E_BELNR"]


def test_rev_post_needs_the_original_documents_logical_system(simulator: SapSimulator) -> None:
    conn = simulator.connect()
    customer = rows(simulator, "SELECT KUNNR FROM KNB1 LIMIT 1")[0][0]
    document = post_payment(conn, customer, Decimal("50.00"), assignment="A",
                            day=simulator.today())
    refused = rev_post(conn, simulator, *document, obj_sys="")
    assert refused[0]["TYPE"] == "E"
    assert rev_post(conn, simulator, *document)[0]["TYPE"] == "S"


@pytest.mark.parametrize("reason,accepted", [("01", False), ("02", True), ("99", False)])
def test_a_reversal_on_another_date_needs_a_reason_that_allows_it(
        simulator: SapSimulator, reason: str, accepted: bool) -> None:
    conn = simulator.connect()
    customer = rows(simulator, "SELECT KUNNR FROM KNB1 LIMIT 1")[0][0]
    document = post_payment(conn, customer, Decimal("50.00"), assignment="A",
                            day=date(2026, 10, 30))
    answer = rev_post(conn, simulator, *document, reason=reason, day=date(2026, 11, 2))
    assert (answer[0]["TYPE"] == "S") == accepted, answer


def test_f13_clears_only_what_the_ob74_criteria_make_equal(simulator: SapSimulator) -> None:
    item = invoice(simulator, assignment_is_billing_document=True)
    assert item["zuonr"].startswith("00")  # the billing document as SAP stores it
    conn = simulator.connect()
    day = simulator.today()
    post_payment(conn, item["kunnr"], item["amount"], assignment=item["zuonr"].lstrip("0"),
                 day=day, reference="ARBP1")
    assert simulator.run_automatic_clearing() == 0  # 90000123 is not 0090000123
    simulator.set_clearing_criteria("ZUONR", "XBLNR")  # reference as a criterion too
    post_payment(conn, item["kunnr"], item["amount"], assignment=item["zuonr"], day=day,
                 reference="ARBP2")
    assert simulator.run_automatic_clearing() == 0  # the payment's reference is its key
    simulator.set_clearing_criteria("ZUONR")  # what docs/sap-abap.md asks for
    assert simulator.run_automatic_clearing() == 1
    assert not simulator.is_open(item["belnr"], item["gjahr"], customer=item["kunnr"])
