"""The intranet's "The room" page (`room/`): what the displays showed and what visitors did.

`room_state` reads the room database (`Project.room_database`) once per build, if it
is there; `write_room_page` turns the figures into the page for staff. The figures
and their definitions are in `immersion/room/reading.py`; this module only words and
draws them. An item is named by its title and linked to its page only while it is in
this build of the intranet: anything else (withdrawn, expired, deleted) is "an item no
longer in the room", never its old title.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from ...problems import Problem, Severity
from ...room.reading import Figures, ItemTally, Tally, read_figures
from ..html import EMPTY, block, fmt_date, fmt_time, join, tag
from ..room_charts import Bar, Column, bar_chart, column_chart
from ..staging import front_matter
from .pages import item_page

if TYPE_CHECKING:
    from ...project import Project
    from .site import IntranetRenderer

PAGE = "room/index.md"
GONE = "an item no longer in the room"
GONE_MANY = "items no longer in the room"
CHART_BARS = 12  # the chart shows the top items; the table lists them all


@dataclass(frozen=True)
class RoomState:
    """What the build knows of the room database: its figures, or why there are none."""

    database: str  # as the editor knows it (project-relative)
    figures: Figures | None = None
    problem: str | None = None  # the database is there but cannot be read


def room_state(project: Project, problems: list[Problem]) -> RoomState:
    """The room database's figures; one warning (and none) when it cannot be read."""
    path = project.room_database
    shown = project.shown(path)
    if not path.is_file():
        return RoomState(shown)
    try:
        figures = read_database(path, project.room_summary)
    except sqlite3.Error as exc:
        reason = f"cannot read the room database: {exc}"
        problems.append(
            Problem(
                shown,
                None,
                f"{reason}; the room page says so, the rest is built",
                "move the file aside (immersion kiosk starts a new one) or restore a backup",
                severity=Severity.WARNING,
            )
        )
        return RoomState(shown, problem=str(exc))
    return RoomState(shown, figures)


def read_database(path: Path, summary: Path | None = None) -> Figures:
    """Open the SQLite file read only (a build never writes the displays' records).

    `summary`: the build's cache of each day's sums; one that cannot be used (a disk
    full once, a crash) is started again, it holds nothing that cannot be read again.
    """
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if summary is None:
            return read_figures(con)
        cache = open_summary(summary)
        try:
            return read_figures(con, cache)
        finally:
            cache.close()
    finally:
        con.close()


def open_summary(summary: Path) -> sqlite3.Connection:
    summary.parent.mkdir(parents=True, exist_ok=True)
    try:
        cache = sqlite3.connect(summary)
        cache.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return cache
    except sqlite3.Error:
        summary.unlink(missing_ok=True)
        return sqlite3.connect(summary)


# -- words for numbers -------------------------------------------------------------


def count(n: int) -> str:
    return f"{n:,}"


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "–"


def held(seconds: float | None) -> str:
    return fmt_time(seconds) if seconds is not None else "–"


def week_label(monday: dt.date) -> str:
    return f"Week of {fmt_date(monday)}"


# -- the items, as the intranet knows them -------------------------------------------


@dataclass(frozen=True)
class Named:
    label: str
    href: str | None  # None: not in this build


def namer(r: IntranetRenderer, page: str) -> Callable[[str], Named]:
    """An event's item key ("story:p07") -> its title and link, or "no longer in the room"."""

    def name(key: str) -> Named:
        kind, _, item_id = key.partition(":")
        items = r.lib.by_kind(kind) if kind in m.ITEM_KINDS else {}
        item = items.get(item_id)
        if item is None:
            return Named(GONE, None)
        label = getattr(item, "title", item_id)
        return Named(label, r.href(page, item_page(kind, item_id)))

    return name


def linked(named: Named) -> Markup:
    if named.href is None:
        return tag("em", named.label, class_="im-gone")
    return tag("a", named.label, href=named.href)


def table(
    head: Sequence[str], rows: Iterable[Sequence[object]], cls: str = "im-room-table"
) -> Markup:
    """A table: the first column is text, the others numbers (right-aligned by the theme)."""
    header = tag("tr", join(tag("th", h, scope="col") for h in head))
    body = join(tag("tr", join(tag("td", cell) for cell in row)) for row in rows)
    return tag(
        "div",
        tag("table", tag("thead", header) + tag("tbody", body), class_=cls),
        class_="im-scroll",
    )


def chart(svg: Markup) -> Markup:
    return tag("figure", tag("div", svg, class_="im-scroll"), class_="im-room-figure")


# -- the page --------------------------------------------------------------------------


def write_room_page(r: IntranetRenderer, state: RoomState | None) -> None:
    if not r.wants(PAGE):
        return
    text = front_matter("The room") + "# The room\n"
    if state is None or state.figures is None:
        text += not_collected(state)
    elif not state.figures.events:
        text += block(
            tag(
                "p",
                f"The room database ({state.database}) holds no events yet: the displays "
                "have not reported anything. Once they run with immersion kiosk, their "
                "showings and visitors' taps appear here at the next build.",
                class_="im-lead",
            )
        )
    else:
        text += figures_text(r, state.figures)
    r.write(PAGE, text)


def not_collected(state: RoomState | None) -> str:
    if state is not None and state.problem is not None:
        said = (
            f"The room database ({state.database}) could not be read ({state.problem}), so "
            "this build has no figures from the displays. The rest of the intranet is "
            "up to date."
        )
        how = "Move the file aside (immersion kiosk starts a new one) or restore it from a backup."
    else:
        where = state.database if state else "build/.room/room.sqlite"
        said = (
            "No figures yet: there is no room database, so nothing the displays showed "
            "or visitors touched has been recorded."
        )
        how = (
            f"To start collecting, run each display with immersion kiosk DISPLAY: it keeps "
            f"what the display shows and what visitors open in {where}, and the next build "
            "shows it here."
        )
    return block(tag("p", said, class_="im-lead im-room-none")) + block(tag("p", how))


def figures_text(r: IntranetRenderer, f: Figures) -> str:
    page = PAGE
    name = namer(r, page)
    total = Tally()
    for tally in f.items.values():
        total.add(tally)
    heard = sum(rec.started for rec in f.recordings)
    ended = sum(rec.to_the_end for rec in f.recordings)
    period = (
        f"From {fmt_date(_day(f.first))} to {fmt_date(_day(f.last))}: {count(f.events)} "
        "events reported by the displays."
    )
    stats = [
        (count(total.shown), "showings"),
        (count(total.opened), "items opened"),
        (share(total.attracted, total.shown), "attraction"),
        (count(ended), "recordings heard to the end"),
        (count(f.late_count), "shown after their end"),
    ]
    text = block(tag("p", period, class_="im-lead"))
    text += block(
        tag(
            "div",
            join(
                tag("p", join([tag("strong", n), " ", label]), class_="im-room-stat")
                for n, label in stats
            ),
            class_="im-room-stats",
            aria_label="The room in numbers",
        )
    )
    text += non_play(f, name)
    text += weeks_section(f)
    text += displays_section(r, f)
    text += items_section(f, name, total)
    text += recordings_section(f, name, heard, ended)
    text += attention_section(r, f, page)
    text += definitions(f)
    return text


def _day(stamp: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(stamp[:10]) if stamp else None
    except ValueError:
        return None


def non_play(f: Figures, name: Callable[[str], Named]) -> str:
    text = "## Proof of non-play\n"
    if not f.late_count:
        return text + block(
            tag(
                "p",
                join(
                    [
                        tag("strong", "0 events"),
                        " started after the end of their item's consent (its valid_until, "
                        "which each display records with every event).",
                    ]
                ),
                class_="im-room-ok",
            )
        )
    listed = f" The first {len(f.late)} are listed." if f.late_count > len(f.late) else ""
    text += block(
        tag(
            "p",
            join(
                [
                    tag("strong", f"{count(f.late_count)} events"),
                    " started at or after the end of their item's consent. A display showed "
                    "something it should have dropped: check its clock and that it runs the "
                    f"latest build.{listed}",
                ]
            ),
            class_="im-room-alarm",
        )
    )
    rows = [(e.display, e.kind, linked(name(e.item)), e.started_at, e.valid_until) for e in f.late]
    return text + block(table(["display", "event", "item", "started", "valid until"], rows))


def weeks_section(f: Figures) -> str:
    weeks = sorted(f.weeks.items())
    if not weeks:
        return ""
    columns = []
    last_month = None
    for monday, tally in weeks:
        tick = monday.strftime("%b") if monday.month != last_month else ""
        last_month = monday.month
        columns.append(
            Column(
                tick,
                tally.shown,
                f"{week_label(monday)}: {count(tally.shown)} showings,"
                f" {count(tally.opened)} opened",
                second=tally.opened,
            )
        )
    busiest = max(weeks, key=lambda w: (w[1].opened, w[0]))
    desc = (
        f"Showings and opened items for each of {len(weeks)} weeks. The most items were "
        f"opened in the {week_label(busiest[0]).lower()}: {count(busiest[1].opened)}."
    )
    svg = column_chart("room-weeks", "Week by week", desc, columns, ("showings", "items opened"))
    rows = [(week_label(monday), count(t.shown), count(t.opened)) for monday, t in reversed(weeks)]
    every = tag(
        "details",
        tag("summary", f"Every week's figures ({len(weeks)} weeks)")
        + table(["week", "showings", "items opened"], rows),
        class_="im-room-weeks",
    )
    return "## Week by week\n" + block(chart(svg)) + block(every)


def displays_section(r: IntranetRenderer, f: Figures) -> str:
    titles = {d.id: d.title or d.id for d in r.lib.room.displays}
    rows = [
        (
            titles.get(display, display),
            count(t.shown),
            count(t.opened),
            share(t.attracted, t.shown),
        )
        for display, t in sorted(f.displays.items(), key=lambda d: titles.get(d[0], d[0]))
    ]
    if not rows:
        return ""
    return "## Displays\n" + block(table(["display", "showings", "opened", "attraction"], rows))


def merged_items(f: Figures, name: Callable[[str], Named]) -> list[tuple[Named, ItemTally]]:
    """Items with their names; every item no longer in the room folded into one row."""
    known: list[tuple[Named, ItemTally]] = []
    gone = ItemTally()
    gone_count = 0
    for key, tally in f.items.items():
        named = name(key)
        if named.href is None:
            gone.add(tally)
            for seconds, n in tally.held.items():
                gone.held[seconds] = gone.held.get(seconds, 0) + n
            gone_count += 1
        else:
            known.append((named, tally))
    known.sort(key=lambda nt: (-nt[1].opened, -nt[1].shown, nt[0].label.lower()))
    if gone_count:
        label = GONE if gone_count == 1 else f"{GONE_MANY} ({gone_count})"
        known.append((Named(label, None), gone))
    return known


def items_section(f: Figures, name: Callable[[str], Named], total: Tally) -> str:
    items = merged_items(f, name)
    if not items:
        return ""
    shown = [(n, t) for n, t in items if t.shown]
    ranked = sorted(shown, key=lambda nt: (-(nt[1].attraction or 0), nt[0].label.lower()))
    bars = [Bar(n.label, t.attraction or 0, share(t.attracted, t.shown), n.href) for n, t in ranked]
    text = "## Items\n"
    if bars:
        desc = (
            f"The share of showings after which a visitor opened the item, for the "
            f"{min(len(bars), CHART_BARS)} items that drew the most. Highest: "
            f"{bars[0].label}, {bars[0].shown}. Across all items: "
            f"{share(total.attracted, total.shown)}."
        )
        text += block(chart(bar_chart("room-attraction", "Attraction", desc, bars[:CHART_BARS])))
    rows = [
        (
            linked(n),
            count(t.shown),
            count(t.opened),
            count(t.attracted),
            share(t.attracted, t.shown),
            held(t.holding),
        )
        for n, t in items
    ]
    head = ["item", "showings", "opened", "from a showing", "attraction", "holding power"]
    return text + block(table(head, rows))


def recordings_section(f: Figures, name: Callable[[str], Named], heard: int, ended: int) -> str:
    if not f.recordings:
        return ""
    rows = []
    gone = [0, 0]
    for rec in f.recordings:
        named = name(rec.item)
        if named.href is None:
            gone[0] += rec.started
            gone[1] += rec.to_the_end
            continue
        recording = rec.media.rsplit("/", 1)[-1] or "recording"
        rows.append(
            (
                linked(named),
                recording,
                count(rec.started),
                count(rec.to_the_end),
                share(rec.to_the_end, rec.started),
            )
        )
    if gone[0]:
        rows.append(
            (
                tag("em", GONE, class_="im-gone"),
                "",
                count(gone[0]),
                count(gone[1]),
                share(gone[1], gone[0]),
            )
        )
    intro = tag(
        "p",
        f"Of {count(heard)} recordings visitors started, {count(ended)} were listened to "
        f"the end ({share(ended, heard)}).",
    )
    head = ["item", "recording", "started", "to the end", "share"]
    return "## Recordings listened to the end\n" + block(intro) + block(table(head, rows))


def attention(
    r: IntranetRenderer, f: Figures
) -> tuple[dict[str, Tally], dict[tuple[str, str], Tally]]:
    """Opens and time spent, by persona and by journey stage, from the items' figures.

    A persona draws the opens of its own page and of the stories of participants who
    stand for it; a stage, the opens of stories set at it and of insights that name it.
    """
    lib = r.lib
    personas: dict[str, Tally] = {}
    stages: dict[tuple[str, str], Tally] = {}
    for key, tally in f.items.items():
        kind, _, item_id = key.partition(":")
        persona_ids: list[str] = []
        stage_ids: list[tuple[str, str]] = []
        if kind == "persona" and item_id in lib.personas:
            persona_ids.append(item_id)
        elif kind == "story" and item_id in lib.stories:
            story = lib.stories[item_id]
            if story.participant.persona:
                persona_ids.append(story.participant.persona)
            if story.journey and story.stage:
                stage_ids.append((story.journey, story.stage))
        elif kind == "insight" and item_id in lib.insights:
            stage_ids.extend(lib.insights[item_id].stages)
        for pid in persona_ids:
            if pid in lib.personas:
                personas.setdefault(pid, Tally()).add(tally)
        for stage in stage_ids:
            stages.setdefault(stage, Tally()).add(tally)
    return personas, stages


def attention_section(r: IntranetRenderer, f: Figures, page: str) -> str:
    personas, stages = attention(r, f)
    text = ""
    people = sorted(personas.items(), key=lambda p: (-p[1].opened, r.lib.personas[p[0]].name))
    if people:
        bars = [
            Bar(
                r.lib.personas[pid].name,
                t.opened,
                count(t.opened),
                r.href(page, item_page("persona", pid)),
            )
            for pid, t in people
        ]
        desc = f"Items opened, by persona. Most: {bars[0].label}, {bars[0].shown} opened."
        rows = [
            (
                tag("a", r.lib.personas[pid].name, href=r.href(page, item_page("persona", pid))),
                count(t.opened),
                fmt_time(t.open_seconds),
            )
            for pid, t in people
        ]
        text += (
            "## Personas that drew most attention\n"
            + block(chart(bar_chart("room-personas", "Personas", desc, bars[:CHART_BARS])))
            + block(table(["persona", "opened", "time spent"], rows))
        )
    named_stages = []
    for (journey_id, stage_id), t in stages.items():
        journey = r.lib.journeys.get(journey_id)
        stage = next((s for s in journey.stages if s.id == stage_id), None) if journey else None
        if journey and stage:
            href = r.stage_href(page, journey_id, stage_id)
            named_stages.append((f"{journey.title}: {stage.title}", href, t))
    named_stages.sort(key=lambda s: (-s[2].opened, s[0]))
    if named_stages:
        bars = [Bar(label, t.opened, count(t.opened), href) for label, href, t in named_stages]
        desc = f"Items opened, by journey stage. Most: {bars[0].label}, {bars[0].shown} opened."
        rows = [
            (tag("a", label, href=href), count(t.opened), fmt_time(t.open_seconds))
            for label, href, t in named_stages
        ]
        text += (
            "## Journey stages that drew most attention\n"
            + block(chart(bar_chart("room-stages", "Journey stages", desc, bars[:CHART_BARS])))
            + block(table(["stage", "opened", "time spent"], rows))
        )
    return text


def definitions(f: Figures) -> str:
    lines = [
        join([tag("strong", "Showings"), ": each time an item came up in a display's loop."]),
        join(
            [
                tag("strong", "Opened"),
                ": each time a visitor opened an item's page on a display, from the loop "
                "or from another page.",
            ]
        ),
        join(
            [
                tag("strong", "Attraction"),
                ": of an item's showings, the share after which a visitor opened that same "
                "item on that same display before the display showed or opened anything "
                "else (the open is the display's next showing-or-open event).",
            ]
        ),
        join(
            [
                tag("strong", "Holding power"),
                ": the median time spent on an item's opened page, to the nearest second.",
            ]
        ),
        join(
            [
                tag("strong", "Listened to the end"),
                ": a recording a visitor started that played to its last second.",
            ]
        ),
        join(
            [
                tag("strong", "Weeks"),
                " start on Monday, by the date of each event in UTC.",
            ]
        ),
        "Nothing here identifies a visitor: a display records what it showed and what was "
        "touched on it, never who touched it.",
    ]
    if f.idle_resets or f.dropped:
        lines.append(
            f"Idle resets: {count(f.idle_resets)}. Events the displays had to drop while "
            f"offline (their store was full): {count(f.dropped)}."
        )
    items = join(tag("li", line) for line in lines)
    return "## How these figures are counted\n" + block(tag("ul", items) if items else EMPTY)
