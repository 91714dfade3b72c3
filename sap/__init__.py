"""The SAP client port (:class:`sap.client.SapClient`) and its adapters: rfc, odata, simulator."""
