"""The cXML channel end to end against the demo endpoint: the happy path."""

from __future__ import annotations

from tests.portals.cxml.conftest import World


def test_invoice_goes_to_the_portal_once_with_masked_evidence(world: World) -> None:
    world.add_po("PO-100", "50000.00")
    document = world.add_invoice(90000001, "PO-100", "1000.00")
    tally = world.run()
    assert tally == {"submitted": 1}
    assert world.upload(document).state == "submitted"
    on_portal = world.state.invoice("90000001")
    assert on_portal is not None and str(on_portal.gross) == "1150.00"
    [attempt] = world.attempts(document)
    request = (world.settings.evidence_path / world.portal / document / "attempt-1" /
               "request.xml").read_bytes()
    assert b"demo-cxml-shared-secret" not in request and b"<SharedSecret>********" in request
    assert attempt["idempotency_key"] in request.decode()


def test_invoice_pdf_travels_as_multipart_related(coupa: World) -> None:
    from connectors.pdfs import RenderSource

    coupa.add_po("PO-100", "50000.00")
    document = coupa.add_invoice(90000001, "PO-100", "1000.00")
    cxml = coupa.account().settings.cxml
    assert cxml is not None
    tally = coupa.run(pdfs=RenderSource(coupa.settings.home / "pdfs"),
                      cxml=cxml.model_copy(update={"attachments": True}))
    assert tally == {"submitted": 1}
    on_portal = coupa.state.invoice("90000001")
    pdf = coupa.settings.home / "pdfs"
    assert on_portal is not None and on_portal.attachment_size > 1000  # the PDF, not the XML
    assert any(pdf.rglob("*.pdf"))
    request = (coupa.settings.evidence_path / coupa.portal / document / "attempt-1" /
               "request.xml").read_text()
    assert "cid:90000001.pdf@arbridge" in request
