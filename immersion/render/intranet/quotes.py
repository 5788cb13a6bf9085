"""Quote cards: a customer's words, who said them and when, one player, "in context".

The same card everywhere a quote is shown on the intranet: a highlight on its
interview page, a piece of an insight's evidence, a persona's quote. Each card
has exactly one control to hear the moment (the clip's player, its waveform
drawn from the recording's peaks) and one link to the moment in its story (the
transcript line it starts on, where the story page seeks the recording), so a
reader is never left choosing between three buttons that do nearly the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from ... import model as m
from ...schema import EvidenceRef
from .. import players, views
from ..html import EMPTY, fmt_date, fmt_time, join, tag
from .pages import QUOTE_LIMIT, item_page

if TYPE_CHECKING:
    from .site import IntranetRenderer


@dataclass(frozen=True)
class Moment:
    """One quoted moment of a story: a highlight, a diary entry, or the whole story."""

    story: m.Story
    anchor: m.Highlight | m.DiaryEntry | None
    words: str  # what was said, "" without a transcript

    @property
    def who(self) -> str:
        return self.story.participant.pseudonym

    @property
    def when(self) -> str:
        """`0:24–0:36` for a highlight, the day of a diary entry, else ""."""
        if isinstance(self.anchor, m.Highlight):
            return f"{fmt_time(self.anchor.start)}–{fmt_time(self.anchor.end)}"
        if isinstance(self.anchor, m.DiaryEntry) and self.anchor.recorded:
            return fmt_date(self.anchor.recorded)
        return ""

    @property
    def label(self) -> str:
        """Who and when in words, for assistive technology: never an id."""
        if isinstance(self.anchor, m.Highlight):
            return f"{self.who}, {fmt_time(self.anchor.start)} to {fmt_time(self.anchor.end)}"
        return views.moment_label(self.story, self.anchor.id if self.anchor else "")

    @property
    def stage_id(self) -> str | None:
        return self.anchor.stage if self.anchor is not None else None


def moment(r: IntranetRenderer, ref: EvidenceRef) -> Moment | None:
    """The moment an evidence reference points to, if its story is in this build."""
    story = r.lib.stories.get(ref.story)
    if story is None:
        return None
    anchor = story.anchors().get(ref.anchor) if ref.anchor else None
    return Moment(story, anchor, views.said_at(r.lib, ref) if anchor else "")


def trimmed(words: str) -> str:
    if len(words) > QUOTE_LIMIT:
        return words[: QUOTE_LIMIT - 1].rstrip() + "…"
    return words


def context_link(r: IntranetRenderer, page: str, mo: Moment) -> Markup:
    """ "In context": the moment on its story page (the page itself for its own cards)."""
    fragment = r.recordings.context_fragment(mo.story, mo.anchor)
    story_page = item_page("story", mo.story.id)
    href = ("" if page == story_page else r.href(page, story_page)) + (
        f"#{fragment}" if fragment else ""
    )
    hidden = tag("span", f": {mo.label}", class_="im-sr")  # one link name per moment
    return tag("a", join(["In context", hidden]), href=href or "#", class_="im-in-context")


def chip_list(words: Iterable[str]) -> Markup:
    """Tags as chips the width of their word, in a line that wraps."""
    items = [tag("li", word, class_="im-chip") for word in words]
    return tag("ul", join(items), class_="im-chips", aria_label="Tags") if items else EMPTY


def card(
    r: IntranetRenderer,
    page: str,
    mo: Moment,
    *,
    words: str | None = None,
    tags: Sequence[str] = (),
    extra: Markup = EMPTY,
    cls: str = "",
    ident: str | None = None,
    seek_for: str | None = None,
) -> Markup:
    """A quote card: the words, who · when · stage, the one player and "in context".

    `words` replaces the moment's own (a persona's quote as the persona page has it);
    `seek_for` is the id of the page's own player of this story, so that a `#hl-1`
    deep link still seeks it.
    """
    said = mo.words if words is None else words
    folder = r.media_folder("story", mo.story.id)
    if said:
        head = tag("blockquote", tag("p", views.quoted(trimmed(said))), class_="im-quote")
    else:  # the whole story, or a moment without a transcript: its title stands in
        head = tag("p", r.link(page, "story", mo.story.id), class_="im-quote-title")
    facts: list[Markup | str] = [mo.who]
    if mo.when:
        facts.append(mo.when)
    stage = r.stage_link(page, mo.story, mo.stage_id)
    if stage:
        facts.append(stage)
    player = r.recordings.quote_player(page, folder, mo.story, mo.anchor) if mo.anchor else EMPTY
    controls = tag("div", player + context_link(r, page, mo), class_="im-quote-controls")
    start = mo.anchor.start if isinstance(mo.anchor, m.Highlight) else None
    return tag(
        "article",
        join(
            [
                head,
                tag("p", join(facts, " · "), class_="im-meta"),
                controls,
                chip_list(tags),
                extra,
            ]
        ),
        class_=" ".join(["im-quote-card", *([cls] if cls else [])]),
        id=ident,
        data_seek=players.seconds(start) if seek_for and start is not None else None,
        data_for=seek_for if start is not None else None,
        data_clip="1" if player else None,
        aria_label=mo.label,
    )


def evidence_cards(r: IntranetRenderer, page: str, refs: Iterable[EvidenceRef]) -> Markup:
    """Evidence as counted clip cards: "3 clips from 2 participants", then the cards."""
    moments = [mo for mo in (moment(r, ref) for ref in refs) if mo is not None]
    if not moments:
        return EMPTY
    cards = [card(r, page, mo) for mo in moments]
    clips = sum(1 for c in cards if 'data-clip="1"' in c)
    people = len({mo.story.participant.pseudonym for mo in moments})
    noun = "clip" if clips == len(cards) else "moment"
    count = f"{len(cards)} {noun}{'s' if len(cards) != 1 else ''} from {people} "
    count += "participant" if people == 1 else "participants"
    return tag("p", count, class_="im-evidence-count") + tag(
        "div", join(cards), class_="im-quote-cards"
    )
