"""Fixtures for cash application: a store pulled from the simulator."""

from __future__ import annotations

import pytest
from tests.connectors.cash_helpers import pull_all


@pytest.fixture
def pulled(store, client):  # type: ignore[no-untyped-def]
    pull_all(store, client)
    return store
