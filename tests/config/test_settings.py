import pytest

from config.errors import ConfigError
from config.redaction import redact_url
from config.settings import load_settings


def test_environment_overrides_toml_and_nested_sap_settings(tmp_path, monkeypatch):
    toml = tmp_path / "arbridge.toml"
    toml.write_text('company_codes = ["1000", "2000"]\n[sap]\nkind = "odata"\n'
                    'base_url = "https://s4.example.com"\npage_size = 100\n')
    monkeypatch.setenv("ARBRIDGE_CONFIG", str(toml))
    monkeypatch.setenv("ARBRIDGE_SAP__PAGE_SIZE", "250")
    settings = load_settings()
    assert settings.company_codes == ["1000", "2000"]
    assert settings.sap.kind == "odata" and settings.sap.page_size == 250


def test_default_store_is_sqlite_under_home_and_postgres_urls_use_psycopg(tmp_path):
    assert load_settings(home=tmp_path).db_url == f"sqlite:///{tmp_path / 'arbridge.db'}"
    settings = load_settings(database_url="postgresql://app:pw@db/arbridge")
    assert settings.db_url.startswith("postgresql+psycopg://")
    assert redact_url(settings.db_url) == "postgresql+psycopg://app:***@db/arbridge"


def test_secrets_never_print(monkeypatch):
    monkeypatch.setenv("ARBRIDGE_SAP__PASSWD", "hunter2")
    settings = load_settings()
    assert settings.sap.passwd.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())


def test_company_codes_from_a_comma_list(monkeypatch):
    monkeypatch.setenv("ARBRIDGE_COMPANY_CODES", "1000, 3000")
    assert load_settings().company_codes == ["1000", "3000"]


def test_bad_setting_names_the_field(monkeypatch):
    monkeypatch.setenv("ARBRIDGE_SAP__KIND", "telnet")
    with pytest.raises(ConfigError, match="sap.kind"):
        load_settings()


def test_bad_json_in_a_nested_variable_names_that_variable(monkeypatch):
    monkeypatch.setenv("ARBRIDGE_REPORTS__AGEING_EDGES", "[30,abc]")
    with pytest.raises(ConfigError, match="^ARBRIDGE_REPORTS__AGEING_EDGES is not valid JSON"):
        load_settings()


@pytest.mark.parametrize("name", ["what?x", "a b%41c"])
def test_a_home_whose_path_a_url_would_misread_is_refused(tmp_path, monkeypatch, name):
    """A home "/x/what?x" had its store written as the file "/x/what", shared with every
    other "/x/what?…" home; "%41" was read as "A"."""
    monkeypatch.setenv("ARBRIDGE_HOME", str(tmp_path / name))
    with pytest.raises(ConfigError, match="ARBRIDGE_HOME.*'%' with two hex digits"):
        load_settings()
    assert list(tmp_path.iterdir()) == []


def test_a_home_with_other_odd_characters_keeps_its_store_inside(tmp_path):
    home = tmp_path / "Müller (AR) #1 it's 50%"
    assert load_settings(home=home).db_url.endswith("Müller (AR) #1 it's 50%/arbridge.db")
