"""Collections: policies and levels, reminders, the worklist, promises to pay, disputes,
credit-note requests and South Africa's legal clocks (section 129, prescription)."""
