"""Start-up checks: bindings and groups must name configured portals; the working folder
must be writable; a malformed setting names its variable or TOML line."""

from __future__ import annotations

import pytest

from config.checks import check_bindings, check_home, check_portal_name, configured_portals
from config.errors import ConfigError
from config.settings import load_settings

ACME = {"acme": {"kind": "demo-coupa", "url": "https://acme.example", "user": "ar",
                 "password_encrypted": "token"}}


def test_embedded_defaults_bind_to_the_demo_portals():
    settings = load_settings()
    assert configured_portals(settings) == ("demo-coupa", "demo-ariba", "demo-coupa-cxml",
                                            "demo-ariba-cxml")
    check_bindings(settings)


def test_a_binding_to_a_portal_that_is_not_configured_names_the_customer():
    settings = load_settings(portal_bindings={"0000100316": "nosuch-portal"})
    with pytest.raises(ConfigError, match="customer 0000100316 to portal 'nosuch-portal'"):
        check_bindings(settings)


def test_a_group_to_a_portal_that_is_not_configured_names_the_group():
    settings = load_settings(portals=ACME, portal_customer_groups={"P01": "acme",
                                                                   "P07": "ariba-prod"})
    with pytest.raises(ConfigError, match="customer group P07 to portal 'ariba-prod'"):
        check_bindings(settings)


def test_the_demo_groups_do_not_apply_once_real_portals_are_configured():
    settings = load_settings(portals=ACME)
    assert settings.portal_customer_groups == {}
    check_bindings(settings)
    with_demo = load_settings(portals={**ACME, "demo-ariba": ACME["acme"]})
    assert with_demo.portal_customer_groups == {"P02": "demo-ariba"}


def test_portal_option_must_name_a_configured_or_stored_portal():
    settings = load_settings()
    check_portal_name(settings, "demo-ariba")
    check_portal_name(settings, "old-portal", also=("old-portal",))
    with pytest.raises(ConfigError, match="--portal nosuch: no such portal"):
        check_portal_name(settings, "nosuch")


def test_a_home_that_cannot_be_written_names_arbridge_home(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="ARBRIDGE_HOME"):
        check_home(load_settings(home=blocker / "var"))
    check_home(load_settings(home=tmp_path / "fresh"))
    assert (tmp_path / "fresh").is_dir()


def test_a_wrong_value_in_the_toml_file_names_file_and_line(tmp_path, monkeypatch):
    toml = tmp_path / "arbridge.toml"
    toml.write_text('home = "var"\n\n[sap]\npage_size = 100\nkind = "telnet"\n')
    monkeypatch.setenv("ARBRIDGE_CONFIG", str(toml))
    with pytest.raises(ConfigError, match=rf"sap.kind \({toml}, line 5\)"):
        load_settings()


def test_a_secret_is_never_echoed_in_the_error(monkeypatch):
    monkeypatch.setenv("ARBRIDGE_DATABASE_URL", "mysql://app:hunter2@db/arbridge")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "hunter2" not in str(raised.value) and "ARBRIDGE_DATABASE_URL" in str(raised.value)


def test_a_misspelt_variable_is_named_with_the_setting_it_looks_like():
    from config.checks import misspelt_variables

    warnings = misspelt_variables({"ARBRIDGE_SAP_KIND": "rfc", "ARBRIDGE_SAP__KIND": "rfc",
                                   "ARBRIDGE_PORTALS__ACME__URL": "https://x",
                                   "ARBRIDGE_TEST_POSTGRES_URL": "postgresql://",
                                   "ARBRIDGE_SOMETHING_ELSE": "1", "PATH": "/bin"})
    assert warnings == ["ARBRIDGE_SAP_KIND is not an arbridge setting and is ignored; did you "
                        "mean ARBRIDGE_SAP__KIND?"]


def test_pdfs_from_a_folder_need_an_existing_folder(tmp_path):
    from config.checks import check_pdf_folder

    with pytest.raises(ConfigError, match="needs ARBRIDGE_INVOICE_PDF_FOLDER"):
        check_pdf_folder(load_settings(invoice_pdfs="folder"))
    with pytest.raises(ConfigError, match="is not a folder"):
        check_pdf_folder(load_settings(invoice_pdfs="folder",
                                       invoice_pdf_folder=tmp_path / "missing"))
    check_pdf_folder(load_settings(invoice_pdfs="folder", invoice_pdf_folder=tmp_path))
