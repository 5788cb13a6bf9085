"""What one audience must not see, in a form the audit can look for in a built site.

From the whole library and the audience's view of it (`for_audience`), `excluded()`
gathers:

* *needles*: the words of every sentence, transcript line, quote, caption or title
  the view lacks, each at least `MIN_WORDS` words and `MIN_CHARS` characters long (a
  short phrase like "Moving home" proves nothing), minus any that the audience may
  see elsewhere (the same line said in a story it keeps); plus the inline placeholder
  of every excluded photo;
* *files*: the excluded photos, recordings and transcripts themselves, and their
  renditions from the media cache (`build/.cache/`, through its read-only reader):
  their keys are recomputed from the source's sha256 and the project's recipes by
  `media/keys.py`, the functions the build uses, so a rendition made for another
  audience (or before the consent ran out) is recognised by its bytes;
* the ids of stories left out entirely, whose pages and files must not exist.

A story folder that cannot be loaded at all is left out of every build, so its
text and files count as excluded too.

Words are compared, not bytes: lower case, punctuation and markup ignored, so the
same sentence is found in HTML, JSON, WebVTT or a script.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

from .. import model as m
from ..media.cache import CacheReader
from ..media.keys import (
    audio_keys,
    photo_keys,
    photo_meta_key,
    photo_sources,
    recording_sources,
    tool_versions,
)
from ..media.recipes import NOTHING_REDACTED, Clip, MediaError, Redacted
from ..project import Project
from ..redaction import spans_by_source
from ..schema import EvidenceRef, MediaRef
from ..settings import load_settings, media_recipes
from ..spoken import transcript_refs
from ..transcripts import read_vtt
from .markup import RUN, words

MIN_WORDS = 4
MIN_CHARS = 20
# A fragment: this many consecutive words of excluded text, wherever they are pasted. Seven
# words are rarely shared by chance between two people's sentences, and the words shared
# with what the audience may see are taken out anyway (`Fragments`).
SHINGLE = 7

_TOKEN = re.compile(r"\w+|\x00")
# A sentence, or a line: list items and table cells are never joined into one needle.
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_FRONT_KEY = re.compile(r"^\s*(?:-\s*)?(?:[\w-]+\s*:\s*)?")


class Text:
    """Text as the matcher reads it: lower-case words joined by single spaces, with a
    NUL wherever runs of text meet (no needle crosses one)."""

    def __init__(self, text: str) -> None:
        # Collapsing white space first (in C) halves what the regular expression reads.
        found = _TOKEN.findall(" ".join(text.casefold().split()))
        self.tokens = found
        self.vocabulary = set(found)
        self.joined = f" {' '.join(found)} "


class Matcher:
    """Finds which needles (words joined by single spaces) occur in a text.

    Each needle is filed under its rarest word and checked for its second rarest
    (`rarity`: how often a word occurs in what the audience may see; unknown words
    are the rarest). A text's set of words picks the few candidates, and only those
    are searched for in the text as one string.
    """

    def __init__(self, needles: Iterable[str], rarity: Mapping[str, int] | None = None) -> None:
        often = rarity or {}
        self.index: dict[str, list[tuple[str, str]]] = {}
        for needle in needles:
            ranked = sorted(set(needle.split(" ")), key=lambda w: (often.get(w, 0), -len(w)))
            second = ranked[1] if len(ranked) > 1 else ranked[0]
            self.index.setdefault(ranked[0], []).append((needle, second))

    def __bool__(self) -> bool:
        return bool(self.index)

    def find(self, text: Text) -> list[str]:
        if not self.index:
            return []
        vocabulary = text.vocabulary
        if len(self.index) < len(vocabulary):
            keys = [k for k in self.index if k in vocabulary]
        else:
            keys = [k for k in vocabulary if k in self.index]
        return [
            needle
            for key in keys
            for needle, second in self.index[key]
            if second in vocabulary and f" {needle} " in text.joined
        ]


def shingles(found: list[str]) -> Iterator[str]:
    """Every run of SHINGLE consecutive words of `found`, as words joined by spaces."""
    for i in range(len(found) - SHINGLE + 1):
        yield " ".join(found[i : i + SHINGLE])


def _plain(text: str) -> str:
    """Text as the site shows it: entities decoded, Markdown link targets dropped."""
    text = _MD_LIST_NUMBER.sub("", text)  # "1. " is drawn by the list, not in the words
    return html.unescape(_MD_LINK_TARGET.sub("]", _MD_IMAGE.sub(r"\n\1\n", text)))


_MD_LIST_NUMBER = re.compile(r"^[ \t]*\d{1,9}[.)][ \t]+", re.M)


class Fragments:
    """Seven-word runs of excluded text, found anywhere in a published text.

    `runs` maps each run (words joined by spaces) to the index of its origin; runs that
    also occur in what the audience may see were taken out when it was made. A text is
    read once: only where two words in a row can start a run (`starts`, a set of
    pairs: four times faster than a set of first words, which holds nearly every
    common word) are the next five joined and looked up.
    """

    def __init__(self, runs: dict[str, int], origins: list[Origin]) -> None:
        self.runs = runs
        self.origins = origins
        self.starts = {(first, second) for first, second, _ in (r.split(" ", 2) for r in runs)}

    def __bool__(self) -> bool:
        return bool(self.runs)

    def every(self, tokens: list[str]) -> list[str]:
        """Every run of this set that occurs in `tokens`."""
        runs, starts = self.runs, self.starts
        last = len(tokens) - SHINGLE
        return [
            run
            for i, pair in enumerate(pairwise(tokens))
            if pair in starts and i <= last and (run := " ".join(tokens[i : i + SHINGLE])) in runs
        ]

    def find(self, tokens: list[str]) -> dict[int, str]:
        """{origin index: the first run of it} in `tokens` (NUL tokens end a run)."""
        found: dict[int, str] = {}
        runs, starts = self.runs, self.starts
        last = len(tokens) - SHINGLE
        for i, pair in enumerate(pairwise(tokens)):
            if pair in starts and i <= last:
                run = " ".join(tokens[i : i + SHINGLE])
                at = runs.get(run)
                if at is not None and at not in found:
                    found[at] = run
        return found


class Pastes:
    """Where in content/ a run of excluded words was pasted: "content/FILE:LINE".

    Read only when a fragment is found (rarely): every file an item of the audience's
    view was loaded from, word by word with the line of each word.
    """

    def __init__(self, view: m.Library, project: Project) -> None:
        self.view = view
        self.project = project
        self._found: dict[str, str] | None = None
        self._wanted: frozenset[str] = frozenset()

    def where(self, run: str, fragments: Fragments) -> str | None:
        if self._found is None:
            self._found = {}
            files = sorted(
                {
                    item.source.path
                    for kind in m.ITEM_KINDS
                    for item in self.view.by_kind(kind).values()
                }
            )
            for name in files:
                self._read(name, fragments)
        return self._found.get(run)

    def _read(self, name: str, fragments: Fragments) -> None:
        assert self._found is not None
        try:
            text = (self.project.root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        tokens: list[str] = []
        lines: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            found = words(_plain(line))
            tokens += found
            lines += [number] * len(found)
        for i in range(len(tokens) - SHINGLE + 1):
            if (tokens[i], tokens[i + 1]) in fragments.starts:
                run = " ".join(tokens[i : i + SHINGLE])
                if run in fragments.runs:
                    self._found.setdefault(run, f"{name}:{lines[i]}")


# Story kinds whose body is the participant's own words (an email, a written story).
OWN_WORDS = frozenset({"email", "story"})


@dataclass(frozen=True)
class Origin:
    """Where an excluded needle or file comes from, and why it is excluded."""

    path: str  # relative to the project, e.g. content/stories/p12/interview.vtt:14
    why: str  # "by consent" or "(its story cannot be loaded)"
    placeholder: bool = False  # the needle is a photo's inline placeholder, not words


@dataclass
class Excluded:
    audience: str
    needles: dict[str, Origin] = field(default_factory=dict)
    sources: dict[Path, Origin] = field(default_factory=dict)  # excluded originals
    renditions: list[tuple[Path, Origin]] = field(default_factory=list)  # cached, of those
    stories: frozenset[str] = frozenset()
    matcher: Matcher = field(default_factory=lambda: Matcher(()))
    fragments: Fragments = field(default_factory=lambda: Fragments({}, []))
    _digest: str = ""

    @property
    def digest(self) -> str:
        """Changes whenever what the audience must not see (as words or pages) changes."""
        if not self._digest:
            parts = [
                self.audience,
                sorted(self.stories),
                sorted(self.needles.items()),
                sorted(self.fragments.runs.items()),
                self.fragments.origins,
            ]
            self._digest = hashlib.sha256(repr(parts).encode()).hexdigest()
        return self._digest

    def left_out(self, origin: Origin) -> str:
        return f"{origin.path}, left out of the {self.audience} {origin.why}"


# -- the strings of a library ------------------------------------------------------


def shown(path: Path, project: Project) -> str:
    """A content file as the editor knows it (content/...), even through a linked content/."""
    text = project.shown(path)
    if text.startswith("/"):
        try:
            return project.shown(project.content / path.relative_to(project.content.resolve()))
        except ValueError:
            pass
    return text


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, MediaRef | EvidenceRef | m.Source | Path):
        return
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for fld in dataclasses.fields(value):
            yield from _strings(getattr(value, fld.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)


# Strings of an item, by the item's identity: a story the filter kept untouched is the
# same object in the library and in every view, and is walked once.
_Seen = dict[int, tuple[object, tuple[str, ...]]]


def library_strings(
    library: m.Library, project: Project, seen: _Seen | None = None
) -> dict[str, str]:
    """{text: the file it comes from} for every text of every item and transcript."""
    found: dict[str, str] = {}
    memo: _Seen = {} if seen is None else seen
    for kind in m.ITEM_KINDS:
        for item in library.by_kind(kind).values():
            known = memo.get(id(item))
            if known is None or known[0] is not item:
                known = memo[id(item)] = (item, tuple(_strings(item)))
            for text in known[1]:
                found.setdefault(text, item.source.path)
    for path, transcript in library.transcripts.items():
        where = shown(path, project)
        for cue in transcript.cues:
            found.setdefault(cue.text, f"{where}:{cue.line}")
    for text in _strings(library.room):
        found.setdefault(text, library.room.source.path)
    return found


def sentences(text: str) -> Iterator[str]:
    """The needles of a text: its sentences as words, the long enough ones only."""
    for piece in _SENTENCE.split(_plain(text)):
        found = words(piece)
        if len(found) >= MIN_WORDS:
            needle = " ".join(found)
            if len(needle) >= MIN_CHARS:
                yield needle


# -- stories that cannot be loaded ---------------------------------------------------


def unloaded_stories(library: m.Library, project: Project) -> dict[str, Path]:
    """{id: folder} of story folders in content/ that the library lacks."""
    folder = project.content / m.KIND_FOLDERS["story"]
    if not folder.is_dir():
        return {}
    return {
        p.name: p
        for p in sorted(folder.iterdir())
        if p.is_dir() and not p.name.startswith(".") and p.name not in library.stories
    }


def _bundle_texts(folder: Path, project: Project) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        where = shown(path, project)
        if path.suffix.lower() == ".md":
            text = path.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                yield _FRONT_KEY.sub("", line).strip("\"' "), where
            yield text, where
        elif path.suffix.lower() == ".vtt":
            transcript, _problems = read_vtt(path, where)
            for cue in transcript.cues if transcript else ():
                yield cue.text, f"{where}:{cue.line}"


# -- renditions in the media cache ----------------------------------------------------


class CachedRenditions:
    """Which cached files of `build/.cache` a source was turned into, read-only.

    The keys come from `media/keys.py` with the project's recipes, exactly as the
    build makes them, and are looked up through the cache's read-only reader.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.cache = CacheReader(project.cache)
        settings, _ = load_settings(project)
        self.photo_recipe, self.audio_recipe = media_recipes(settings, [])

    def close(self) -> None:
        self.cache.close()

    def sha(self, path: Path) -> str | None:
        return self.cache.sha256(path)

    def photo(self, sha: str) -> tuple[list[Path], str]:
        """The cached renditions of a photo, and its inline placeholder."""
        versions = tool_versions(audio=False)
        meta = self.cache.meta(photo_meta_key(self.photo_recipe, sha, versions))
        if meta is None:
            return [], ""
        try:
            keys = photo_keys(self.photo_recipe, sha, int(meta["width"]), versions)
        except (ValueError, KeyError, TypeError):
            return [], ""
        return self.cache.files(keys.values()), str(meta.get("placeholder", ""))

    def recording(
        self,
        sha: str,
        clips: tuple[Clip, ...],
        only_clips: bool,
        redacted: Redacted = NOTHING_REDACTED,
    ) -> list[Path]:
        try:
            versions = tool_versions(audio=True)
        except MediaError:
            return []
        keys = audio_keys(self.audio_recipe, sha, clips, versions, redacted)
        if only_clips:
            keys = {name: key for name, key in keys.items() if name.startswith("clip-")}
        return self.cache.files(keys.values())


# -- what one audience must not see -----------------------------------------------------


def _media(lib: m.Library) -> tuple[set[Path], dict[Path, tuple[Clip, ...]], set[Path]]:
    photos = {ref.path for ref in photo_sources(lib)}
    recordings: dict[Path, tuple[Clip, ...]] = {}
    for ref, clips in recording_sources(lib):
        recordings[ref.path] = tuple({*recordings.get(ref.path, ()), *clips})
    transcripts = {ref.path for story in lib.stories.values() for ref in transcript_refs(story)}
    return photos, recordings, transcripts


def excluded(
    library: m.Library,
    view: m.Library,
    project: Project,
    audience: str,
    renditions: CachedRenditions | None = None,
) -> Excluded:
    """What `audience` (whose view of `library` is `view`) must not find in its site."""
    result = Excluded(audience)
    consent = Origin("", "by consent")
    unloadable = "(its story cannot be loaded)"

    # Text: whatever the library has and the view lacks.
    seen_items: _Seen = {}
    full = library_strings(library, project, seen_items)
    allowed = library_strings(view, project, seen_items)
    texts: list[tuple[str, Origin]] = [
        (text, Origin(origin, consent.why)) for text, origin in full.items() if text not in allowed
    ]
    broken = unloaded_stories(library, project)
    for folder in broken.values():
        texts += [(t, Origin(o, unloadable)) for t, o in _bundle_texts(folder, project)]
    for text, origin in texts:
        for needle in sentences(text):
            result.needles.setdefault(needle, origin)
    # ...unless the audience may see the same words elsewhere.
    seen = Text(RUN.join(allowed))
    for needle in Matcher(result.needles).find(seen):
        del result.needles[needle]
    # Runs of words only from what participants said or wrote themselves: an editor's
    # summary of an interview may share seven words with a journey or an insight the same
    # editor wrote, and that must not stop a build (whole sentences are still matched).
    written = {s.source.path for s in library.stories.values() if s.kind_of_story in OWN_WORDS}
    unloaded = {str(shown(folder, project)) for folder in broken.values()}
    said = [
        (text, origin)
        for text, origin in texts
        if ".vtt" in origin.path
        or origin.path.split(":")[0] in written
        or any(origin.path.startswith(folder) for folder in unloaded)
    ]
    result.fragments = fragments(said, view, project)

    # Files: excluded sources and their renditions, and the stories left out whole.
    result.stories = frozenset(set(library.stories) - set(view.stories)) | frozenset(broken)
    photos, recordings, transcripts = _media(library)
    seen_photos, seen_recordings, seen_transcripts = _media(view)
    redacted = spans_by_source(library)  # in the keys of those recordings' renditions
    own = renditions or CachedRenditions(project)
    try:
        for path in photos:
            if path in seen_photos:
                continue
            origin = Origin(shown(path, project), consent.why)
            result.sources[path] = origin
            sha = own.sha(path)
            if sha is None or _shared(sha, path, seen_photos, own):
                continue
            files, placeholder = own.photo(sha)
            result.renditions += [(p, origin) for p in files]
            for needle in sentences(placeholder):
                result.needles.setdefault(needle, replace(origin, placeholder=True))
        for path, clips in recordings.items():
            origin = Origin(shown(path, project), consent.why)
            kept = seen_recordings.get(path)
            if kept is None:
                result.sources[path] = origin
            gone = clips if kept is None else tuple(c for c in clips if c not in kept)
            if not gone and kept is not None:
                continue
            sha = own.sha(path)
            if sha is None or (kept is None and _shared(sha, path, seen_recordings, own)):
                continue
            spans = redacted.get(path, NOTHING_REDACTED)
            files = own.recording(sha, gone, only_clips=kept is not None, redacted=spans)
            result.renditions += [(p, origin) for p in files]
        for path in transcripts - seen_transcripts:
            result.sources[path] = Origin(shown(path, project), consent.why)
        for folder in broken.values():
            for path in folder.rglob("*"):
                if path.is_file():
                    result.sources[path] = Origin(shown(path, project), unloadable)
    finally:
        if renditions is None:
            own.close()
    rarity = Counter(seen.joined.split(" "))
    result.matcher = Matcher(result.needles, rarity)
    return result


def fragments(texts: list[tuple[str, Origin]], view: m.Library, project: Project) -> Fragments:
    """The seven-word runs of the excluded `texts`, minus those of the words the audience
    may see as someone's words: the stories it keeps and their transcripts. Editorial text
    (a persona's body, an insight) is not counted as allowed: it is where a quote is
    pasted by hand, and a run of a kept story quoted there is allowed through the story."""
    origins: list[Origin] = []
    index: dict[Origin, int] = {}
    runs: dict[str, int] = {}
    for text, origin in texts:
        found = words(_plain(text))
        if len(found) < SHINGLE:
            continue
        at = index.get(origin)
        if at is None:
            at = index[origin] = len(origins)
            origins.append(origin)
        for run in shingles(found):
            runs.setdefault(run, at)
    if not runs:
        return Fragments({}, [])
    kept: list[str] = []
    for story in view.stories.values():
        kept += _strings(story)
    for transcript in view.transcripts.values():
        kept += [cue.text for cue in transcript.cues]
    # Read as a published text is (pairs first): at 1,000 kept stories, joining every
    # run of theirs would cost the build a second per audience.
    result = Fragments(runs, origins)
    for text in kept:
        for run in result.every(words(_plain(text))):
            runs.pop(run, None)
    return Fragments(runs, origins)


def _shared(sha: str, path: Path, kept: Iterable[Path], own: CachedRenditions) -> bool:
    """Whether a source the audience may see has the same bytes (so the same renditions)."""
    size = path.stat().st_size
    for other in kept:
        try:
            if other.stat().st_size == size and own.sha(other) == sha:
                return True
        except OSError:
            continue
    return False
