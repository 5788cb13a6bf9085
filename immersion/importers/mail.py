"""An .eml email into an email story: sender by pseudonym, subject, date, words, photos."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from ..problems import UsageError

# A phone's photo is a few MB; anything far bigger is a video or a scan to handle by hand.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
_IMAGE_SUFFIX = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}
_WROTE = re.compile(r"^On .{0,300}wrote:\s*$", re.IGNORECASE | re.DOTALL)


@dataclass
class Mail:
    sender_name: str  # the real name and address, for redaction only
    sender_address: str
    subject: str
    sent: str  # ISO date
    body: str
    photos: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Text(HTMLParser):
    """HTML to plain paragraphs: block elements end lines, scripts and styles are dropped."""

    _BLOCKS: ClassVar[set[str]] = {
        *("p", "div", "br", "li", "tr", "table", "blockquote"),
        *("h1", "h2", "h3", "h4"),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        if tag == "blockquote":  # a quoted reply in HTML mail
            self.quote += 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.quote:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_replies(text: str) -> str:
    """The sender's own words: quoted replies (`>` and 'On ... wrote:') and signatures dropped."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.rstrip() == "--" or line == "-- ":
            break  # the signature delimiter
        joined = " ".join(x.strip() for x in lines[i : i + 2])
        if _WROTE.match(line.strip()) or (line.startswith("On ") and _WROTE.match(joined)):
            break
        if line.lstrip().startswith(">"):
            continue
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def _safe_name(name: str, n: int, ctype: str) -> str:
    stem = re.sub(r"[^a-z0-9_-]+", "-", Path(name).stem.lower()).strip("-") or f"photo-{n}"
    return f"{stem}{_IMAGE_SUFFIX[ctype]}"


def read(path: Path, display: str) -> Mail:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{display}: cannot read it ({exc.strerror})") from None
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    if not msg.keys():
        raise UsageError(f"{display}: no mail headers found; is this an .eml file?")
    for problem in msg.defects:
        raise UsageError(f"{display}: malformed mail: {type(problem).__name__} ({problem})")
    try:
        sender = msg["From"]
        addresses = sender.addresses if sender is not None else ()
    except (ValueError, IndexError, AttributeError):
        addresses = ()
    if not addresses:
        raise UsageError(f"{display}: the From: header is missing or not an address")
    name, address = addresses[0].display_name, addresses[0].addr_spec
    raw_date = msg.get("Date", None)
    try:
        when = email.utils.parsedate_to_datetime(str(raw_date)) if raw_date else None
    except (TypeError, ValueError):
        when = None
    if when is None:
        raise UsageError(
            f"{display}: the Date: header {str(raw_date or '(missing)')!r} is not a date "
            "like 'Wed, 20 May 2026 09:14:00 +0100'"
        )
    part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if part is not None:
        content = part.get_content()
        body = html_to_text(content) if part.get_content_subtype() == "html" else content
        body = strip_replies(body)
    if not body.strip():
        raise UsageError(f"{display}: the email has no text in its body; nothing to import")
    mail = Mail(name, address, str(msg.get("Subject", "") or ""), when.date().isoformat(), body)
    for n, att in enumerate(msg.walk(), start=1):
        ctype = att.get_content_type()
        if ctype not in _IMAGE_SUFFIX or att.is_multipart():
            continue
        payload = att.get_payload(decode=True)
        filename = att.get_filename() or f"photo-{n}"
        if not isinstance(payload, bytes):
            continue
        if len(payload) > MAX_IMAGE_BYTES:
            mail.notes.append(
                f"{display}: skipped the attachment {filename!r} ({len(payload) // 2**20} MB, "
                f"more than {MAX_IMAGE_BYTES // 2**20} MB); add a smaller copy by hand"
            )
            continue
        target = _safe_name(filename, n, ctype)
        while target in mail.photos:
            target = f"{Path(target).stem}-{n}{Path(target).suffix}"
        mail.photos[target] = payload
    return mail
