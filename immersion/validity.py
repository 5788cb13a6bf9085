"""Until when each published thing may be shown: `valid_until`, from the consents it uses.

A consent ends at the start of its `expires` day or of its `withdrawn` day (the
earlier), in the room's timezone. An item's `valid_until` is the earliest end among
the consents of every story it shows words, voice or pictures of: its own (a story),
a persona's quote and pain-point evidence, a journey's stage evidence, an insight's
evidence, an action's insights. None means no end.

`valid-until.json` at a built site's root lists every published file (page or
media) that depends on a consent with an end; the audit's `--date` reads it and the
kiosk's service worker gets the same map (`render/kiosk/offline.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import model as m
from .problems import BuildError
from .schema import EvidenceRef

VALID_UNTIL_FILE = "valid-until.json"
ATTRIBUTE = "data-ik-valid-until"


def zone(tz: str) -> dt.tzinfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC  # the loader reports a bad timezone; here UTC is the safe guess


def day_start(day: dt.date, tz: str) -> str:
    """The instant `day` begins in `tz`, as ISO 8601 with its UTC offset."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone(tz)).isoformat()


def consent_end(consent: m.Consent) -> dt.date | None:
    ends = [d for d in (consent.expires, consent.withdrawn) if d is not None]
    return min(ends) if ends else None


def earliest(instants: Iterable[str | None]) -> str | None:
    known = [i for i in instants if i]
    return min(known, key=dt.datetime.fromisoformat) if known else None


class Validity:
    """`valid_until` of the items of one (filtered) Library."""

    def __init__(self, lib: m.Library) -> None:
        self.lib = lib
        self.tz = lib.room.timezone

    def story_end(self, story_id: str) -> dt.date | None:
        story = self.lib.stories.get(story_id)
        consent = self.lib.consents.get(story.participant.consent) if story else None
        return consent_end(consent) if consent else None

    def stories(self, kind: str, item_id: str) -> set[str]:
        """The stories whose consent `kind/item_id` depends on (its own and borrowed)."""
        item = self.lib.by_kind(kind).get(item_id)
        refs: list[EvidenceRef] = []
        found: set[str] = set()
        if isinstance(item, m.Story):
            found.add(item.id)
        elif isinstance(item, m.Persona):
            if item.quote and item.quote.evidence:
                refs.append(item.quote.evidence)
            refs += [r for p in item.pain_points for r in p.evidence]
        elif isinstance(item, m.Journey):
            refs += [r for s in item.stages for r in s.evidence]
        elif isinstance(item, m.Insight):
            refs += list(item.evidence)
        elif isinstance(item, m.Action):
            for insight_id in item.insights:
                found |= self.stories("insight", insight_id)
        found |= {r.story for r in refs}
        return found

    def day(self, kind: str, item_id: str) -> dt.date | None:
        ends = [e for e in map(self.story_end, self.stories(kind, item_id)) if e is not None]
        return min(ends) if ends else None

    def until(self, kind: str, item_id: str) -> str | None:
        """The item's `valid_until` instant (ISO 8601), None when nothing it uses ends."""
        end = self.day(kind, item_id)
        return day_start(end, self.tz) if end else None


# -- the files of a built site ------------------------------------------------

_SLIDE = re.compile(r'<section class="ik-slide\b')
_ATTR = re.compile(ATTRIBUTE + r'="([^"]+)"')


def page_parts(html: str) -> list[tuple[str, str | None]]:
    """A page cut into (fragment, valid_until): its slides each with their own date.

    An entry page holds every slide of its loop; each slide's media borrow its date,
    not the page's (the page itself is the loop, which drops a slide by itself).
    """
    starts = [x.start() for x in _SLIDE.finditer(html)]
    head = html[: starts[0]] if starts else html
    root = _ATTR.search(head)
    parts: list[tuple[str, str | None]] = [(head, root.group(1) if root else None)]
    if not starts:
        return parts
    for a, b in zip(starts, [*starts[1:], len(html)], strict=True):
        chunk = html[a:b]
        opening = chunk[: chunk.find(">") + 1]
        found = _ATTR.search(opening)
        parts.append((chunk, found.group(1) if found else None))
    return parts


def file_dates(loads: Mapping[str, list[str | None]]) -> dict[str, str]:
    """{file: valid_until} from the dates of everything that loads it.

    A file is as long-lived as its longest-lived user: a stylesheet every page loads
    has no end; a clip only Bex's slides load ends with Bex's consent.
    """
    out: dict[str, str] = {}
    for rel, dates in loads.items():
        if dates and all(dates):
            out[rel] = max((d for d in dates if d), key=dt.datetime.fromisoformat)
    return out


def write_valid_until(site: Path, built: str, tz: str, files: Mapping[str, str]) -> None:
    from .render.staging import atomic_write  # the render layer's one writer

    data = {"built": built, "timezone": tz, "files": dict(sorted(files.items()))}
    text = json.dumps(data, indent=1, ensure_ascii=True) + "\n"
    atomic_write(site / VALID_UNTIL_FILE, text.encode())


def site_dates(
    site: Path, pages: Mapping[str, str | None], memo: Path | None = None
) -> dict[str, str]:
    """{site path: valid_until} of a built site whose item pages have the given dates.

    `pages` maps a page (`stories/p07/index.html`) to its date; every file the site's
    pages load is dated by `file_dates` (a page not in `pages` has no end). `memo`
    keeps what each page loads by its size, mtime and inode: a page the build reused
    from the published site (a hard link, engine.build_reusing) is not parsed again.
    """
    from .pageloads import page_loads
    from .render.kiosk.offline import page_url, site_path
    from .render.staging import atomic_write

    known: dict[str, list[object]] = {}
    if memo is not None:
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(memo.read_text(encoding="utf-8"))
            known = loaded if isinstance(loaded, dict) else {}
    used: dict[str, list[object]] = {}
    loads: dict[str, list[str | None]] = {}
    for page in sorted(p for p in site.rglob("index.html") if p.is_file()):
        rel = page.relative_to(site).as_posix()
        info = page.stat()
        key: list[object] = [info.st_size, info.st_mtime_ns, info.st_ino]
        remembered = known.get(rel)
        hit = isinstance(remembered, list) and len(remembered) == 4 and remembered[:3] == key
        if hit and isinstance(remembered, list) and isinstance(remembered[3], list):
            urls = [str(u) for u in remembered[3]]
        else:
            urls = list(page_loads(page.read_text(encoding="utf-8", errors="replace")))
        used[rel] = [*key, urls]
        for url in urls:
            path = site_path(page_url(rel), url)
            if path and not path.endswith("/") and (site / path).is_file():
                loads.setdefault(path, []).append(pages.get(rel))
    if memo is not None:
        with contextlib.suppress(OSError, BuildError):
            atomic_write(memo, json.dumps(used, separators=(",", ":")).encode())
    dated = {rel: until for rel, until in pages.items() if until and (site / rel).is_file()}
    return {**file_dates(loads), **dated}
