"""Which recordings of a story need a transcript, and the story's index.md with it added.

This reads a bundle's front matter for the few fields it needs, not through the
loader: `immersion import recording` writes a bundle whose participant is still to
be filled in, which the loader rightly refuses, and transcribing it is the next
step. Paths are held inside the bundle as the loader holds them.

index.md is edited as text, as `immersion import` does it (comments and layout
survive): the transcript's name goes on the line the import left commented, or
beside the recording, and the findings at the end of `redact:`. Every edit is then
read back with the project's YAML reader and must give exactly the old fields plus
the new ones; when it does not (an unusual layout), nothing is edited and the
command prints the lines for the editor to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..importers.bundle import add_front_matter, quoted
from ..model import KIND_FOLDERS
from ..problems import BuildError, UsageError
from ..project import Project
from ..schema import AUDIO_EXTS, ID_RE, VIDEO_EXTS
from ..transcripts import fmt_timestamp
from ..yamlio import ContentError, split_front_matter
from .draft import Heard

RECORDING_EXTS = AUDIO_EXTS | VIDEO_EXTS


@dataclass(frozen=True)
class Target:
    """One recording of a story and the transcript it has or is to get."""

    where: str  # "recording", "entries[1]" or "narration": where index.md names it
    recording: Path
    recording_src: str
    transcript: str  # the transcript's file name, beside index.md
    named: bool  # index.md already names the transcript
    entry: str | None = None  # the diary entry's id

    def exists(self, bundle: Path) -> bool:
        return (bundle / self.transcript).is_file()


@dataclass(frozen=True)
class StoryBundle:
    id: str
    folder: Path
    index: Path
    text: str
    kind: str
    voice: str | None  # the participant's pseudonym, if index.md gives it yet
    interviewer: str
    targets: tuple[Target, ...]
    redact: list[Any] = field(default_factory=list)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _meta(text: str, display: str) -> dict[str, Any]:
    try:
        meta = split_front_matter(text, display).meta
    except ContentError as exc:
        raise BuildError(exc.problem.format()) from None
    if not isinstance(meta, dict):
        raise BuildError(f"{display}: the front matter is not a mapping of fields")
    return meta


def _file(bundle: Path, src: Any, exts: frozenset[str]) -> Path | None:
    """`src` as a file inside `bundle` with one of `exts` (it need not exist), else None."""
    if not isinstance(src, str) or not src or "\\" in src or src.startswith("/"):
        return None
    path = bundle / src
    try:
        inside = path.resolve().is_relative_to(bundle.resolve())
    except (OSError, RuntimeError):
        return None
    return path if inside and path.suffix.lower() in exts else None


def read_story(project: Project, story_id: str) -> StoryBundle:
    if not ID_RE.match(story_id):
        raise UsageError(f"'{story_id}' is not a story id: use a-z, 0-9, '-' and '_'")
    folder = project.content / KIND_FOLDERS["story"] / story_id
    index = folder / "index.md"
    shown = project.shown(index)
    if not index.is_file():
        raise UsageError(f"no story '{story_id}': {shown} does not exist")
    try:
        text = index.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(f"{shown}: cannot read it ({exc}); save it as UTF-8 text") from None
    meta = _meta(text, shown)
    participant = meta.get("participant")
    voice = participant.get("pseudonym") if isinstance(participant, dict) else None
    targets: list[Target] = []

    def add(where: str, holder: Any, key: str, entry: str | None = None) -> None:
        if not isinstance(holder, dict):
            return
        recording = _file(folder, holder.get("recording"), RECORDING_EXTS)
        if recording is None or not recording.is_file():
            return  # no recording, or one the loader reports: nothing to transcribe
        named = holder.get(key)
        if named is not None and _file(folder, named, frozenset({".vtt"})) is None:
            raise BuildError(
                f"{shown}: {where.split('[')[0]}'s {key} '{named}' is not a .vtt file "
                "beside index.md; fix it first"
            )
        name = str(named) if named is not None else f"{recording.stem}.vtt"
        targets.append(
            Target(where, recording, str(holder["recording"]), name, named is not None, entry)
        )

    add("recording", meta, "transcript")
    entries = meta.get("entries")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        ident = entry.get("id") if isinstance(entry, dict) else None
        add(f"entries[{i}]", entry, "transcript", str(ident) if ident else None)
    add("narration", meta.get("narration"), "captions")
    redact = meta.get("redact")
    return StoryBundle(
        story_id,
        folder,
        index,
        text,
        str(meta.get("kind", "")),
        str(voice) if isinstance(voice, str) and voice.strip() else None,
        str(meta.get("interviewer") or ""),
        tuple(targets),
        _plain(redact) if isinstance(redact, list) else [],
    )


def story_ids(project: Project) -> list[str]:
    folder = project.content / KIND_FOLDERS["story"]
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (p / "index.md").is_file()
    )


# -- editing index.md -------------------------------------------------------------------


def transcript_line(target: Target) -> str:
    key = "captions" if target.where == "narration" else "transcript"
    return f"{key}: {target.transcript}"


def _fm_bounds(lines: list[str]) -> int:
    """The index of the closing '---' of the front matter."""
    return next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))


def _holder(meta: dict[str, Any], where: str) -> Any:
    if where == "recording":
        return meta
    if where == "narration":
        return meta.get("narration")
    number = int(where[len("entries[") : -1])
    return meta["entries"][number]


def _added(text: str, display: str, target: Target) -> str | None:
    """`text` with the transcript named for `target`, or None if that is not a safe edit."""
    lines = text.split("\n")
    close = _fm_bounds(lines)
    key = "captions" if target.where == "narration" else "transcript"
    if target.where == "recording":
        commented = re.compile(rf"^#\s*{key}:\s*\S+\s*$")
        for i in range(1, close):
            if commented.match(lines[i]):  # the line `import recording` left for it
                lines[i] = f"{key}: {target.transcript}"
                return "\n".join(lines)
        return add_front_matter(text, [f"{key}: {target.transcript}"], key, display)
    # A diary entry or the narration: next to its `recording:` line, indented the same.
    holder = _holder(_meta(text, display), target.where)
    line_of = getattr(holder, "line_of", None)
    if line_of is None:
        return None
    at = line_of("recording") - 1
    if not 0 < at < close:
        return None
    match = re.match(r"^(\s*(?:-\s+)?)recording:\s*[^{}\[\]]+$", lines[at])
    if match is None:
        return None  # a flow mapping ({recording: ...}) or something unusual
    indent = " " * len(match.group(1))
    following = lines[at + 1] if at + 1 < close else ""
    if re.match(rf"^{indent}#\s*{key}:\s*\S+\s*$", following):
        lines[at + 1] = f"{indent}{key}: {target.transcript}"
    else:
        lines.insert(at + 1, f"{indent}{key}: {target.transcript}")
    return "\n".join(lines)


def redact_entries(found: list[Heard], target: Target, existing: list[Any]) -> list[str]:
    """One `redact:` line per finding, with its span; those already listed are left out."""
    seen: set[tuple[str, str | None, str | None]] = {
        (str(e.get("words", "")).casefold(), e.get("start"), e.get("end"))
        for e in existing
        if isinstance(e, dict)
    }
    out: list[str] = []
    for h in found:
        start, end = fmt_timestamp(h.start), fmt_timestamp(h.end)
        if target.where == "narration":  # a span names a recording only for diary entries
            key: tuple[str, str | None, str | None] = (h.finding.words.casefold(), None, None)
            item = f"{{words: {quoted(h.finding.words)}, why: {quoted(h.finding.why)}}}"
        else:
            key = (h.finding.words.casefold(), start, end)
            entry = f", entry: {target.entry}" if target.entry else ""
            item = (
                f'{{words: {quoted(h.finding.words)}, start: "{start}", end: "{end}"{entry}, '
                f"why: {quoted(h.finding.why + ', heard in ' + target.transcript)}}}"
            )
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _with_redactions(text: str, display: str, items: list[str]) -> str | None:
    if not items:
        return text
    lines = text.split("\n")
    close = _fm_bounds(lines)
    at = next((i for i in range(1, close) if re.match(r"^redact:", lines[i])), None)
    if at is None:
        block = [
            "# Personal data heard by `immersion transcribe`: the words and the span of the",
            "# recording where they are said. Delete an entry only if it is not personal data.",
            "redact:",
        ]
        return add_front_matter(text, block + [f"  - {item}" for item in items], "redact", display)
    rest = lines[at][len("redact:") :].split("#", 1)[0].strip()
    if rest == "[]":
        lines[at] = "redact:"
        lines[at + 1 : at + 1] = [f"  - {item}" for item in items]
        return "\n".join(lines)
    if rest:
        return None  # a flow list with entries: leave it to the editor
    # A block list: the new entries go after its last line, indented like its first.
    end = at + 1
    while end < close and (lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()):
        end += 1
    while end > at + 1 and not lines[end - 1].strip():
        end -= 1
    first = next((ln for ln in lines[at + 1 : end] if ln.lstrip().startswith("- ")), "  - ")
    indent = first[: len(first) - len(first.lstrip())]
    lines[end:end] = [f"{indent}- {item}" for item in items]
    return "\n".join(lines)


def edited_index(
    story: StoryBundle, target: Target, found: list[Heard]
) -> tuple[str | None, list[str]]:
    """index.md with the transcript and the findings added, checked by reading it back;
    (None, the lines to add by hand) when it cannot be edited safely."""
    display = str(story.index)
    items = redact_entries(found, target, story.redact)
    by_hand = ([] if target.named else [transcript_line(target)]) + (
        ["redact:", *(f"  - {item}" for item in items)] if items else []
    )
    try:
        text: str | None = story.text if target.named else _added(story.text, display, target)
        if text is not None:
            text = _with_redactions(text, display, items)
        if text is None or not _reads_back(story.text, text, display, target, len(items)):
            return None, by_hand
    except (UsageError, BuildError, StopIteration, KeyError, IndexError, ValueError):
        return None, by_hand
    return text, []


def _reads_back(old: str, new: str, display: str, target: Target, added: int) -> bool:
    """The new front matter is the old plus the transcript and `added` redactions."""
    before, after = _plain(_meta(old, display)), _plain(_meta(new, display))
    key = "captions" if target.where == "narration" else "transcript"
    holder = _holder(after, target.where)
    if not isinstance(holder, dict) or holder.get(key) != target.transcript:
        return False
    if not target.named:
        del holder[key]
    old_redact = before.get("redact") or []
    new_redact = after.get("redact") or []
    if new_redact[: len(old_redact)] != old_redact or len(new_redact) != len(old_redact) + added:
        return False
    before.pop("redact", None)
    after.pop("redact", None)
    return before == after
