"""Import remittance advices into the store; the same advice twice adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from config.cash import RemittanceProfile
from connectors.bank.camt import looks_like_camt
from connectors.bank.importer import line_row, read_file
from connectors.remittance.model import RemittanceAdvice
from connectors.remittance.remt import advices_in_camt054, looks_like_remt, parse_remt
from connectors.remittance.sheets import DEFAULT_PROFILE, parse_sheet
from sync import audit
from sync.cash import store as cash_store
from sync.store import Store


@dataclass
class RemittanceResult:
    advices: int = 0
    lines: int = 0
    imported: int = 0
    duplicates: int = 0

    def as_json(self) -> dict[str, int]:
        return {"advices": self.advices, "lines": self.lines, "imported": self.imported,
                "duplicates": self.duplicates}


def parse_advices(content: bytes, source: str,
                  profile: RemittanceProfile | None = None) -> list[RemittanceAdvice]:
    if looks_like_remt(content):
        return parse_remt(content, source)
    if looks_like_camt(content):
        return advices_in_camt054(content, source)
    return parse_sheet(content, source, profile or DEFAULT_PROFILE)


def import_advices(store: Store, path: Path, *, profile: RemittanceProfile | None = None,
                   actor: str = audit.SYSTEM_ACTOR) -> RemittanceResult:
    advices = parse_advices(read_file(path), str(path), profile)
    now = datetime.now(timezone.utc)
    result = RemittanceResult(advices=len(advices),
                              lines=sum(len(a.lines) for a in advices))
    with store.engine.begin() as conn:
        for advice in advices:
            if cash_store.advice_exists(conn, advice.identity):
                result.duplicates += 1
                continue
            cash_store.insert_advice(conn, {
                "identity": advice.identity, "payer": advice.payer[:140],
                "payment_reference": advice.payment_reference[:140],
                "advice_date": advice.advice_date, "currency": advice.currency,
                "total": advice.total, "source": f"{path.name} {advice.where}"[:255],
                "receipt_id": None, "created_at": now},
                [line_row(line) for line in advice.lines])
            result.imported += 1
        audit.record(conn, [audit.event(action="remittance imported", entity="remittance",
                                        key=path.name, actor=actor, at=now,
                                        detail=result.as_json())])
    return result
