"""The mirror's item rows (``open_item``, ``cleared_item``) read back as the items they hold:
the columns that make a :class:`receivables.items.OpenItem`, named once for every reader."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import RowMapping

from receivables.items import OpenItem

# the item's own columns, in the record's order: a field added to OpenItem is read everywhere
ITEM_COLUMNS = tuple(f.name for f in fields(OpenItem))


def item_fields(row: RowMapping) -> dict[str, Any]:
    """An item row's values by field name, ready for ``OpenItem(**…)`` or a subclass."""
    return {c: row[c] for c in ITEM_COLUMNS}
