"""`immersion import email`: an .eml with HTML, an inline photo and a quoted reply."""
# ruff: noqa: F811  (each test names the imported `room` fixture as a parameter)

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path

import pytest
from import_room import check, room, run  # noqa: F401 (room: the fixture the tests name)
from PIL import Image


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


PLAIN = """Hi,

I sent my readings through the app but it said something went wrong.
Call me on 07700 900456 if you need them again. I'm at M1 1AE.

On Tue, 19 May 2026 at 10:02, Moves Team <moves@example.com> wrote:
> Thanks for telling us about your move.
> What date are you moving?

--
Kwame Mensah
Sent from my phone
"""

HTML = """<html><head><style>p {color: red}</style></head><body>
<p>Hi,</p><p>I sent my readings through the app &amp; it said <b>something went wrong</b>.</p>
<p>Call me on 07700 900456 if you need them again. I'm at M1 1AE.</p>
<img src="cid:meter@x">
<blockquote>Thanks for telling us about your move.</blockquote>
</body></html>"""


def _eml(room: Path, *, html_only: bool = False, big: bool = False, date: str = "") -> Path:
    msg = EmailMessage()
    msg["From"] = "Kwame Mensah <kwame.mensah@example.net>"
    msg["To"] = "moves@example.com"
    msg["Subject"] = "Meter reading for the new flat"
    msg["Date"] = date or "Wed, 20 May 2026 09:14:00 +0100"
    if html_only:
        msg.set_content(HTML, subtype="html")
    else:
        msg.set_content(PLAIN)
        msg.add_alternative(HTML, subtype="html")
    # The photo sits beside the HTML it is shown in (multipart/related), as mail apps send it.
    html_part = msg.get_payload()[-1] if msg.is_multipart() else msg
    html_part.add_related(_jpeg(), "image", "jpeg", cid="<meter@x>", filename="Meter Photo.JPG")
    msg.add_attachment(_jpeg(), "image", "jpeg", filename="hall.jpg")
    if big:
        msg.add_attachment(b"\0" * (50 * 2**20), "image", "jpeg", filename="scan.jpg")
    path = room.parent / "reading.eml"
    path.write_bytes(msg.as_bytes())
    return path


def _import(room: Path, path: Path) -> int:
    args = ("--story", "email-new", "--persona", "raj", "--consent", "c-011")
    return run(room, "import", "email", str(path), *args)


def test_email_becomes_a_story_check_accepts(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(room, _eml(room)) == 0
    err = capsys.readouterr().err
    folder = room / "content/stories/email-new"
    index = (folder / "index.md").read_text(encoding="utf-8")
    body = index.split("---")[2]
    assert 'from: "Kwame"' in index and "sent: 2026-05-20" in index
    assert 'subject: "Meter reading for the new flat"' in index
    assert "something went wrong" in body
    assert "Thanks for telling us" not in body and "wrote:" not in body  # the quoted reply
    assert "Sent from my phone" not in body and "Mensah" not in body  # the signature
    for words in ("07700 900456", "M1 1AE", "Kwame Mensah", "Mensah", "kwame.mensah@example.net"):
        assert f'words: "{words}"' in index
    assert "index.md:" in err and "phone number: 07700 900456" in err
    # The inline photo and the attachment, as real JPEGs.
    assert sorted(p.name for p in folder.glob("*.jpg")) == ["hall.jpg", "meter-photo.jpg"]
    assert Image.open(folder / "meter-photo.jpg").size == (320, 240)
    assert "alt text for each photo" in err
    out = check(room, capsys)
    assert "error" not in out.replace("0 error(s)", "")


def test_html_only_mail_is_converted_to_text(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(room, _eml(room, html_only=True)) == 0
    body = (room / "content/stories/email-new/index.md").read_text(encoding="utf-8")
    body = body.split("---")[2]
    assert "I sent my readings through the app & it said something went wrong." in body
    assert "color" not in body and "<" not in body
    assert "Thanks for telling us" not in body  # the blockquote
    check(room, capsys)


def test_a_50_mb_attachment_is_skipped_with_a_line(
    room: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(room, _eml(room, big=True)) == 0
    err = capsys.readouterr().err
    assert "skipped the attachment 'scan.jpg' (50 MB" in err
    assert not (room / "content/stories/email-new/scan.jpg").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"From: Kwame <k@example.net>\nDate: yesterday-ish\nSubject: x\n\nHello\n", "not a date"),
        (b"From: Kwame <k@example.net>\nDate: Wed, 20 May 2026 09:14:00 +0100\n\n\n", "no text"),
        (b"Date: Wed, 20 May 2026 09:14:00 +0100\nSubject: x\n\nHello\n", "From: header"),
    ],
)
def test_bad_mail_is_a_clear_problem(
    room: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    path = room.parent / "bad.eml"
    path.write_bytes(data)
    assert _import(room, path) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.eml" in err
    assert not (room / "content/stories/email-new").exists()


def test_never_overwrites_without_force(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _eml(room)
    assert _import(room, path) == 0
    assert _import(room, path) == 2
    assert "already exists; add --force" in capsys.readouterr().err
    assert _import(room, path) == 2
    args = ("--story", "email-new", "--persona", "raj", "--consent", "c-011", "--force")
    assert run(room, "import", "email", str(path), *args) == 0
