"""Fixtures of the collections store tests."""

from __future__ import annotations

import pytest

from tests.sync.collections.collections_book import Book


@pytest.fixture
def book(store) -> Book:  # type: ignore[no-untyped-def]
    return Book(store.engine)
