"""[collections] in arbridge.toml: policies with levels, who follows which, and the errors
that say what to fix."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from config.settings import load_settings

TOML = """
[collections]
default_policy = "standard"
groups = { "K1" = "key_accounts" }
customers = { "100042" = "key_accounts" }
nca = { "100077" = "natural" }

[collections.policies.standard]
levels = [{ days = 7 }, { days = 30, template = "firm" }]

[collections.policies.key_accounts]
minimum = { ZAR = "5000.00" }
levels = [{ days = 14, channel = "phone", template = "call" },
          { days = 45, channel = "letter", template = "final", approval = true }]
"""


def test_policies_levels_and_assignments_read_from_toml(tmp_path, monkeypatch):
    (tmp_path / "arbridge.toml").write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("ARBRIDGE_CONFIG", str(tmp_path / "arbridge.toml"))
    cs = load_settings(home=tmp_path).collections
    key = cs.policies["key_accounts"]
    assert [(lv.days, lv.channel, lv.approval) for lv in key.levels] == \
        [(14, "phone", False), (45, "letter", True)]
    assert key.minimum == {"ZAR": Decimal("5000.00")}
    assert cs.policy_name("0000100042", None) == "key_accounts"   # by customer, padded
    assert cs.policy_name("0000100001", "K1") == "key_accounts"   # by group
    assert cs.policy_name("0000100001", "Z9") == "standard"
    assert cs.nca_of("0000100077") == "natural" and cs.nca_of("0000100001") is None


def test_a_policy_named_but_not_defined_is_refused_with_the_names(tmp_path, monkeypatch):
    (tmp_path / "arbridge.toml").write_text(
        '[collections]\ngroups = { "K1" = "vip" }\n', encoding="utf-8")
    monkeypatch.setenv("ARBRIDGE_CONFIG", str(tmp_path / "arbridge.toml"))
    with pytest.raises((ValidationError, Exception), match="vip"):
        load_settings(home=tmp_path)
