"""Who may do what: viewers look, billing acts on PO alerts and POs, administrators do all."""

from __future__ import annotations

import pytest

from admin.roles import PERMISSIONS, can
from sync.users.accounts import ROLES


@pytest.mark.parametrize("role, allowed", [
    ("viewer", set()),
    ("billing", {"alerts.act", "pos.act", "book.act"}),
    ("collector", {"book.act", "collections.act", "collections.contacts"}),
    ("administrator", {"uploads.act", "alerts.act", "pos.act", "receipts.act", "book.act",
                       "collections.act", "collections.contacts"}),
])
def test_each_role_holds_exactly_its_permissions(role, allowed):
    every = set().union(*PERMISSIONS.values())
    assert {p for p in every if can(role, p)} == allowed


def test_every_role_a_user_can_have_is_known_and_an_unknown_one_may_do_nothing():
    assert set(ROLES) == set(PERMISSIONS)
    assert not can("root", "uploads.act")
