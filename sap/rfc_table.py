"""Pure helpers for RFC_READ_TABLE: WHERE lines, field groups, row parsing. No I/O here.

RFC_READ_TABLE has two hard limits that real extractors trip over: each returned row (``WA``)
is at most 512 characters, and each WHERE line (``OPTIONS-TEXT``) at most 72 characters. Field
lists wider than a row are split into groups that each carry the key, and WHERE clauses are
broken between tokens, never inside a literal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation

from sap.errors import SapDataError

ROW_WIDTH = 512
WHERE_LINE_WIDTH = 72
EMPTY_DATE = "00000000"


def quote(value: str) -> str:
    """An ABAP Open SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def _tokens(clause: str) -> list[str]:
    """Split a WHERE clause at spaces that are outside quoted literals."""
    tokens: list[str] = []
    current: list[str] = []
    in_literal = False
    for char in clause:
        if char == "'":
            in_literal = not in_literal
        if char == " " and not in_literal:
            if current:
                tokens.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def where_lines(clause: str, width: int = WHERE_LINE_WIDTH) -> list[dict[str, str]]:
    """The ``OPTIONS`` table for a WHERE clause: lines of at most ``width`` characters."""
    lines: list[str] = []
    line = ""
    for token in _tokens(clause):
        if len(token) > width:
            raise ValueError(f"WHERE token longer than {width} characters: {token[:20]}...")
        candidate = f"{line} {token}" if line else token
        if len(candidate) > width:
            lines.append(line)
            line = token
        else:
            line = candidate
    if line:
        lines.append(line)
    return [{"TEXT": text} for text in lines]


def in_list(field: str, values: Iterable[str]) -> str:
    """``FIELD IN ( 'a' , 'b' )``, spaced so it breaks cleanly into WHERE lines."""
    literals = " , ".join(quote(v) for v in values)
    return f"{field} IN ( {literals} )"


def field_groups(
    fields: Sequence[tuple[str, int]], keys: Sequence[str], width: int = ROW_WIDTH
) -> list[list[str]]:
    """Split ``(name, length)`` fields into groups whose rows fit ``width``; each has the keys.

    The delimiter costs one character between fields.
    """
    lengths = dict(fields)
    key_width = sum(lengths[k] for k in keys) + max(len(keys) - 1, 0)
    groups: list[list[str]] = []
    current, used = list(keys), key_width
    for name, length in fields:
        if name in keys:
            continue
        if key_width + 1 + length > width:
            raise ValueError(f"field {name} ({length}) does not fit one {width}-char row")
        if used + 1 + length > width:
            groups.append(current)
            current, used = list(keys), key_width
        current.append(name)
        used += 1 + length
    groups.append(current)
    return groups


def parse_rows(result: dict, table: str) -> list[dict[str, str]]:
    """Rows of an RFC_READ_TABLE result as ``{field: stripped text}``, cut by offset/length."""
    layout = [
        (f["FIELDNAME"], int(f["OFFSET"]), int(f["OFFSET"]) + int(f["LENGTH"]))
        for f in result["FIELDS"]
    ]
    rows = []
    for row in result["DATA"]:
        wa = row["WA"]
        rows.append({name: wa[start:end].strip() for name, start, end in layout})
    return rows


def to_date(text: str, *, table: str, field: str, key: str) -> date | None:
    """SAP DATS (``YYYYMMDD``; blank or zeros mean no date)."""
    if not text or text == EMPTY_DATE:
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise SapDataError(f"{table} {key}: field {field} is not a date: {text!r}") from exc


def to_amount(text: str, *, table: str, field: str, key: str) -> Decimal:
    """SAP CURR/DEC as written by RFC_READ_TABLE (a trailing minus for negatives)."""
    text = text.strip()
    if not text:
        return Decimal("0.00")
    negative = text.endswith("-")
    try:
        value = Decimal(text.rstrip("-").replace(",", ""))
    except InvalidOperation as exc:
        raise SapDataError(f"{table} {key}: field {field} is not an amount: {text!r}") from exc
    return -value if negative else value


def to_datetime(day: date, hhmmss: str | None, tz: tzinfo) -> datetime:
    """SAP date plus TIMS (``HHMMSS``) in the system's time zone."""
    clock = time(0, 0, 0)
    if hhmmss and len(hhmmss) == 6 and hhmmss.isdigit():
        clock = time(int(hhmmss[:2]), int(hhmmss[2:4]), int(hhmmss[4:6]))
    return datetime.combine(day, clock, tzinfo=tz)
