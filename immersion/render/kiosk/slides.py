"""The attract loop of a display: one `section.ik-slide` per playlist item.

A slide shows an item in a few seconds of reading (a face, a quote, a curve, a
letter's first lines) and opens its page when touched; a highlight's or a
diary's slide carries the clip the loop may play. Every slide is `Markup`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from ... import model as m
from ... import spoken
from ...room.schema import item_key
from ...schema import EvidenceRef, MediaRef
from ...validity import Validity
from .. import players
from ..html import EMPTY, fmt_date, fmt_time, join, tag, void
from ..staging import rel_url
from ..views import (
    email_header,
    opening_entry,
    quote_words,
    quoted,
    said_at,
    status_label,
    we_did_label,
)
from . import wall
from .layout import Screen, is_wall
from .pieces import SLIDE_TEXT_LIMIT, cut, excerpt
from .timing import Caption, Content, captions, slide_seconds, words_shown
from .voices import Voices, length_class, plain_title, told_by

# The prompt on every slide (the whole slide is the tap target; this is its real link).
OPEN_LABELS = {
    "persona": "Touch to meet {name}",
    "journey": "Touch to walk the journey",
    "highlight": "Touch to hear {name}",
    "video": "Touch to watch {name}",
    "story": "Touch to read {name}'s story",
    "film": "Touch to watch {name}'s film",
    "diary": "Touch to hear {name}'s diary",
    "email": "Touch to read {name}'s letter",
    "insight": "Touch to hear the evidence",
    "action": "Touch to see what we did",
}


@dataclass(frozen=True)
class Clip:
    """The clip a slide carries: where it is, how long it plays, its captions, who speaks."""

    attrs: dict[str, str]  # data-ik-clip, its type and fallback
    seconds: float | None  # the clip's length, when known
    captions: tuple[Caption, ...] = ()
    who: str = ""  # "Kwame, entry 2 of 3": the "Now playing" line


@dataclass(frozen=True)
class Video:
    """A video a slide plays (docs/kiosk.md, "Video slides"): the span of the recording it
    shows, on the recording's clock, and its captions track."""

    mp4: str  # URL relative to the entry page
    poster: str
    start: float
    end: float
    captions: str | None  # the published WebVTT, on the recording's clock
    label: str  # "Leah, 12:04 to 12:31"
    size: tuple[int, int] = (16, 9)  # the picture's width and height (its shape is what counts)

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Loop:
    """A display's attract loop: the markup after `ik-config`, and each slide's length."""

    markup: Markup
    seconds: tuple[float, ...]
    # Each slide's valid_until (validity.py), in the same order; None: no end.
    valid_until: tuple[str | None, ...] = ()


class Slides(Voices):
    """The slides of a display's entry page, and what it shows when the room is closed."""

    # The room's logo as a URL relative to the entry pages (site.py sets it from mkdocs.yml).
    logo: str | None = None
    # The length of every slide `wrap_slide` made for the loop being built, in order.
    lengths: list[float]
    # The valid_until of every slide made for that loop, in the same order.
    valid: list[str | None]

    def stage(self, screen: Screen) -> Loop:
        """Everything the display's root holds after its `ik-config`, and the loop's timing."""
        room = self.lib.room
        self.lengths = []
        self.valid = []
        self.validity = Validity(self.lib)
        slides = [self.slide(screen, kind, item_id) for kind, item_id in screen.items]
        slides = [s for s in slides if s]
        if not slides:
            slides = [self.welcome_slide(screen)]
        quiet = self.mark(screen.entry) + tag("h2", room.name, class_="ik-room")
        if room.opening_hours:
            quiet += tag("p", f"Open again at {room.opening_hours.open.strftime('%H:%M')}")
        markup = (
            tag("div", join(slides), class_="ik-stage")
            + tag("section", quiet, class_="ik-quiet", hidden=True, aria_label="The room is closed")
            + tag("nav", "", class_="ik-dots", aria_hidden="true")
        )
        return Loop(markup, tuple(self.lengths), tuple(self.valid))

    def welcome_slide(self, screen: Screen) -> Markup:
        display = screen.display
        room = self.lib.room
        inner = self.mark(screen.entry) + tag("h2", room.name, class_="ik-name ik-room")
        if display.title:
            inner += tag("p", display.title, class_="ik-segment")
        if room.opening_hours:
            hours = room.opening_hours
            inner += tag(
                "p",
                f"Open {hours.open.strftime('%H:%M')}–{hours.close.strftime('%H:%M')}",
                class_="ik-meta",
            )
        inner = tag("div", inner, class_="ik-slide-text ik-identity")
        seconds = self.timed(screen, inner, None)
        self.valid.append(None)
        return tag(
            "section",
            inner,
            class_="ik-slide ik-slide-welcome",
            data_ik_seconds=f"{seconds:g}",
            aria_roledescription="slide",
            aria_label="Welcome",
        )

    def timed(
        self,
        screen: Screen,
        inner: Markup,
        pin: float | None,
        voice: Clip | None = None,
        film: float | None = None,
        video: float | None = None,
    ) -> float:
        """The slide's length (timing.py), recorded for the loop's cycle.

        A clip counts when it is heard (the display plays sound) or its captions run; a
        video always counts (it is watched, heard or not): its length is the slide's clip.
        """
        heard = voice is not None and (screen.display.audio or bool(voice.captions))
        clip = video if video is not None else voice.seconds if heard and voice else None
        content = Content(words_shown(str(inner)), clip, film)
        seconds = slide_seconds(content, screen.display.slide_seconds, pin)
        self.lengths.append(seconds)
        return seconds

    def slide(self, screen: Screen, kind: str, item_id: str) -> Markup:
        item = self.lib.by_kind(kind)[item_id]
        page = screen.entry
        if isinstance(item, m.Persona):
            return self.persona_slide(screen, page, item)
        if isinstance(item, m.Journey):
            return self.journey_slide(screen, page, item)
        if isinstance(item, m.Story):
            return self.story_slide(screen, page, item)
        if isinstance(item, m.Insight):
            return self.insight_slide(screen, page, item)
        if isinstance(item, m.Action):
            return self.action_slide(screen, page, item)
        return EMPTY

    def wrap_slide(
        self,
        screen: Screen,
        slide_kind: str,
        item: tuple[str, str],
        label: str,
        inner: Markup,
        open_text: str,
        voice: Clip | None = None,
        film: float | None = None,
        captioned: bool = False,
        video: Video | None = None,
    ) -> Markup:
        """A slide: its content, the tap target, and its length (`data-ik-seconds`).

        `captioned` slides (a highlight, a diary entry) show their clip's words as
        follow-along captions; any slide with a clip says who is speaking while it plays.
        """
        kind, item_id = item
        href = rel_url(screen.entry, screen.page(kind, item_id))
        pinned = getattr(self.lib.by_kind(kind).get(item_id), "slide_seconds", None)
        if voice is not None and not captioned:
            voice = Clip(voice.attrs, voice.seconds, (), voice.who)
        seconds = self.timed(screen, inner, pinned, voice, film, video.seconds if video else None)
        until = self.validity.until(kind, item_id)
        self.valid.append(until)
        extra = EMPTY
        if voice is not None and voice.who and screen.display.audio:
            extra += tag("p", f"Now playing: {voice.who}", class_="ik-now-playing")
        if video is not None and screen.display.audio:
            extra += tag("p", f"Now playing: {video.label}", class_="ik-now-playing")
        if voice is not None and voice.captions:
            extra += self.caption_list(voice.captions)
        if extra:  # one block: on a portrait screen it fills the lower part of the slide
            extra = tag("div", extra, class_="ik-listen")
        return tag(
            "section",
            inner + extra + tag("a", open_text, href=href, class_="ik-open"),
            class_=f"ik-slide ik-slide-{slide_kind}",
            data_ik_item=item_key(kind, item_id),  # proof of play names it so
            data_ik_href=href,
            data_ik_seconds=f"{seconds:g}",
            aria_roledescription="slide",
            aria_label=label,
            **(voice.attrs if voice else {}),
            **({"data_ik_valid_until": until} if until else {}),
        )

    def mark(self, page: str) -> Markup:
        """The room's logo (mkdocs.yml `theme.logo`), when it has one; the name says the rest."""
        if not self.logo:
            return EMPTY
        return void(
            "img", src=rel_url(page, self.logo), alt="", class_="ik-logo", draggable="false"
        )

    def caption_list(self, cues: tuple[Caption, ...]) -> Markup:
        """The clip's words, one `li` per cue on the clip's clock (kiosk.js marks the one said)."""
        return tag(
            "ol",
            join(
                tag("li", cue.text, data_start=f"{cue.start:.3f}", data_end=f"{cue.end:.3f}")
                for cue in cues
            ),
            class_="ik-captions",
            aria_label="Captions",
        )

    def voice(
        self,
        page: str,
        story: m.Story,
        ref: MediaRef | None,
        clip: m.Highlight | None,
        who: str,
        cues: list[tuple[float, float, str]],
    ) -> Clip | None:
        """A recording (or one highlight clip of it) as the clip a slide carries."""
        folder = self.media_folder("story", story.id)
        attrs = self.clip_attrs(page, ref, folder, clip.id if clip else None)
        if not attrs or ref is None:
            return None
        if clip is not None:
            length: float | None = clip.end - clip.start
            offset = clip.start
        else:
            placed = self.assets.recording(ref, folder)
            length = placed.duration if placed and placed.duration else None
            offset = 0.0
        return Clip(attrs, length, tuple(captions(cues, offset, length)), who)

    def highlight_voice(self, page: str, story: m.Story, h: m.Highlight) -> Clip | None:
        script = self.lib.transcript(story.transcript)
        cues = [(c.start, c.end, c.text) for c in spoken.quoted(story, script, h)] if script else []
        return self.voice(page, story, story.recording, h, story.participant.pseudonym, cues)

    def quote_clip(self, page: str, ref: EvidenceRef | None) -> Clip | None:
        """The clip of the highlight a quote points at, if this build has it."""
        found = self.highlight_of(ref)
        if found is None:
            return None
        story, anchor = found
        return self.highlight_voice(page, story, anchor)

    def quote(self, words: str, credit: Markup | str, big: bool = True) -> Markup:
        """A quote set by its length (short words bigger), with who said it under it."""
        words = cut(words, SLIDE_TEXT_LIMIT)
        classes = f"ik-quote {length_class(words)}" + (" ik-quote-big" if big else "")
        return tag(
            "blockquote",
            tag("p", quoted(words)) + (tag("footer", credit, class_="ik-who") if credit else EMPTY),
            class_=classes,
        )

    def credit(self, s: m.Story) -> Markup:
        """ "Leah said this · one of the people behind Maya"."""
        behind = self.behind(s)
        if not behind:
            return tag("span", told_by(s))
        # The separator is its own element: where the credit stacks (a letter's sender),
        # the stylesheet hides it rather than leave a line that starts with "·".
        return join(
            [
                tag("span", told_by(s)),
                tag("span", " · ", class_="ik-sep"),
                tag("span", behind, class_="ik-behind"),
            ]
        )

    def name_credit(self, s: m.Story) -> Markup:
        """The title and, under it, who told it: what a filmed slide (a video, a film) says
        beside its picture."""
        return tag("h2", plain_title(s), class_="ik-name") + tag(
            "p", self.credit(s), class_="ik-who"
        )

    def voice_block(self, screen: Screen, page: str, quote: Markup, s: m.Story | None) -> Markup:
        """A quote with a face beside it."""
        return tag("div", self.face(screen, page, s) + quote, class_="ik-voice")

    def persona_slide(self, screen: Screen, page: str, p: m.Persona) -> Markup:
        pic = self.portrait(screen, page, p, "panel", "ik-photo")
        text = tag("h2", p.name, class_="ik-name")
        if p.segment:
            text += tag("p", p.segment, class_="ik-segment")
        clip: Clip | None = None
        voice = self.persona_voice(p)
        if voice is not None:
            quote = self.quote(voice.words, self.persona_credit(p, voice))
            # The persona's portrait is the quote's face here: the panel beside it.
            text += quote if pic else self.voice_block(screen, page, quote, voice.story)
            clip = self.quote_clip(page, voice.ref)
        inner = (tag("figure", pic, class_="ik-panel") if pic else EMPTY) + tag(
            "div", text, class_="ik-slide-text"
        )
        return self.wrap_slide(
            screen,
            "persona",
            ("persona", p.id),
            p.name,
            inner,
            OPEN_LABELS["persona"].format(name=p.name),
            clip,
        )

    def journey_slide(self, screen: Screen, page: str, j: m.Journey) -> Markup:
        inner = wall.journey_map(self, screen, page, j)
        return self.wrap_slide(
            screen, "journey", ("journey", j.id), j.title, inner, OPEN_LABELS["journey"]
        )

    def story_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        if s.kind_of_story == "interview":
            # A filmed interview plays its first highlight (or, without one, the whole film).
            first = s.highlights[0] if s.highlights else None
            video = self.video_of(page, s, s.recording, s.transcript, first)
            if video is not None:
                return self.video_slide(screen, page, s, video)
        if s.kind_of_story == "interview" and s.highlights:
            return self.highlight_slide(screen, page, s, s.highlights[0])
        if s.kind_of_story == "photo-film" and s.frames:
            film = self.film_slide(screen, page, s)
            if film:
                return film
        if s.kind_of_story == "audio-diary" and s.entries and screen.display.audio:
            # A listening post: every entry is heard, each on its own slide.
            entries = sorted(s.entries, key=lambda e: (e.recorded or dt.date.max, e.id))
            return join(
                self.diary_slide(screen, page, s, entry, (n, len(entries)))
                for n, entry in enumerate(entries, start=1)
            )
        entry = opening_entry(s) if s.kind_of_story == "audio-diary" else None
        if entry is not None:
            return self.diary_slide(screen, page, s, entry)
        if s.kind_of_story == "email":
            return self.email_slide(screen, page, s)
        return self.written_slide(screen, page, s)

    def who(self, s: m.Story) -> str:
        """`Bex wrote this`: who told it, and how, as a visitor reads it."""
        return told_by(s)

    def highlight_slide(self, screen: Screen, page: str, s: m.Story, h: m.Highlight) -> Markup:
        words = quote_words(self.lib, s, h)
        text = EMPTY
        if words:
            text += self.voice_block(screen, page, self.quote(words, self.credit(s)), s)
        else:
            text += tag("p", self.credit(s), class_="ik-who")
        text += tag("p", plain_title(s), class_="ik-meta")
        return self.wrap_slide(
            screen,
            "highlight",
            ("story", s.id),
            s.title,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["highlight"].format(name=s.participant.pseudonym),
            self.highlight_voice(page, s, h),
            captioned=True,
        )

    def video_of(
        self,
        page: str,
        s: m.Story,
        ref: MediaRef | None,
        captions: MediaRef | None,
        clip: m.Highlight | None,
        number: tuple[int, int] | None = None,
    ) -> Video | None:
        """The video a slide plays: a recording's MP4 and poster, when this build has them
        (only where consent allows a face: `media/keys.video_sources`), and its captions
        when consent allows the words (the filtered library then has the transcript)."""
        if ref is None:
            return None
        folder = self.media_folder("story", s.id)
        placed = self.assets.video(ref, folder)
        rendition = self.assets.renditions.video(ref)
        if placed is None or rendition is None or rendition.duration <= 0:
            return None
        mp4, _webp, jpg = placed
        start, end = (clip.start, clip.end) if clip else (0.0, rendition.duration)
        end = min(end, rendition.duration)
        if end <= start:
            return None
        script = self.lib.transcript(captions)
        vtt = None
        if captions is not None and script is not None and script.cues:
            vtt = (
                self.assets.span_captions(captions, folder, script, clip.id, start, end)
                if clip is not None
                else self.assets.transcript(captions, folder, script)
            )
        who = entry_who(s, number)
        label = f"{who}, {fmt_time(start)} to {fmt_time(end)}" if clip else who
        return Video(
            rel_url(page, mp4),
            # The JPEG: the item page's player shows it too, so a display stores one poster.
            rel_url(page, jpg),
            start,
            end,
            rel_url(page, vtt) if vtt else None,
            label,
            (rendition.width, rendition.height),
        )

    def video_markup(self, video: Video) -> Markup:
        """The slide's `<video>`: muted (sound only where the display plays it: kiosk.js
        unmutes there), inline, its poster until the first frame, its captions shown.

        It never autoplays from the markup: every slide is in the page at once, so
        kiosk.js sets `autoplay` when the slide's turn begins (never a scripted play()).
        The source's media fragment is the span it plays, on the recording's clock."""
        inner = void(
            "source", src=f"{video.mp4}#t={video.start:.3f},{video.end:.3f}", type="video/mp4"
        )
        if video.captions:
            inner += void(
                "track", kind="captions", src=video.captions, srclang="en", label="Captions",
                default=True,
            )  # fmt: skip
        element = tag(
            "video",
            inner,
            class_="ik-video",
            muted=True,
            playsinline=True,
            preload="none",
            poster=video.poster,
            disablepictureinpicture=True,
            disableremoteplayback=True,
            aria_label=video.label,
            data_ik_auto=True,
            data_ik_from=f"{video.start:.3f}",
            data_ik_to=f"{video.end:.3f}",
            # The picture's shape, for kiosk.css: on a portrait screen the box is sized to
            # it (and a band for the captions) before the first frame is known.
            style=f"--ik-vw:{video.size[0]};--ik-vh:{video.size[1]}",
        )
        return tag("figure", element, class_="ik-movie")

    def video_slide(
        self, screen: Screen, page: str, s: m.Story, video: Video, prompt: str = ""
    ) -> Markup:
        """A filmed story: the video edge to edge, its captions large, who and what beside."""
        text = EMPTY
        if prompt:
            text += tag("p", prompt, class_="ik-prompt")
        text += self.name_credit(s)
        inner = self.video_markup(video) + tag("div", text, class_="ik-slide-text")
        return self.wrap_slide(
            screen,
            "video",
            ("story", s.id),
            s.title,
            inner,
            OPEN_LABELS["video"].format(name=s.participant.pseudonym),
            video=video,
        )

    def film_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        """The film running silently, edge to edge; nothing when no frame has a rendition."""
        frames = self.film_frames(screen, page, self.media_folder("story", s.id), s, "bleed")
        if not frames:
            return EMPTY
        text = self.name_credit(s)
        inner = players.film(frames, s.title, None) + tag("div", text, class_="ik-slide-text")
        # The film runs whole, every frame: the slide lasts the film's timeline.
        return self.wrap_slide(
            screen,
            "film",
            ("story", s.id),
            s.title,
            inner,
            OPEN_LABELS["film"].format(name=s.participant.pseudonym),
            film=frames[-1].end,
        )

    def diary_slide(
        self,
        screen: Screen,
        page: str,
        s: m.Story,
        entry: m.DiaryEntry,
        number: tuple[int, int] | None = None,
    ) -> Markup:
        """A diary entry (the one it opens with, or entry `number` of a listening post's
        split): its prompt, its words beside a face, its voice and captions."""
        text = tag("h2", plain_title(s), class_="ik-name")
        if entry.prompt:
            text += tag("p", entry.prompt, class_="ik-prompt")
        video = self.video_of(page, s, entry.recording, entry.transcript, None, number)
        if video is not None:
            return self.video_slide(screen, page, s, video, entry.prompt)
        said = said_at(self.lib, EvidenceRef(s.id, entry.id))
        when = fmt_date(entry.recorded)
        credit = self.credit(s) + (tag("span", f", {when}", class_="ik-when") if when else EMPTY)
        if said:
            text += self.voice_block(screen, page, self.quote(said, credit), s)
        else:
            text += tag("p", credit, class_="ik-who")
        return self.wrap_slide(
            screen,
            "diary",
            ("story", s.id),
            s.title,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["diary"].format(name=s.participant.pseudonym),
            self.entry_voice(page, s, entry, number),
            captioned=True,
        )

    def entry_voice(
        self, page: str, s: m.Story, entry: m.DiaryEntry, number: tuple[int, int] | None
    ) -> Clip | None:
        script = self.lib.transcript(entry.transcript)
        cues = [(c.start, c.end, c.text) for c in script.cues] if script else []
        who = entry_who(s, number)
        when = fmt_date(entry.recorded)
        who += f" · {when}" if when else ""
        return self.voice(page, s, entry.recording, None, who, cues)

    def email_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        """The letter at reading size, with the face and name of who wrote it beside it."""
        lines = email_header(s).lines(sent=False)
        head = join(tag("div", tag("dt", label) + tag("dd", value)) for label, value in lines)
        letter = tag("dl", head, class_="ik-letter-head")
        # A wall has room for more of the letter than a slide's usual few seconds of text.
        words = excerpt(s.body, SLIDE_TEXT_LIMIT * 8 // 5 if is_wall(screen) else SLIDE_TEXT_LIMIT)
        if words:
            letter += tag("p", words, class_="ik-letter-text")
        side = self.face(screen, page, s) + tag("p", self.credit(s), class_="ik-who")
        inner = tag("div", side, class_="ik-sender") + tag("div", letter, class_="ik-letter")
        return self.wrap_slide(
            screen,
            "email",
            ("story", s.id),
            s.title,
            inner,
            OPEN_LABELS["email"].format(name=s.participant.pseudonym),
        )

    def written_slide(self, screen: Screen, page: str, s: m.Story) -> Markup:
        """A written story (or one with nothing to play): its first photo, edge to edge."""
        folder = self.media_folder("story", s.id)
        pic = EMPTY
        for image in [*s.inline_images, *s.attachments]:
            pic = self.photo(screen, page, image.src, folder, image.alt, "bleed", "ik-photo")
            if pic:
                break
        text = tag("h2", plain_title(s), class_="ik-name")
        words = excerpt(s.body)
        if words:
            text += self.quote(words, self.credit(s), big=False)
        else:
            text += tag("p", self.credit(s), class_="ik-who")
        if not pic:
            text = tag("div", self.face(screen, page, s) + text, class_="ik-voice")
        inner = (tag("figure", pic, class_="ik-bleed") if pic else EMPTY) + tag(
            "div", text, class_="ik-slide-text"
        )
        return self.wrap_slide(
            screen,
            "story",
            ("story", s.id),
            s.title,
            inner,
            OPEN_LABELS["story"].format(name=s.participant.pseudonym),
        )

    def insight_slide(self, screen: Screen, page: str, i: m.Insight) -> Markup:
        text = tag("p", i.basis.capitalize(), class_="ik-basis")
        text += tag("h2", i.statement, class_=f"ik-name ik-statement {length_class(i.statement)}")
        clip: Clip | None = None
        for ref in i.evidence:
            voice = self.said(ref)
            if voice is None or voice.story is None:
                continue
            quote = self.quote(voice.words, self.credit(voice.story), big=False)
            text += self.voice_block(screen, page, quote, voice.story)
            clip = self.quote_clip(page, ref)
            break
        return self.wrap_slide(
            screen,
            "insight",
            ("insight", i.id),
            i.statement,
            tag("div", text, class_="ik-slide-text"),
            OPEN_LABELS["insight"],
            clip,
        )

    def action_slide(self, screen: Screen, page: str, a: m.Action) -> Markup:
        said = tag("dt", "You said") + tag("dd", a.you_said, class_="ik-you-said")
        did = tag("dt", we_did_label(a.status)) + tag("dd", a.we_did, class_="ik-we-did")
        status = tag(
            "p",
            status_label(a.status),
            class_=f"ik-status ik-status-{a.status}",
        )
        return self.wrap_slide(
            screen,
            "action",
            ("action", a.id),
            a.we_did,
            tag("div", tag("dl", said + did, class_="ik-action") + status, class_="ik-slide-text"),
            OPEN_LABELS["action"],
        )


def entry_who(s: m.Story, number: tuple[int, int] | None) -> str:
    """Who a video or a clip is of: "Leah", or "Leah, entry 2 of 3" on a listening post's
    split of a diary (`number` is the entry's place and the count)."""
    who = s.participant.pseudonym
    if number is not None and number[1] > 1:
        who += f", entry {number[0]} of {number[1]}"
    return who
