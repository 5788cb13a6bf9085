"""The intranet's story pages: the index by kind, and one page per story.

A story page is its meta line, then what its kind holds: an interview's player,
highlight cards and transcript; a diary's entries; a film's frames and
chapters; a letter; a written story's body.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from .. import players, views
from ..html import EMPTY, block, fmt_date, fmt_time, join, markdown_block, ol, tag, ul
from ..staging import front_matter, md_text, rel_url
from ..views import STORY_KIND_PLURALS
from . import quotes
from .pages import item_page

if TYPE_CHECKING:
    from .site import IntranetRenderer


def write_pages(r: IntranetRenderer) -> None:
    index = "stories/index.md"
    if r.wants(index):
        write_index(r, index)
    for story in r.lib.stories.values():
        write_page(r, story)


def write_index(r: IntranetRenderer, index: str) -> None:
    text = front_matter("Stories") + "# Stories\n"
    by_kind: dict[str, list[m.Story]] = defaultdict(list)
    for story in r.lib.stories.values():
        by_kind[story.kind_of_story].append(story)
    for kind, label in STORY_KIND_PLURALS.items():
        stories = sorted(
            by_kind.get(kind, []), key=lambda s: (s.date or dt.date.min, s.id), reverse=True
        )
        if stories:
            text += f"## {label}\n" + block(
                ul(
                    join(
                        [
                            r.link(index, "story", s.id),
                            tag(
                                "span",
                                f"{s.participant.pseudonym} · {fmt_date(s.date)}",
                                class_="im-meta",
                            ),
                        ],
                        " ",
                    )
                    for s in stories
                )
            )
    r.write(index, text)


def meta(r: IntranetRenderer, page: str, s: m.Story) -> Markup:
    """Kind, who, their persona, when, and the journey (at its stage) of a story."""
    facts: list[Markup | str] = [
        tag("span", views.kind_label(s), class_="im-badge"),
        s.participant.pseudonym,
    ]
    if s.participant.persona and s.participant.persona in r.lib.personas:
        facts.append(r.link(page, "persona", s.participant.persona))
    if s.date:
        facts.append(fmt_date(s.date))
    journey = r.lib.journeys.get(s.journey or "")
    if journey:
        stage = views.find_stage(r.lib, journey.id, s.stage)
        label = journey.title + (f": {stage.title}" if stage else "")
        facts.append(
            tag("a", label, href=r.stage_href(page, journey.id, stage.id if stage else None))
        )
    return tag("p", join(facts, " · "), class_="im-meta")


def write_page(r: IntranetRenderer, s: m.Story) -> None:
    page = item_page("story", s.id)
    if not r.wants(page):
        return
    folder = r.media_folder("story", s.id)
    text = front_matter(s.title, s.tags) + f"# {md_text(s.title)}\n"
    text += block(meta(r, page, s))
    text += KINDS[s.kind_of_story](r, page, folder, s)
    text += r.section(
        "Cited by",
        [
            *r.cited(page, "persona", r.cites.story_personas[s.id]),
            *r.cited(page, "journey", r.cites.story_journeys[s.id]),
            *r.cited(page, "insight", r.cites.story_insights[s.id]),
        ],
    )
    r.write(page, text)


# -- what each kind holds (page text) ------------------------------------------


def interview(r: IntranetRenderer, page: str, folder: str, s: m.Story) -> str:
    text = r.body(page, "story", s.id, s.body, s.inline_images)
    ident, player, lines = r.recordings.interview(page, folder, s)
    if player:
        text += "## Listen\n" + block(player)
    if s.highlights:
        cards = join(
            highlight_card(r, page, folder, s, card, ident if player else None)
            for card in views.highlight_cards(r.lib, s)
        )
        text += "## Highlights\n" + block(tag("div", cards, class_="im-highlights"))
    if lines:
        text += "## Transcript\n" + block(lines)
    return text


def highlight_card(
    r: IntranetRenderer,
    page: str,
    folder: str,
    s: m.Story,
    card: views.HighlightCard,
    ident: str | None,
) -> Markup:
    """A highlight as a quote card (`quotes.card`), with who cites it.

    `ident` is the page's player of the interview: a `#hl-1` link seeks it there.
    """
    h = card.highlight
    citing = r.cites.anchors.get((s.id, h.id), set())
    links = [r.link(page, kind, item_id) for kind, item_id in sorted(citing)]
    cited = tag("p", join(["Cited by ", join(links, ", ")]), class_="im-meta") if links else EMPTY
    mo = quotes.Moment(s, h, card.words)
    return quotes.card(
        r, page, mo, tags=card.tags, extra=cited, cls="im-highlight", ident=h.id, seek_for=ident
    )


def diary(r: IntranetRenderer, page: str, folder: str, s: m.Story) -> str:
    text = r.body(page, "story", s.id, s.body, s.inline_images)
    entries = [entry(r, page, folder, s, e) for e in views.diary_entries(s)]
    text += "## Entries\n" + block(tag("ol", join(entries), class_="im-timeline"))
    return text


def entry(r: IntranetRenderer, page: str, folder: str, s: m.Story, e: m.DiaryEntry) -> Markup:
    """One diary entry: when, mood, place and stage; its prompt, player and transcript."""
    view = views.entry_facts(r.lib, s, e)
    facts: list[Markup | str] = []
    if e.recorded:
        facts.append(tag("time", view.date, datetime=e.recorded.isoformat()))
    if e.mood is not None:
        facts.append(view.mood_face)
    if view.place:
        facts.append(view.place)
    stage = r.stage_link(page, s, view.stage_id)
    if stage:
        facts.append(stage)
    inner = tag("p", join(facts, " · "), class_="im-meta")
    if view.prompt:
        inner += tag("p", join([tag("strong", "Prompt: "), view.prompt]), class_="im-prompt")
    ident = players.audio_id(s.id, e.id)
    player, lines = r.recordings.spoken(
        page, folder, s, e.recording, e.transcript, ident, view.player_label
    )
    return tag(
        "li",
        inner + player + lines,
        id=e.id,
        class_="im-entry",
        data_seek="0.000" if player else None,
        data_for=ident if player else None,
    )


def film(r: IntranetRenderer, page: str, folder: str, s: m.Story) -> str:
    text = r.body(page, "story", s.id, s.body, s.inline_images)
    ident = players.audio_id(s.id, "narration")
    player, lines = EMPTY, EMPTY
    if s.narration:
        player, lines = r.recordings.spoken(
            page, folder, s, s.narration.recording, s.narration.captions, ident, "Narration"
        )
    frames = []
    at = 0.0
    for number, frame in enumerate(s.frames):
        if frame.src is None:  # a highlight's video clip (the audience filter kept it)
            if clip := r.assets.film_clip(frame, folder):
                video = players.film_video(
                    rel_url(page, clip[0]), rel_url(page, clip[1]), frame.alt
                )
                frames.append(players.FilmFrame(at, at + frame.seconds, video, frame.caption))
            at += frame.seconds
            continue
        placed = r.assets.photo(frame.src, folder)
        if placed is not None:
            picture = r.img(
                page, placed, frame.alt, lazy=number > 0, sizes="(max-width: 60em) 100vw, 60rem"
            )
            frames.append(players.FilmFrame(at, at + frame.seconds, picture, frame.caption))
        at += frame.seconds
    if frames:
        text += "## Film\n" + block(
            players.film(frames, s.title, ident if player else None) + player
        )
    elif player:
        text += "## Narration\n" + block(player)
    if s.chapters:
        items = []
        for c in s.chapters:
            label = f"{fmt_time(c.at)} {c.title}"
            head = players.seek_button(ident, c.at, label) if player else label
            stage = r.stage_link(page, s, c.stage)
            items.append(join([head, stage], " · ") if stage else join([head]))
        text += "## Chapters\n" + block(ol(items, "im-chapters"))
    if lines:
        text += "## Narration transcript\n" + block(lines)
    return text


def email(r: IntranetRenderer, page: str, folder: str, s: m.Story) -> str:
    header = views.email_header(s)
    rows = join(tag("div", tag("dt", label) + tag("dd", value)) for label, value in header.lines())
    letter = tag("dl", rows, class_="im-letter-head")
    body = r.body(page, "story", s.id, s.body, s.inline_images)
    attachments = join(r.figure(page, a.src, folder, a.alt, a.alt) for a in s.attachments)
    # The letter as it was: header and body together on one sheet (md_in_html renders the
    # body inside it).
    text = markdown_block("article", body, letter, class_="im-letter")
    if attachments:
        text += "## Attachments\n" + block(tag("div", attachments, class_="im-frames"))
    return text


def written(r: IntranetRenderer, page: str, folder: str, s: m.Story) -> str:
    # Blockquotes in a written story are its pull quotes (styled by the theme).
    body = r.body(page, "story", s.id, s.body, s.inline_images)
    if not body:
        return ""
    return markdown_block("article", body, class_="im-story-body")


KINDS: dict[str, Callable[[IntranetRenderer, str, str, m.Story], str]] = {
    "interview": interview,
    "audio-diary": diary,
    "photo-film": film,
    "email": email,
    "story": written,
}
