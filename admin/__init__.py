"""The administrators' web app and JSON API (FastAPI, server-rendered Jinja2, htmx).

One module per page area under ``admin/pages/`` and ``admin/api/``; ``admin/app.py`` wires
them. Actions go through ``sync`` (the state machines and the audit trail), never around it.
"""
