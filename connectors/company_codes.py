"""Check the configured company codes against SAP before anything is pulled.

A code SAP does not have would read nothing, exit 0 and leave cursor rows behind; it is a
configuration error instead. The company codes come from T001 over RFC (``RFC_READ_TABLE``;
the simulator has the same table) and from ``API_COMPANYCODE_SRV`` over OData.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from config.errors import BusinessError, ConfigError, InputError

log = logging.getLogger(__name__)

COMPANY_CODE_SERVICE = "/sap/opu/odata/sap/API_COMPANYCODE_SRV/A_CompanyCode"


def unknown_codes(configured: Iterable[str], in_sap: Iterable[str]) -> list[str]:
    """The configured codes SAP does not have (pure)."""
    known = {code.strip().upper() for code in in_sap}
    return [code for code in configured if code.strip().upper() not in known]


def company_codes_in_sap(client: object) -> list[str] | None:
    """Every company code SAP knows, or None if this adapter cannot list them."""
    read_table = getattr(client, "read_table", None)
    if read_table is not None:
        return [row["BUKRS"] for row in read_table("T001", ["BUKRS"])]
    get = getattr(client, "get", None)
    if get is not None:
        try:
            body = get(COMPANY_CODE_SERVICE, {"$select": "CompanyCode", "$format": "json"})
        except (BusinessError, InputError) as error:  # service not activated: cannot tell
            log.info("cannot list SAP's company codes over OData: %s", error)
            return None
        return [row["CompanyCode"] for row in body.get("results", [])]
    return None


def check_company_codes(client: object, configured: list[str]) -> None:
    """Raise :class:`ConfigError` naming ARBRIDGE_COMPANY_CODES if SAP lacks one of them."""
    in_sap = company_codes_in_sap(client)
    if not in_sap:  # an adapter that cannot list them, or an empty T001: nothing to check
        log.info("SAP listed no company codes; not checking %s", configured)
        return
    missing = unknown_codes(configured, in_sap)
    if missing:
        raise ConfigError(f"ARBRIDGE_COMPANY_CODES: SAP has no company code "
                          f"{', '.join(repr(code) for code in missing)} (it has: "
                          f"{', '.join(sorted(in_sap))})")
