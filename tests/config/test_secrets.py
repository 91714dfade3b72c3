import stat

import pytest

from config.errors import ConfigError
from config.secrets import SecretBox


def test_key_file_is_private_and_round_trips(tmp_path, monkeypatch):
    monkeypatch.delenv("ARBRIDGE_SECRET_KEY", raising=False)
    box = SecretBox.load(tmp_path)
    token = box.encrypt("portal-Passw0rd")
    assert "portal-Passw0rd" not in token
    assert SecretBox.load(tmp_path).decrypt(token, setting="x") == "portal-Passw0rd"
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600


def test_token_from_another_key_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("ARBRIDGE_SECRET_KEY", raising=False)
    token = SecretBox.load(tmp_path / "a").encrypt("pw")
    with pytest.raises(ConfigError, match="portals.coupa.password_encrypted"):
        SecretBox.load(tmp_path / "b").decrypt(token, setting="portals.coupa.password_encrypted")


def test_bad_key_in_environment_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("ARBRIDGE_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="not a valid Fernet key"):
        SecretBox.load(tmp_path)
