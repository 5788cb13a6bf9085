"""Any recording ffmpeg reads (a video too) as the WAV every engine takes: 16 kHz mono."""

from __future__ import annotations

import wave
from pathlib import Path

from ..media import ffmpeg
from ..media.recipes import MediaError
from ..problems import BuildError

RATE = 16_000


def decode_wav(source: Path, wav: Path, shown: str) -> float:
    """Decode `source`'s first audio stream into `wav`; its duration in seconds.

    `shown` is the path the editor knows, for the error.
    """
    try:
        ffmpeg.run(
            [
                "-i",
                str(source),
                "-map",
                "0:a:0",  # the first audio stream, whatever else the file holds (video)
                "-vn",
                "-ac",
                "1",
                "-ar",
                str(RATE),
                "-c:a",
                "pcm_s16le",
                "-f",
                "wav",
                "-y",
                str(wav),
            ]
        )
    except MediaError as exc:
        raise BuildError(
            f"{shown}: ffmpeg cannot decode its audio ({exc}); "
            "check that it is a recording, or export it again as m4a, mp3 or wav"
        ) from None
    with wave.open(str(wav), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
