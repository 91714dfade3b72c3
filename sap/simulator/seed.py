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

_PLACES = ["Hoëveld", "Môreson", "Zoë", "O’Brien", "D’Almeida", "Kwêvoël",
           "Highveld", "Karoo", "Drakensberg", "Limpopo", "Kalahari", "Boland", "Umhlaba",
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
# payment terms in SAP's three shapes: one term (ZBD1T only), two (discount, then net in
# ZBD2T) and three (two discounts, net in ZBD3T); (key, ZBD1T, ZBD2T, ZBD3T)
_TERMS = [("Z030", 30, 0, 0), ("Z030", 30, 0, 0), ("Z230", 7, 30, 0), ("Z345", 10, 20, 45),
          ("Z060", 60, 0, 0), ("NT07", 7, 0, 0)]
#: TCURX: currencies without two decimals
CURRENCY_DECIMALS = {"JPY": 0, "KWD": 3, "BHD": 3}
_FOREIGN = [("USD", Decimal("18.1")), ("JPY", Decimal("0.12")), ("KWD", Decimal("58.9"))]
_MATERIALS = [("SRV-CONS", "Consulting services", "H"), ("SRV-MAINT", "Maintenance call-out",
              "EA"), ("MAT-PUMP", "Slurry pump spares", "EA"), ("MAT-CABLE", "Armoured cable",
              "M"), ("SRV-LOGI", "Freight and handling", "EA"), ("MAT-PPE", "Safety equipment",
              "EA")]


@dataclass(frozen=True, slots=True)
class SeedCustomer:
    kunnr: str
    terms: str
    days: tuple[int, int, int]
    portal_group: str
    purchase_orders: tuple[str, ...]

    @property
    def net_days(self) -> int:
        return self.days[2] or self.days[1] or self.days[0]


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
    terms, zbd1t, zbd2t, zbd3t = rng.choice(_TERMS)
    roll = rng.random()
    group = "P01" if roll < 0.2 else "P02" if roll < 0.3 else ""
    erdat = (created - timedelta(days=rng.randint(400, 3000))).strftime("%Y%m%d")
    kna1 = (number, name[:35].rstrip(), "", city, postcode,
            f"{rng.randint(1, 400)} {rng.choice(_STREETS)}",
            "ZA", vat_number(rng), f"{dialling} {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
            adrnr, "KUNA", erdat, "MIGRATION", "", "", name[:10].upper(), name[:25].upper(),
            city.upper(), "", "", "", "", "", "", "", f"https://www.{domain}")
    adr6 = _emails(rng, n, adrnr, f"{contact}@{domain}", domain)
    knb1 = (number, company_code, "1100000000", terms, erdat)
    knvv = (number, company_code, "10", "00", group, terms, erdat)
    seed = SeedCustomer(number, terms, (zbd1t, zbd2t, zbd3t), group,
                        _po_numbers(rng, rng.randrange(3)))
    return [kna1], adr6, [knb1], [knvv], seed


def _emails(rng: random.Random, n: int, adrnr: str, email: str, domain: str) -> list[tuple]:
    """ADR6 under one address number: the company's own (PERSNUMBER empty, one flagged as
    the default) and, for some customers, a contact person's or a second company address."""
    since = "00010101"
    rows = [(adrnr, "", since, "001", "X", email)]
    if n % 7 == 3:  # a second company address; the default is the later one
        rows[0] = (adrnr, "", since, "001", "", f"info@{domain}")
        rows.append((adrnr, "", since, "002", "X", email))
    elif rng.random() < 0.3:  # a contact person's e-mail: same address number, a person number
        rows.append((adrnr, f"{5_000_000 + n:010d}", since, "001", "X",
                     f"{rng.choice(_FIRST).lower()}@{domain}"))
    return rows


def _money(value: float, places: int = 2) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def internal(amount: Decimal, currency: str) -> str:
    """An amount as SAP stores a CURR field: two decimals whatever the currency's own."""
    places = CURRENCY_DECIMALS.get(currency, 2)
    return str(amount.scaleb(places - 2).quantize(CENT))


@dataclass(slots=True)
class _Invoice:
    vbeln: str
    customer: SeedCustomer
    fkdat: date
    currency: str
    net: Decimal
    tax: Decimal
    belnr: str


def _currency(rng: random.Random) -> tuple[str, int, Decimal]:
    roll = rng.random()
    for i, (currency, rate) in enumerate(_FOREIGN):
        if roll < 0.01 * (i + 1):
            return currency, CURRENCY_DECIMALS.get(currency, 2), rate
    return "ZAR", 2, Decimal(1)


def _documents(rng: random.Random, customers: list[SeedCustomer], count: int, company_code: str,
               today: date, start: int) -> Iterator[tuple[tuple, list[tuple], tuple | None,
                                                          tuple | None, str | None]]:
    """Yield (VBRK row, VBRP rows, VBKD row or None, BSID row or None, cancelled number or
    None) per billing document. About 1% are cancellations (VF11: type S1, SFAKN naming the
    invoice they cancel, which is then marked cancelled and leaves the open items)."""
    recent: list[_Invoice] = []
    bound = [c for c in customers if c.portal_group]
    for i in range(count):
        vbeln = f"{start + i:010d}"
        belnr = f"{FIRST_ACCOUNTING_DOCUMENT + start - FIRST_BILLING_DOCUMENT + i:010d}"
        if recent and rng.random() < 0.01:
            original = recent.pop(rng.randrange(len(recent)))
            day = min(original.fkdat + timedelta(days=rng.randint(0, 5)), today - timedelta(1))
            dats = day.strftime("%Y%m%d")
            kunnr_ = original.customer.kunnr
            vbrk = (vbeln, "S1", original.currency, company_code, dats, company_code, kunnr_,
                    kunnr_, internal(original.net, original.currency),
                    internal(original.tax, original.currency), original.customer.terms, belnr,
                    str(day.year), original.vbeln, "", original.vbeln, "VF11", dats,
                    f"{rng.randint(6, 18):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}",
                    "00000000")
            yield vbrk, [], None, None, original.vbeln
            continue
        # the clients on procurement portals are the big ones: they get a third of the bills
        customer = rng.choice(bound) if bound and rng.random() < 0.33 else rng.choice(customers)
        aubel = f"{FIRST_SALES_ORDER + start - FIRST_BILLING_DOCUMENT + i:010d}"
        fkdat = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
        dats = fkdat.strftime("%Y%m%d")
        currency, places, rate = _currency(rng)
        items, net_total, tax_total = [], Decimal(0), Decimal(0)
        for posnr in range(1, rng.randint(1, 2) + 1):
            matnr, text, unit = rng.choice(_MATERIALS)
            net = _money(rng.uniform(800, 120_000) / float(rate), places)
            tax = (net * VAT_RATE).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            net_total += net
            tax_total += tax
            items.append((vbeln, f"{posnr * 10:06d}", matnr, text, f"{rng.randint(1, 40)}.000",
                          unit, internal(net, currency), internal(tax, currency), aubel,
                          f"{posnr * 10:06d}"))
        has_po = customer.portal_group or rng.random() < 0.85
        bstkd = rng.choice(customer.purchase_orders) if has_po else ""
        vbrk = (vbeln, "F2", currency, company_code, dats, company_code, customer.kunnr,
                customer.kunnr, internal(net_total, currency), internal(tax_total, currency),
                customer.terms, belnr, str(fkdat.year), vbeln, "", "", "BILLING_JOB", dats,
                f"{rng.randint(6, 18):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}",
                "00000000")
        vbkd = (aubel, "000000", bstkd, dats, customer.terms)
        age = (today - fkdat).days
        paid = age > customer.net_days and rng.random() < 0.75
        gross = net_total + tax_total
        local = (gross * rate).quantize(CENT)
        zbd1t, zbd2t, zbd3t = customer.days
        augdt, augbl = "00000000", ""
        if paid:  # cleared by a payment (BSAD), on a day derived from the number, not drawn
            cleared = min(fkdat + timedelta(days=customer.net_days + int(vbeln) % 17),
                          today - timedelta(days=1))
            augdt, augbl = cleared.strftime("%Y%m%d"), f"{1_400_000_000 + i + 1:010d}"
        bsid = (company_code, customer.kunnr, "", "", augdt, augbl, bstkd or vbeln,
                str(fkdat.year), belnr, "001", dats, dats, dats, currency, vbeln, "RV",
                f"{fkdat.month:02d}", "01", "S", str(local), internal(gross, currency),
                internal(tax_total, currency), f"Invoice {vbeln}", dats, customer.terms,
                str(zbd1t), str(zbd2t), str(zbd3t), vbeln, "")
        if not paid:
            recent.append(_Invoice(vbeln, customer, fkdat, currency, net_total, tax_total,
                                   belnr))
            del recent[:-50]
        yield vbrk, items, vbkd, bsid, None


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
        for table, rows in zip(tables, (kna1, adr6, knb1, knvv), strict=False):
            tables[table].extend(rows)
        book.append(seeded)
    with db:
        _insert(db, "T001", [(company_code, "Supplier (Pty) Ltd", "Johannesburg", "ZA", "ZAR")])
        for table, rows in tables.items():
            _insert(db, table, rows)
        _insert(db, "TCURX", [(k, str(v)) for k, v in CURRENCY_DECIMALS.items()])
        _write_payments_on_account(db, rng, book, company_code, today)
    batch: dict[str, list[tuple]] = {"VBRK": [], "VBRP": [], "VBKD": [], "BSID": [],
                                     "BSAD": []}
    cancelled: list[str] = []
    done = 0
    for vbrk, items, vbkd, bsid, cancels in _documents(rng, book, documents, company_code,
                                                      today, FIRST_BILLING_DOCUMENT):
        batch["VBRK"].append(vbrk)
        batch["VBRP"].extend(items)
        if vbkd:
            batch["VBKD"].append(vbkd)
        if bsid:
            batch["BSAD" if bsid[5] else "BSID"].append(bsid)
        if cancels:
            cancelled.append(cancels)
        done += 1
        if len(batch["VBRK"]) >= CHUNK:
            _flush(db, batch, cancelled)
            if progress:
                progress(done)
    _flush(db, batch, cancelled)
    if progress:
        progress(done)


def _flush(db: sqlite3.Connection, batch: dict[str, list[tuple]], cancelled: list[str]) -> None:
    with db:
        for table, rows in batch.items():
            _insert(db, table, rows)
            rows.clear()
        # VF11 marks the invoice cancelled (its change date stays) and clears its open item
        db.executemany("UPDATE VBRK SET FKSTO = 'X' WHERE VBELN = ?", [(v,) for v in cancelled])
        db.executemany("DELETE FROM BSID WHERE VBELN = ? AND BLART = 'RV'",
                       [(v,) for v in cancelled])
        cancelled.clear()


def _write_payments_on_account(db: sqlite3.Connection, rng: random.Random,
                               book: list[SeedCustomer], company_code: str, today: date) -> None:
    """Unallocated payments on account and credit memos (credit items), as every real ledger
    has: some credit memos refer to an invoice (due like it), some do not (due at once)."""
    rows = []
    for i, customer in enumerate(rng.sample(book, k=max(1, len(book) // 25))):
        day = today - timedelta(days=rng.randint(1, 60))
        dats = day.strftime("%Y%m%d")
        amount = str(_money(rng.uniform(500, 50_000)))
        rows.append((company_code, customer.kunnr, "", "", "00000000", "", "PAYMENT ON ACCOUNT",
                     str(day.year), f"{1_500_000_001 + i:010d}", "001", dats, dats, dats, "ZAR",
                     f"EFT{rng.randrange(10**8):08d}", "DZ", f"{day.month:02d}", "15", "H",
                     amount, amount, "0", "Payment on account", dats, "", "0", "0", "0", "",
                     ""))
    for i, customer in enumerate(rng.sample(book, k=max(2, len(book) // 25))):
        day = today - timedelta(days=rng.randint(1, 60))
        dats = day.strftime("%Y%m%d")
        amount = str(_money(rng.uniform(200, 8_000)))
        reference = f"{1_400_000_001 + rng.randrange(1000):010d}" if i % 2 else ""
        zbd1t, zbd2t, zbd3t = customer.days
        rows.append((company_code, customer.kunnr, "", "", "00000000", "", "CREDIT MEMO",
                     str(day.year), f"{1_600_000_001 + i:010d}", "001", dats, dats, dats, "ZAR",
                     f"CN{i:06d}", "DG", f"{day.month:02d}", "11", "H", amount, amount, "0",
                     "Credit memo", dats, customer.terms, str(zbd1t), str(zbd2t), str(zbd3t),
                     "", reference))
    _insert(db, "BSID", rows)
