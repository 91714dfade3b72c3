"""Translate the Open SQL WHERE subset that RFC_READ_TABLE accepts into parameterised SQLite.

Supported: ``F op 'lit'`` (op: = <> < <= > >= and EQ NE LT LE GT GE), ``F IN ( 'a' , 'b' )``,
``F LIKE 'A%'``, ``F BETWEEN 'a' AND 'b'``, AND / OR / NOT and parentheses. Field names are
checked against the table; literals become parameters, so nothing in them is ever SQL.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(<>|<=|>=|=|<|>)|([(),])|([A-Za-z_][A-Za-z0-9_]*))")
_OPS = {"=": "=", "EQ": "=", "<>": "<>", "NE": "<>", "<": "<", "LT": "<", "<=": "<=",
        "LE": "<=", ">": ">", "GT": ">", ">=": ">=", "GE": ">="}


class WhereError(ValueError):
    """The clause is not valid Open SQL for this table (RFC_READ_TABLE: OPTION_NOT_VALID)."""


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise WhereError(f"cannot read WHERE near {text[pos:pos + 15]!r}")
        literal, op, punct, word = match.groups()
        if literal is not None:
            tokens.append(("lit", literal[1:-1].replace("''", "'")))
        elif op is not None:
            tokens.append(("op", op))
        elif punct is not None:
            tokens.append((punct, punct))
        else:
            upper = word.upper()
            kind = "op" if upper in _OPS else "word"
            tokens.append((kind, upper))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], fields: set[str]) -> None:
        self.tokens, self.fields, self.pos = tokens, fields, 0
        self.params: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise WhereError(f"expected {value or kind}, found {token[1] if token else 'end'}")
        self.pos += 1
        return token

    def expression(self) -> str:
        parts = [self.conjunction()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.conjunction())
        return " OR ".join(parts)

    def conjunction(self) -> str:
        parts = [self.factor()]
        while self.peek() == ("word", "AND"):
            self.take()
            parts.append(self.factor())
        return " AND ".join(parts)

    def factor(self) -> str:
        token = self.peek()
        if token == ("word", "NOT"):
            self.take()
            return f"NOT ({self.factor()})"
        if token == ("(", "("):
            self.take()
            inner = self.expression()
            self.take(")")
            return f"({inner})"
        return self.comparison()

    def literal(self) -> str:
        self.params.append(self.take("lit")[1])
        return "?"

    def comparison(self) -> str:
        field = self.take("word")[1]
        if field not in self.fields:
            raise WhereError(f"unknown field {field}")
        token = self.take()
        if token[0] == "op":
            return f"{field} {_OPS[token[1]]} {self.literal()}"
        negate = ""
        if token == ("word", "NOT"):
            negate, token = "NOT ", self.take("word")
        if token[1] == "IN":
            self.take("(")
            marks = [self.literal()]
            while self.peek() == (",", ","):
                self.take()
                marks.append(self.literal())
            self.take(")")
            return f"{field} {negate}IN ({', '.join(marks)})"
        if token[1] == "LIKE":
            return f"{field} {negate}LIKE {self.literal()}"
        if token[1] == "BETWEEN":
            low = self.literal()
            self.take("word", "AND")
            return f"{field} {negate}BETWEEN {low} AND {self.literal()}"
        raise WhereError(f"unexpected {token[1]} after {field}")


def translate(clause: str, fields: set[str]) -> tuple[str, list[str]]:
    """``(sql, params)`` for a WHERE clause; raises :class:`WhereError` if it is not valid."""
    tokens = _tokenize(clause)
    if not tokens:
        return "1=1", []
    parser = _Parser(tokens, fields)
    sql = parser.expression()
    leftover = parser.peek()
    if leftover is not None:
        raise WhereError(f"unexpected {leftover[1]}")
    return sql, parser.params
