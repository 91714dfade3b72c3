"""A PO typed by a person: checked, named as the person typed it, turned into a read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from config.errors import InputError
from sync.po.entry import FieldNames, po_read


def test_a_typed_po_becomes_a_read_with_cents_and_an_upper_case_currency():
    read = po_read(number=" 4500000099 ", total="250 000", currency="zar",
                   valid_to="2027-12-31", invoiced="1,000.5")
    assert (read.number, read.total, read.invoiced, read.currency, read.valid_to) == (
        "4500000099", Decimal("250000.00"), Decimal("1000.50"), "ZAR", date(2027, 12, 31))


@pytest.mark.parametrize("changes, message", [
    ({"total": "lots"}, "Total 'lots' is not an amount"),
    ({"total": "-5"}, "Total '-5' must be zero or more"),
    ({"total": "NaN"}, "Total 'NaN' must be zero or more"),
    ({"currency": "R"}, "Currency 'R' is not an ISO code"),
    ({"valid_to": "31/12/2027"}, "Valid to '31/12/2027' is not a date (YYYY-MM-DD)"),
    ({"number": "  "}, "The PO number is empty"),
    ({"number": "X" * 36}, "longer than 35 characters"),
])
def test_bad_input_names_the_field_as_the_form_calls_it(changes, message):
    names = FieldNames(total="Total", invoiced="Already invoiced", currency="Currency",
                       valid_to="Valid to", number="The PO number")
    typed = {"number": "PO-1", "total": "10", "currency": "ZAR", **changes}
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        po_read(names=names, **typed)


@pytest.mark.parametrize("total, message", [
    ("1,5", "is not an amount"),             # a decimal comma was read as 15.00
    ("1 234,50", "is not an amount"),        # ... and this as 123450.00
    ("12,34,567", "is not an amount"),
    ("100.123", "more than two decimals"),     # was rounded to 100.12 without a word
    ("1e30", "too large"),                   # was a 500 (quantize overflow)
    ("99999999999999999999999", "too large"),  # longer than the store's 24-character column
])
def test_an_amount_that_could_be_misread_is_refused(total, message):
    with pytest.raises(InputError, match=message):
        po_read(number="PO-1", total=total, currency="ZAR")


def test_thousands_grouping_still_reads():
    assert po_read(number="PO-1", total="1,250,000.00", currency="ZAR").total == \
        Decimal("1250000.00")
