"""The cXML channel: invoices machine-to-machine to Coupa and SAP Business Network.

``model`` (plain data) → ``build`` (the ``InvoiceDetailRequest``, pure) → ``validate`` (DTD and
business checks, pure) → ``send`` (the one HTTP seam) → ``driver`` (the ``PortalDriver``).
"""
