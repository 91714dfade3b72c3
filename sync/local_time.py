"""Times as people read them: in the team's zone (``time_zone`` setting), named. JSON and the
store keep UTC; only what is shown to a person goes through here."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Africa/Johannesburg"


@lru_cache(maxsize=8)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def people_time(value: datetime | None, zone: str = DEFAULT_ZONE, *, empty: str = "") -> str:
    """``2026-11-25 10:00 SAST`` for 08:00 UTC in Johannesburg; a naive value is UTC."""
    if value is None:
        return empty
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone_of(zone)).strftime("%Y-%m-%d %H:%M %Z")
