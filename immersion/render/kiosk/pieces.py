"""The pieces both the slides and the item pages of a display are made of.

Photos at the width their slot needs, clips for the attract loop, the editor's
bodies made safe, links that never leave the display, evidence and quotes.
Functions that return HTML return `Markup`; those that return a piece of a
Markdown page (`section`, `body`) return `str`, never to be passed to `tag`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from markupsafe import Markup

from ... import model as m
from ...bodytext import INLINE_IMAGE, safe_markdown
from ...schema import EvidenceRef, MediaRef
from .. import charts, players
from ..assets import PlacedPhoto
from ..html import EMPTY, block, fmt_time, tag, void
from ..recordings import Recordings
from ..staging import esc, rel_url
from ..views import SECTION_DIRS, moment_label, persona_names, quoted, said_at
from .layout import KioskAssets, Screen, narrowest_covering, needed_width, slot_for

# Quotes and letters on a slide are cut to this many characters: a slide is read in seconds.
SLIDE_TEXT_LIMIT = 220

_MD_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(^|\s)[#>]+\s|[*_~]+|^\s*[-+]\s+", re.MULTILINE)
# A literal of ours, as Markup so that `Markup.replace` matches it rather than escaping it.
_SVG_NAMESPACE = Markup(' xmlns="http://www.w3.org/2000/svg"')


def excerpt(text: str, limit: int = SLIDE_TEXT_LIMIT) -> str:
    """A Markdown body as plain words for a slide: no photos, links as their text, cut."""
    plain = INLINE_IMAGE.sub("", text)
    plain = _MD_LINK.sub(r"\1", plain)
    plain = _MD_MARKS.sub(lambda match: match.group(1) or " ", plain)
    plain = " ".join(plain.split())
    return cut(plain, limit)


def cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.") + "…"


class Pieces:
    """Markup shared by the slides and the item pages of every display."""

    def __init__(self, lib: m.Library, assets: KioskAssets, recordings: Recordings) -> None:
        self.lib = lib
        self.assets = assets
        self.recordings = recordings

    def media_folder(self, kind: str, item_id: str) -> str:
        return f"media/{SECTION_DIRS[kind]}/{item_id}"

    # -- photos and clips ----------------------------------------------------

    def photo(
        self,
        screen: Screen,
        page: str,
        ref: MediaRef,
        folder: str,
        alt: str,
        use: str,
        cls: str | None = None,
    ) -> Markup:
        """One `<img>` at the narrowest width that fills its slot on this display."""
        placed = self.assets.photo(ref, folder)
        if placed is None:
            return EMPTY
        return self.img(screen, page, placed, alt, use, cls)

    def portrait(self, screen: Screen, page: str, p: m.Persona, use: str, cls: str) -> Markup:
        """A persona's portrait in slot `use`; nothing when it has none in this build."""
        if p.portrait is None:
            return EMPTY
        folder = self.media_folder("persona", p.id)
        return self.photo(screen, page, p.portrait.src, folder, p.portrait.alt, use, cls)

    def img(
        self, screen: Screen, page: str, placed: PlacedPhoto, alt: str, use: str, cls: str | None
    ) -> Markup:
        display = screen.display
        files = placed.sources.get("webp") or placed.sources.get("jpeg") or []
        if not files:
            return EMPTY
        slot = slot_for(use, display.orientation, display.resolution)
        aspect = placed.width / placed.height if placed.height else 1.0
        width = narrowest_covering(
            [w for _path, w in files], needed_width(display.resolution, slot, aspect)
        )
        path = next(p for p, w in files if w == width)
        height = max(1, round(width * placed.height / placed.width)) if placed.width else width
        return void(
            "img",
            src=rel_url(page, path),
            alt=alt,
            width=width,
            height=height,
            decoding="async",
            draggable="false",
            class_=cls,
            style=f"background:url({placed.placeholder}) center/cover no-repeat",
        )

    def film_frames(
        self, screen: Screen, page: str, folder: str, s: m.Story, use: str = "film"
    ) -> list[players.FilmFrame]:
        """The frames that have a rendition, each on the film's timeline, sized for `use`."""
        frames = []
        at = 0.0
        for frame in s.frames:
            if frame.src is None:
                picture = self.film_video(page, folder, frame)
            else:
                picture = self.photo(screen, page, frame.src, folder, frame.alt, use)
            if picture:
                frames.append(players.FilmFrame(at, at + frame.seconds, picture, frame.caption))
            at += frame.seconds
        return frames

    def film_video(self, page: str, folder: str, frame: m.Frame) -> Markup:
        """A video frame: its highlight's clip, muted, in place of a photo (if it was made)."""
        clip = self.assets.film_clip(frame, folder)
        if clip is None:
            return EMPTY
        return players.film_video(rel_url(page, clip[0]), rel_url(page, clip[1]), frame.alt)

    def clip_attrs(
        self, page: str, ref: MediaRef | None, folder: str, clip: str | None
    ) -> dict[str, str]:
        """`data-ik-clip` (opus first: kiosks run Chromium), its type, and the m4a fallback."""
        if ref is None:
            return {}
        sources = self.recordings.sources(page, ref, folder, clip)
        if sources is None or not sources.sources:
            return {}
        (first, mime), *rest = sources.sources
        values = {"data_ik_clip": first, "data_ik_clip_type": mime}
        if rest:
            values["data_ik_clip_fallback"] = rest[0][0]
        return values

    def highlight_of(self, ref: EvidenceRef | None) -> tuple[m.Story, m.Highlight] | None:
        """The story and highlight a piece of evidence points at, when it is one."""
        if ref is None or not ref.anchor:
            return None
        story = self.lib.stories.get(ref.story)
        anchor = story.anchors().get(ref.anchor) if story else None
        if story is None or not isinstance(anchor, m.Highlight):
            return None
        return story, anchor

    def evidence_clip(self, page: str, ref: EvidenceRef) -> Markup:
        """A player of the highlight that `ref` points at; nothing when it is none."""
        found = self.highlight_of(ref)
        if found is None:
            return EMPTY
        story, anchor = found
        return self.recordings.audio(
            page,
            story.recording,
            self.media_folder("story", story.id),
            f"{story.participant.pseudonym}, {fmt_time(anchor.start)}",
            clip=anchor,
        )

    def curve(self, j: m.Journey, href: Callable[[EvidenceRef], str | None]) -> Markup:
        svg = charts.emotion_curve_svg(j, persona_names(self.lib, charts.persona_ids(j)), href)
        # HTML needs no namespace; leaving it out keeps every page free of other hosts' names.
        return svg.replace(_SVG_NAMESPACE, EMPTY, 1)

    # -- text ----------------------------------------------------------------

    def body(
        self,
        screen: Screen,
        page: str,
        kind: str,
        item_id: str,
        text: str,
        images: Iterable[m.Image] = (),
        cls: str = "ik-body",
        head: Markup = EMPTY,
    ) -> str:
        """The editor's Markdown, made safe, in its own block for the engine to render.

        Markdown, not HTML: `safe_markdown` has made the text unable to render as
        markup. `head` is HTML that opens the block (a letter's header, on the same sheet).
        """
        folder = self.media_folder(kind, item_id)
        published = {image.src.src: image.src for image in images}

        def photo(src: str, alt: str) -> str | None:
            ref = published.get(src)
            html = self.photo(screen, page, ref, folder, alt.strip(), "column") if ref else EMPTY
            return html or None

        # No links on a display: nothing may lead out of it (photos stay).
        safe = safe_markdown(text.strip(), photo, links=False)
        if not safe and not head:
            return ""
        # The opening tag alone: the block's Markdown follows, and `</div>` closes it.
        opening = void("div", class_=cls, markdown=True)
        head_line = str(head).replace("\n", " ") + "\n\n" if head else ""
        return f"\n\n{opening}\n\n{head_line}{safe}\n\n</div>\n\n"

    def section(self, title: str, inner: Markup, cls: str = "") -> str:
        """A titled section of an item page, as a Markdown block; nothing when empty."""
        if not inner:
            return ""
        classes = "ik-section" + (f" {cls}" if cls else "")
        return block(tag("div", tag("h2", title) + inner, class_=classes))

    # -- links and evidence --------------------------------------------------

    def link(self, screen: Screen, page: str, kind: str, item_id: str, text: str) -> Markup:
        """A link to an item's page on this display; plain text when it has none."""
        if not screen.has(kind, item_id):
            return esc(text)
        return tag("a", text, href=rel_url(page, screen.page(kind, item_id)))

    def item_title(self, kind: str, item_id: str) -> str:
        item = self.lib.by_kind(kind).get(item_id)
        return str(getattr(item, "title", item_id)) if item is not None else item_id

    def evidence(self, screen: Screen, page: str, ref: EvidenceRef) -> Markup:
        """Who said it and where, linked to the moment when the story is on this display."""
        story = self.lib.stories.get(ref.story)
        if story is None:
            return EMPTY
        label = moment_label(story, ref.anchor)
        if not screen.has("story", story.id):
            return tag("span", label, class_="ik-evidence")
        target = screen.page("story", story.id) + (f"#{ref.anchor}" if ref.anchor else "")
        return tag("a", label, href=rel_url(page, target), class_="ik-evidence")

    def quote_card(self, screen: Screen, page: str, ref: EvidenceRef) -> Markup:
        """The words said at a moment, who said them, and their voice when there is a clip."""
        source = self.evidence(screen, page, ref)
        if not source:
            return EMPTY
        words = said_at(self.lib, ref)
        inner = tag("p", quoted(cut(words, 400))) if words else EMPTY
        inner += tag("footer", source)
        inner += self.evidence_clip(page, ref)
        return tag("blockquote", inner, class_="ik-quote")
