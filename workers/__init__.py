"""The process shell around the use cases: dramatiq broker, job-record middleware and actors
(thin: each calls one use case in ``connectors/`` or ``portals/``), the scheduler, the
``arbridge`` command line, metrics, logs, and the threaded web server that hosts the admin app
and the demo portal. No business logic: rules live in ``sync/``, use cases in ``connectors/``
and ``portals/``."""
