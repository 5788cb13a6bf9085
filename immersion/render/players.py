"""The markup of players, transcripts and photo films, shared by every site.

The pages carry plain, complete HTML that works without JavaScript (native
audio controls, every frame of a film as a figure, the whole transcript as
text that the site search indexes). `theme/players/players.js` then enhances
it, reading only the `data-` attributes written here:

* `div.im-player[data-im-player] > audio#ID[data-duration][data-peaks]`; a clip's
  audio may carry its recording's peaks and `data-peaks-start`/`data-peaks-end`,
  the slice of them it plays
* `div.im-transcript[data-for=ID] > ol > li.im-cue[data-start][data-end]`
* any `[data-seek][data-for=ID]` element: a button or card that seeks ID
* `div.im-film[data-im-film][data-for=ID] figure.im-film-frame[data-start][data-end]`

Keep this contract in step with players.js.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..transcripts import Cue, Machine, Transcript
from .html import fmt_time, join, tag, void


def seconds(value: float) -> str:
    """A time for a data- attribute: millisecond precision, as the VTT has it."""
    return f"{value:.3f}"


def audio_id(*parts: str) -> str:
    """The id of a main recording on its page: `rec-p07`, `rec-diary-p11-e1`."""
    return "rec-" + "-".join(parts)


@dataclass(frozen=True)
class AudioSources:
    sources: Sequence[tuple[str, str]]  # (href, MIME type), preferred first
    download: str
    duration: float | None = None
    peaks: str | None = None
    captions: str | None = None  # href of the published WebVTT
    # A clip drawn from its recording's peaks: the seconds of the recording it plays.
    peaks_span: tuple[float, float] | None = None
    # A video recording whose consent allows a face: (MP4 href, poster href). The
    # player is then a <video> of the MP4 (which carries the same normalised audio, or
    # none at all where the consent lacks `voice`); for a clip, the highlight's own MP4.
    video: tuple[str, str] | None = None


def player(
    audio: AudioSources,
    label: str,
    ident: str | None = None,
    clip: bool = False,
    language: str = "en",
    preload: str | None = None,
    muted: bool = False,
) -> Markup:
    """An `<audio>` with its sources and captions, in the box the script enhances.

    `preload` defaults to "none" for a clip and "metadata" for a recording; a page
    that knows the duration and has the peaks (the intranet) asks for "none" for
    both, so nothing but a click downloads audio. `muted`: a video plays without
    sound (a kiosk display that may not play any: its captions carry the words).
    """
    sources = [(audio.video[0], "video/mp4")] if audio.video else audio.sources
    inner = join(void("source", src=href, type=mime) for href, mime in sources)
    if audio.captions:
        inner += void(
            "track",
            kind="captions",
            src=audio.captions,
            srclang=language,
            label="Transcript",
            default=True,
        )
    inner += tag("a", "Download the recording", href=audio.download)
    video = audio.video
    element = tag(
        "video" if video else "audio",
        inner,
        id=ident,
        controls=True,
        # A video shows its poster and its first frame's size: metadata, always.
        preload="metadata" if video else preload or ("none" if clip else "metadata"),
        poster=video[1] if video else None,
        playsinline=True if video else None,
        muted=True if video and muted else None,
        aria_label=label,
        data_duration=seconds(audio.duration) if audio.duration is not None else None,
        data_peaks=audio.peaks,
        data_peaks_start=seconds(audio.peaks_span[0]) if audio.peaks_span else None,
        data_peaks_end=seconds(audio.peaks_span[1]) if audio.peaks_span else None,
    )
    cls = "im-player im-player-clip" if clip else "im-player"
    return tag("div", element, class_=cls, data_im_player=True)


def transcript(
    ident: str,
    script: Transcript,
    interviewer: str = "",
    highlight_at: Callable[[Cue], str | None] = lambda cue: None,
    label: str = "Transcript",
    seekable: bool = True,
) -> Markup:
    """Every line of a transcript, each a way into the recording at its second.

    Without a recording to seek (not allowed, or not converted), the times are
    plain text: a button that does nothing is worse than none.
    """
    who = interviewer.casefold()
    items = []
    for number, cue in enumerate(script.cues, start=1):
        classes = ["im-cue"]
        if who and (cue.voice or "").casefold() == who:
            classes.append("im-cue-interviewer")
        highlight = highlight_at(cue)
        if highlight:
            classes.append("im-cue-quoted")
        when = fmt_time(cue.start)
        inner = (
            tag("button", when, type="button", class_="im-cue-time", aria_label=f"Play from {when}")
            if seekable
            else tag("span", when, class_="im-cue-time")
        )
        if cue.voice:
            inner += " " + tag("span", cue.voice, class_="im-voice")
        inner += " " + tag("span", " ".join(cue.text.split()), class_="im-cue-text")
        items.append(
            tag(
                "li",
                inner,
                class_=" ".join(classes),
                id=f"{ident}-{number}",
                data_start=seconds(cue.start),
                data_end=seconds(cue.end),
                data_highlight=highlight,
            )
        )
    return tag(
        "div",
        tag("ol", join(items), class_="im-cues"),
        class_="im-transcript",
        data_for=ident if seekable else None,
        role="region",
        aria_label=label,
        tabindex="0",
    )


def machine_label(machine: Machine) -> Markup:
    """The note above a transcript a speech engine wrote: staff read it with care."""
    if machine.reviewed:
        said = f"Automatic transcript ({machine.engine}, {machine.model}), reviewed by an editor."
    else:
        said = (
            f"Automatic transcript ({machine.engine}, {machine.model}): not yet reviewed, "
            "so words and speakers may be wrong. Listen before you quote it."
        )
    return tag("p", said, class_="im-transcript-auto", data_reviewed=str(machine.reviewed).lower())


def seek_button(ident: str, at: float, text: str) -> Markup:
    return tag(
        "button", text, type="button", class_="im-seek", data_seek=seconds(at), data_for=ident
    )


@dataclass(frozen=True)
class FilmFrame:
    start: float
    end: float
    picture: Markup  # the <picture> markup of the frame's renditions
    caption: str


def film_video(mp4: str, poster: str, alt: str) -> Markup:
    """A film's video frame: a highlight's clip, muted (the film has its own sound), shown
    inline for its length; players.js plays it while its frame is on screen."""
    return tag(
        "video",
        void("source", src=mp4, type="video/mp4"),
        class_="im-film-video",
        muted=True,
        playsinline=True,
        preload="metadata",
        poster=poster,
        aria_label=alt or None,
    )


def film(frames: Sequence[FilmFrame], title: str, narration: str | None) -> Markup:
    """The film as figures on a stage: one at a time with JavaScript, all without."""
    figures = join(
        tag(
            "figure",
            frame.picture + (tag("figcaption", frame.caption) if frame.caption else ""),
            class_="im-film-frame",
            id=f"frame-{number}",
            data_start=seconds(frame.start),
            data_end=seconds(frame.end),
        )
        for number, frame in enumerate(frames, start=1)
    )
    end = frames[-1].end if frames else 0.0
    return tag(
        "div",
        tag("div", figures, class_="im-film-stage"),
        class_="im-film",
        data_im_film=True,
        data_for=narration,
        data_duration=seconds(end),
        role="region",
        aria_label=f"Photo film: {title}",
    )
