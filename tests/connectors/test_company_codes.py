"""The configured company codes are checked against SAP's T001 before anything is pulled."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from connectors.company_codes import check_company_codes, company_codes_in_sap, unknown_codes


def test_unknown_codes_are_the_configured_ones_sap_lacks():
    assert unknown_codes(["1000", "abc", "2000"], ["1000", "2000 "]) == ["abc"]
    assert unknown_codes(["1000"], ["1000"]) == []


def test_the_simulator_lists_its_company_code_in_t001(client):
    assert company_codes_in_sap(client) == ["1000"]


def test_a_company_code_sap_does_not_have_is_refused_naming_the_setting(client):
    check_company_codes(client, ["1000"])
    with pytest.raises(ConfigError, match=r"ARBRIDGE_COMPANY_CODES: SAP has no company code "
                                          r"'2000' \(it has: 1000\)"):
        check_company_codes(client, ["1000", "2000"])
