"""content/room.yml -> the Room, and content/consent/*.yml -> the consent records.

Consent dates are checked against the day of the build (`Reader.today`): an
expired or withdrawn consent is a note (its participant's items are left out by
the audience filter), one that expires within `EXPIRY_WARNING` a warning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import formats
from .. import model as m
from ..problems import Severity, suggest
from ..schema import INVALID, Ctx
from .checks import check_unique
from .files import Loaded, Reader

EXPIRY_WARNING = dt.timedelta(days=30)


def load_room(reader: Reader) -> m.Room | None:
    path = reader.project.room_yml
    if not path.is_file():
        reader.problem(
            path,
            None,
            "room.yml is missing",
            "create content/room.yml with the room's name and displays "
            "(`immersion init` writes an example)",
        )
        return None
    if not reader.inside_content(path):
        return None
    data = reader.read_yaml_file(path)
    if data is INVALID:
        return None
    ctx = Ctx(reader.display(path), reader.content)
    values = reader.check_mapping(data, formats.ROOM_FIELDS, None, ctx)
    reader.problems.extend(ctx.problems)
    if values is INVALID:
        return None
    room = m.Room(**values, source=m.Source(ctx.display, dict(ctx.lines)))
    check_room(reader, room, ctx)
    reader.loaded.setdefault("room", {})["room"] = Loaded(room, ctx.refs, ctx.display)
    return room


def check_room(reader: Reader, room: m.Room, ctx: Ctx) -> None:
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(room.timezone)
    except (ValueError, KeyError, OSError, ImportError):
        zones = ["Europe/London", "Europe/Paris", "America/New_York", "UTC"]
        reader.problem(
            ctx.display,
            room.source.line("timezone"),
            f"'{room.timezone}' is not a known time zone",
            suggest(room.timezone, zones),
            fld="timezone",
        )
    check_unique(
        reader,
        [d.id for d in room.displays],
        ctx.display,
        lambda i: room.source.line(f"displays[{i}].id"),
        "display",
    )
    check_unique(
        reader,
        [t.id for t in room.tours],
        ctx.display,
        lambda i: room.source.line(f"tours[{i}].id"),
        "tour",
    )
    for index, display in enumerate(room.displays):
        playlist = display.playlist
        chosen = [name for name in ("tour", "items", "kind") if getattr(playlist, name)]
        # A playlist whose only choice was written wrong is already reported at that line.
        prefix = f"displays[{index}].playlist."
        if not chosen and any(p.field.startswith(prefix) for p in ctx.problems):
            continue
        if len(chosen) != 1:
            reader.problem(
                ctx.display,
                room.source.line(f"displays[{index}].playlist"),
                f"display '{display.id}' needs exactly one of tour, items or kind "
                f"in its playlist (found {', '.join(chosen) or 'none'})",
                "for example playlist: {tour: meet-our-customers}",
                fld=f"displays[{index}].playlist",
            )


def load_consents(reader: Reader) -> dict[str, m.Consent]:
    folder = reader.project.consents
    consents: dict[str, m.Consent] = {}
    if not folder.is_dir():
        return consents
    if not folder.is_symlink():
        reader.safe_dirs.add(folder)
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix not in (".yml", ".yaml"):
            if not path.name.startswith("."):
                reader.problem(
                    path,
                    None,
                    "not a consent record",
                    "consent records are .yml files named after their id",
                )
            continue
        if not reader.inside_content(path):
            reader.broken.setdefault("consent", set()).add(path.stem)
            continue
        cid = path.stem
        if not reader.valid_id(cid, path):
            continue
        if cid in consents:
            reader.problem(
                path,
                None,
                f"a second consent record with the id '{cid}'",
                "keep one of the .yml and .yaml files",
            )
            continue
        consent = read_consent(reader, path, cid)
        if consent is None:
            reader.broken.setdefault("consent", set()).add(cid)
            continue
        consents[cid] = consent
        check_consent_dates(reader, consent)
    return consents


def read_consent(reader: Reader, path: Path, cid: str) -> m.Consent | None:
    """One consent record, read and checked (the dates are checked by the caller)."""
    display = reader.display(path)
    if reader.cache is not None and display in reader.cache.consents:
        consent, problems = reader.cache.consents[display]
        reader.problems += problems
        return consent
    first = len(reader.problems)
    data = reader.read_yaml_file(path)
    found: m.Consent | None = None
    if data is not INVALID:
        ctx = Ctx(display, reader.content)
        values = reader.check_mapping(data, formats.CONSENT_FIELDS, None, ctx)
        reader.problems.extend(ctx.problems)
        if values is not INVALID:
            found = m.Consent(id=cid, **values, source=m.Source(ctx.display, dict(ctx.lines)))
    if reader.cache is not None:
        reader.cache.consents[display] = (found, reader.problems[first:])
    return found


def check_consent_dates(reader: Reader, consent: m.Consent) -> None:
    src = consent.source
    if consent.expires and consent.expires <= consent.signed:
        reader.problem(
            src.path,
            src.line("expires"),
            "the consent expires before it was signed",
            f"expires ({consent.expires}) must come after signed ({consent.signed}): "
            "correct the one that was mistyped (until then nothing of "
            f"{consent.participant} is shown)",
            fld="expires",
        )
    if consent.withdrawn and consent.withdrawn < consent.signed:
        # valid_on is then never true: the participant stays out until this is fixed.
        reader.problem(
            src.path,
            src.line("withdrawn"),
            "the consent is withdrawn before it was signed",
            f"withdrawn ({consent.withdrawn}) must be on or after signed "
            f"({consent.signed}): correct the one that was mistyped (until then nothing "
            f"of {consent.participant} is shown)",
            fld="withdrawn",
        )
    if consent.withdrawn and consent.withdrawn <= reader.today:
        reader.problem(
            src.path,
            src.line("withdrawn"),
            f"consent withdrawn on {consent.withdrawn}: everything of "
            f"{consent.participant} is left out of every build",
            "delete their stories from content/ when you can",
            Severity.NOTE,
            "withdrawn",
        )
    elif consent.expires and consent.expires <= reader.today:
        reader.problem(
            src.path,
            src.line("expires"),
            f"consent expired on {consent.expires}: everything of "
            f"{consent.participant} is left out of every build",
            "renew the consent or delete their stories",
            Severity.NOTE,
            "expires",
        )
    elif consent.expires and consent.expires - reader.today <= EXPIRY_WARNING:
        days = (consent.expires - reader.today).days
        reader.problem(
            src.path,
            src.line("expires"),
            f"consent expires in {days} day(s), on {consent.expires}",
            "renew it, or plan to take their stories out of the room",
            Severity.WARNING,
            "expires",
        )
    if consent.withdrawn and consent.withdrawn > reader.today:
        # Honoured from that date (Consent.valid_on); shown until then.
        reader.problem(
            src.path,
            src.line("withdrawn"),
            f"consent withdrawn from {consent.withdrawn}: everything of "
            f"{consent.participant} is left out of every build from that day",
            "rebuild on that day (`immersion schedule` prints a nightly job)",
            Severity.NOTE,
            "withdrawn",
        )
