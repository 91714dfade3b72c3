"""Pure helpers for RFC_READ_TABLE: WHERE lines, field groups, row parsing. No I/O here.

RFC_READ_TABLE has two hard limits that real extractors trip over: each returned row (``WA``)
is at most 512 characters, and each WHERE line (``OPTIONS-TEXT``) at most 72 characters. Field
lists wider than a row are split into groups that each carry the key, and WHERE clauses are
broken between tokens, never inside a literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sap.abap_values import (  # noqa: F401 - re-exported: the RFC adapter's names
    EMPTY_DATE,
    KNOWN_DATES,
    to_amount,
    to_date,
    to_datetime,
)
from sap.errors import SapDataError

ROW_WIDTH = 512
WHERE_LINE_WIDTH = 72


def quote(value: str) -> str:
    """An ABAP Open SQL literal."""
    return "'" + value.replace("'", "''") + "'"


_TOKEN = re.compile(r"(?:'(?:[^']|'')*'|[^ '])+")


def _tokens(clause: str) -> list[str]:
    """Split a WHERE clause at spaces that are outside quoted literals."""
    return _TOKEN.findall(clause)


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


def parse_rows(result: dict, table: str, delimiter: str = "|") -> list[dict[str, str]]:
    """Rows of an RFC_READ_TABLE result as ``{field: stripped text}``.

    WA is a character string and OFFSET/LENGTH count characters (SAP is Unicode). pyrfc
    strips trailing blanks (rstrip), so a row is often shorter than the layout. A row that
    splits into exactly one part per field is read by its delimiters; one with a delimiter
    inside a value is cut by offsets, after checking every delimiter sits where the layout
    says. A row that fits neither is refused with its key, never read with shifted fields.
    """
    layout = [
        (f["FIELDNAME"], int(f["OFFSET"]), int(f["OFFSET"]) + int(f["LENGTH"]))
        for f in result["FIELDS"]
    ]
    names = [name for name, _, _ in layout]
    width = layout[-1][2] if layout else 0
    count = len(names)
    rows = []
    for row in result["DATA"]:
        wa = row["WA"]
        if delimiter and len(wa) <= width:
            parts = wa.split(delimiter)
            if len(parts) == count:
                rows.append(dict(zip(names, map(str.strip, parts), strict=False)))
                continue
        _check_layout(wa, layout, width, delimiter, table)
        rows.append({name: wa[start:end].strip() for name, start, end in layout})
    return rows


def parse_column(result: dict, table: str) -> list[str]:
    """The values of a one-field RFC_READ_TABLE result (a key column), stripped."""
    fields = result["FIELDS"]
    width = int(fields[0]["LENGTH"]) if fields else 0
    values = [row["WA"].strip() for row in result["DATA"]]
    for row in result["DATA"]:
        if len(row["WA"]) > width:
            name = fields[0]["FIELDNAME"]
            raise SapDataError(f"{table} {name} {row['WA'].strip()!r}: longer than the field's "
                               f"{width} characters. Check that the SAP system is Unicode.")
    return values


def _check_layout(wa: str, layout: list[tuple[str, int, int]], width: int, delimiter: str,
                  table: str) -> None:
    misplaced = len(wa) > width or (bool(delimiter) and any(
        wa[start - 1:start] != delimiter for _, start, _ in layout[1:] if start - 1 < len(wa)))
    if misplaced:
        name, start, end = layout[0]
        raise SapDataError(
            f"{table} {name} {wa[start:end].strip()!r}: the row does not match the field "
            f"layout ({len(wa)} characters for {width}; a value is longer than its field or a "
            "delimiter is out of place). Check that the SAP system is Unicode and that "
            "RFC_READ_TABLE is the standard one.")
