"""A hostile corpus, written on the fly: broken media, bombs, markup, links out, odd text.

`make_hostile_room` starts from the small test room (`conftest.make_room`) and adds
one bundle per hostile case beside the good items, so a single build shows both
halves of the promise: every case is reported with its path, and the rest builds.
Each case is a `Case` naming the file the problem must name and the words of the
message, so the tests can assert both.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

# What an attacker would write in any text: a script, a tag that breaks out of an
# attribute, a javascript: link and an entity-encoded script.
SCRIPT = '<script>alert("pwned")</script>'
BREAKOUT = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {BREAKOUT} '><svg onload=alert(2)> [click](javascript:alert(3))"
RLO = "\u202e"


def evil(field: str) -> str:
    """A payload with the field's name in it, so each field can be found on the page."""
    return f"F-{field} {PAYLOAD}"


@dataclass(frozen=True)
class Case:
    """One hostile input and the problem it must give (None: it must simply build)."""

    name: str
    path: str | None  # the problem's path, relative to the project
    message: str | None  # words the message must contain
    page: str | None = None  # an intranet page that must still exist (site path)


# -- media -------------------------------------------------------------------------


def jpeg_bytes(size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (30, 140, 200))
    for x in range(0, size[0], 16):
        image.putpixel((x, x * size[1] // size[0]), (250, 250, 0))
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring 10 gigapixels, with a few bytes of deflated zeros."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A tiny JPEG whose frame header claims 3.6 gigapixels."""
    data = bytearray(jpeg_bytes((16, 16)))
    at = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data)


def corrupt_jpeg() -> bytes:
    """A JPEG whose tables are overwritten with noise: no decoder can make sense of it."""
    data = bytearray(jpeg_bytes())
    start = data.find(b"\xff\xc4")  # the first Huffman table
    for i in range(start + 4, start + 40):
        data[i] = (i * 37) & 0xFF
    return bytes(data)


def corrupt_png() -> bytes:
    """A PNG whose image data is noise (its CRCs are right, its deflate stream is not)."""
    good = png_bytes()
    head = good[: good.find(b"IDAT") - 4]
    noise = bytes((i * 91 + 7) & 0xFF for i in range(600))
    return head + _chunk(b"IDAT", noise) + _chunk(b"IEND", b"")


def zip_as_png() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("not-a-photo.txt", "x" * 1000)
    return buffer.getvalue()


def corrupt_audio(good: bytes) -> bytes:
    """The recording with everything after its first 64 bytes scrambled."""
    return good[:64] + bytes((b ^ 0x5A) for b in good[64:])


# -- writing items -----------------------------------------------------------------


class _NoAliases(yaml.SafeDumper):
    """Content may not use aliases, so a value written twice is written out twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(meta: dict[str, Any]) -> str:
    return yaml.dump(meta, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=10_000)


def item(folder: Path, meta: dict[str, Any] | str, body: str = "", **files: bytes) -> Path:
    """Write `folder/index.md` (front matter from `meta`) and the given files beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name.replace("__", ".")).write_bytes(data)
    front = meta if isinstance(meta, str) else dump(meta)
    (folder / "index.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return folder / "index.md"


def film(content: Path, sid: str, name: str, data: bytes) -> str:
    """A photo film whose one frame is `name`; returns the frame's project path."""
    folder = content / "stories" / sid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    item(
        folder,
        {
            "kind": "photo-film",
            "title": f"Film {sid}",
            "participant": {"pseudonym": "Leah", "consent": "c-001"},
            "frames": [{"src": name, "alt": "a frame"}],
        },
    )
    return f"content/stories/{sid}/{name}"


def interview(content: Path, sid: str, name: str, data: bytes) -> str:
    folder = content / "stories" / sid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / "words.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n")
    item(
        folder,
        {
            "kind": "interview",
            "title": f"Interview {sid}",
            "participant": {"pseudonym": "Leah", "consent": "c-001"},
            "recording": name,
            "transcript": "words.vtt",
        },
    )
    return f"content/stories/{sid}/{name}"


def story(content: Path, sid: str, meta: dict[str, Any] | str, body: str = "") -> str:
    base: dict[str, Any] = {
        "kind": "story",
        "title": f"Story {sid}",
        "participant": {"pseudonym": "Leah", "consent": "c-001"},
    }
    if isinstance(meta, dict):
        base.update(meta)
    item(content / "stories" / sid, meta if isinstance(meta, str) else base, body)
    return f"content/stories/{sid}/index.md"


# -- the cases -----------------------------------------------------------------------


def media_cases(content: Path, tone: bytes) -> list[Case]:
    photo = "cannot convert the photo: "
    audio = "cannot convert the recording: "
    cases = [
        Case("jpeg-corrupt", film(content, "f-jpeg-corrupt", "a.jpg", corrupt_jpeg()), photo),
        Case(
            "jpeg-truncated",
            film(content, "f-jpeg-cut", "a.jpg", jpeg_bytes((640, 480))[:700]),
            photo + "the file is cut short (truncated)",
        ),
        Case(
            "jpeg-empty", film(content, "f-jpeg-empty", "a.jpg", b""), photo + "the file is empty"
        ),
        Case("png-corrupt", film(content, "f-png-corrupt", "a.png", corrupt_png()), photo),
        Case(
            "png-truncated",
            film(content, "f-png-cut", "a.png", png_bytes((640, 480))[:300]),
            photo + "the file is cut short (truncated)",
        ),
        Case("png-empty", film(content, "f-png-empty", "a.png", b""), photo + "the file is empty"),
        Case(
            "png-bomb",
            film(content, "f-png-bomb", "a.png", png_bomb()),
            photo + "too many pixels (10,000 MP, over the 120 MP limit; a decompression bomb?)",
        ),
        Case(
            "jpeg-bomb",
            film(content, "f-jpeg-bomb", "a.jpg", jpeg_bomb()),
            photo + "too many pixels (3,600 MP, over the 120 MP limit; a decompression bomb?)",
        ),
        Case(
            "png-is-zip",
            film(content, "f-zip", "a.png", zip_as_png()),
            photo + "not an image we can read",
        ),
        Case(
            "text-as-jpeg",
            film(content, "f-text", "a.jpg", b"<html><script>alert(1)</script></html>\n"),
            photo + "not an image we can read",
        ),
        Case("audio-corrupt", interview(content, "r-corrupt", "a.m4a", corrupt_audio(tone)), audio),
        Case(
            "audio-truncated",
            interview(content, "r-cut", "a.m4a", tone[: len(tone) // 2]),
            audio,
        ),
        Case(
            "audio-empty", interview(content, "r-empty", "a.m4a", b""), audio + "the file is empty"
        ),
        Case(
            "photo-as-audio",
            interview(content, "r-photo", "a.m4a", jpeg_bytes()),
            audio + "it has no audio track",
        ),
        # Wrong extensions on good files are not problems: the content decides, not the name.
        Case(
            "png-named-jpg",
            None,
            None,
            film_page(film(content, "f-png-as-jpg", "a.jpg", png_bytes())),
        ),
        Case(
            "jpeg-named-png",
            None,
            None,
            film_page(film(content, "f-jpg-as-png", "a.png", jpeg_bytes())),
        ),
        Case("odd-file-names", None, None, odd_names(content)),
    ]
    return cases


ODD_NAMES = ("my photo #1?.jpg", ".dot.jpg", "100%25 & more.jpg", "tab\there.jpg")


def odd_names(content: Path) -> str:
    """Photos whose names are legal files but awkward URLs: spaces, #, ?, %, a leading dot."""
    folder = content / "stories" / "f-odd-names"
    folder.mkdir(parents=True)
    for name in ODD_NAMES:
        (folder / name).write_bytes(jpeg_bytes())
    item(
        folder,
        {
            "kind": "photo-film",
            "title": "Odd names",
            "participant": {"pseudonym": "Leah", "consent": "c-001"},
            "frames": [{"src": name, "alt": f"photo {n}"} for n, name in enumerate(ODD_NAMES)],
        },
    )
    return "stories/f-odd-names/index.html"


def film_page(path: str) -> str:
    return "stories/" + path.split("/")[2] + "/index.html"


def yaml_cases(content: Path) -> list[Case]:
    nested = "title: " + "[" * 5000 + "]" * 5000 + "\n"
    laughs = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        laughs.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    huge = "title: big\nparticipant: {pseudonym: Leah, consent: c-001}\nkind: story\n"
    huge += "".join(f"tag_{n}: {'x' * 60}\n" for n in range(10 * 1024 * 1024 // 70))
    deep_block = "".join(" " * n + f"k{n}:\n" for n in range(1000))
    return [
        Case(
            "yaml-nested-flow",
            story(content, "y-nested", "kind: story\n" + nested),
            "invalid YAML: the lists or mappings are nested too deeply",
        ),
        Case(
            "yaml-nested-block",
            story(content, "y-nested-block", "kind: story\n" + deep_block),
            "invalid YAML: the lists or mappings are nested too deeply",
        ),
        Case(
            "yaml-billion-laughs",
            story(content, "y-laughs", "\n".join(laughs) + "\n"),
            "aliases (*name) are not allowed in content",
        ),
        Case("front-matter-10mb", story(content, "y-huge", huge), "the YAML is too long"),
    ]


def text_cases(content: Path) -> list[Case]:
    """Control characters and right-to-left overrides in names, ids and titles."""
    cases = [
        Case(
            "control-in-title",
            story(content, "t-control", {"title": "Leah\x1b[31m red"}),
            "the text contains the invisible character U+001B",
        ),
        Case(
            "nul-in-title",
            story(content, "t-nul", 'kind: story\ntitle: "a\\0b"\n'),
            "the text contains the invisible character U+0000",
        ),
        Case(
            "rlo-in-title",
            story(content, "t-rlo", {"title": f"Invoice {RLO}fdp.exe"}),
            "U+202E",
        ),
        Case(
            "rlo-in-name",
            item(
                content / "personas" / "t-rlo-persona",
                {"name": f"Ma{RLO}ya", "reviewed": "2026-10-01"},
                "Bio.",
            )
            .relative_to(content.parent)
            .as_posix(),
            "U+202E",
        ),
    ]
    # In a body they are the editor's words: shown (a browser shows NUL as U+FFFD), never
    # a problem, never a crash; Markdown's own placeholders (STX/ETX) are dropped by it.
    body = "Words \x00 \x1b[31mred\x1b[0m \x02wzxhzdk:0\x03 \u202eesrever\u202c end.\n"
    story(content, "t-body-control", {"title": "Control characters in the body"}, body)
    cases.append(Case("control-in-body", None, None, "stories/t-body-control/index.html"))
    bad_ids = {"t-id-control": "bad\x07id", "t-id-rlo": f"ma{RLO}ya", "t-id-script": "<script>"}
    for name, folder in bad_ids.items():
        item(content / "personas" / folder, {"name": "X", "reviewed": "2026-10-01"}, "Bio.")
        cases.append(Case(name, f"content/personas/{folder}", "is not a valid id"))
    return cases


def escape_cases(content: Path, outside: Path) -> list[Case]:
    """Symlinks and `..` paths that lead out of a bundle or out of content/."""
    secret = outside / "secret.jpg"
    secret.write_bytes(jpeg_bytes())
    (outside / "secret.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nSECRET-WORDS\n")
    (outside / "bundle").mkdir()
    item(outside / "bundle", {"name": "Outsider", "reviewed": "2026-10-01"}, "SECRET-BIO")

    def linked(sid: str, name: str, target: Path) -> Path:
        folder = content / "stories" / sid
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(target)
        return folder

    cases = []
    linked("l-photo", "a.jpg", secret)
    cases.append(
        Case(
            "symlink-photo-out",
            film_meta(content, "l-photo", "a.jpg"),
            "'a.jpg' points outside content/",
        )
    )
    cases.append(
        Case(
            "dotdot-photo",
            film_meta(content, "l-dotdot", "../../personas/maya/portrait.jpg"),
            "'../../personas/maya/portrait.jpg' points outside this item's folder",
        )
    )
    cases.append(
        Case(
            "dotdot-out-of-content",
            film_meta(content, "l-dotdot-out", "../../../../secret.jpg"),
            "points outside content/",
        )
    )
    cases.append(
        Case(
            "absolute-photo",
            film_meta(content, "l-absolute", str(secret)),
            "is not a path inside this item's folder",
        )
    )
    folder = linked("l-vtt", "words.vtt", outside / "secret.vtt")
    (folder / "a.m4a").write_bytes(b"")
    item(
        folder,
        {
            "kind": "interview",
            "title": "Linked transcript",
            "participant": {"pseudonym": "Leah", "consent": "c-001"},
            "transcript": "words.vtt",
        },
    )
    cases.append(
        Case(
            "symlink-vtt-out",
            "content/stories/l-vtt/index.md",
            "'words.vtt' points outside content/",
        )
    )
    body = "Look: ![the secret](../../../../secret.jpg) and ![linked](a.jpg)"
    linked("l-body", "a.jpg", secret)
    cases.append(
        Case(
            "dotdot-in-body",
            story(content, "l-body", {}, body),
            "'../../../../secret.jpg' points outside content/",
        )
    )
    (content / "personas" / "l-bundle").symlink_to(outside / "bundle")
    cases.append(
        Case(
            "symlink-bundle-out",
            "content/personas/l-bundle",
            "this is a link to a place outside content/",
        )
    )
    folder = content / "personas" / "l-index"
    folder.mkdir()
    (folder / "index.md").symlink_to(outside / "bundle" / "index.md")
    cases.append(Case("symlink-index-out", "content/personas/l-index/index.md", "outside content/"))
    (content / "consent" / "c-link.yml").symlink_to(content.parent / "mkdocs.yml")
    cases.append(Case("symlink-consent-out", "content/consent/c-link.yml", "outside content/"))
    loop = content / "stories" / "l-loop"
    loop.mkdir()
    (loop / "a.jpg").symlink_to(loop / "b.jpg")
    (loop / "b.jpg").symlink_to(loop / "a.jpg")
    cases.append(Case("symlink-loop", film_meta(content, "l-loop", "a.jpg"), "a.jpg"))
    return cases


def film_meta(content: Path, sid: str, src: str) -> str:
    folder = content / "stories" / sid
    folder.mkdir(parents=True, exist_ok=True)
    item(
        folder,
        {
            "kind": "photo-film",
            "title": f"Film {sid}",
            "participant": {"pseudonym": "Leah", "consent": "c-001"},
            "frames": [{"src": src, "alt": "a frame"}],
        },
    )
    return f"content/stories/{sid}/index.md"


def big_transcript(content: Path, tone: bytes) -> Case:
    """An interview whose transcript has 100,000 cues (and runs past its 3 s recording)."""
    folder = content / "stories" / "v-huge"
    folder.mkdir(parents=True)
    (folder / "a.m4a").write_bytes(tone)
    lines = ["WEBVTT", ""]
    for n in range(100_000):
        start = n * 2
        lines += [
            f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d}.000 --> "
            f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d}.900",
            f"<v Leah>Line {n} {SCRIPT}",
            "",
        ]
    (folder / "words.vtt").write_text("\n".join(lines), encoding="utf-8")
    item(
        folder,
        {
            "kind": "interview",
            "title": "A very long transcript",
            "participant": {"pseudonym": "Leah", "consent": "c-001"},
            "recording": "a.m4a",
            "transcript": "words.vtt",
        },
    )
    return Case(
        "vtt-100k-cues",
        "content/stories/v-huge/words.vtt",
        "this transcript has 100,000 lines, more than the 20,000 one page can show",
    )


def markup_items(content: Path, tone: bytes) -> list[str]:
    """An item of every kind with the payload in every text field; returns their pages."""
    photo = jpeg_bytes()
    item(
        content / "personas" / "x-persona",
        {
            "name": evil("name"),
            "segment": evil("segment"),
            "portrait": {"src": "face.jpg", "alt": evil("portrait.alt")},
            "quote": {"text": evil("quote.text")},
            "goals": [evil("goals")],
            "needs": {"functional": [evil("needs.functional")], "emotional": [evil("needs.emo")]},
            "pain_points": [{"text": evil("pain_points.text")}, evil("pain_points.plain")],
            "behaviours": [evil("behaviours")],
            "journeys": ["x-journey"],
            "reviewed": "2026-10-01",
            "tags": [evil("tags")],
        },
        body_payload("persona"),
        face__jpg=photo,
    )
    stage = {
        "id": "s1",
        "title": evil("stage.title"),
        "doing": evil("doing"),
        "thinking": evil("thinking"),
        "feeling": evil("feeling"),
        "emotion": 1,
        "channels": [evil("channels")],
        "touchpoints": [evil("touchpoints")],
        "pain_points": [evil("stage.pain_points")],
        "opportunities": [evil("opportunities")],
        "moment_of_truth": True,
        "evidence": ["x-interview#hl-1"],
    }
    item(
        content / "journeys" / "x-journey",
        {
            "title": evil("journey.title"),
            "personas": ["x-persona"],
            "stages": [stage, {**stage, "id": "s2", "emotion": -1, "evidence": []}],
            "tags": [evil("journey.tags")],
        },
        body_payload("journey"),
    )
    vtt_voice = "Sam &quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    vtt = (
        "WEBVTT\n\n"
        f"00:00.000 --> 00:01.000\n<v {vtt_voice}>Asked &lt;script&gt;alert(1)&lt;/script&gt;\n\n"
        f"00:01.000 --> 00:02.500\n<v Leah>F-cue {SCRIPT} {BREAKOUT.replace('>', '&gt;')}\n"
    )
    common = {
        "participant": {"pseudonym": evil("pseudonym"), "persona": "x-persona", "consent": "c-001"}
    }
    item(
        content / "stories" / "x-interview",
        {
            "kind": "interview",
            "title": evil("interview.title"),
            **common,
            "journey": "x-journey",
            "stage": "s1",
            "recording": "talk.m4a",
            "transcript": "talk.vtt",
            "interviewer": 'Sam "><img src=x onerror=alert(1)>',
            "highlights": [{"id": "hl-1", "start": 1.0, "end": 2.5, "tags": [evil("hl.tags")]}],
            "tags": [evil("story.tags")],
        },
        body_payload("interview"),
        talk__m4a=tone,
        talk__vtt=vtt.encode(),
    )
    item(
        content / "stories" / "x-diary",
        {
            "kind": "audio-diary",
            "title": evil("diary.title"),
            **common,
            "entries": [
                {
                    "id": "e1",
                    "recorded": "2026-05-02",
                    "prompt": evil("prompt"),
                    "recording": "e1.m4a",
                    "transcript": "e1.vtt",
                    "mood": -1,
                    "place": evil("place"),
                }
            ],
        },
        body_payload("diary"),
        e1__m4a=tone,
        e1__vtt=(
            f"WEBVTT\n\n00:00.000 --> 00:02.000\nF-diary &lt;b onmouseover=alert(1)&gt;{SCRIPT}\n"
        ).encode(),
    )
    item(
        content / "stories" / "x-film",
        {
            "kind": "photo-film",
            "title": evil("film.title"),
            **common,
            "frames": [
                {
                    "src": "01.jpg",
                    "caption": evil("caption"),
                    "alt": evil("frame.alt"),
                    "seconds": 3,
                },
                {"src": BREAKOUT.replace("/", "") + ".jpg", "caption": "second", "alt": "two"},
            ],
            "narration": {"recording": "n.m4a", "captions": "n.vtt"},
            "chapters": [{"at": 0, "title": evil("chapter")}],
        },
        body_payload("film"),
        **{"01__jpg": photo, "n__m4a": tone},
        n__vtt=f"WEBVTT\n\n00:00.000 --> 00:02.000\nF-captions {SCRIPT}\n".encode(),
    )
    (content / "stories" / "x-film" / (BREAKOUT.replace("/", "") + ".jpg")).write_bytes(photo)
    consent = {
        "participant": evil("consent.participant"),
        "signed": "2026-01-01",
        "audiences": ["kiosk", "intranet"],
    }
    (content / "consent" / "c-evil.yml").write_text(dump(consent), encoding="utf-8")
    item(
        content / "stories" / "x-email",
        {
            "kind": "email",
            "title": evil("email.title"),
            "participant": {"pseudonym": evil("pseudonym"), "consent": "c-evil"},
            "from": evil("from"),
            "subject": evil("subject"),
            "sent": "2026-02-01",
            "attachments": [{"src": "bill.jpg", "alt": evil("attachment.alt")}],
        },
        body_payload("email"),
        bill__jpg=photo,
    )
    item(
        content / "stories" / "x-story",
        {"kind": "story", "title": evil("story.title"), **common},
        body_payload("story")
        + f"\n\n![{evil('inline.alt').replace('[', '(').replace(']', ')')}](in.jpg)\n",
        in__jpg=photo,
    )
    item(
        content / "insights" / "x-insight",
        {
            "statement": evil("statement"),
            "basis": "observed",
            "evidence": ["x-interview#hl-1", "x-diary#e1"],
            "personas": ["x-persona"],
            "stages": ["x-journey/s1"],
            "tags": [evil("insight.tags")],
        },
        body_payload("insight"),
    )
    item(
        content / "actions" / "x-action",
        {
            "you_said": evil("you_said"),
            "we_did": evil("we_did"),
            "insights": ["x-insight"],
            "owner": evil("owner"),
            "status": "in-progress",
            "due": "2027-06-30",
            "tags": [evil("action.tags")],
        },
        body_payload("action"),
    )
    return [
        "personas/x-persona/index.html",
        "journeys/x-journey/index.html",
        "stories/x-interview/index.html",
        "stories/x-diary/index.html",
        "stories/x-film/index.html",
        "stories/x-email/index.html",
        "stories/x-story/index.html",
        "insights/x-insight/index.html",
        "actions/index.html",
    ]


def body_payload(where: str) -> str:
    """Markup an editor's body might carry, by accident or not."""
    return (
        f"F-body-{where} {SCRIPT}\n\n"
        f"{BREAKOUT}\n\n"
        '<iframe src="javascript:alert(4)"></iframe>\n\n'
        '<div onclick="alert(5)">raw html</div>\n\n'
        "[a link](javascript:alert(6)) [entity](&#106;avascript:alert(7)) "
        "<javascript:alert(8)> "
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==)\n\n"
        "![x](javascript:alert(10)) &lt;script&gt;alert(11)&lt;/script&gt; &#60;script&#62;\n\n"
        "`<script>alert(12)</script>`\n\n"
        "    <script>alert(13)</script>\n"
    )


def write_room_yml(content: Path, items: list[str]) -> None:
    room = {
        "name": evil("room.name"),
        "timezone": "Europe/London",
        "opening_hours": {"open": "08:00", "close": "19:00"},
        "idle_seconds": 90,
        "displays": [
            {
                "id": "entrance",
                "title": evil("display.title"),
                "playlist": {"tour": "meet"},
                "slide_seconds": 12,
            },
            {
                "id": "post",
                "title": "Listening post",
                "orientation": "portrait",
                "resolution": [1080, 1920],
                "playlist": {"items": items},
            },
        ],
        "tours": [{"id": "meet", "title": evil("tour.title"), "items": items}],
    }
    (content / "room.yml").write_text(dump(room), encoding="utf-8")


KIOSK_ITEMS = [
    "persona/maya",
    "story/p07",
    "persona/x-persona",
    "journey/x-journey",
    "story/x-interview",
    "story/x-diary",
    "story/x-film",
    "insight/x-insight",
    "story/f-odd-names",
]


def make_hostile_room(root: Path, tone_path: Path) -> tuple[Path, list[Case], list[str]]:
    """The test room plus every hostile case; returns (project, cases, pages with markup)."""
    import conftest

    project = conftest.make_room(root / "room", tone_path)
    content = project / "content"
    outside = root / "outside"
    outside.mkdir()
    tone = tone_path.read_bytes()
    cases = [
        *media_cases(content, tone),
        *yaml_cases(content),
        *text_cases(content),
        *escape_cases(content, outside),
        big_transcript(content, tone),
    ]
    pages = markup_items(content, tone)
    write_room_yml(content, KIOSK_ITEMS)
    # The site's own name carries the payload too.
    (project / "mkdocs.yml").write_text(dump({"site_name": evil("site_name")}), encoding="utf-8")
    return project, cases, pages
