"""The upload and PO use cases and the portals they reach: the upload run
(``upload_run``: slots, leases, queue), one upload attempt (``upload_attempt``), tracing and
evidence, the upload jobs (``upload_jobs``) and PO actions (``po_actions``), the drivers
(``drivers/``: browser page objects and cXML), and ``demo/``, the bundled demo portal."""
