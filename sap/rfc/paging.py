"""Paging RFC_READ_TABLE safely when SAP returns rows in no particular order (pure; no I/O).

RFC_READ_TABLE runs ``SELECT … WHERE (options)`` without ORDER BY and stops at ROWCOUNT: a
page is *any* N matching rows (on HANA, in no stable order), so ``KEY > last`` after a
ROWCOUNT-limited call skips rows. What is safe:

* a call **without** ROWCOUNT returns every matching row of its key range, in some order;
* a call with ROWCOUNT = N + 1 that returns N rows or fewer returned every row of its range.

So the adapter first reads only the key column (narrow) for a key range, with ROWCOUNT one
above its limit. If the range holds more keys than that, the keys it did get are a sample of
the range: the range is split at the sample's quantiles and each part read again, until every
part is complete. The complete, sorted key list of a range is then cut into pages of
consecutive keys, and each page's full rows are read by a bounded key range without ROWCOUNT.
Ranges are ``(low, high]``: low exclusive (the resume key), high inclusive (``None`` = open).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sap.rfc.table import quote

SPLIT_PARTS = 16


@dataclass(frozen=True, slots=True)
class KeyRange:
    """Keys ``k`` with ``low < k <= high``; ``None`` leaves that side open."""

    low: str | None
    high: str | None

    def clause(self, field: str) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{field} > {quote(self.low)}")
        if self.high is not None:
            parts.append(f"{field} <= {quote(self.high)}")
        return " AND ".join(parts)


def joined(*clauses: str) -> str:
    """Clauses joined with AND, each parenthesised when it has an OR."""
    present = [f"( {c} )" if " OR " in c else c for c in clauses if c]
    return " AND ".join(present)


def split(whole: KeyRange, sample: Sequence[str], parts: int = SPLIT_PARTS) -> list[KeyRange]:
    """Cut ``whole`` at quantiles of ``sample`` (keys read from it, sorted, distinct), in key
    order. With at least two distinct keys in the sample, every part holds fewer of the
    range's keys than ``whole``: each ends at or before the sample's last key and (but the
    first) starts after its first, and the tail after the last holds none of the sample."""
    if not sample:
        return [whole]
    step = max(1, len(sample) // parts)
    cuts = sorted(set(sample[step - 1::step]) | {sample[-1]})
    ranges, low = [], whole.low
    for cut in cuts:
        ranges.append(KeyRange(low, cut))
        low = cut
    ranges.append(KeyRange(low, whole.high))
    return ranges


def pages(parts: Iterable[tuple[KeyRange, list[str]]],
          size: int) -> Iterator[tuple[KeyRange, str]]:
    """Cut consecutive complete key ranges (each with all its keys, sorted) into ranges of
    ``size`` keys (the last may hold fewer) that together cover them, so a row added
    meanwhile is read too, never skipped.

    Yields ``(range, last_key)``: the range to read and the key a resumed pull continues after.
    """
    buffer: list[str] = []
    low: str | None = None
    high: str | None = None
    started = False
    for part, keys in parts:
        if not started:
            low, started = part.low, True
        buffer = buffer + keys if buffer else keys
        high = part.high
        start = 0
        while len(buffer) - start >= size:
            last = buffer[start + size - 1]
            start += size
            yield KeyRange(low, last), last
            low = last
        buffer = buffer[start:]
    if buffer:
        yield KeyRange(low, high), buffer[-1] if high is None else high
