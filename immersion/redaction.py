"""A story's `redact:` list applied before anything is published: words and time spans.

Words (`{words: ...}`): every occurrence, in any case, as whole words, with any run of
white space (a line break included) between the words of a phrase, becomes
`[redacted]` in every text of the audience's library: the story's own (body, title,
captions, the transcripts it names), and everything that may borrow from it (persona
quotes, pain points, journey stages, insights, actions). Evidence cards and highlight
quotes read the transcripts, so they inherit it. `for_audience` calls
`redact_library` last, so no renderer, search index or kiosk slide ever sees the words;
the audit (`audit/redacted.py`) looks for the same phrases with the same `Phrases`.

Spans (`{start, end}`): `spans_by_source` says which recording each span silences (the
interview's, a diary entry's or a film's narration); the media pipeline puts them in the
master's recipe (`media/recipes.Redacted`), so every rendition and clip inherits them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from . import model as m
from .transcripts import Transcript

MARK = "[redacted]"
# At the root of each built site: the published recordings' redacted spans, in each
# file's own time, for the audit to measure (`audit/redacted.py`).
REDACTED_JSON = "redacted.json"
_WORD = re.compile(r"\w+")


def _tokens(phrase: str) -> list[str]:
    return phrase.split()


class Phrases:
    """The phrases to take out, matched case-insensitively as whole words, across white
    space and line breaks. Only the phrases whose words all occur in a text are put in
    its pattern, so a room of thousands of entries costs a set lookup per word."""

    def __init__(self, phrases: Iterable[str]) -> None:
        unique = {" ".join(_tokens(p)).casefold(): " ".join(_tokens(p)) for p in phrases}
        self.phrases = tuple(sorted((p for p in unique.values() if p), key=str.casefold))
        self._words = {p: frozenset(_WORD.findall(p.casefold())) for p in self.phrases}
        # Each phrase under one of its words: a text is only tried for the phrases
        # filed under the words it holds.
        self._by_word: dict[str, list[str]] = {}
        for p in self.phrases:
            key = max(self._words[p], key=len, default="")
            self._by_word.setdefault(key, []).append(p)
        self._keys = frozenset(self._by_word)
        self._patterns: dict[tuple[str, ...], re.Pattern[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def _pattern(self, text: str) -> re.Pattern[str] | None:
        present = set(_WORD.findall(text.casefold()))
        hits = present & self._keys
        if "" in self._by_word:  # a phrase of no word characters at all ("+-+")
            hits.add("")
        if not hits:
            return None
        candidates = {p for w in hits for p in self._by_word[w]}
        wanted = tuple(sorted(p for p in candidates if self._words[p] <= present))
        if not wanted:
            return None
        pattern = self._patterns.get(wanted)
        if pattern is None:
            # Longest first, so "Leah Smith" is taken whole before "Smith" alone.
            parts = [
                r"\s+".join(re.escape(t) for t in _tokens(p))
                for p in sorted(wanted, key=len, reverse=True)
            ]
            pattern = re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)
            self._patterns[wanted] = pattern
        return pattern

    def sub(self, text: str) -> str:
        """`text` with every phrase replaced by `[redacted]`."""
        if not text or not self.phrases:
            return text
        pattern = self._pattern(text)
        return pattern.sub(MARK, text) if pattern else text

    def find(self, text: str) -> list[str]:
        """The phrases that occur in `text`, as listed (not as found)."""
        pattern = self._pattern(text) if text and self.phrases else None
        if pattern is None:
            return []
        found = {match.group(0) for match in pattern.finditer(text)}
        return [p for p in self.phrases if any(_same(p, f) for f in found)]


def _same(phrase: str, found: str) -> bool:
    return _tokens(phrase.casefold()) == _tokens(found.casefold())


def phrases(lib: m.Library) -> Phrases:
    """Every word entry of every story in `lib`."""
    return Phrases(r.words for story in lib.stories.values() for r in story.redact if r.words)


@dataclass(frozen=True)
class Redacted:
    """What to take out of one recording (a story's `redact:` spans, see `redaction.py`).

    Part of the key of every output of the recording (`media/keys.py`) only when it has
    spans, so a recording without redactions keeps its cached renditions.
    """

    spans: tuple[tuple[float, float, str], ...] = ()  # (start, end, picture: blank|blur)
    sound: str = "silence"  # or "bleep": a 1 kHz tone instead of silence

    def __bool__(self) -> bool:
        return bool(self.spans)


NOTHING_REDACTED = Redacted()


# -- words ---------------------------------------------------------------------------


def redact_library(lib: m.Library) -> m.Library:
    """`lib` with every phrase of its stories' `redact:` lists replaced in every text."""
    found = phrases(lib)
    if not found:
        return lib
    s = found.sub

    def texts(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(s(v) for v in values)

    stories = {i: _story(story, s, texts) for i, story in lib.stories.items()}
    personas = {
        i: replace(
            p,
            quote=replace(p.quote, text=s(p.quote.text)) if p.quote else None,
            goals=texts(p.goals),
            needs=replace(
                p.needs, functional=texts(p.needs.functional), emotional=texts(p.needs.emotional)
            ),
            pain_points=tuple(replace(x, text=s(x.text)) for x in p.pain_points),
            behaviours=texts(p.behaviours),
            body=s(p.body),
        )
        for i, p in lib.personas.items()
    }
    journeys = {
        i: replace(
            j,
            title=s(j.title),
            stages=tuple(
                replace(
                    st,
                    title=s(st.title),
                    doing=s(st.doing),
                    thinking=s(st.thinking),
                    feeling=s(st.feeling),
                    touchpoints=texts(st.touchpoints),
                    pain_points=texts(st.pain_points),
                    opportunities=texts(st.opportunities),
                )
                for st in j.stages
            ),
            body=s(j.body),
        )
        for i, j in lib.journeys.items()
    }
    insights = {
        i: replace(x, statement=s(x.statement), basis=s(x.basis), body=s(x.body))
        for i, x in lib.insights.items()
    }
    actions = {
        i: replace(a, you_said=s(a.you_said), we_did=s(a.we_did), body=s(a.body))
        for i, a in lib.actions.items()
    }
    transcripts = {path: _transcript(t, s) for path, t in lib.transcripts.items()}
    return lib.with_(
        stories=stories,
        personas=personas,
        journeys=journeys,
        insights=insights,
        actions=actions,
        transcripts=transcripts,
    )


def _story(
    story: m.Story, s: Callable[[str], str], texts: Callable[[tuple[str, ...]], tuple[str, ...]]
) -> m.Story:
    return replace(
        story,
        title=s(story.title),
        body=s(story.body),
        subject=s(story.subject),
        tags=story.tags,
        entries=tuple(replace(e, prompt=s(e.prompt), place=s(e.place)) for e in story.entries),
        frames=tuple(replace(f, caption=s(f.caption), alt=s(f.alt)) for f in story.frames),
        chapters=tuple(replace(c, title=s(c.title)) for c in story.chapters),
        attachments=tuple(replace(a, alt=s(a.alt)) for a in story.attachments),
        inline_images=tuple(replace(a, alt=s(a.alt)) for a in story.inline_images),
    )


def _transcript(script: Transcript, s: Callable[[str], str]) -> Transcript:
    cues = tuple(
        replace(c, text=s(c.text), voice=s(c.voice) if c.voice else c.voice) for c in script.cues
    )
    return script if cues == script.cues else replace(script, cues=cues)


# -- spans -----------------------------------------------------------------------------


def spans_by_source(lib: m.Library) -> dict[Path, Redacted]:
    """{recording path: what to silence in it} for every story with `{start, end}` spans."""
    found: dict[Path, Redacted] = {}
    for story in lib.stories.values():
        found.update(story_spans(story))
    return found


def story_spans(story: m.Story) -> dict[Path, Redacted]:
    """{recording path: what to silence in it} for one story's `{start, end}` spans.

    A span without `entry` is in the story's own recording (an interview's, or a photo
    film's narration); with `entry`, in that diary entry's recording.
    """
    found: dict[Path, list[tuple[float, float, str]]] = {}
    entries = {e.id: e.recording for e in story.entries}
    own = story.recording or (story.narration.recording if story.narration else None)
    for r in story.redact:
        if r.start is None or r.end is None or r.end <= r.start:
            continue  # `check_redactions` reports it, and the story is left out
        ref = entries.get(r.entry) if r.entry else own
        if ref is not None:
            found.setdefault(ref.path, []).append((r.start, r.end, r.picture))
    return {
        path: Redacted(tuple(sorted(spans)), story.redact_sound) for path, spans in found.items()
    }


def clip_spans(redacted: Redacted, start: float, end: float) -> list[tuple[float, float]]:
    """The spans of a clip cut from `start` to `end` of the recording, in the clip's time."""
    out = []
    for a, b, _picture in redacted.spans:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            out.append((round(lo - start, 3), round(hi - start, 3)))
    return out


def manifest(
    placed: Mapping[str, tuple[Redacted, float, float | None]],
) -> dict[str, object]:
    """What the audit reads (`redacted.json`): each published recording's spans, in its time.

    `placed`: {site path: (the source's spans, where the file starts in the source,
    where it ends or None for the whole recording)}.
    """
    files: dict[str, object] = {}
    for rel, (redacted, start, end) in sorted(placed.items()):
        spans = clip_spans(redacted, start, end if end is not None else float("inf"))
        if spans:
            files[rel] = {"sound": redacted.sound, "spans": [list(x) for x in spans]}
    return {"files": files}
