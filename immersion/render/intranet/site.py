"""The intranet renderer: the site's shared pieces, its home page, tags page and nav.

Each kind of item has its own module of page writers (`personas`, `journeys`,
`stories`, `insights`), functions that take the renderer for its shared
pieces: links, evidence, photos, bodies, sections.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable

from markupsafe import Markup

from ... import model as m
from ...bodytext import safe_markdown
from ...schema import EvidenceRef, MediaRef
from .. import views
from ..assets import Assets, PlacedPhoto
from ..html import EMPTY, block, join, tag, ul, void
from ..recordings import Recordings
from ..staging import Staging, esc, front_matter, md_text, rel_url, template_text
from ..views import SECTION_DIRS, STORY_KIND_LABELS
from . import insights, journeys, personas, room, stories
from .pages import NAV_SECTION_LIMIT, QUOTE_LIMIT, Citations, item_page


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
        room_state: room.RoomState | None = None,
    ) -> None:
        self.only = None if only is None else frozenset(only)
        self.lib = lib
        self.staging = staging
        self.assets = assets
        # The intranet knows every duration and has the peaks: no audio is fetched
        # until someone plays it (Lighthouse: 475 KB of Opus at load, with metadata).
        self.recordings = Recordings(
            lib, assets, preload="none", clip_peaks=True, label_machine=True, clip_video=True
        )
        self.today = today
        self.cites = Citations.of(lib)
        self.pages = 0
        # The room database's figures for the room page (None: not read this time).
        self.room_state = room_state

    def wants(self, src: str) -> bool:
        return self.only is None or src in self.only

    def render(self, site_name: str) -> None:
        """Every page. `site_name` is the engine's: it alone titles the home page, so the
        pages never repeat it (the argument keeps both sites' renderers called alike)."""
        self.home_page()
        personas.write_pages(self)
        journeys.write_pages(self)
        stories.write_pages(self)
        insights.write_insight_pages(self)
        insights.write_actions_page(self)
        room.write_room_page(self, self.room_state)
        self.tags_page()

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
        priority: bool = False,
    ) -> Markup:
        """A responsive photo: WebP for browsers that take it, JPEG for the rest.

        `priority`: the page's largest photo above the fold (its LCP): fetched first.

        width/height give the box before the file arrives, and the tiny inline
        placeholder fills it, so nothing jumps and nothing is ever blank.
        """

        def srcset(fmt: str) -> str:
            return ", ".join(f"{self.href(page, path)} {w}w" for path, w in placed.sources[fmt])

        webp = (
            void("source", type="image/webp", srcset=srcset("webp"), sizes=sizes)
            if "webp" in placed.sources
            else EMPTY
        )
        img = void(
            "img",
            src=self.href(page, placed.fallback()),
            srcset=srcset("jpeg"),
            sizes=sizes,
            alt=alt,
            width=placed.width,
            height=placed.height,
            loading="lazy" if lazy and not priority else None,
            fetchpriority="high" if priority else None,
            decoding="sync" if priority else "async",
            class_=cls,
            style=f"background:url({placed.placeholder}) center/cover no-repeat",
        )
        return tag("picture", webp + img)

    def preload(self, page: str, placed: PlacedPhoto, sizes: str) -> dict[str, str]:
        """Front matter for the head's `<link rel=preload as=image>` (main.html) of the
        page's LCP photo: its request then starts with the stylesheets, ahead of them,
        instead of after the parser reaches the body (six connections a host, all taken
        by stylesheets, on HTTP/1.1). Same candidates and `sizes` as the `<img>`, so the
        browser picks the same file; WebP only, the source every current browser takes.
        """
        fmt = "webp" if "webp" in placed.sources else "jpeg"
        srcset = ", ".join(f"{self.href(page, path)} {w}w" for path, w in placed.sources[fmt])
        return {"srcset": srcset, "sizes": sizes, "type": f"image/{fmt}"}

    def figure(
        self,
        page: str,
        ref: MediaRef,
        folder: str,
        alt: str,
        caption: str = "",
        lazy: bool = True,
        sizes: str = "(max-width: 60em) 100vw, 40rem",
    ) -> Markup:
        placed = self.assets.photo(ref, folder)
        if placed is None:
            return EMPTY
        cap = tag("figcaption", caption) if caption else EMPTY
        picture = self.img(page, placed, alt, lazy=lazy, sizes=sizes)
        return tag("figure", picture + cap, class_="im-photo")

    def body(
        self, page: str, item_kind: str, item_id: str, text: str, images: Iterable[m.Image] = ()
    ) -> str:
        """The editor's Markdown, made safe, between blank lines in the page (page text).

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

    def link(self, page: str, kind: str, item_id: str, text: str | None = None) -> Markup:
        item = self.lib.by_kind(kind).get(item_id)
        if item is None:
            return esc(text or item_id)  # filtered out for this audience: show no link
        label = text if text is not None else getattr(item, "title", item_id)
        return tag("a", label, href=self.href(page, item_page(kind, item_id)))

    def stage_href(self, page: str, journey_id: str, stage_id: str | None) -> str:
        """The journey page, at the column of a stage when there is one."""
        target = item_page("journey", journey_id) + (f"#stage-{stage_id}" if stage_id else "")
        return self.href(page, target)

    def stage_link(self, page: str, s: m.Story, stage_id: str | None) -> Markup:
        """The journey stage a moment belongs to, linked to its column."""
        name = views.stage_name(self.lib, s, stage_id)
        if not name or s.journey is None:
            return EMPTY
        return tag("a", name, href=self.stage_href(page, s.journey, stage_id))

    def evidence(self, page: str, ref: EvidenceRef) -> Markup:
        story = self.lib.stories.get(ref.story)
        if story is None:
            return EMPTY
        label = views.moment_label(story, ref.anchor)
        target = item_page("story", story.id) + (f"#{ref.anchor}" if ref.anchor else "")
        return tag("a", label, href=self.href(page, target), class_="im-evidence")

    def quoted_evidence(self, page: str, ref: EvidenceRef) -> Markup:
        """The words said at a moment, then the link to the second they were said."""
        link = self.evidence(page, ref)
        words = views.said_at(self.lib, ref) if link else ""
        if not words:
            return link
        if len(words) > QUOTE_LIMIT:
            words = words[: QUOTE_LIMIT - 1].rstrip() + "…"
        return join([tag("q", words), link], " — ")

    def evidence_list(self, page: str, refs: Iterable[EvidenceRef]) -> Markup:
        links = [self.evidence(page, ref) for ref in refs]
        return join((link for link in links if link), " ")

    def cited(self, page: str, kind: str, ids: Iterable[str]) -> list[Markup]:
        items = self.lib.by_kind(kind)
        return [self.link(page, kind, i) for i in sorted(ids) if i in items]

    def section(self, title: str, items: Iterable[object]) -> str:
        """`## title` and a list of `items` (markup or text), or nothing without items."""
        listed = ul(items)
        return f"## {title}\n" + block(listed) if listed else ""

    # -- home and tags -------------------------------------------------------

    def home_page(self) -> None:
        page = "index.md"
        if not self.wants(page):
            return
        lib = self.lib
        # Each kind's count, named and linked by its section (personas/index.md).
        counts = [
            (len(lib.by_kind(kind)), SECTION_DIRS[kind], f"{SECTION_DIRS[kind]}/index.md")
            for kind in m.ITEM_KINDS
        ]
        stats = join(
            tag(
                "a",
                join([tag("strong", str(n)), label], " "),
                href=self.href(page, target),
                class_="im-stat",
            )
            for n, label, target in counts
        )
        # No title in the front matter: material titles the home page with the site's
        # name alone, where any page title would read "<title> - <site name>" (the
        # home page said "Customer Immersion Room - Customer Immersion Room").
        text = f"# {md_text(lib.room.name)}\n"
        people = personas.sorted_personas(lib)
        lcp = personas.lcp_portrait(self, people)
        if lcp is not None:
            meta = {"preload_image": self.preload(page, lcp, personas.CARD_SIZES)}
            text = "---\n" + json.dumps(meta) + "\n---\n\n" + text
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
            cards = personas.cards(self, page, people)
            text += "## Meet our customers\n" + block(cards)
        recent = sorted(
            lib.stories.values(), key=lambda s: (s.date or dt.date.min, s.id), reverse=True
        )[:6]
        text += self.section(
            "Latest stories",
            [
                join(
                    [
                        self.link(page, "story", s.id),
                        tag(
                            "span",
                            f"{STORY_KIND_LABELS[s.kind_of_story]} · {s.participant.pseudonym}",
                            class_="im-meta",
                        ),
                    ],
                    " ",
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
            summary = f"{done} of {len(lib.actions)} actions done"
            text += "## You said, we did\n" + block(
                tag("p", tag("a", summary, href=self.href(page, "actions/index.md")))
            )
        if lib.room.displays:
            text += self.section(
                "In the room",
                [
                    join(
                        [
                            tag("strong", d.title or d.id),
                            tag(
                                "span",
                                f"{d.orientation}, {d.resolution[0]}×{d.resolution[1]}",
                                class_="im-meta",
                            ),
                        ],
                        " ",
                    )
                    for d in lib.room.displays
                ],
            )
        self.write(page, text)

    def tags_page(self) -> None:
        if not self.wants("tags.md"):
            return
        self.write("tags.md", front_matter("Tags") + "# Tags\n\n<!-- material/tags -->\n")

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
            section("Personas", "persona", [(p.name, p.id) for p in personas.sorted_personas(lib)]),
            section("Journeys", "journey", sorted((j.title, j.id) for j in lib.journeys.values())),
            section("Stories", "story", [(s.title, s.id) for s in stories]),
            section(
                "Insights", "insight", sorted((i.statement, i.id) for i in lib.insights.values())
            ),
            {"You said, we did": "actions/index.md"},
            {"The room": room.PAGE},
            {"Tags": "tags.md"},
        ]
