"""Deterministic seed data for the simulator: one administrator's book of South African clients.

The same ``seed`` always gives the same customers, billing documents and open items. Documents
are written in chunks, so a million of them seed in flat memory.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sap.simulator.ddic import TABLES

CHUNK = 5000
VAT_RATE = Decimal("0.15")
CENT = Decimal("0.01")
FIRST_BILLING_DOCUMENT = 90_000_001
FIRST_SALES_ORDER = 10_000_001
FIRST_ACCOUNTING_DOCUMENT = 1_400_000_001
HISTORY_DAYS = 120

_PLACES = ["Highveld", "Karoo", "Drakensberg", "Limpopo", "Kalahari", "Boland", "Umhlaba",
           "Mzansi", "Ubuntu", "Table Bay", "Zululand", "Lowveld", "Namaqua", "Cederberg",
           "Tsitsikamma", "Waterberg", "Magalies", "Vaal", "Garden Route", "Pilanesberg",
           "Amatola", "Soutpansberg", "Kwena", "Indlovu", "Ingwe", "Protea", "Baobab",
           "Marula", "Sedibeng", "Tshwane"]
_TRADES = ["Mining", "Logistics", "Retail", "Engineering", "Foods", "Construction", "Health",
           "Energy", "Steel", "Water", "Agri", "Telecoms", "Property", "Chemicals", "Transport",
           "Packaging", "Security", "Pharmaceuticals", "Timber", "Beverages"]
_SUFFIXES = ["(Pty) Ltd", "(Pty) Ltd", "(Pty) Ltd", "Ltd", "Holdings (Pty) Ltd", "SOC Ltd",
             "Group Ltd"]
_CITIES = [("Johannesburg", "2001", "011"), ("Cape Town", "8001", "021"),
           ("Durban", "4001", "031"), ("Pretoria", "0002", "012"),
           ("Gqeberha", "6001", "041"), ("Bloemfontein", "9301", "051"),
           ("Polokwane", "0699", "015"), ("Mbombela", "1200", "013"),
           ("Kimberley", "8301", "053"), ("Rustenburg", "0299", "014"),
           ("East London", "5201", "043"), ("Stellenbosch", "7600", "021")]
_STREETS = ["Main Road", "Rivonia Road", "Jan Smuts Avenue", "Oxford Road", "Voortrekker Road",
            "Church Street", "Nelson Mandela Drive", "Long Street", "Anton Lembede Street"]
_FIRST = ["Thandi", "Sipho", "Pieter", "Anele", "Johan", "Lerato", "Naledi", "Ayesha", "Kobus",
          "Zanele", "Priya", "Themba", "Marike", "Bongani", "Fatima", "Riaan", "Nomsa", "Kagiso"]
_LAST = ["Nkosi", "Dlamini", "van der Merwe", "Botha", "Naidoo", "Mokoena", "Pillay",
         "Khumalo", "Pretorius", "Mahlangu", "Adams", "Ndlovu", "Jacobs", "Venter", "Govender"]
_TERMS = [("Z030", 30), ("Z030", 30), ("Z045", 45), ("Z060", 60), ("NT07", 7)]
_MATERIALS = [("SRV-CONS", "Consulting services", "H"), ("SRV-MAINT", "Maintenance call-out",
              "EA"), ("MAT-PUMP", "Slurry pump spares", "EA"), ("MAT-CABLE", "Armoured cable",
              "M"), ("SRV-LOGI", "Freight and handling", "EA"), ("MAT-PPE", "Safety equipment",
              "EA")]


@dataclass(frozen=True, slots=True)
class SeedCustomer:
    kunnr: str
    terms: str
    net_days: int
    portal_group: str
    purchase_orders: tuple[str, ...]


def kunnr(n: int) -> str:
    return f"{n:010d}"


def vat_number(rng: random.Random) -> str:
    """South African VAT numbers: 10 digits starting with 4."""
    return "4" + "".join(str(rng.randrange(10)) for _ in range(9))


def _po_numbers(rng: random.Random, style: int) -> tuple[str, ...]:
    count = rng.randint(1, 4)
    if style == 0:
        return tuple(f"45{rng.randrange(10**8):08d}" for _ in range(count))
    if style == 1:
        return tuple(f"PO-{rng.randint(24, 26)}-{rng.randrange(10**5):05d}" for _ in range(count))
    return tuple(f"CW{rng.randrange(10**6):06d}" for _ in range(count))


def _customer_rows(rng: random.Random, n: int, company_code: str, created: date
                   ) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple], SeedCustomer]:
    number = kunnr(100_000 + n)
    name = f"{rng.choice(_PLACES)} {rng.choice(_TRADES)} {rng.choice(_SUFFIXES)}"
    city, postcode, dialling = rng.choice(_CITIES)
    contact = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}".lower().replace(" ", "")
    domain = name.split(" (")[0].split(" Ltd")[0].lower().replace(" ", "") + ".co.za"
    adrnr = f"{9_000_000 + n:010d}"
    terms, days = rng.choice(_TERMS)
    roll = rng.random()
    group = "P01" if roll < 0.2 else "P02" if roll < 0.3 else ""
    erdat = (created - timedelta(days=rng.randint(400, 3000))).strftime("%Y%m%d")
    kna1 = (number, name[:35], "", city, postcode, f"{rng.randint(1, 400)} {rng.choice(_STREETS)}",
            "ZA", vat_number(rng), f"{dialling} {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
            adrnr, "KUNA", erdat, "MIGRATION", "", "", name[:10].upper(), name[:25].upper(),
            city.upper(), "", "", "", "", "", "", "", f"https://www.{domain}")
    adr6 = (adrnr, "001", f"{contact}@{domain}")
    knb1 = (number, company_code, "1100000000", terms, erdat)
    knvv = (number, company_code, "10", "00", group, terms, erdat)
    seed = SeedCustomer(number, terms, days, group, _po_numbers(rng, rng.randrange(3)))
    return [kna1], [adr6], [knb1], [knvv], seed


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _documents(rng: random.Random, customers: list[SeedCustomer], count: int, company_code: str,
               today: date, start: int) -> Iterator[tuple[tuple, list[tuple], tuple, tuple | None]]:
    """Yield (VBRK row, VBRP rows, VBKD row, BSID row or None) per billing document."""
    for i in range(count):
        customer = rng.choice(customers)
        vbeln = f"{start + i:010d}"
        aubel = f"{FIRST_SALES_ORDER + start - FIRST_BILLING_DOCUMENT + i:010d}"
        belnr = f"{FIRST_ACCOUNTING_DOCUMENT + start - FIRST_BILLING_DOCUMENT + i:010d}"
        fkdat = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
        dats = fkdat.strftime("%Y%m%d")
        items, net_total = [], Decimal("0.00")
        for posnr in range(1, rng.randint(1, 2) + 1):
            matnr, text, unit = rng.choice(_MATERIALS)
            net = _money(rng.uniform(800, 120_000))
            tax = (net * VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
            net_total += net
            items.append((vbeln, f"{posnr * 10:06d}", matnr, text, f"{rng.randint(1, 40)}.000",
                          unit, str(net), str(tax), aubel, f"{posnr * 10:06d}"))
        tax_total = sum((Decimal(item[7]) for item in items), Decimal("0.00"))
        currency = "USD" if rng.random() < 0.02 else "ZAR"
        has_po = customer.portal_group or rng.random() < 0.85
        bstkd = rng.choice(customer.purchase_orders) if has_po else ""
        cancelled = "X" if rng.random() < 0.01 else ""
        vbrk = (vbeln, "F2", currency, company_code, dats, company_code, customer.kunnr,
                customer.kunnr, str(net_total), str(tax_total), customer.terms, belnr,
                str(fkdat.year), vbeln, cancelled, "", "BILLING_JOB", dats,
                f"{rng.randint(6, 18):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}",
                "00000000")
        vbkd = (aubel, "000000", bstkd, dats, customer.terms)
        age = (today - fkdat).days
        paid = cancelled or (age > customer.net_days and rng.random() < 0.75)
        bsid = None
        if not paid:
            gross = str(net_total + tax_total)
            bsid = (company_code, customer.kunnr, "", "", "00000000", "", bstkd or vbeln,
                    str(fkdat.year), belnr, "001", dats, dats, dats, currency, vbeln, "RV",
                    f"{fkdat.month:02d}", "01", "S", gross, gross, str(tax_total),
                    f"Invoice {vbeln}", dats, customer.terms, "0", "0",
                    str(customer.net_days), vbeln)
        yield vbrk, items, vbkd, bsid


def _insert(db: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    """Insert rows whose values are the table's first fields, in dictionary order."""
    if rows:
        names = [f.name for f in TABLES[table][1]][:len(rows[0])]
        marks = ", ".join("?" * len(rows[0]))
        db.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({marks})",
                       rows)


def seed(db: sqlite3.Connection, *, customers: int, documents: int, seed: int,
         company_code: str, today: date,
         progress: Callable[[int], None] | None = None) -> None:
    """Write ``customers`` customers and ``documents`` billing documents (with open items)."""
    rng = random.Random(seed)
    book: list[SeedCustomer] = []
    tables: dict[str, list[tuple]] = {"KNA1": [], "ADR6": [], "KNB1": [], "KNVV": []}
    for n in range(1, customers + 1):
        kna1, adr6, knb1, knvv, seeded = _customer_rows(rng, n, company_code, today)
        for table, rows in zip(tables, (kna1, adr6, knb1, knvv)):
            tables[table].extend(rows)
        book.append(seeded)
    with db:
        _insert(db, "T001", [(company_code, "Supplier (Pty) Ltd", "Johannesburg", "ZA", "ZAR")])
        for table, rows in tables.items():
            _insert(db, table, rows)
        _write_payments_on_account(db, rng, book, company_code, today)
    batch: dict[str, list[tuple]] = {"VBRK": [], "VBRP": [], "VBKD": [], "BSID": []}
    done = 0
    for vbrk, items, vbkd, bsid in _documents(rng, book, documents, company_code, today,
                                              FIRST_BILLING_DOCUMENT):
        batch["VBRK"].append(vbrk)
        batch["VBRP"].extend(items)
        batch["VBKD"].append(vbkd)
        if bsid:
            batch["BSID"].append(bsid)
        done += 1
        if len(batch["VBRK"]) >= CHUNK:
            _flush(db, batch)
            if progress:
                progress(done)
    _flush(db, batch)
    if progress:
        progress(done)


def _flush(db: sqlite3.Connection, batch: dict[str, list[tuple]]) -> None:
    with db:
        for table, rows in batch.items():
            _insert(db, table, rows)
            rows.clear()


def _write_payments_on_account(db: sqlite3.Connection, rng: random.Random,
                               book: list[SeedCustomer], company_code: str, today: date) -> None:
    """A few unallocated payments on account (credit items), as every real ledger has."""
    rows = []
    for i, customer in enumerate(rng.sample(book, k=max(1, len(book) // 25))):
        day = today - timedelta(days=rng.randint(1, 60))
        dats = day.strftime("%Y%m%d")
        amount = str(_money(rng.uniform(500, 50_000)))
        rows.append((company_code, customer.kunnr, "", "", "00000000", "", "PAYMENT ON ACCOUNT",
                     str(day.year), f"{1_500_000_001 + i:010d}", "001", dats, dats, dats, "ZAR",
                     f"EFT{rng.randrange(10**8):08d}", "DZ", f"{day.month:02d}", "15", "H",
                     amount, amount, "0", "Payment on account", dats, "", "0", "0", "0", ""))
    _insert(db, "BSID", rows)
