"""Collections towards the outside: reminder e-mails and letters, section 129 notices, the
daily run, bounces read back from the sender's mailbox, and the hand-over pack."""
