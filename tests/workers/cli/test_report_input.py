"""``arbridge report …`` and ``collections …`` refuse bad input plainly: an unknown customer,
an Excel target in a folder that does not exist; their options say what they take."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workers.cli.conftest import run


def test_the_ageing_of_an_unknown_customer_says_so(home) -> None:  # type: ignore[no-untyped-def]
    code, output = run("report", "ageing", "--customer", "999")
    assert code != 0
    assert "customer 0000000999 is not in the store" in output


@pytest.mark.parametrize("channel", ["foo", "mailtox://smtp.example", "outbox "])
def test_a_statements_channel_that_cannot_send_is_refused_at_start_up(
        tmp_path: Path, monkeypatch, channel: str) -> None:  # type: ignore[no-untyped-def]
    from config.errors import ConfigError
    from config.settings import load_settings

    monkeypatch.setenv("ARBRIDGE_REPORTS__STATEMENTS__CHANNEL", channel)
    if channel.strip() == "outbox":
        assert load_settings(home=tmp_path).reports.statements.channel.get_secret_value() \
            == "outbox"
        return
    with pytest.raises(ConfigError) as refused:
        load_settings(home=tmp_path)
    assert "channel" in str(refused.value) and "outbox" in str(refused.value)
    assert channel not in str(refused.value)  # it may hold a password


def test_the_dispute_and_resolve_options_say_what_they_take() -> None:
    _, resolve = run("collections", "resolve", "--help")
    _, dispute = run("collections", "dispute", "--help")
    flat = " ".join(resolve.split()) + " ".join(dispute.split())
    for words in ("amount credited", "amount written off", "Why it went wrong",
                  "at most 2000 characters"):
        assert words in flat


def test_an_overlong_dispute_text_is_refused(home) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from sync.collections.disputes import DISPUTES
    from sync.collections.positions import OPEN
    from sync.store import open_store

    engine = open_store(home).engine
    with engine.connect() as conn:
        item = conn.execute(select(OPEN).where(OPEN.c.amount > 10)).first()
    args = ("collections", "dispute", item.customer, "--item", item.document, "--amount",
            "10", "--reason", "price", "--root-cause", "wrong_price", "--text")
    code, output = run(*args, "x" * 2001)
    assert code == 1 and "at most 2000" in output
    with engine.connect() as conn:
        assert conn.execute(select(DISPUTES)).all() == []
    assert run(*args, "x" * 2000)[0] == 0


@pytest.mark.parametrize("command", [("report", "ageing"),
                                     ("report", "management", "--month", "2026-11")])
def test_an_excel_target_in_a_missing_folder_is_refused_not_created(
        home, tmp_path: Path, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "no" / "such" / "folder" / "book.xlsx"
    code, output = run(*command, "--xlsx", str(target))
    assert code == 2 and "does not exist" in output
    assert not (tmp_path / "no").exists()


def test_only_an_uncertain_mail_can_be_released_for_sending_again(home) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, datetime, timezone

    from sqlalchemy import insert, select

    from sync.reports.statements import STATEMENTS
    from sync.store import open_store

    engine = open_store(home).engine
    with engine.begin() as conn:
        conn.execute(insert(STATEMENTS).values(
            company_code="1000", customer="0000100001", schedule="monthly", period="2026-11",
            as_of=date(2026, 11, 30), state="uncertain", detail="sent or not is unknown",
            created_at=datetime.now(timezone.utc)))
        statement_id = conn.execute(select(STATEMENTS.c.id)).scalar_one()
    code, output = run("status")
    assert f"statement {statement_id} (0000100001) may or may not have reached" in \
        " ".join(output.split())
    assert run("collections", "resend", "999")[0] == 1
    code, output = run("report", "statements", "--resend", str(statement_id))
    assert code == 0 and "released" in output
    code, output = run("report", "statements", "--resend", str(statement_id))
    assert code == 1 and "not uncertain" in output  # now failed: the next --send sends it
