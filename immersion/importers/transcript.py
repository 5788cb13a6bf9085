"""`immersion import transcript`: a call transcript into a bundle's interview.vtt."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..problems import UsageError
from ..transcripts import parse_vtt
from . import captions, personal
from .bundle import quoted, redact_lines
from .decode import decode_text


@dataclass
class Imported:
    vtt: str
    interviewer: str
    participant: str  # the pseudonym of the first other speaker
    found: list[personal.Finding]
    notes: list[str] = field(default_factory=list)
    fmt: str = ""
    encoding: str = ""


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        real, sep, pseudo = pair.partition("=")
        if not sep or not real.strip() or not pseudo.strip():
            raise UsageError(f"--speaker '{pair}': write it as --speaker \"Real Name=Pseudonym\"")
        mapping[real.strip()] = pseudo.strip()
    return mapping


def convert(
    path: Path, display: str, speakers: dict[str, str], interviewer: str | None
) -> Imported:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{display}: cannot read it ({exc.strerror})") from None
    text, encoding = decode_text(data)
    try:
        turns, fmt = captions.parse(text, display)
    except captions.ImportProblem as exc:
        raise UsageError(str(exc)) from None
    if not turns:
        raise UsageError(f"{display}: no spoken words found in it")
    names = list(dict.fromkeys(t.speaker for t in turns))
    lowered = {k.lower(): v for k, v in speakers.items()}
    unmapped = [
        n for n in names if n.lower() not in lowered and (interviewer or "").lower() != n.lower()
    ]
    if unmapped:
        flags = " ".join(f'--speaker "{n}=PSEUDONYM"' for n in unmapped)
        raise UsageError(
            f"{display}: speakers found: {', '.join(names)}. Give each customer a pseudonym "
            f"(and name the interviewer with --interviewer NAME); not mapped: "
            f"{', '.join(unmapped)}. Add: {flags}"
        )
    if interviewer and interviewer.lower() not in {n.lower() for n in names}:
        raise UsageError(
            f"{display}: --interviewer '{interviewer}' never speaks in it; "
            f"speakers found: {', '.join(names)}"
        )
    for t in turns:
        t.speaker = lowered.get(t.speaker.lower(), t.speaker)
    shown_interviewer = lowered.get((interviewer or "").lower(), interviewer or "")
    notes = captions.tidy(turns)
    vtt = captions.to_vtt(turns)
    _, problems = parse_vtt(vtt, display)
    if problems:  # a bug here, never the user's: say so plainly
        raise UsageError(f"{display}: the converted transcript does not read back: {problems[0]}")
    pseudonyms = set(speakers.values())
    reals = personal.real_names([k for k in speakers if k not in pseudonyms], pseudonyms)
    # Only the words are searched: the voices are pseudonyms already.
    found = personal.find(vtt, reals)
    # Real names are redacted even where the words never say them: a later edit might.
    seen = {f.words.lower() for f in found}
    found += [personal.Finding(n, "real name", 0) for n in reals if n.lower() not in seen]
    others = [t.speaker for t in turns if t.speaker != shown_interviewer]
    return Imported(
        vtt, shown_interviewer, others[0] if others else "Leah", found, notes, fmt, encoding
    )


def index_md(story: str, imp: Imported, ids: dict[str, str], today: str) -> str:
    """A new interview bundle's index.md: every field commented, the import's findings in it."""
    lines = [
        "---",
        "# Written by `immersion import transcript`: fill in every line marked TODO.",
        "kind: interview",
        "# TODO: a title a passer-by understands.",
        f"title: {quoted(story.replace('-', ' ').capitalize())}",
        "# A pseudonym, never a real name; the consent record decides where this story may appear.",
        "# TODO: the participant's persona and consent record (content/consent/).",
        f"participant: {{pseudonym: {quoted(imp.participant)}, persona: {ids['persona']}, "
        f"consent: {ids['consent']}}}",
        "# TODO: the day of the call.",
        f"date: {today}",
        "# TODO: the journey and stage this story belongs to.",
        f"journey: {ids['journey']}",
        f"stage: {ids['stage']}",
        "tags: []",
        "# The recording beside this file (wav, m4a, mp3, ogg, flac, amr, webm, mp4).",
        "# TODO: put the call's recording here and name it.",
        "# recording: interview.m4a",
        "# The transcript, with speakers as <v Name>.",
        "transcript: interview.vtt",
        "# The interviewer's voice is never quoted.",
        f"interviewer: {quoted(imp.interviewer)}" if imp.interviewer else "# interviewer: Sam",
        '# Moments worth hearing: times as "HH:MM:SS.mmm" or seconds.',
        "highlights: []",
        *redact_lines(imp.found),
        "---",
        "TODO: a short summary of the interview: who, where, what stood out.",
        "",
    ]
    return "\n".join(lines)


def added_lines(imp: Imported) -> list[str]:
    """The front matter lines added to an existing bundle."""
    lines = ["transcript: interview.vtt"]
    if imp.interviewer:
        lines.append(f"interviewer: {quoted(imp.interviewer)}")
    return lines + redact_lines(imp.found)
