"""An id beyond the store's integers is refused as an argument (exit 2) instead of an
'unexpected OverflowError' from the store."""

from __future__ import annotations

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize("args", [
    ("alerts", "ack", HUGE), ("allocations", "approve", HUGE),
    ("allocations", "allocate", HUGE, "--to", "90000001=1.00"),
    ("journal", "correct", HUGE, "--to", "90000001", "--reason", "x"),
])
def test_an_id_too_large_is_refused_as_an_argument(args, tmp_path, monkeypatch, capsys):
    from workers.cli import main

    monkeypatch.setenv("ARBRIDGE_HOME", str(tmp_path / "var"))
    monkeypatch.setattr("sys.argv", ["arbridge", *args])
    try:
        code = main()
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert "less than or equal to" in capsys.readouterr().err
