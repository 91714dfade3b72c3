"""ABAP values as Python (pure): DATS dates, CURR/DEC amounts with a trailing minus, and a
date with a TIMS time in the system's zone. Shared by the RFC adapter and the BAPI result
mapping (:mod:`sap.bapi`), so neither imports the other."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation

from sap.errors import SapDataError

EMPTY_DATE = "00000000"
ZERO = Decimal("0.00")
MIDNIGHT = time(0, 0, 0)
NOON = time(12, 0, 0)


_DATES: dict[str, date] = {}
KNOWN_DATES = _DATES  # read-only use elsewhere: ``KNOWN_DATES.get(text)``
_DATES_MAX = 100_000


def to_date(text: str, *, table: str, field: str, key: str) -> date | None:
    """SAP DATS (``YYYYMMDD``; blank or zeros mean no date). Parsed dates are memoised: a
    pull reads few distinct days millions of times."""
    known = _DATES.get(text)
    if known is not None:
        return known
    if not text or text == EMPTY_DATE:
        return None
    try:
        parsed = date.fromisoformat(text)  # YYYYMMDD is ISO 8601's basic format
    except ValueError as exc:
        raise SapDataError(f"{table} {key}: field {field} is not a date: {text!r}") from exc
    if len(_DATES) < _DATES_MAX:
        _DATES[text] = parsed
    return parsed


def to_amount(text: str, *, table: str, field: str, key: str) -> Decimal:
    """SAP CURR/DEC as written by RFC_READ_TABLE (a trailing minus for negatives)."""
    try:
        if text.endswith("-"):
            return -Decimal(text[:-1])
        return Decimal(text) if text else ZERO
    except InvalidOperation as exc:
        raise SapDataError(f"{table} {key}: field {field} is not an amount: {text!r}") from exc


_MIDNIGHTS: dict[tuple[tzinfo, date], datetime] = {}


def to_datetime(day: date, hhmmss: str | None, tz: tzinfo) -> datetime:
    """SAP date plus TIMS (``HHMMSS``) in the system's time zone, as UTC.

    The zone's offset is looked up once per day (a full pull converts millions of stamps):
    the day's local midnight in UTC is kept, and the time of day added to it. An hour lost or
    repeated at a daylight-saving change is read with the day's noon offset. A time that is
    blank or not a time of day counts as midnight.
    """
    midnight = _MIDNIGHTS.get((tz, day))
    if midnight is None:
        offset = datetime.combine(day, NOON, tzinfo=tz).utcoffset() or timedelta(0)
        midnight = (datetime.combine(day, MIDNIGHT) - offset).replace(tzinfo=timezone.utc)
        _MIDNIGHTS[(tz, day)] = midnight
    if hhmmss and len(hhmmss) == 6 and hhmmss.isdigit():
        hours, minutes, seconds = int(hhmmss[:2]), int(hhmmss[2:4]), int(hhmmss[4:6])
        if hours < 24 and minutes < 60 and seconds < 60:
            return midnight + timedelta(seconds=hours * 3600 + minutes * 60 + seconds)
    return midnight
