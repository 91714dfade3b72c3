"""The migration chain, walked one revision at a time on SQLite and PostgreSQL: from an empty
store up to head (which must hold every table and column the models declare), then back
down to an empty store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect
from sqlmodel import SQLModel

import sync.audit_models  # noqa: F401 - registers the tables in SQLModel.metadata
import sync.cash.models  # noqa: F401 - registers the tables
import sync.mirror.models  # noqa: F401 - registers the tables
import sync.po.models  # noqa: F401 - registers the tables
import sync.uploads.models  # noqa: F401 - registers the tables
import sync.users.models  # noqa: F401 - registers the tables
import sync.work.models  # noqa: F401 - registers the tables
from config.settings import Settings
from sync.db import MIGRATIONS, current_revision

CHAIN = tuple(sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py")))


def _config(conn: Connection | None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.fixture
def empty(settings: Settings) -> Iterator[Engine]:
    """An engine on a store nothing has migrated yet (SQLite file or PostgreSQL schema)."""
    engine = create_engine(settings.db_url)
    yield engine
    engine.dispose()


def _step(engine: Engine, verb: str, target: str) -> None:
    with engine.begin() as conn:
        getattr(command, verb)(_config(conn), target)


def test_the_chain_runs_in_file_order_from_0001_to_head() -> None:
    assert CHAIN[:8] == ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
    script = ScriptDirectory.from_config(_config(None))
    walked = [rev.revision for rev in script.walk_revisions("base", "heads")][::-1]
    assert tuple(walked) == CHAIN
    for rev in script.walk_revisions("base", "heads"):
        assert rev.path is not None and rev.path.rsplit("/", 1)[1].startswith(rev.revision + "_")
        header = rev.module.__doc__ or ""
        assert f"Revision ID: {rev.revision}" in header
        assert f"Revises: {rev.down_revision or ''}".rstrip() in header


def test_upgrade_one_by_one_to_head_matches_the_models_then_downgrade_to_empty(
        empty: Engine) -> None:
    assert _tables(empty) == set()
    for revision in CHAIN:
        _step(empty, "upgrade", revision)
        assert current_revision(empty) == revision

    declared = SQLModel.metadata.tables
    present = _tables(empty)
    assert set(declared) <= present, f"missing at head: {set(declared) - present}"
    inspector = inspect(empty)
    for name, table in declared.items():
        columns = {c["name"] for c in inspector.get_columns(name)}
        missing = {c.name for c in table.columns} - columns
        assert not missing, f"{name}: columns the model declares but head lacks: {missing}"

    for revision in reversed(CHAIN[:-1]):
        _step(empty, "downgrade", revision)
        assert current_revision(empty) == revision
    _step(empty, "downgrade", "base")
    assert _tables(empty) == set()
    assert current_revision(empty) is None


def test_0020_stores_billing_items_exactly_and_down_to_0019_drops_only_them(
        empty: Engine) -> None:
    from decimal import Decimal

    from sqlalchemy import insert, select

    from sync.mirror.billing_items import ITEMS

    _step(empty, "upgrade", "0020")
    row = {"billing_document": "0090000001", "item": "000010", "material": "MAT-CABLE",
           "description": "Armoured cable", "quantity": Decimal("2.125"), "unit": "M",
           "net": Decimal("966.320"), "tax": Decimal("144.948")}
    with empty.begin() as conn:
        conn.execute(insert(ITEMS), [row, row | {"item": "000020", "material": None,
                                                 "quantity": Decimal(3),
                                                 "net": Decimal("0.10"),
                                                 "tax": Decimal("0.02")}])
    with empty.connect() as conn:
        stored = [dict(r._mapping) for r in conn.execute(select(ITEMS).order_by(ITEMS.c.item))]
    assert stored[0] == row
    assert (stored[1]["material"], stored[1]["quantity"], stored[1]["tax"]) == \
        (None, Decimal(3), Decimal("0.02"))
    _step(empty, "downgrade", "0019")
    assert "billing_item" not in _tables(empty) and "billing_document" in _tables(empty)
    assert current_revision(empty) == "0019"
