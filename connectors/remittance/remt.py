"""ISO 20022 remt.001 (remittance advice), any version, and the remittance details inside a
camt.054 notification, read into advices."""

from __future__ import annotations

from datetime import date

from lxml import etree

from connectors.bank.camt import _Reader, _remittance, _strip, parse_camt, read_xml
from connectors.remittance.model import RemittanceAdvice


def looks_like_remt(head: bytes) -> bool:
    return b"remt.001" in head[:4096] or b"RmtAdvc" in head[:4096]


def parse_remt(content: bytes, source: str) -> list[RemittanceAdvice]:
    root = read_xml(content, source)
    _strip(root)
    reader = _Reader(source)
    message = root[0] if root.tag == "Document" and len(root) else None
    if message is None or message.tag != "RmtAdvc":
        raise reader.fail(root, "not an ISO 20022 remt.001 remittance advice (RmtAdvc)")
    default_payer = reader.text(message, "GrpHdr/InitgPty/Nm") or \
        reader.text(message, "GrpHdr/InitgPty/Pty/Nm")
    created = reader.text(message, "GrpHdr/CreDtTm")[:10]
    advices = []
    for info in message.findall("RmtInf"):
        original = info.find("OrgnlPmtInf")
        scope = original if original is not None else info
        reference = reader.text(info, "RmtId") or reader.text(scope, "Refs/EndToEndId") or \
            reader.text(scope, "Refs/InstrId")
        payer = reader.text(scope, "Dbtr/Nm") or reader.text(scope, "Dbtr/Pty/Nm") or \
            default_payer
        raw_day = reader.text(scope, "ReqdExctnDt/Dt") or reader.text(scope, "ReqdExctnDt") \
            or created
        try:
            day = date.fromisoformat(raw_day[:10])
        except ValueError:
            raise reader.fail(info, f"date {raw_day!r} is not YYYY-MM-DD") from None
        wrapper = etree.Element("TxDtls")
        holder = etree.SubElement(wrapper, "RmtInf")
        for strd in info.findall("Strd"):
            holder.append(strd)
        lines = _remittance(reader, wrapper)
        if not lines:
            raise reader.fail(info, "no referred document (Strd/RfrdDocInf/Nb)")
        if not reference or not payer:
            raise reader.fail(info, "payment reference (RmtId or EndToEndId) or payer name "
                                    "(Dbtr/Nm) is missing")
        currency = _currency(info)
        advices.append(RemittanceAdvice(payer=payer, payment_reference=reference,
                                        advice_date=day, currency=currency, lines=lines,
                                        where=f"line {info.sourceline}"))
    if not advices:
        raise reader.fail(message, "no <RmtInf> in the advice")
    return advices


def _currency(info: etree._Element) -> str:
    for element in info.iter():
        if isinstance(element.tag, str) and element.get("Ccy"):
            return element.get("Ccy", "")
    return "ZAR"


def advices_in_camt054(content: bytes, source: str) -> list[RemittanceAdvice]:
    """The structured remittance of each credit in a camt.054 notification."""
    result = []
    for statement in parse_camt(content, source):
        for entry in statement.entries:
            if entry.remittance and entry.is_receipt:
                result.append(RemittanceAdvice(
                    payer=entry.payer_name, payment_reference=entry.reference or entry.bank_ref,
                    advice_date=entry.booking_date, currency=entry.currency,
                    lines=entry.remittance, where=entry.where))
    return result
