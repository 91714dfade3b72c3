from datetime import date
from decimal import Decimal

import pytest

from sap.simulator import SapSimulator
from sap.simulator.pyrfc_errors import ABAPApplicationError, LogonError


def test_seed_is_deterministic_and_runs_once(tmp_path):
    first, second = SapSimulator(tmp_path / "a.db"), SapSimulator(tmp_path / "b.db")
    assert first.seed(customers=20, documents=50, seed=7)
    assert not first.seed(customers=20, documents=50, seed=7)
    second.seed(customers=20, documents=50, seed=7)
    read = {"QUERY_TABLE": "VBRK", "DELIMITER": "|"}
    assert first.connect().call("RFC_READ_TABLE", **read) == \
        second.connect().call("RFC_READ_TABLE", **read)
    assert first.counts()["VBRK"] == 50 and first.counts()["KNA1"] == 20


def test_customers_look_south_african(simulator):
    rows = simulator.connect().call("RFC_READ_TABLE", QUERY_TABLE="KNA1", DELIMITER="|",
                                    FIELDS=[{"FIELDNAME": "KUNNR"}, {"FIELDNAME": "STCEG"},
                                            {"FIELDNAME": "LAND1"}])["DATA"]
    for row in rows:
        kunnr, vat, country = (part.strip() for part in row["WA"].split("|"))
        assert len(kunnr) == 10 and kunnr.startswith("0")
        assert len(vat) == 10 and vat.startswith("4") and vat.isdigit()
        assert country == "ZA"


def test_read_table_enforces_sap_limits(simulator):
    conn = simulator.connect()
    with pytest.raises(ABAPApplicationError) as wide:
        conn.call("RFC_READ_TABLE", QUERY_TABLE="KNA1")
    assert wide.value.key == "DATA_BUFFER_EXCEEDED"
    with pytest.raises(ABAPApplicationError) as long_line:
        conn.call("RFC_READ_TABLE", QUERY_TABLE="VBRK", FIELDS=[{"FIELDNAME": "VBELN"}],
                  OPTIONS=[{"TEXT": "VBELN = '0090000001' " + " " * 60 + "OR VBELN = '1'"}])
    assert long_line.value.key == "OPTION_NOT_VALID"
    with pytest.raises(ABAPApplicationError) as bad_field:
        conn.call("RFC_READ_TABLE", QUERY_TABLE="VBRK", FIELDS=[{"FIELDNAME": "VBELN"}],
                  OPTIONS=[{"TEXT": "NOPE = 'x'"}])
    assert bad_field.value.key == "OPTION_NOT_VALID"


def test_where_literals_are_data_not_sql(simulator):
    result = simulator.connect().call(
        "RFC_READ_TABLE", QUERY_TABLE="VBRK", FIELDS=[{"FIELDNAME": "VBELN"}],
        OPTIONS=[{"TEXT": "VBELN = 'x'' OR ''1''=''1'"}])
    assert result["DATA"] == []


def test_open_items_come_with_dates_and_decimals(simulator):
    conn = simulator.connect()
    customer = conn.call("RFC_READ_TABLE", QUERY_TABLE="BSID", FIELDS=[{"FIELDNAME": "KUNNR"}],
                         ROWCOUNT=1)["DATA"][0]["WA"].strip()
    result = conn.call("BAPI_AR_ACC_GETOPENITEMS", COMPANYCODE="1000", CUSTOMER=customer,
                       KEYDATE=date.today())
    assert result["RETURN"]["TYPE"] == ""
    item = result["LINEITEMS"][0]
    assert isinstance(item["PSTNG_DATE"], date)
    assert isinstance(item["AMT_DOCCUR"], Decimal)
    assert item["DB_CR_IND"] in ("S", "H")


def test_unknown_customer_gets_a_bapi_error_message(simulator):
    result = simulator.connect().call("BAPI_AR_ACC_GETOPENITEMS", COMPANYCODE="1000",
                                      CUSTOMER="0009999999", KEYDATE=date.today())
    assert result["RETURN"]["TYPE"] == "E"
    assert "not defined in company code 1000" in result["RETURN"]["MESSAGE"]


def test_logon_is_checked_when_credentials_are_set(simulator):
    simulator.set_logon("ARBRIDGE", "s3cret")
    with pytest.raises(LogonError):
        simulator.connect(user="ARBRIDGE", passwd="wrong")
    assert simulator.connect(user="arbridge", passwd="s3cret").alive
