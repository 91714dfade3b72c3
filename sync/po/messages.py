"""What the billing team receives (pure): which client, which PO, the balance left, the
forecast run-out, which invoices are waiting and what to do, with the amount needed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

COVER_MONTHS = 3


def _money(value: str | None, currency: str) -> str:
    return "unknown" if value is None else f"{Decimal(value):,.2f} {currency}"


def subject(alert: dict[str, Any]) -> str:
    s = alert["snapshot"]
    return (f"[arbridge] {alert['level'].upper()}: PO {s['po']} of {s['client']} on "
            f"{s['portal']}")


def what_to_do(s: dict[str, Any]) -> str:
    currency = s["currency"]
    needed = Decimal(s["needed"])
    advice = f"Ask {s['client']} for a new PO (or a top-up of PO {s['po']})"
    if needed > 0:
        advice += f" of at least {needed:,.2f} {currency} to cover the invoices waiting"
    if s.get("monthly_rate"):
        cover = Decimal(s["monthly_rate"]) * COVER_MONTHS
        advice += (f"; about {cover:,.2f} {currency} covers the next {COVER_MONTHS} months at "
                   "the current rate")
    advice += (". When the new PO is on the portal, arbridge releases held invoices by itself "
               "in billing-date order; if SAP's billing documents still carry the old number, "
               "re-point them with `arbridge po assign DOC NEW-PO`.")
    return advice


def currency_advice(s: dict[str, Any]) -> str:
    """For invoices held because their currency is not the PO's: a new PO or a top-up in
    the PO's currency would not release them."""
    return (f"These invoices are not in {s['currency']}, the currency of PO {s['po']}: a new "
            "PO or a top-up will not release them. Correct the billing document's currency "
            f"in SAP, or point it at a PO of {s['client']} in its own currency with "
            "`arbridge po assign DOC PO`.")


def body(alert: dict[str, Any]) -> str:
    s = alert["snapshot"]
    currency = s["currency"]
    advice = currency_advice(s) if alert.get("rule") == "currency" else what_to_do(s)
    lines = [f"{s['client']} — PO {s['po']} on {s['portal']}",
             f"Level: {alert['level'].upper()} ({alert['summary']})", "",
             f"Remaining balance: {_money(s['remaining'], currency)} of "
             f"{_money(s['total'], currency)}",
             f"Forecast run-out: {s['runout'] or 'none'} ({s['forecast']})",
             f"PO valid to: {s['valid_to'] or 'no end date'}"]
    waiting = s.get("waiting") or []
    mine = [w for w in waiting if w.get("currency", currency) == currency]
    others = [w for w in waiting if w.get("currency", currency) != currency]
    if mine:
        total = sum((Decimal(w["net"]) for w in mine), Decimal("0"))
        lines += ["", f"Invoices waiting on this PO ({len(mine)}, {total:,.2f} {currency} "
                      "net):"]
        lines += [_line(w, currency) for w in mine]
    elif not others:
        lines += ["", "No invoices are waiting on this PO yet."]
    if others:  # never added to the PO's figures: another currency
        lines += ["", f"Invoices on this PO in another currency ({len(others)}; currency "
                      "differs from the PO's, not counted against it):"]
        lines += [_line(w, w["currency"]) for w in others]
    lines += ["", f"What to do: {advice}", "",
              f"Alert {alert['id']} · rule {alert['rule']} · opened "
              f"{alert['opened_at']:%Y-%m-%d %H:%M} UTC · acknowledge with "
              f"`arbridge alerts ack {alert['id']}`"]
    return "\n".join(lines)


def _line(w: dict[str, Any], currency: str) -> str:
    return (f"  {w['document'].lstrip('0'):>10}  billed {w['billed']}  "
            f"{Decimal(w['net']):>14,.2f} {currency}  {w['state']}")


def digest(alerts: list[dict[str, Any]]) -> tuple[str, str]:
    """One message for many alerts (digest mode): the worst first."""
    order = {"exhausted": 0, "critical": 1, "warning": 2}
    chosen = sorted(alerts, key=lambda a: (order.get(a["level"], 3), a["id"]))
    counts = {level: sum(1 for a in chosen if a["level"] == level) for level in order}
    title = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
    separator = "\n\n" + "-" * 72 + "\n\n"
    return (f"[arbridge] PO alerts: {title}",
            separator.join(f"{subject(a)}\n\n{body(a)}" for a in chosen))
