"""`immersion import photos`: a folder of photos -> a photo film or a story, in taken order.

Each file is opened and fully decoded with the same Pillow settings the build
uses (a cut-short JPEG is an error, not a grey half), so a photo the import
takes is one the build can convert; any other file is listed and skipped. The
order is the time each photo was taken (EXIF DateTimeOriginal), else the file's
modification time, and the import says which photos had no EXIF time. The
story's date is the earliest photo's.
"""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, UnidentifiedImageError

from ..media import images  # sets the decoder limits the build uses
from ..problems import UsageError
from ..project import Project
from ..schema import IMAGE_EXTS
from .newbundle import Imported, IndexWriter, bundle_path, safe_name, write_bundle, yaml_str
from .recording import title_of

KINDS = ("photo-film", "story")


@dataclass(frozen=True)
class Photo:
    path: Path
    taken: dt.datetime
    from_exif: bool


def exif_taken(im: Image.Image) -> dt.datetime | None:
    """EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS"), None when absent or malformed."""
    try:
        value = im.getexif().get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
    except Exception:  # a broken EXIF block: the photo is fine, the time is unknown
        return None
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def read_photo(path: Path) -> Photo | str:
    """The photo and its time, or why it cannot be used."""
    if path.suffix.lower() not in IMAGE_EXTS:
        return "not a photo (" + (path.suffix or "no extension") + ")"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if im.format not in images.ACCEPTED_FORMATS:
                    return f"a {im.format} file, not a photo format the site takes"
                taken = exif_taken(im)
                im.load()  # decode every pixel: a truncated file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "not an image Pillow can read"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"damaged ({exc})"
    if taken is not None:
        return Photo(path, taken, True)
    return Photo(path, dt.datetime.fromtimestamp(path.stat().st_mtime), False)


def render_index(kind: str, story_id: str, frames: list[tuple[str, Photo]]) -> IndexWriter:
    w = IndexWriter()
    first = frames[0][1]
    w.add("---", "# photo-film | story", f"kind: {kind}")
    w.add("# What the story is about, in a few words the room will read.")
    w.fill(f"title: {yaml_str(title_of(story_id))}", "title", "a title for the story")
    w.add(
        "# Who took the photos: a pseudonym (never a real name), their persona's id, and the",
        "# id of their consent record (content/consent/ID.yml), which decides where this appears.",
    )
    w.fill(
        "# participant: {pseudonym: NAME, persona: PERSONA_ID, consent: CONSENT_ID}",
        "participant",
        "the pseudonym, persona and consent (remove the '# ')",
    )
    said = "EXIF DateTimeOriginal" if first.from_exif else "its file's modification time"
    w.add(f"# The day the earliest photo was taken ({said}).", f"date: {first.taken.date()}")
    w.add("# The journey and stage this story belongs to (optional).")
    w.add("# journey: JOURNEY_ID", "# stage: STAGE_ID", "tags: []")
    if kind == "photo-film":
        w.add("# Photos shown in the order they were taken, each for its seconds.", "frames:")
        for name, photo in frames:
            when = photo.taken.isoformat(sep=" ")
            how = "EXIF" if photo.from_exif else "file time, no EXIF"
            w.add(f"  - src: {name}  # taken {when} ({how})")
            w.add("    # What the photo means in the story, shown under it.")
            w.fill('    caption: ""', f"{name} caption", "the caption")
            w.add("    # What the photo shows, for people who cannot see it.")
            w.fill('    alt: ""', f"{name} alt", "the alt text")
            w.add("    seconds: 6")
        w.add(
            "# A narration recording with captions, played in step with the frames.",
            "# narration: {recording: narration.m4a, captions: narration.vtt}",
            '# Chapters: at (seconds or "HH:MM:SS"), a title, and the journey stage.',
            "chapters: []",
            "---",
        )
        w.fill(
            "What the film shows. (Write it here.)", "summary", "the text below the front matter"
        )
    else:
        w.add("---")
        w.fill("The story as it was told. (Write it here.)", "story", "the story's text")
        for name, _photo in frames:
            w.add("")
            w.fill(f"![]({name})", f"{name} alt", "what the photo shows, inside the [ ]")
    return w


def import_photos(
    project: Project, folder: Path, story_id: str, kind: str = "photo-film", force: bool = False
) -> Imported:
    if kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, not '{kind}'")
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder")
    target = bundle_path(project, story_id, force)
    photos: list[Photo] = []
    skipped: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        read = read_photo(path)
        if isinstance(read, Photo):
            photos.append(read)
        else:
            skipped.append(f"skipped {path}: {read}")
    if not photos:
        raise UsageError(
            f"{folder}: no readable photos"
            + ("".join(f"\n  {s}" for s in skipped) if skipped else " (the folder is empty)")
        )
    photos.sort(key=lambda p: (p.taken, p.path.name))
    width = max(2, len(str(len(photos))))
    frames = [(f"{i:0{width}d}-{safe_name(p.path.name)}", p) for i, p in enumerate(photos, start=1)]
    index = render_index(kind, story_id, frames)

    def fill(staging: Path) -> None:
        for name, photo in frames:
            shutil.copy2(photo.path, staging / name)
        (staging / "index.md").write_text(index.text(), encoding="utf-8")

    write_bundle(target, fill)
    notes = list(skipped)
    no_exif = [p.path.name for p in photos if not p.from_exif]
    if no_exif:
        notes.append(
            "ordered by file time (no EXIF DateTimeOriginal): " + ", ".join(sorted(no_exif))
        )
    return Imported(target, tuple(index.to_fill), tuple(notes))
