"""Remittance advices: the payer's note of which invoices a payment covers (CSV, Excel,
ISO 20022 remt.001, and the structured remittance inside camt.054)."""
