"""SAP call timing: one label per OData entity set (never per key), and listeners that fail
never break a call to SAP."""

from __future__ import annotations

import pytest

from sap import call_timing


@pytest.mark.parametrize(("url", "function"), [
    ("https://s4/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV/A_BillingDocument?$top=5",
     "A_BillingDocument"),
    ("/API_BILLING_DOCUMENT_SRV/A_BillingDocument('90000001')", "A_BillingDocument"),
    ("/API_BUSINESS_PARTNER/A_BusinessPartner('12/3)x''y')/to_BusinessPartnerAddress",
     "to_BusinessPartnerAddress"),
    ("/API_X/A_Item(CompanyCode='1000',FiscalYear='2026')", "A_Item"),
])
def test_odata_calls_are_named_by_entity_set_without_keys(url, function):
    assert call_timing.odata_function(url) == function


def test_a_failing_listener_does_not_break_the_call():
    seen = []

    def broken(*_args):  # type: ignore[no-untyped-def]
        raise RuntimeError("metrics down")

    def record(*args):  # type: ignore[no-untyped-def]
        seen.append(args)

    call_timing.listen(broken)
    call_timing.listen(record)
    try:
        with call_timing.timed("rfc", "RFC_PING"):
            pass
        with pytest.raises(ValueError), call_timing.timed("rfc", "BAPI_X"):
            raise ValueError("no answer")
    finally:
        call_timing.forget(broken)
        call_timing.forget(record)
    assert [(a, f, o) for a, f, _, o in seen[-2:]] == [("rfc", "RFC_PING", "ok"),
                                                        ("rfc", "BAPI_X", "error")]
