"""Every transcript line its own search result: an mkdocs hook of the intranet build.

Material's search indexes a page by its headings, so a transcript was one section
of fifteen lines: a search for a spoken word landed at the top of the interview and
previewed the whole transcript. This hook, run before the search plugin on every
page, takes the transcripts out of the section text (`data-search-exclude`, which
the plugin honours and then strips) and adds one entry per line instead, at the
line's own id (`stories/p07/#rec-p07-11`). players.js seeks the recording to a line
reached by its id and marks it, so a result lands on the words and their second.

mkdocs loads a hook from its file (`hooks:` in the generated config), not as a
package module: this file imports only the standard library and mkdocs. Zensical
runs no hooks; there the transcripts stay in their section, as before.
"""

from __future__ import annotations

import html as html_text
import re
from html.parser import HTMLParser
from typing import Any

from mkdocs.plugins import event_priority

# The markup of render/players.py `transcript`: its box, and one <li> per line.
_BOX = re.compile(r'<div class="im-transcript"(?![^>]*data-search-exclude)')
_EXCLUDE = '<div class="im-transcript" data-search-exclude="lines"'


class _Lines(HTMLParser):
    """(id, time, voice, words) of every `li.im-cue` with an id, in page order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, str, str, str]] = []
        self._line: dict[str, str] | None = None
        self._part: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = {k: v or "" for k, v in attrs}
        classes = at.get("class", "").split()
        if tag == "li" and "im-cue" in classes and at.get("id"):
            self._line = {"id": at["id"], "time": "", "voice": "", "text": ""}
            self._depth = 0
            return
        if self._line is None:
            return
        self._depth += 1
        for cls, part in (("im-cue-time", "time"), ("im-voice", "voice"), ("im-cue-text", "text")):
            if cls in classes:
                self._part = part

    def handle_endtag(self, tag: str) -> None:
        if self._line is None:
            return
        if tag == "li" and self._depth <= 0:
            line = self._line
            self.lines.append((line["id"], line["time"], line["voice"], line["text"].strip()))
            self._line = None
            return
        self._depth -= 1
        self._part = None

    def handle_data(self, data: str) -> None:
        if self._line is not None and self._part is not None:
            self._line[self._part] += data


def transcript_lines(html: str) -> list[tuple[str, str, str, str]]:
    parser = _Lines()
    parser.feed(html)
    parser.close()
    return parser.lines


def line_entries(url: str, html: str) -> list[dict[str, str]]:
    """One search entry per transcript line of a page: `Leah at 0:57` and the words."""
    entries = []
    for ident, time, voice, words in transcript_lines(html):
        if not words:
            continue
        title = f"{voice.strip()} at {time.strip()}" if voice.strip() else time.strip()
        # The parser gave the words back as text, and the search shows an entry's title
        # and text as HTML: escape them again, as the search plugin does its own entries.
        # No tags: a tag matches every entry that carries it, and would list every line.
        entries.append(
            {
                "location": f"{url}#{ident}",
                "title": html_text.escape(title, quote=False),
                "text": html_text.escape(words, quote=False),
            }
        )
    return entries


@event_priority(100)  # before the search plugin (priority 0) reads the page
def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    """Take the transcripts out of the page's sections; keep their lines for later."""
    page._immersion_lines = []
    search = config.plugins.get("material/search")
    if search is None or not search.config.get("enabled", True):
        return context
    if "im-transcript" not in (page.content or "") or (page.meta.get("search") or {}).get(
        "exclude"
    ):
        return context
    entries = line_entries(page.url, page.content)
    if entries:
        page._immersion_lines = entries
        page.content = _BOX.sub(_EXCLUDE, page.content)
    return context


def on_post_page(output: str, page: Any, config: Any) -> str:
    """The lines, after the page's own entries: material's search takes the first
    entry of a page for the page itself, and the ones after it for its sections."""
    entries = getattr(page, "_immersion_lines", None)
    search = config.plugins.get("material/search")
    if entries and search is not None:
        search.search_index.entries.extend(entries)
    page._immersion_lines = []
    return output
