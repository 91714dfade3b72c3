"""Collections towards the outside: reminder e-mails and letters, section 129 notices, the
daily run and the hand-over pack."""
