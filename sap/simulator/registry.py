"""Which simulator function answers which remote-enabled function module: the accounting
wrappers and the LUW BAPIs (the read BAPIs are in :mod:`sap.simulator.functions`). Kept apart
from the modules it lists, so that reversal can build on accounting without a circle."""

from __future__ import annotations

from collections.abc import Callable

from sap.simulator.accounting import (
    bapi_acc_document_post,
    bapi_transaction_commit,
    bapi_transaction_rollback,
    z_arb_post_clearing,
    z_arb_reset_clearing,
)
from sap.simulator.reversal import bapi_acc_document_rev_post, z_arb_reverse_document

LUW_FUNCTIONS: dict[str, Callable[..., dict]] = {
    "BAPI_ACC_DOCUMENT_POST": bapi_acc_document_post,
    "BAPI_ACC_DOCUMENT_REV_POST": bapi_acc_document_rev_post,
    "BAPI_TRANSACTION_COMMIT": bapi_transaction_commit,
    "BAPI_TRANSACTION_ROLLBACK": bapi_transaction_rollback,
}
ACCOUNTING_FUNCTIONS: dict[str, Callable[..., dict]] = {
    "Z_ARB_POST_CLEARING": z_arb_post_clearing,
    "Z_ARB_RESET_CLEARING": z_arb_reset_clearing,
    "Z_ARB_REVERSE_DOCUMENT": z_arb_reverse_document,
}
