"""Helpers shared by the commands."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

_TIMEZONE = re.compile(r"^timezone:\s*[\"']?([A-Za-z0-9_+\-/]+)", re.MULTILINE)


def room_today(project: Path) -> dt.date:
    """Today's date in the room's time zone: consent expires at the room's midnight.

    Only the `timezone:` line is read here (the loader checks the file properly);
    anything unreadable falls back to UTC.
    """
    zone = dt.UTC
    try:
        text = (project / "content" / "room.yml").read_text(encoding="utf-8", errors="replace")
        match = _TIMEZONE.search(text)
        if match:
            zone = zoneinfo.ZoneInfo(match.group(1))  # type: ignore[assignment]
    except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        pass
    return dt.datetime.now(zone).date()
