"""Whether a published site still holds something whose consent has ended.

The build writes `valid-until.json` at the root of each site: `{"built": ISO instant,
"timezone": the room's zone, "files": {path relative to the site: ISO instant}}`, the
instant from which each listed file may no longer be shown (the start of its consent's
expiry or withdrawal day, in the room's time zone). A site is checked as of a day: a
file is stale when its instant is at or before the start of that day, and it is still
in the site. Displays drop such content by their own clock; the intranet cannot, so a
morning audit (exit 1) is what tells that the nightly rebuild did not happen.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

VALID_UNTIL = "valid-until.json"


@dataclass
class Staleness:
    """What one site's `valid-until.json` says as of a day."""

    stale: list[tuple[str, dt.date]] = field(default_factory=list)  # (file, day it ended)
    broken: str = ""  # why the file cannot be read, when it cannot
    note: str = ""  # for --verbose: what was (or could not be) checked


def _zone(name: object, fallback: dt.tzinfo) -> dt.tzinfo:
    if isinstance(name, str) and name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
            pass
    return fallback


def _instant(value: object, zone: dt.tzinfo) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=zone)  # a bare time: the room's


def check(root: Path, day: dt.date, fallback: dt.tzinfo) -> Staleness:
    """The files of the site at `root` whose consent ended on or before `day`."""
    path = root / VALID_UNTIL
    if not path.is_file():
        return Staleness(note=f"no {VALID_UNTIL}: nothing in it ends, nothing can be stale")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Staleness(
            broken=f"cannot be read as JSON ({exc}): whether the site is stale is unknown"
        )
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return Staleness(broken='has no "files" object: whether the site is stale is unknown')
    zone = _zone(data.get("timezone"), fallback)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    result = Staleness()
    unreadable: list[str] = []
    for rel, value in sorted(files.items()):
        until = _instant(value, zone)
        if until is None:
            unreadable.append(str(rel))
            continue
        if until <= start and (root / str(rel).lstrip("/")).exists():
            result.stale.append((str(rel), until.astimezone(zone).date()))
    if unreadable:
        shown = ", ".join(unreadable[:3]) + (", ..." if len(unreadable) > 3 else "")
        result.broken = f"has entries that are not ISO 8601 instants ({shown})"
    result.note = (
        f"{VALID_UNTIL}: {len(files)} files with an end, {len(result.stale)} ended by "
        f"{day.isoformat()} ({zone})"
    )
    return result
