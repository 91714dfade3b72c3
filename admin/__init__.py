"""The administrators' web UI and JSON API (later issues)."""
