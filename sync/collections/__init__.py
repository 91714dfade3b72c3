"""Collections: policies and levels, reminders, the worklist, promises to pay and payment
arrangements, disputes, credit-note requests (from disputes, cancellations and short payments
with a deduction) and South Africa's legal clocks (section 129, prescription)."""
