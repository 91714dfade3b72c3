"""Remittance advices: the payer's note of which invoices a payment covers (CSV, Excel,
ISO 20022 remt.001, the structured remittance inside camt.054, and cXML
PaymentRemittanceRequest)."""
