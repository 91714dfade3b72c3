"""The JSON API under ``/api``: one module (one router) per area."""
