"""The one redaction module: personal data and secrets masked the same way in logs, the
audit trail and notification errors."""

from __future__ import annotations

from config.redaction import mask_field, mask_text, redact_channel


def test_a_log_line_keeps_no_email_password_or_token() -> None:
    line = ("sent to thandi.mokoena@acme.co.za via smtp://bot:hunter22@mail.acme.co.za "
            "token=abc123XYZ")
    shown = mask_text(line)
    assert "thandi.mokoena" not in shown and "t***@acme.co.za" in shown
    assert "hunter22" not in shown and "abc123XYZ" not in shown


def test_audit_fields_mask_email_and_phone_and_keep_the_rest() -> None:
    assert mask_field("email", "sipho@example.com") == "s***@example.com"
    assert mask_field("phone", "+27 82 555 0123") == "***123"
    assert mask_field("name", "Acme (Pty) Ltd") == "Acme (Pty) Ltd"
    assert mask_field("email", None) is None


def test_a_channel_error_quoting_its_webhook_token_is_masked() -> None:
    url = "slack://T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX"
    shown = redact_channel(f"refused by {url}: bad token XXXXXXXXXXXXXXXXXXXXXXXX", url)
    assert "XXXXXXXXXXXXXXXXXXXXXXXX" not in shown
