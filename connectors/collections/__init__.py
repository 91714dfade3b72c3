"""Collections towards the outside: reminder e-mails and letters, section 129 notices, the daily run, hand-over packs."""
