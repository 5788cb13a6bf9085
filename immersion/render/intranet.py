"""Library (filtered for the intranet) -> Markdown pages in the staging folder.

Pages are plain Markdown with HTML blocks for cards, players and tables, so
that any mkdocs-compatible engine can build them. Content text always goes
through `esc`/`md_text`, bodies through `BodyRenderer`: nothing an editor
writes becomes markup.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from .. import model as m
from .. import spoken
from ..bodytext import safe_markdown
from ..schema import EvidenceRef, MediaRef
from . import charts, players
from .assets import Assets, PlacedPhoto
from .html import (
    EMOTION_WORDS,
    MOOD_FACES,
    attrs,
    block,
    chips,
    fmt_date,
    fmt_score,
    fmt_time,
    tag,
    ul,
)
from .recordings import Recordings
from .staging import Staging, esc, md_text, rel_url, template_text
from .views import (
    SECTION_DIRS,
    STATUS_ORDER,
    STORY_KIND_LABELS,
    moment_label,
    needs_review,
)

# Sections longer than this list only their index page in the navigation (see `nav`).
NAV_SECTION_LIMIT = 40
# Evidence quoted on insight pages is cut to this many characters (a diary entry is long).
QUOTE_LIMIT = 280


def item_page(kind: str, item_id: str) -> str:
    return f"{SECTION_DIRS[kind]}/{item_id}.md"


@dataclass
class Citations:
    """Who cites what, computed once: the "cited by" lists of every page."""

    story_personas: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    story_insights: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    story_journeys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    persona_stories: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    persona_insights: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    persona_journeys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    journey_stories: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    journey_insights: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    insight_actions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (story, highlight or entry) -> {(kind, id)} of the items quoting that moment
    anchors: dict[tuple[str, str], set[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def cite(self, ref: EvidenceRef, kind: str, item_id: str) -> None:
        if ref.anchor:
            self.anchors[(ref.story, ref.anchor)].add((kind, item_id))

    @classmethod
    def of(cls, lib: m.Library) -> Citations:
        c = cls()
        for p in lib.personas.values():
            refs = [p.quote.evidence] if p.quote and p.quote.evidence else []
            refs += [r for pp in p.pain_points for r in pp.evidence]
            for ref in refs:
                c.story_personas[ref.story].add(p.id)
                c.cite(ref, "persona", p.id)
            for journey_id in p.journeys:
                c.persona_journeys[p.id].add(journey_id)
        for j in lib.journeys.values():
            for pid in j.personas:
                c.persona_journeys[pid].add(j.id)
            for stage in j.stages:
                for ref in stage.evidence:
                    c.story_journeys[ref.story].add(j.id)
                    c.cite(ref, "journey", j.id)
        for s in lib.stories.values():
            if s.participant.persona:
                c.persona_stories[s.participant.persona].add(s.id)
            if s.journey:
                c.journey_stories[s.journey].add(s.id)
        for i in lib.insights.values():
            for ref in i.evidence:
                c.story_insights[ref.story].add(i.id)
                c.cite(ref, "insight", i.id)
            for pid in i.personas:
                c.persona_insights[pid].add(i.id)
            for journey_id, _stage in i.stages:
                c.journey_insights[journey_id].add(i.id)
        for a in lib.actions.values():
            for iid in a.insights:
                c.insight_actions[iid].add(a.id)
        return c


def front_matter(title: str, tags: Iterable[str] = (), **extra: object) -> str:
    meta: dict[str, object] = {"title": template_text(title)}
    if tags:
        meta["tags"] = [template_text(t) for t in tags]
    meta.update(extra)
    # JSON is YAML, and json.dumps is ten times faster than the pure-Python YAML dumper.
    return "---\n" + json.dumps(meta, ensure_ascii=False) + "\n---\n\n"


class IntranetRenderer:
    """Writes every page of the intranet site for one filtered Library.

    `only`, if given, names the pages (staging sources such as "stories/p07.md") to
    write: the live preview asks for the pages a change touches, not the room.
    """

    def __init__(
        self,
        lib: m.Library,
        staging: Staging,
        assets: Assets,
        today: dt.date,
        only: Collection[str] | None = None,
    ) -> None:
        self.only = None if only is None else frozenset(only)
        self.lib = lib
        self.staging = staging
        self.assets = assets
        self.recordings = Recordings(lib, assets)
        self.today = today
        self.cites = Citations.of(lib)
        self.pages = 0

    def wants(self, src: str) -> bool:
        return self.only is None or src in self.only

    # -- shared pieces -------------------------------------------------------

    def write(self, src: str, text: str) -> None:
        self.staging.write_text(f"docs/{src}", text)
        self.pages += 1

    def href(self, page: str, to: str) -> str:
        return rel_url(page, to)

    def media_folder(self, kind: str, item_id: str) -> str:
        return f"media/{SECTION_DIRS[kind]}/{item_id}"

    def img(
        self,
        page: str,
        placed: PlacedPhoto,
        alt: str,
        cls: str | None = None,
        lazy: bool = True,
        sizes: str = "(max-width: 60em) 100vw, 40rem",
    ) -> str:
        """A responsive photo: WebP for browsers that take it, JPEG for the rest.

        width/height give the box before the file arrives, and the tiny inline
        placeholder fills it, so nothing jumps and nothing is ever blank.
        """

        def srcset(fmt: str) -> str:
            return ", ".join(f"{self.href(page, path)} {w}w" for path, w in placed.sources[fmt])

        webp = (
            f"<source{attrs(type='image/webp', srcset=srcset('webp'), sizes=sizes)}>"
            if "webp" in placed.sources
            else ""
        )
        values = attrs(
            src=self.href(page, placed.fallback()),
            srcset=srcset("jpeg"),
            sizes=sizes,
            alt=alt,
            width=placed.width,
            height=placed.height,
            loading="lazy" if lazy else None,
            decoding="async",
            class_=cls,
            style=f"background:url({placed.placeholder}) center/cover no-repeat",
        )
        return f"<picture>{webp}<img{values}></picture>"

    def figure(
        self,
        page: str,
        ref: MediaRef,
        folder: str,
        alt: str,
        caption: str = "",
        lazy: bool = True,
        sizes: str = "(max-width: 60em) 100vw, 40rem",
    ) -> str:
        placed = self.assets.photo(ref, folder)
        if placed is None:
            return ""
        cap = tag("figcaption", esc(caption)) if caption else ""
        picture = self.img(page, placed, alt, lazy=lazy, sizes=sizes)
        return tag("figure", picture + cap, class_="im-photo")

    def body(
        self, page: str, item_kind: str, item_id: str, text: str, images: Iterable[m.Image] = ()
    ) -> str:
        """The editor's Markdown, made safe, between blank lines in the page.

        The engine renders it with the page (see `bodytext`); photos become their
        published renditions, relative to this page.
        """
        folder = self.media_folder(item_kind, item_id)
        published = {image.src.src: image.src for image in images}

        def photo(src: str, alt: str) -> str | None:
            ref = published.get(src)
            placed = self.assets.photo(ref, folder) if ref else None
            return self.img(page, placed, alt.strip()) if placed else None

        safe = safe_markdown(text.strip(), photo)
        return "\n\n" + safe + "\n\n" if safe else ""

    def link(self, page: str, kind: str, item_id: str, text: str | None = None) -> str:
        item = self.lib.by_kind(kind).get(item_id)
        if item is None:
            return esc(text or item_id)  # filtered out for this audience: show no link
        label = text if text is not None else getattr(item, "title", item_id)
        return tag("a", esc(label), href=self.href(page, item_page(kind, item_id)))

    def evidence(self, page: str, ref: EvidenceRef) -> str:
        story = self.lib.stories.get(ref.story)
        if story is None:
            return ""
        label = moment_label(story, ref.anchor)
        target = item_page("story", story.id) + (f"#{ref.anchor}" if ref.anchor else "")
        return tag("a", esc(label), href=self.href(page, target), class_="im-evidence")

    def quoted_evidence(self, page: str, ref: EvidenceRef) -> str:
        """The words said at a moment, then the link to the second they were said."""
        link = self.evidence(page, ref)
        words = spoken.said_at(self.lib, ref.story, ref.anchor) if link and ref.anchor else None
        if not words:
            return link
        if len(words) > QUOTE_LIMIT:
            words = words[: QUOTE_LIMIT - 1].rstrip() + "…"
        return tag("q", esc(words)) + " — " + link

    def evidence_list(self, page: str, refs: Iterable[EvidenceRef]) -> str:
        links = [self.evidence(page, ref) for ref in refs]
        return " ".join(link for link in links if link)

    def cited(self, page: str, kind: str, ids: Iterable[str]) -> list[str]:
        items = self.lib.by_kind(kind)
        return [self.link(page, kind, i) for i in sorted(ids) if i in items]

    def section(self, title: str, html_items: list[str]) -> str:
        if not html_items:
            return ""
        return f"## {title}\n" + block(ul(html_items))

    # -- personas ------------------------------------------------------------

    def persona_card(self, page: str, persona: m.Persona) -> str:
        pic = ""
        if persona.portrait:
            placed = self.assets.photo(
                persona.portrait.src, self.media_folder("persona", persona.id)
            )
            if placed:
                pic = self.img(
                    page,
                    placed,
                    persona.portrait.alt,
                    "im-card-photo",
                    sizes="(max-width: 40em) 100vw, 16rem",
                )
        quote = tag("q", esc(persona.quote.text)) if persona.quote else ""
        inner = (
            pic
            + tag("span", esc(persona.name), class_="im-card-title")
            + tag("span", esc(persona.segment), class_="im-card-meta")
            + quote
        )
        return tag(
            "a", inner, href=self.href(page, item_page("persona", persona.id)), class_="im-card"
        )

    def persona_pages(self) -> None:
        index = "personas/index.md"
        if self.wants(index):
            cards = "".join(self.persona_card(index, p) for p in self.sorted_personas())
            self.write(
                index,
                front_matter("Personas")
                + "# Personas\n"
                + block(tag("div", cards, class_="im-cards")),
            )
        for persona in self.lib.personas.values():
            self.persona_page(persona)

    def sorted_personas(self) -> list[m.Persona]:
        return sorted(self.lib.personas.values(), key=lambda p: p.name.lower())

    def persona_page(self, p: m.Persona) -> None:
        page = item_page("persona", p.id)
        if not self.wants(page):
            return
        folder = self.media_folder("persona", p.id)
        head = ""
        if p.portrait:
            head += self.figure(
                page,
                p.portrait.src,
                folder,
                p.portrait.alt,
                lazy=False,
                sizes="(max-width: 40em) 100vw, 18rem",
            )
        facts = tag("p", esc(p.segment), class_="im-segment") if p.segment else ""
        if needs_review(p, self.today):
            when = f"last reviewed {fmt_date(p.reviewed)}" if p.reviewed else "never reviewed"
            facts += tag(
                "p",
                tag("span", "Needs review", class_="im-badge im-badge-review") + " " + esc(when),
                class_="im-review",
            )
        if p.quote:
            source = self.evidence(page, p.quote.evidence) if p.quote.evidence else ""
            facts += tag(
                "blockquote",
                tag("p", esc(p.quote.text)) + (tag("footer", source) if source else ""),
                class_="im-quote",
            )
        head += tag("div", facts, class_="im-facts")
        text = front_matter(p.name, p.tags) + f"# {md_text(p.name)}\n"
        text += block(tag("div", head, class_="im-persona-head"))
        text += self.section("Goals", [esc(g) for g in p.goals])
        if p.needs.functional or p.needs.emotional:
            needs = ""
            if p.needs.functional:
                needs += tag("h3", "Functional") + ul(esc(n) for n in p.needs.functional)
            if p.needs.emotional:
                needs += tag("h3", "Emotional") + ul(esc(n) for n in p.needs.emotional)
            text += "## Needs\n" + block(tag("div", needs, class_="im-needs"))
        text += self.section(
            "Pain points",
            [
                esc(pp.text) + (" " + self.evidence_list(page, pp.evidence) if pp.evidence else "")
                for pp in p.pain_points
            ],
        )
        text += self.section("Behaviours", [esc(b) for b in p.behaviours])
        text += self.section(
            "Journeys", self.cited(page, "journey", self.cites.persona_journeys[p.id])
        )
        if p.body.strip():
            text += f"## About {md_text(p.name)}\n" + self.body(page, "persona", p.id, p.body)
        text += self.section("Stories", self.cited(page, "story", self.cites.persona_stories[p.id]))
        text += self.section(
            "Insights", self.cited(page, "insight", self.cites.persona_insights[p.id])
        )
        self.write(page, text)

    # -- journeys ------------------------------------------------------------

    def journey_pages(self) -> None:
        index = "journeys/index.md"
        rows = []
        for j in (
            []
            if not self.wants(index)
            else sorted(self.lib.journeys.values(), key=lambda j: j.title.lower())
        ):
            people = ", ".join(
                self.lib.personas[p].name for p in j.personas if p in self.lib.personas
            )
            rows.append(
                self.link(index, "journey", j.id)
                + " "
                + tag(
                    "span",
                    f"{len(j.stages)} stages" + (f" · {esc(people)}" if people else ""),
                    class_="im-meta",
                )
            )
        if self.wants(index):
            self.write(index, front_matter("Journeys") + "# Journeys\n" + block(ul(rows)))
        for journey in self.lib.journeys.values():
            self.journey_page(journey)

    def journey_page(self, j: m.Journey) -> None:
        page = item_page("journey", j.id)
        if not self.wants(page):
            return
        names = {
            pid: self.lib.personas[pid].name if pid in self.lib.personas else pid
            for pid in j.personas
        }
        text = front_matter(j.title, j.tags) + f"# {md_text(j.title)}\n"
        people = [self.link(page, "persona", pid) for pid in j.personas]
        if people:
            text += block(tag("p", "For " + ", ".join(people), class_="im-meta"))
        svg = charts.emotion_curve_svg(
            j,
            names,
            lambda ref: (
                self.href(
                    page, item_page("story", ref.story) + (f"#{ref.anchor}" if ref.anchor else "")
                )
                if ref.story in self.lib.stories
                else None
            ),
        )
        text += "## Emotion curve\n" + block(tag("figure", svg, class_="im-curve"))
        text += "## Stages\n" + block(self.stage_table(page, j, names))
        if j.body.strip():
            text += "## The journey\n" + self.body(page, "journey", j.id, j.body)
        text += self.section(
            "Stories on this journey", self.cited(page, "story", self.cites.journey_stories[j.id])
        )
        text += self.section(
            "Insights", self.cited(page, "insight", self.cites.journey_insights[j.id])
        )
        self.write(page, text)

    def stage_table(self, page: str, j: m.Journey, names: dict[str, str]) -> str:
        def emotion(stage: m.Stage) -> str:
            if stage.emotion is None:
                return ""
            if isinstance(stage.emotion, int):
                return esc(f"{fmt_score(stage.emotion)} {EMOTION_WORDS[stage.emotion]}")
            return "<br>".join(
                esc(f"{names.get(pid, pid)}: {fmt_score(score)}")
                for pid, score in stage.emotion.items()
            )

        rows: list[tuple[str, Callable[[m.Stage], str]]] = [
            ("Doing", lambda s: esc(s.doing)),
            ("Thinking", lambda s: esc(s.thinking)),
            ("Feeling", lambda s: esc(s.feeling)),
            ("Emotion", emotion),
            ("Channels", lambda s: chips(s.channels)),
            ("Touchpoints", lambda s: ul(esc(t) for t in s.touchpoints)),
            ("Pain points", lambda s: ul(esc(t) for t in s.pain_points)),
            ("Opportunities", lambda s: ul(esc(t) for t in s.opportunities)),
            ("Evidence", lambda s: self.evidence_list(page, s.evidence)),
        ]
        heads = "".join(
            tag(
                "th",
                esc(s.title)
                + (tag("span", "★ Moment of truth", class_="im-mot") if s.moment_of_truth else ""),
                scope="col",
                id=f"stage-{s.id}",
                class_="im-mot-col" if s.moment_of_truth else None,
            )
            for s in j.stages
        )
        body = "".join(
            tag("tr", tag("th", label, scope="row") + "".join(tag("td", cell(s)) for s in j.stages))
            for label, cell in rows
            if any(cell(s) for s in j.stages)
        )
        table = tag(
            "table",
            tag("thead", tag("tr", tag("td", "") + heads)) + tag("tbody", body),
            class_="im-stages",
        )
        return tag(
            "div",
            table,
            class_="im-stages-scroll",
            tabindex="0",
            role="region",
            aria_label="Journey stages",
        )

    # -- stories -------------------------------------------------------------

    def story_pages(self) -> None:
        index = "stories/index.md"
        text = front_matter("Stories") + "# Stories\n"
        by_kind: dict[str, list[m.Story]] = defaultdict(list)
        for story in self.lib.stories.values() if self.wants(index) else ():
            by_kind[story.kind_of_story].append(story)
        for kind, label in STORY_KIND_LABELS.items():
            stories = sorted(
                by_kind.get(kind, []), key=lambda s: (s.date or dt.date.min, s.id), reverse=True
            )
            if stories:
                text += f"## {label}s\n" + block(
                    ul(
                        self.link(index, "story", s.id)
                        + " "
                        + tag(
                            "span",
                            esc(f"{s.participant.pseudonym} · {fmt_date(s.date)}"),
                            class_="im-meta",
                        )
                        for s in stories
                    )
                )
        if self.wants(index):
            self.write(index, text)
        for story in self.lib.stories.values():
            self.story_page(story)

    def story_page(self, s: m.Story) -> None:
        page = item_page("story", s.id)
        if not self.wants(page):
            return
        folder = self.media_folder("story", s.id)
        meta = [
            tag("span", STORY_KIND_LABELS[s.kind_of_story], class_="im-badge"),
            esc(s.participant.pseudonym),
        ]
        if s.participant.persona and s.participant.persona in self.lib.personas:
            meta.append(self.link(page, "persona", s.participant.persona))
        if s.date:
            meta.append(esc(fmt_date(s.date)))
        journey = self.lib.journeys.get(s.journey or "")
        if journey:
            stage = next((st for st in journey.stages if st.id == s.stage), None)
            target = item_page("journey", journey.id) + (f"#stage-{stage.id}" if stage else "")
            label = journey.title + (f": {stage.title}" if stage else "")
            meta.append(tag("a", esc(label), href=self.href(page, target)))
        text = front_matter(s.title, s.tags) + f"# {md_text(s.title)}\n"
        text += block(tag("p", " · ".join(meta), class_="im-meta"))
        renderer = {
            "interview": self.interview,
            "audio-diary": self.diary,
            "photo-film": self.film,
            "email": self.email,
            "story": self.written,
        }[s.kind_of_story]
        text += renderer(page, folder, s)
        text += self.section(
            "Cited by",
            [
                *self.cited(page, "persona", self.cites.story_personas[s.id]),
                *self.cited(page, "journey", self.cites.story_journeys[s.id]),
                *self.cited(page, "insight", self.cites.story_insights[s.id]),
            ],
        )
        self.write(page, text)

    def interview(self, page: str, folder: str, s: m.Story) -> str:
        text = self.body(page, "story", s.id, s.body, s.inline_images)
        ident = players.audio_id(s.id)
        player, lines = self.recordings.spoken(
            page,
            folder,
            s,
            s.recording,
            s.transcript,
            ident,
            f"Interview with {s.participant.pseudonym}",
        )
        if player:
            text += "## Listen\n" + block(player)
        if s.highlights:
            cards = "".join(
                self.highlight_card(page, folder, s, h, ident if player else None)
                for h in s.highlights
            )
            text += "## Highlights\n" + block(tag("div", cards, class_="im-highlights"))
        if lines:
            text += "## Transcript\n" + block(lines)
        return text

    def highlight_card(
        self, page: str, folder: str, s: m.Story, h: m.Highlight, ident: str | None
    ) -> str:
        """A quote card: the words, who and when, the clip in their own voice, who cites it."""
        script = self.lib.transcript(s.transcript)
        words = spoken.quote_text(spoken.quoted(s, script, h)) if script else ""
        span = f"{fmt_time(h.start)}–{fmt_time(h.end)}"
        facts = [esc(s.participant.pseudonym), esc(span)]
        stage = self.stage_link(page, s, h.stage)
        if stage:
            facts.append(stage)
        inner = tag("blockquote", tag("p", esc(f"“{words}”")), class_="im-quote") if words else ""
        inner += tag("p", " · ".join(facts), class_="im-meta")
        inner += self.recordings.clip(page, folder, s, h, ident)
        inner += chips(h.tags)
        citing = self.cites.anchors.get((s.id, h.id), set())
        links = [self.link(page, kind, item_id) for kind, item_id in sorted(citing)]
        if links:
            inner += tag("p", "Cited by " + ", ".join(links), class_="im-meta")
        return tag(
            "article",
            inner,
            class_="im-highlight",
            id=h.id,
            data_seek=players.seconds(h.start) if ident else None,
            data_for=ident,
            aria_label=f"Highlight {h.id}",
        )

    def stage_name(self, s: m.Story, stage_id: str | None) -> str:
        journey = self.lib.journeys.get(s.journey or "")
        if not stage_id or journey is None:
            return ""
        stage = next((st for st in journey.stages if st.id == stage_id), None)
        return stage.title if stage else ""

    def stage_link(self, page: str, s: m.Story, stage_id: str | None) -> str:
        """The journey stage a moment belongs to, linked to its column."""
        name = self.stage_name(s, stage_id)
        if not name or s.journey is None:
            return ""
        target = item_page("journey", s.journey) + f"#stage-{stage_id}"
        return tag("a", esc(name), href=self.href(page, target))

    def diary(self, page: str, folder: str, s: m.Story) -> str:
        text = self.body(page, "story", s.id, s.body, s.inline_images)
        entries = []
        for e in sorted(s.entries, key=lambda e: (e.recorded or dt.date.min, e.id)):
            facts = (
                [tag("time", esc(fmt_date(e.recorded)), datetime=e.recorded.isoformat())]
                if e.recorded
                else []
            )
            if e.mood is not None:
                facts.append(
                    tag(
                        "span",
                        MOOD_FACES[e.mood],
                        role="img",
                        aria_label=f"mood: {EMOTION_WORDS[e.mood]}",
                    )
                )
            if e.place:
                facts.append(esc(e.place))
            stage = self.stage_link(page, s, e.stage)
            if stage:
                facts.append(stage)
            inner = tag("p", " · ".join(facts), class_="im-meta")
            if e.prompt:
                inner += tag("p", tag("strong", "Prompt: ") + esc(e.prompt), class_="im-prompt")
            ident = players.audio_id(s.id, e.id)
            when = fmt_date(e.recorded) or e.id
            player, lines = self.recordings.spoken(
                page, folder, s, e.recording, e.transcript, ident, f"Diary entry, {when}"
            )
            inner += player + lines
            entries.append(
                tag(
                    "li",
                    inner,
                    id=e.id,
                    class_="im-entry",
                    data_seek="0.000" if player else None,
                    data_for=ident if player else None,
                )
            )
        text += "## Entries\n" + block(tag("ol", "".join(entries), class_="im-timeline"))
        return text

    def film(self, page: str, folder: str, s: m.Story) -> str:
        text = self.body(page, "story", s.id, s.body, s.inline_images)
        ident = players.audio_id(s.id, "narration")
        player, lines = ("", "")
        if s.narration:
            player, lines = self.recordings.spoken(
                page, folder, s, s.narration.recording, s.narration.captions, ident, "Narration"
            )
        frames = []
        at = 0.0
        for number, frame in enumerate(s.frames):
            placed = self.assets.photo(frame.src, folder)
            if placed is not None:
                picture = self.img(
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
                head = players.seek_button(ident, c.at, label) if player else esc(label)
                stage = self.stage_link(page, s, c.stage)
                items.append(head + (" · " + stage if stage else ""))
            text += "## Chapters\n" + block(
                ul(items, "im-chapters").replace("<ul", "<ol", 1).replace("</ul>", "</ol>")
            )
        if lines:
            text += "## Narration transcript\n" + block(lines)
        return text

    def email(self, page: str, folder: str, s: m.Story) -> str:
        head = "".join(
            tag("div", tag("dt", label) + tag("dd", esc(value)))
            for label, value in (
                ("From", s.sender or s.participant.pseudonym),
                ("Sent", fmt_date(s.sent or s.date)),
                ("Subject", s.subject),
            )
            if value
        )
        letter = tag("dl", head, class_="im-letter-head")
        body = self.body(page, "story", s.id, s.body, s.inline_images)
        attachments = "".join(self.figure(page, a.src, folder, a.alt, a.alt) for a in s.attachments)
        # The letter as it was: header and body together on one sheet (md_in_html renders the
        # body inside it; content cannot write `<`, so only our own blocks use `markdown`).
        text = f'\n\n<article class="im-letter" markdown>\n{letter}\n{body}\n</article>\n\n'
        if attachments:
            text += "## Attachments\n" + block(tag("div", attachments, class_="im-frames"))
        return text

    def written(self, page: str, folder: str, s: m.Story) -> str:
        # Blockquotes in a written story are its pull quotes (styled by the theme).
        body = self.body(page, "story", s.id, s.body, s.inline_images)
        if not body:
            return ""
        return f'\n\n<article class="im-story-body" markdown>\n{body}\n</article>\n\n'

    # -- insights and actions -----------------------------------------------

    def insight_pages(self) -> None:
        index = "insights/index.md"
        if self.wants(index):
            items = [
                self.link(index, "insight", i.id)
                + " "
                + tag("span", esc(i.basis), class_="im-chip")
                for i in sorted(self.lib.insights.values(), key=lambda i: i.statement.lower())
            ]
            self.write(index, front_matter("Insights") + "# Insights\n" + block(ul(items)))
        for insight in self.lib.insights.values():
            page = item_page("insight", insight.id)
            if not self.wants(page):
                continue
            text = front_matter(insight.statement, insight.tags)
            text += f"# {md_text(insight.statement)}\n"
            text += block(
                tag(
                    "p",
                    tag("span", esc(insight.basis.capitalize()), class_="im-badge"),
                    class_="im-meta",
                )
            )
            text += self.section(
                "Evidence", [self.quoted_evidence(page, r) for r in insight.evidence]
            )
            text += self.section("Personas", self.cited(page, "persona", insight.personas))
            stages = []
            for journey_id, stage_id in insight.stages:
                journey = self.lib.journeys.get(journey_id)
                stage = (
                    next((s for s in journey.stages if s.id == stage_id), None) if journey else None
                )
                if journey and stage:
                    stages.append(
                        tag(
                            "a",
                            esc(f"{journey.title}: {stage.title}"),
                            href=self.href(
                                page, item_page("journey", journey_id) + f"#stage-{stage_id}"
                            ),
                        )
                    )
            text += self.section("Journey stages", stages)
            if insight.body.strip():
                text += "## Notes\n" + self.body(page, "insight", insight.id, insight.body)
            text += self.section(
                "What we did",
                [
                    esc(self.lib.actions[a].we_did)
                    for a in sorted(self.cites.insight_actions[insight.id])
                ],
            )
            self.write(page, text)

    def actions_page(self) -> None:
        page = "actions/index.md"
        if not self.wants(page):
            return
        text = front_matter("You said, we did") + "# You said, we did\n"
        for status, label in STATUS_ORDER:
            actions = sorted(
                (a for a in self.lib.actions.values() if a.status == status),
                key=lambda a: (a.due or dt.date.max, a.id),
            )
            if not actions:
                continue
            cards = []
            for a in actions:
                facts = [f"Owner: {esc(a.owner)}"] if a.owner else []
                if a.due:
                    facts.append(f"Due {esc(fmt_date(a.due))}")
                if a.reported_back:
                    facts.append(f"Reported back {esc(fmt_date(a.reported_back))}")
                linked = [
                    self.link(page, "insight", i) for i in a.insights if i in self.lib.insights
                ]
                cards.append(
                    tag(
                        "article",
                        (
                            tag(
                                "p",
                                tag("strong", "You said: ") + esc(a.you_said),
                                class_="im-you-said",
                            )
                            + tag(
                                "p", tag("strong", "We did: ") + esc(a.we_did), class_="im-we-did"
                            )
                            + tag("p", " · ".join(facts), class_="im-meta")
                            + (
                                tag("p", "Because of: " + ", ".join(linked), class_="im-meta")
                                if linked
                                else ""
                            )
                        ),
                        class_=f"im-action im-status-{status}",
                        id=a.id,
                    )
                )
            text += f"## {label}\n" + block(tag("div", "".join(cards), class_="im-actions"))
        self.write(page, text)

    # -- home and tags -------------------------------------------------------

    def home_page(self, site_name: str) -> None:
        page = "index.md"
        if not self.wants(page):
            return
        lib = self.lib
        counts = [
            (len(lib.personas), "personas", "personas/index.md"),
            (len(lib.journeys), "journeys", "journeys/index.md"),
            (len(lib.stories), "stories", "stories/index.md"),
            (len(lib.insights), "insights", "insights/index.md"),
            (len(lib.actions), "actions", "actions/index.md"),
        ]
        stats = "".join(
            tag(
                "a",
                tag("strong", str(n)) + " " + label,
                href=self.href(page, target),
                class_="im-stat",
            )
            for n, label, target in counts
        )
        text = front_matter(site_name) + f"# {md_text(lib.room.name)}\n"
        text += block(
            tag(
                "p",
                "The room at a glance: the customers we listen to, what they "
                "go through, and what we did about it.",
                class_="im-lead",
            )
        )
        text += block(tag("nav", stats, class_="im-stats", aria_label="The room in numbers"))
        if lib.personas:
            cards = "".join(self.persona_card(page, p) for p in self.sorted_personas())
            text += "## Meet our customers\n" + block(tag("div", cards, class_="im-cards"))
        recent = sorted(
            lib.stories.values(), key=lambda s: (s.date or dt.date.min, s.id), reverse=True
        )[:6]
        text += self.section(
            "Latest stories",
            [
                self.link(page, "story", s.id)
                + " "
                + tag(
                    "span",
                    esc(f"{STORY_KIND_LABELS[s.kind_of_story]} · {s.participant.pseudonym}"),
                    class_="im-meta",
                )
                for s in recent
            ],
        )
        text += self.section(
            "Journeys", [self.link(page, "journey", j.id) for j in lib.journeys.values()]
        )
        text += self.section(
            "Insights", [self.link(page, "insight", i.id) for i in lib.insights.values()]
        )
        done = sum(1 for a in lib.actions.values() if a.status == "done")
        if lib.actions:
            text += "## You said, we did\n" + block(
                tag(
                    "p",
                    tag(
                        "a",
                        esc(f"{done} of {len(lib.actions)} actions done"),
                        href=self.href(page, "actions/index.md"),
                    ),
                )
            )
        if lib.room.displays:
            text += self.section(
                "In the room",
                [
                    tag("strong", esc(d.title or d.id))
                    + " "
                    + tag(
                        "span",
                        esc(f"{d.orientation}, {d.resolution[0]}×{d.resolution[1]}"),
                        class_="im-meta",
                    )
                    for d in lib.room.displays
                ],
            )
        self.write(page, text)

    def tags_page(self) -> None:
        if not self.wants("tags.md"):
            return
        self.write("tags.md", front_matter("Tags") + "# Tags\n\n<!-- material/tags -->\n")

    def render(self, site_name: str) -> None:
        self.home_page(site_name)
        self.persona_pages()
        self.journey_pages()
        self.story_pages()
        self.insight_pages()
        self.actions_page()
        self.tags_page()

    def nav(self) -> list[object]:
        """The site navigation: sections, with their items only while a section is short.

        Every page renders the nav of its own section, so a section of a thousand
        stories would make each story page carry a thousand links and the engine
        build grow with the square of the room (54 s instead of 9 s at 1,000 stories).
        Items of a long section are reached from its index page instead.
        """

        def section(title: str, kind: str, items: list[tuple[str, str]]) -> dict[str, object]:
            entries: list[object] = [f"{SECTION_DIRS[kind]}/index.md"]
            if len(items) <= NAV_SECTION_LIMIT:
                entries += [{template_text(label): item_page(kind, i)} for label, i in items]
            return {title: entries}

        lib = self.lib
        stories = sorted(lib.stories.values(), key=lambda s: s.title.lower())
        return [
            {"Home": "index.md"},
            section("Personas", "persona", [(p.name, p.id) for p in self.sorted_personas()]),
            section("Journeys", "journey", sorted((j.title, j.id) for j in lib.journeys.values())),
            section("Stories", "story", [(s.title, s.id) for s in stories]),
            section(
                "Insights", "insight", sorted((i.statement, i.id) for i in lib.insights.values())
            ),
            {"You said, we did": "actions/index.md"},
            {"Tags": "tags.md"},
        ]
