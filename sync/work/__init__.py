"""The work machinery: claims (an owner and an expiring lease on each unit of work), the heartbeat
that renews them while a remote call is in flight, whether an owner is provably dead, the
record of job runs, and the end of an outgoing message (a reminder, a statement)."""
