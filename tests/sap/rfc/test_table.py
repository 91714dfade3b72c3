from datetime import date
from decimal import Decimal

import pytest

from sap.errors import SapDataError
from sap.rfc.table import field_groups, in_list, to_amount, to_date, where_lines


def test_where_lines_never_exceed_72_characters_nor_split_a_literal():
    clause = in_list("KUNNR", [f"{n:010d}" for n in range(100)]) + " AND NAME1 = 'A B C D'"
    lines = [line["TEXT"] for line in where_lines(clause)]
    assert all(len(line) <= 72 for line in lines)
    assert " ".join(lines) == clause
    assert any("'A B C D'" in line for line in lines)


def test_where_lines_reject_a_literal_longer_than_a_line():
    with pytest.raises(ValueError, match="longer than 72"):
        where_lines("NAME1 = '" + "x" * 80 + "'")


def test_field_groups_fit_512_and_each_carries_the_key():
    fields = [("KUNNR", 10)] + [(f"F{i}", 100) for i in range(9)]
    groups = field_groups(fields, ["KUNNR"])
    assert len(groups) > 1
    lengths = dict(fields)
    for group in groups:
        assert group[0] == "KUNNR"
        assert sum(lengths[f] for f in group) + len(group) - 1 <= 512
    assert sorted(f for g in groups for f in g[1:]) == sorted(f"F{i}" for i in range(9))


def test_amounts_with_trailing_minus_are_negative_decimals():
    assert to_amount("   1234.50-", table="T", field="F", key="K") == Decimal("-1234.50")
    assert to_amount("  99.99 ", table="T", field="F", key="K") == Decimal("99.99")


def test_bad_values_name_table_key_and_field():
    assert to_date("00000000", table="VBRK", field="AEDAT", key="1") is None
    assert to_date("20261123", table="VBRK", field="AEDAT", key="1") == date(2026, 11, 23)
    with pytest.raises(SapDataError, match="VBRK 0090000001: field FKDAT"):
        to_date("2026AB01", table="VBRK", field="FKDAT", key="0090000001")
    with pytest.raises(SapDataError, match="field NETWR"):
        to_amount("12,3x", table="VBRK", field="NETWR", key="0090000001")
