"""Recordings on a page, the same on every site: sources, player, transcript.

The intranet and the kiosk place the same renditions and write the same
player and transcript markup (`players.py`); only where the page is differs.
"""

from __future__ import annotations

from dataclasses import replace

from markupsafe import Markup

from .. import model as m
from .. import spoken
from ..schema import MediaRef
from . import players
from .assets import Assets
from .html import AUDIO_TYPES, EMPTY, fmt_date, fmt_time
from .players import AudioSources
from .staging import rel_url


class Recordings:
    """`preload`: what every player of these pages preloads ("none" on the intranet,
    where the duration and the peaks are in the markup, so a page downloads no audio
    until someone plays it). `clip_peaks`: clips draw their slice of the recording's
    waveform (the intranet's quote cards). `muted_video`: videos play without sound
    (the item pages of a kiosk display without `audio: true`). `label_machine`: a
    machine transcript says so above its lines (the intranet; the kiosk never gets an
    unreviewed one). `clip_video`: a highlight of a video plays its own video clip (the
    intranet's cards; elsewhere only a muted video's clips are video). `video_height`:
    the height of the display these pages are for (the kiosk sets it per display, see
    `media/video.display_video_height`); None plays 720p.
    """

    def __init__(
        self,
        lib: m.Library,
        assets: Assets,
        preload: str | None = None,
        clip_peaks: bool = False,
        muted_video: bool = False,
        label_machine: bool = False,
        clip_video: bool = False,
    ) -> None:
        self.lib = lib
        self.assets = assets
        self.preload = preload
        self.clip_peaks = clip_peaks
        self.muted_video = muted_video
        self.label_machine = label_machine
        self.clip_video = clip_video
        self.video_height: int | None = None

    def sources(
        self, page: str, ref: MediaRef, folder: str, clip: str | None = None
    ) -> AudioSources | None:
        """The placed files of a recording (or of one highlight clip), Opus first."""
        placed = self.assets.recording(ref, folder)
        files = (placed.clips.get(clip, {}) if clip else placed.sources) if placed else {}
        # A muted video (consent without `voice`) has no audio rendition: its picture plays.
        video = None
        if not clip or self.clip_video or not files:
            video = self.assets.video(ref, folder, self.video_height, clip)
        if not files and video is None:
            return None
        duration = placed.duration if placed else self.assets.video_duration(ref)
        download = files.get("m4a") or next(iter(files.values()), None) or (video or ("",))[0]
        return AudioSources(
            video=(rel_url(page, video[0]), rel_url(page, video[2])) if video else None,
            sources=[
                (rel_url(page, files[fmt]), AUDIO_TYPES[fmt])
                for fmt in ("opus", "m4a")
                if fmt in files
            ],
            download=rel_url(page, download),
            duration=None if clip else duration,
            peaks=rel_url(page, placed.peaks) if placed and placed.peaks and not clip else None,
        )

    def audio(
        self,
        page: str,
        ref: MediaRef | None,
        folder: str,
        label: str,
        ident: str | None = None,
        captions: MediaRef | None = None,
        clip: m.Highlight | None = None,
        compact: bool = False,
    ) -> Markup:
        """A player for a recording (or one highlight clip of it), with its captions.

        `compact`: the small player of a quote card, even for a whole recording."""
        if ref is None:
            return EMPTY
        sources = self.sources(page, ref, folder, clip.id if clip else None)
        if sources is None:
            return EMPTY
        if clip is not None:
            sources = replace(sources, duration=clip.end - clip.start)
            whole = self.sources(page, ref, folder) if self.clip_peaks else None
            if whole is not None and whole.peaks:
                sources = replace(sources, peaks=whole.peaks, peaks_span=(clip.start, clip.end))
        script = self.lib.transcript(captions)
        if script is not None and captions is not None and script.cues:
            vtt = self.assets.transcript(captions, folder, script)
            sources = replace(sources, captions=rel_url(page, vtt))
        return players.player(
            sources,
            label,
            ident=ident,
            clip=compact or clip is not None,
            preload=self.preload,
            muted=self.muted_video,
        )

    def quote_player(
        self, page: str, folder: str, story: m.Story, anchor: m.Highlight | m.DiaryEntry
    ) -> Markup:
        """The one player of a quote card: a highlight's clip, or a diary entry's
        recording, in the compact player, labelled with who and when."""
        who = story.participant.pseudonym
        if isinstance(anchor, m.Highlight):
            label = f"{who}, {fmt_time(anchor.start)} to {fmt_time(anchor.end)}"
            return self.audio(page, story.recording, folder, label, clip=anchor)
        when = f", {fmt_date(anchor.recorded)}" if anchor.recorded else ""
        return self.audio(page, anchor.recording, folder, f"{who}, diary entry{when}", compact=True)

    def context_fragment(self, story: m.Story, anchor: m.Highlight | m.DiaryEntry | None) -> str:
        """Where a moment is on its story page: the transcript line a highlight starts on
        (its id: the page seeks the recording there and marks it), else `t=` its second,
        else the anchor's own card; a diary entry is its entry."""
        if isinstance(anchor, m.Highlight):
            script = self.lib.transcript(story.transcript)
            cues = spoken.quoted(story, script, anchor) if script else []
            if script is not None and cues:
                number = script.cues.index(cues[0]) + 1
                return f"{players.audio_id(story.id)}-{number}"
            if story.recording is not None:
                return f"t={anchor.start:.3f}"
            return anchor.id
        return anchor.id if anchor is not None else ""

    def clip(
        self, page: str, folder: str, story: m.Story, highlight: m.Highlight, ident: str | None
    ) -> Markup:
        """A highlight in the customer's own voice, and a button that plays it in the
        interview's player (`ident`, None when the page has no player)."""
        start, end = fmt_time(highlight.start), fmt_time(highlight.end)
        html = self.audio(
            page,
            story.recording,
            folder,
            f"{story.participant.pseudonym}, {start} to {end}",
            clip=highlight,
        )
        if ident:
            html += players.seek_button(
                ident, highlight.start, f"Play in the interview from {start}"
            )
        return html

    def spoken(
        self,
        page: str,
        folder: str,
        story: m.Story,
        recording: MediaRef | None,
        captions: MediaRef | None,
        ident: str,
        label: str,
    ) -> tuple[Markup, Markup]:
        """The player of a recording and its transcript, as two HTML fragments."""
        player = self.audio(page, recording, folder, label, ident=ident, captions=captions)
        script = self.lib.transcript(captions)
        if script is None or not script.cues:
            return player, EMPTY
        quoted_by: dict[int, str] = {}
        if captions is story.transcript:
            for highlight in story.highlights:
                for cue in spoken.quoted(story, script, highlight):
                    quoted_by.setdefault(cue.line, highlight.id)
        lines = players.transcript(
            ident,
            script,
            story.interviewer,
            lambda cue: quoted_by.get(cue.line),
            label=f"Transcript: {label}",
            seekable=bool(player),
        )
        if self.label_machine and script.machine is not None:
            lines = players.machine_label(script.machine) + lines
        return player, lines

    def interview(self, page: str, folder: str, story: m.Story) -> tuple[str, Markup, Markup]:
        """An interview's player id, player and transcript, the same on every site."""
        ident = players.audio_id(story.id)
        label = f"Interview with {story.participant.pseudonym}"
        player, lines = self.spoken(
            page, folder, story, story.recording, story.transcript, ident, label
        )
        return ident, player, lines
