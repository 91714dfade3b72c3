"""The simulator's data dictionary: SAP's tables and fields with their types and lengths.

Only the fields arbridge reads are modelled. Types follow ABAP: C char, N numeric text, D date
(YYYYMMDD), T time (HHMMSS), P packed decimal (amounts, written with a trailing minus), I integer.
CURR amounts are stored as SAP stores them: with two decimals whatever the currency (TCURX).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str
    length: int
    text: str
    decimals: int = 0


def _f(name: str, type_: str, length: int, text: str, decimals: int = 0) -> Field:
    return Field(name, type_, length, text, decimals)


TABLES: dict[str, tuple[tuple[str, ...], tuple[Field, ...]]] = {
    "T001": (("BUKRS",), (
        _f("BUKRS", "C", 4, "Company Code"), _f("BUTXT", "C", 25, "Company Name"),
        _f("ORT01", "C", 25, "City"), _f("LAND1", "C", 3, "Country"),
        _f("WAERS", "C", 5, "Currency"),
    )),
    "KNA1": (("KUNNR",), (
        _f("KUNNR", "C", 10, "Customer"), _f("NAME1", "C", 35, "Name 1"),
        _f("NAME2", "C", 35, "Name 2"), _f("ORT01", "C", 35, "City"),
        _f("PSTLZ", "C", 10, "Postal Code"), _f("STRAS", "C", 35, "Street"),
        _f("LAND1", "C", 3, "Country"), _f("STCEG", "C", 20, "VAT Registration No."),
        _f("TELF1", "C", 16, "Telephone 1"), _f("ADRNR", "C", 10, "Address"),
        _f("KTOKD", "C", 4, "Account group"), _f("ERDAT", "D", 8, "Created on"),
        _f("ERNAM", "C", 12, "Created by"), _f("NAME3", "C", 35, "Name 3"),
        _f("NAME4", "C", 35, "Name 4"), _f("SORTL", "C", 10, "Sort field"),
        _f("MCOD1", "C", 25, "Search term 1"), _f("MCOD3", "C", 25, "Search term 3"),
        _f("ORT02", "C", 35, "District"), _f("REGIO", "C", 3, "Region"),
        _f("TELFX", "C", 31, "Fax Number"), _f("TELF2", "C", 16, "Telephone 2"),
        _f("STCD1", "C", 16, "Tax Number 1"), _f("LIFNR", "C", 10, "Vendor"),
        _f("BRSCH", "C", 4, "Industry"), _f("KNURL", "C", 132, "Uniform resource locator"),
    )),
    # the company's e-mail addresses (PERSNUMBER empty) and its contact persons', under the
    # same address number; FLGDEFAULT marks the standard one
    "ADR6": (("ADDRNUMBER", "PERSNUMBER", "DATE_FROM", "CONSNUMBER"), (
        _f("ADDRNUMBER", "C", 10, "Address number"), _f("PERSNUMBER", "C", 10, "Person number"),
        _f("DATE_FROM", "D", 8, "Valid-from date"), _f("CONSNUMBER", "N", 3, "Sequence"),
        _f("FLGDEFAULT", "C", 1, "Standard address"),
        _f("SMTP_ADDR", "C", 241, "E-Mail Address"),
    )),
    # currencies whose amounts do not have two decimals (CURR fields are stored with two)
    "TCURX": (("CURRKEY",), (
        _f("CURRKEY", "C", 5, "Currency"), _f("CURRDEC", "I", 3, "Decimal places"),
    )),
    "KNB1": (("KUNNR", "BUKRS"), (
        _f("KUNNR", "C", 10, "Customer"), _f("BUKRS", "C", 4, "Company Code"),
        _f("AKONT", "C", 10, "Reconciliation acct"), _f("ZTERM", "C", 4, "Payment terms"),
        _f("ERDAT", "D", 8, "Created on"),
    )),
    "KNVV": (("KUNNR", "VKORG", "VTWEG", "SPART"), (
        _f("KUNNR", "C", 10, "Customer"), _f("VKORG", "C", 4, "Sales Org."),
        _f("VTWEG", "C", 2, "Distr. Channel"), _f("SPART", "C", 2, "Division"),
        _f("KVGR1", "C", 3, "Customer group 1"), _f("ZTERM", "C", 4, "Payment terms"),
        _f("ERDAT", "D", 8, "Created on"),
    )),
    "CDHDR": (("OBJECTCLAS", "OBJECTID", "CHANGENR"), (
        _f("OBJECTCLAS", "C", 15, "Object class"), _f("OBJECTID", "C", 90, "Object value"),
        _f("CHANGENR", "C", 10, "Document number"), _f("USERNAME", "C", 12, "User"),
        _f("UDATE", "D", 8, "Date"), _f("UTIME", "T", 6, "Time"),
        _f("TCODE", "C", 20, "Transaction code"),
    )),
    "VBRK": (("VBELN",), (
        _f("VBELN", "C", 10, "Billing Document"), _f("FKART", "C", 4, "Billing Type"),
        _f("WAERK", "C", 5, "Document Currency"), _f("VKORG", "C", 4, "Sales Organization"),
        _f("FKDAT", "D", 8, "Billing Date"), _f("BUKRS", "C", 4, "Company Code"),
        _f("KUNAG", "C", 10, "Sold-To Party"), _f("KUNRG", "C", 10, "Payer"),
        _f("NETWR", "P", 15, "Net Value", 2), _f("MWSBK", "P", 13, "Tax amount", 2),
        _f("ZTERM", "C", 4, "Payment terms"), _f("BELNR", "C", 10, "Accounting document"),
        _f("GJAHR", "N", 4, "Fiscal Year"), _f("XBLNR", "C", 16, "Reference"),
        _f("FKSTO", "C", 1, "Cancelled"), _f("SFAKN", "C", 10, "Cancelled bill.doc."),
        _f("ERNAM", "C", 12, "Created by"), _f("ERDAT", "D", 8, "Created on"),
        _f("ERZET", "T", 6, "Time"), _f("AEDAT", "D", 8, "Changed on"),
    )),
    "VBRP": (("VBELN", "POSNR"), (
        _f("VBELN", "C", 10, "Billing Document"), _f("POSNR", "N", 6, "Item"),
        _f("MATNR", "C", 40, "Material"), _f("ARKTX", "C", 40, "Description"),
        _f("FKIMG", "P", 16, "Billed Quantity", 3), _f("VRKME", "C", 3, "Sales unit"),
        _f("NETWR", "P", 16, "Net Value", 2), _f("MWSBP", "P", 16, "Tax amount", 2),
        _f("AUBEL", "C", 10, "Sales Document"), _f("AUPOS", "N", 6, "Sales Document Item"),
    )),
    "VBKD": (("VBELN", "POSNR"), (
        _f("VBELN", "C", 10, "Sales Document"), _f("POSNR", "N", 6, "Item"),
        _f("BSTKD", "C", 35, "Customer PO number"), _f("BSTDK", "D", 8, "PO date"),
        _f("ZTERM", "C", 4, "Payment terms"),
    )),
    "BSID": (("BUKRS", "KUNNR", "UMSKS", "UMSKZ", "AUGDT", "AUGBL", "ZUONR", "GJAHR",
              "BELNR", "BUZEI"), (
        _f("BUKRS", "C", 4, "Company Code"), _f("KUNNR", "C", 10, "Customer"),
        _f("UMSKS", "C", 1, "Sp.G/L Trans.Type"), _f("UMSKZ", "C", 1, "Special G/L ind."),
        _f("AUGDT", "D", 8, "Clearing Date"), _f("AUGBL", "C", 10, "Clearing Document"),
        _f("ZUONR", "C", 18, "Assignment"), _f("GJAHR", "N", 4, "Fiscal Year"),
        _f("BELNR", "C", 10, "Document Number"), _f("BUZEI", "N", 3, "Line item"),
        _f("BUDAT", "D", 8, "Posting Date"), _f("BLDAT", "D", 8, "Document Date"),
        _f("CPUDT", "D", 8, "Entry Date"), _f("WAERS", "C", 5, "Currency"),
        _f("XBLNR", "C", 16, "Reference"), _f("BLART", "C", 2, "Document type"),
        _f("MONAT", "N", 2, "Period"), _f("BSCHL", "C", 2, "Posting Key"),
        _f("SHKZG", "C", 1, "Debit/Credit"), _f("DMBTR", "P", 16, "Amount in LC", 2),
        _f("WRBTR", "P", 16, "Amount", 2), _f("MWSTS", "P", 16, "LC Tax Amount", 2),
        _f("SGTXT", "C", 50, "Text"), _f("ZFBDT", "D", 8, "Baseline Date"),
        _f("ZTERM", "C", 4, "Payment terms"), _f("ZBD1T", "P", 4, "Cash discount days 1"),
        _f("ZBD2T", "P", 4, "Cash discount days 2"), _f("ZBD3T", "P", 4, "Net payment terms"),
        _f("VBELN", "C", 10, "Billing Document"), _f("REBZG", "C", 10, "Invoice reference"),
        _f("REBZJ", "N", 4, "Fiscal Year of invoice"), _f("REBZZ", "N", 3, "Line of invoice"),
    )),
}

# FI documents arbridge posts (header, lines) and cleared customer items (same layout as BSID)
TABLES["BKPF"] = (("BUKRS", "BELNR", "GJAHR"), (
    _f("BUKRS", "C", 4, "Company Code"), _f("BELNR", "C", 10, "Document Number"),
    _f("GJAHR", "N", 4, "Fiscal Year"), _f("BLART", "C", 2, "Document type"),
    _f("BLDAT", "D", 8, "Document Date"), _f("BUDAT", "D", 8, "Posting Date"),
    _f("CPUDT", "D", 8, "Entry Date"), _f("USNAM", "C", 12, "User name"),
    _f("TCODE", "C", 20, "Transaction code"), _f("XBLNR", "C", 16, "Reference"),
    _f("BKTXT", "C", 25, "Document Header Text"), _f("WAERS", "C", 5, "Currency"),
    _f("STBLG", "C", 10, "Reverse document"), _f("STJAH", "N", 4, "Reverse doc. year"),
    _f("STGRD", "C", 2, "Reason for reversal"), _f("AWTYP", "C", 5, "Reference Transaction"),
    _f("AWKEY", "C", 20, "Reference Key"), _f("AWSYS", "C", 10, "Logical system"),
))
TABLES["BSEG"] = (("BUKRS", "BELNR", "GJAHR", "BUZEI"), (
    _f("BUKRS", "C", 4, "Company Code"), _f("BELNR", "C", 10, "Document Number"),
    _f("GJAHR", "N", 4, "Fiscal Year"), _f("BUZEI", "N", 3, "Line item"),
    _f("KOART", "C", 1, "Account type"), _f("BSCHL", "C", 2, "Posting Key"),
    _f("SHKZG", "C", 1, "Debit/Credit"), _f("WRBTR", "P", 16, "Amount", 2),
    _f("HKONT", "C", 10, "G/L Account"), _f("KUNNR", "C", 10, "Customer"),
    _f("ZUONR", "C", 18, "Assignment"), _f("SGTXT", "C", 50, "Text"),
    _f("AUGBL", "C", 10, "Clearing Document"), _f("AUGDT", "D", 8, "Clearing Date"),
    _f("REBZG", "C", 10, "Invoice reference"), _f("REBZJ", "N", 4, "Fiscal Year of invoice"),
    _f("REBZZ", "N", 3, "Line of invoice"),
))
# reversal reasons (T041C): XABWD, whether a posting date other than the original's is allowed
TABLES["T041C"] = (("STGRD",), (
    _f("STGRD", "C", 2, "Reason for reversal"), _f("XABWD", "C", 1, "Alt. posting date"),
    _f("TXT40", "C", 40, "Text"),
))
TABLES["BSAD"] = (TABLES["BSID"][0], TABLES["BSID"][1])


def fields_of(table: str) -> dict[str, Field]:
    return {f.name: f for f in TABLES[table][1]}


def key_of(table: str) -> tuple[str, ...]:
    return TABLES[table][0]


def create_statements() -> list[str]:
    """SQLite DDL: every field TEXT (SAP values are text on the wire), keyed as in SAP."""
    statements = []
    for table, (keys, fields) in TABLES.items():
        columns = ", ".join(f"{f.name} TEXT NOT NULL DEFAULT ''" for f in fields)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table} ({columns}, PRIMARY KEY ({', '.join(keys)}))"
        )
    statements += [
        "CREATE INDEX IF NOT EXISTS vbrk_erdat ON VBRK (ERDAT)",
        "CREATE INDEX IF NOT EXISTS vbrk_aedat ON VBRK (AEDAT)",
        "CREATE INDEX IF NOT EXISTS vbrk_bukrs_vbeln ON VBRK (BUKRS, VBELN)",
        "CREATE INDEX IF NOT EXISTS bsid_kunnr ON BSID (BUKRS, KUNNR)",
        "CREATE INDEX IF NOT EXISTS bkpf_xblnr ON BKPF (BUKRS, XBLNR)",
        "CREATE INDEX IF NOT EXISTS bsad_augbl ON BSAD (BUKRS, AUGBL)",
        "CREATE INDEX IF NOT EXISTS cdhdr_udate ON CDHDR (OBJECTCLAS, UDATE)",
        "CREATE TABLE IF NOT EXISTS SIM_STATE (KEY TEXT PRIMARY KEY, VALUE TEXT NOT NULL)",
        # ArchiveLink: links (TOA01) and the content server's documents, in one table
        "CREATE TABLE IF NOT EXISTS SIM_ARCHIVE (OBJECT_ID TEXT NOT NULL, SAP_OBJECT TEXT NOT "
        "NULL, ARCHIV_ID TEXT NOT NULL, ARC_DOC_ID TEXT PRIMARY KEY, AR_DATE TEXT NOT NULL, "
        "CONTENT BLOB NOT NULL)",
    ]
    return statements


def missing_columns(db: sqlite3.Connection) -> list[str]:
    """ALTER TABLE statements adding fields a simulator created by an earlier version lacks."""
    statements = []
    for table, (_, fields) in TABLES.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        statements += [f"ALTER TABLE {table} ADD COLUMN {f.name} TEXT NOT NULL DEFAULT ''"
                       for f in fields if have and f.name not in have]
    return statements
