"""A small, careful static-file HTTP server for built sites (standard library only).

It serves a built site to headless Chromium in the tests, and is meant to back
`immersion kiosk` and `immersion serve`. Unlike `http.server.SimpleHTTPRequestHandler`
it answers HTTP Range requests, which browsers need to seek in audio and video
(clicking a transcript line seeks the recording).

What it does, in short:

* GET and HEAD only; anything else is 405 with `Allow: GET, HEAD`, except POST to the
  exact paths given as `posts` (a body with a Content-Length of at most `max_body`
  bytes: 411 without one, 413 past it, never read).
* The site root may be a symbolic link that the publish step swaps atomically to a
  new folder, so it is resolved again for every request; a file is served only if
  its real path lies inside that resolved root. `..`, backslashes, control
  characters, hidden segments (`.name`), empty segments and symbolic links leading
  out of the site are all a plain 404. Paths are percent-decoded exactly once.
* A directory without a trailing slash is redirected (301) to the slash form; a
  directory with one serves its `index.html`, never a listing.
* A missing file gets the site's own `404.html` (status 404) if it has one.
* Single byte ranges (206 / 416), `If-Range`, weak `ETag`, `Last-Modified`,
  `If-None-Match` and `If-Modified-Since` (304). Files are streamed in chunks.
* Every response carries `Content-Length` (HTTP/1.1 keep-alive) and
  `X-Content-Type-Options: nosniff`; HTML gets `Cache-Control: no-cache`. The Date
  header is formatted once a second. Sockets are TCP_NODELAY, so a kept connection's
  next small file is not held back by the client's delayed ACK.
* Idle connections time out; clients that hang up mid-response, send too many or
  too long headers, or garbage request lines never cause a traceback.
* The request head is read by the server's own parser (`_Handler.parse_head`, into
  `Headers`: names in any case, values stripped), not the `email` package's, and
  strictly (RFC 9112), so no client can make one request read as two: a request line
  of other than three words (HTTP/0.9) or a version other than `HTTP/<digit>.<digit>`,
  a folded header line, a line without a colon or with a space before it, a value with
  CR or NUL, a Content-Length that is not digits or disagrees with another, and a head
  cut short are a 400 (closing); HTTP/2 and later a 505. More than 100 fields, a line
  over 64 KB or a head over MAX_HEAD_BYTES: 431. `//` at the start of the path is read
  as `/` (no redirect can lead to another host). HTTP/1.1 keeps the connection unless
  `Connection: close`; HTTP/1.0 closes it unless `Connection: keep-alive`.
  `Expect: 100-continue` (HTTP/1.1) gets its `100 Continue` only when a POST's body is
  about to be read: a 411 or 413 goes out instead of it.
* Hostile clients are bounded: a request head is at most MAX_HEAD_BYTES (else 414 or
  431), a client dribbling its head byte by byte is cut off after the idle timeout
  all the same, and at most MAX_CONNECTIONS threads run: past that the connection
  idle the longest is closed to make room (a flood of idle sockets cannot starve a
  kiosk's next request), and a 503 is sent only when every connection is busy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import errno
import hashlib
import http.client
import http.server
import io
import mimetypes
import os
import re
import socket
import stat
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, cast

HeadersHook = Callable[[str], dict[str, str]]
InjectHook = Callable[[str, bytes], bytes]
LogHook = Callable[[str], None]
# A route answers one exact path itself (the preview's event stream): it gets the
# request handler (to send headers and write the body) and the query string.
RouteHook = Callable[[http.server.BaseHTTPRequestHandler, str], None]
# A POST route (the displays' reports, `immersion.room.endpoints`) gets the request's
# body (at most `max_body` bytes, read by the server), its Content-Type and the client's
# address, and returns (status, a JSON body, extra headers).
PostHook = Callable[[bytes, str, str], tuple[int, bytes, dict[str, str]]]
MAX_BODY = 256 * 1024

CHUNK = 256 * 1024
HTML = "text/html; charset=utf-8"
LINGER_SECONDS = 1.0
POLL_SECONDS = 0.1  # how soon stop() is noticed by the accept loop
LINGER_BYTES = 1 << 20
# One thread per connection, at most this many: past it the connection idle the longest
# (a keep-alive, or a client that never finishes its request) is closed to make room, and
# when every one is busy a newcomer gets a 503. A kiosk's Chromium opens about six.
MAX_CONNECTIONS = 256
# The request line and headers of one request, in all (Chromium sends about 1 KB). The
# standard library only limits each line (64 KB) and their number (100): 6 MB a request.
MAX_HEAD_BYTES = 80 * 1024
# Each header line, and how many fields (the standard library: 64 KB, and 100 lines with
# the blank one, so 99 fields); past either, a 431.
MAX_LINE = 65536
MAX_HEADERS = 100
_CLOSING = -1.0  # a connection being closed to make room, in `_Server._connections`
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
    b"Connection: close\r\n\r\n"
)

MIME_TYPES: dict[str, str] = {
    ".html": HTML,
    ".htm": HTML,
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".vtt": "text/vtt; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
}

# Headers the server owns: a `headers` hook cannot replace these.
_RESERVED = frozenset(
    {"content-length", "content-range", "transfer-encoding", "connection", "date", "server"}
)
_ETAG_RE = re.compile(r'(?:W/)?"[^"]*"|\*')
_RANGE_SPEC = re.compile(r"(\d*)-(\d*)")
# A header line (RFC 9110 5.1, 5.5; RFC 9112 5): a token, a colon at once (no space
# before it: RFC 9112 5.1 requires a 400), the value without CR, LF or NUL (5.5: invalid
# and dangerous), then CRLF or a bare LF. Greedy and unambiguous: linear in the line.
_FIELD = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):([^\r\n\0]*)\r?\n")
# The same, for a whole head in the read buffer (CRLF only): checked, then split.
_FIELDS = re.compile(r"(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n\0]*\r\n)*\r\n")
_FIELD_CRLF = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):([^\r\n\0]*)\r\n")
_VERSION = re.compile(r"HTTP/([0-9])\.([0-9])")
_DIGITS = re.compile(r"[0-9]+")
# The Date header of the current second, formatted once (a tuple swapped whole, so a
# thread reads a matching pair without a lock).
_date: tuple[int, str] = (0, "")


def content_type(name: str) -> str:
    """The Content-Type for a file name: the table above, then `mimetypes`, then bytes."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in MIME_TYPES:
        return MIME_TYPES[suffix]
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if guessed is None or encoding is not None:
        return "application/octet-stream"
    return guessed


def parse_range(value: str, size: int) -> tuple[int, int] | bool | None:
    """Interpret a Range header against a representation of `size` bytes.

    Returns (first, last) inclusive for a satisfiable range, False when the
    header is valid but nothing in it can be satisfied (416), and None when the
    header must be ignored (not `bytes`, or malformed) and the full file sent.

    Browsers never send more than one range for media, so for a multi-range
    request only the first satisfiable range is served, as a plain 206 with a
    Content-Range; multipart/byteranges is not implemented.
    """
    unit, sep, specs = value.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    parsed: list[tuple[int | None, int | None]] = []
    for raw in specs.split(","):
        spec = raw.strip()
        if not spec:
            continue  # RFC 9110 list syntax allows empty elements
        match = _RANGE_SPEC.fullmatch(spec)
        if match is None or match.group(0) == "-":
            return None
        first = int(match.group(1)) if match.group(1) else None
        last = int(match.group(2)) if match.group(2) else None
        if first is not None and last is not None and last < first:
            return None  # an invalid range-spec makes the whole header invalid
        parsed.append((first, last))
    if not parsed:
        return None
    for first, last in parsed:
        if first is None:  # suffix: the last `last` bytes
            assert last is not None
            if last == 0 or size == 0:
                continue
            return max(size - last, 0), size - 1
        if first >= size:
            continue
        return first, size - 1 if last is None else min(last, size - 1)
    return False


def _http_date(value: str) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # "-0000": treat as UTC
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2), as If-None-Match requires."""
    ours = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == ours for tag in _ETAG_RE.findall(header))


class _HeadLimit:
    """The connection's reader, allowed MAX_HEAD_BYTES per request head.

    Past the budget, reading a header raises LineTooLong, which `_Handler.parse_head`
    answers with a 431. Only heads are ever read: GET and HEAD bodies are not.
    """

    def __init__(self, raw: io.BufferedIOBase, limit: int) -> None:
        self._raw = raw
        self._limit = limit
        self._left = limit

    def reset(self) -> None:
        self._left = self._limit

    @property
    def spent(self) -> bool:
        """True once the budget is used up (a line cut short by it was too long)."""
        return self._left <= 0

    def buffered_head(self) -> str | None:
        """The rest of the head (up to its blank line), if all of it is already in the
        read buffer and within the budget: not read yet (see `take`). Else None."""
        peek = getattr(self._raw, "peek", None)
        if peek is None:
            return None
        buffered = peek(1)  # what is buffered; one read from the socket only if nothing is
        end = buffered.find(b"\r\n\r\n")
        if end < 0 or end + 4 > self._left:
            return None
        return buffered[: end + 4].decode("iso-8859-1")

    def take(self, size: int) -> None:
        """Read the `size` bytes `buffered_head` gave."""
        self._left -= len(self._raw.read(size))

    def readline(self, size: int = -1) -> bytes:
        if self._left <= 0:
            raise http.client.LineTooLong("request head")
        line = self._raw.readline(self._left if size < 0 else min(size, self._left))
        self._left -= len(line)
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class Headers:
    """A request's header fields, looked up by name whatever its case.

    Built by `_Handler.parse_head` in place of the `email` parser's message: the same
    reading API (`get`, `[name]` giving None when absent, `in`, `get_all`, `items`,
    `keys`, `values`, iteration and `len` over the fields in the order sent), names kept
    as sent, values without the whitespace around them. The first field of a name wins
    for `get`, as with `email.message.Message`. Read-only: a request's head is what
    the client sent.
    """

    __slots__ = ("_fields", "_first")

    def __init__(self, fields: list[tuple[str, str]] | None = None) -> None:
        self._fields: list[tuple[str, str]] = []
        self._first: dict[str, str] = {}
        for name, value in fields or ():
            self._add(name, value)

    @classmethod
    def of(cls, fields: list[tuple[str, str]]) -> Headers:
        """From (name, value) pairs, values already stripped: the fast way."""
        made = cls()
        made._fields = fields
        made._first = {name.lower(): value for name, value in reversed(fields)}
        return made

    def _add(self, name: str, value: str) -> None:
        self._fields.append((name, value))
        self._first.setdefault(name.lower(), value)

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name.lower(), default)

    def __getitem__(self, name: str) -> str | None:
        return self._first.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def get_all(self, name: str, failobj: Any = None) -> Any:
        wanted = name.lower()
        found = [value for key, value in self._fields if key.lower() == wanted]
        return found or failobj

    def items(self) -> list[tuple[str, str]]:
        return list(self._fields)

    def keys(self) -> list[str]:
        return [name for name, _ in self._fields]

    def values(self) -> list[str]:
        return [value for _, value in self._fields]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Headers({self._fields!r})"


class _BadHead(Exception):
    """A request head refused: the status to answer (400, 431)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class _Target:
    """What a request path maps to after every check has passed."""

    url_path: str  # decoded, e.g. "/personas/maya/"
    query: str  # raw, without "?"
    segments: tuple[str, ...]  # decoded path segments; a trailing "" means a trailing slash


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: a file's head and body are two writes, and with Nagle's algorithm the
    # second waited for the client's delayed ACK (some 40 ms on Linux) on every request
    # of a kept connection (`_send_json` writes once; files cannot, they are streamed).
    disable_nagle_algorithm = True
    default_request_version = "HTTP/1.0"  # error replies always get a status line
    server: _Server
    raw_requestline: bytes  # set by handle_one_request
    headers: Headers  # type: ignore[assignment]  # not the email parser's Message: parse_head
    _continue = False  # the client waits for `100 Continue` before it sends the body

    def version_string(self) -> str:
        return "immersion"

    # -- plumbing -----------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.timeout_seconds)  # idle connections end
        self._head = _HeadLimit(self.rfile, MAX_HEAD_BYTES)
        self.rfile = cast(io.BufferedIOBase, self._head)

    def handle_one_request(self) -> None:
        self._head.reset()
        super().handle_one_request()

    def log_message(self, format: str, *args: object) -> None:
        log = self.server.log
        if log is not None:
            log(f"{self.address_string()} - {format % args}")

    def parse_request(self) -> bool:
        if not self.parse_head():
            return False
        if self.command == "POST" and self.path.partition("?")[0] in self.server.posts:
            return True
        if self.command not in ("GET", "HEAD"):
            self._send_simple(405, "Method Not Allowed", {"Allow": "GET, HEAD"}, close=True)
            return False
        if self.headers.get("Content-Length", "0").strip() not in ("", "0") or self.headers.get(
            "Transfer-Encoding"
        ):
            # A GET with a body: never parse the body as the next request.
            self.close_connection = True
        return True

    def parse_head(self) -> bool:
        """Read the request line and headers into command, path, headers (`Headers`).

        What `BaseHTTPRequestHandler.parse_request` does, without its `email` parser
        (a third of a POST's time here) and stricter where a lenient parser lets one
        request be read as two (RFC 9112): a version other than `HTTP/<digit>.<digit>`,
        a request line of other than three words (HTTP/0.9 too), a folded header line,
        a line without a colon or with a space before it, a value with a CR or NUL, a
        Content-Length that is not digits or disagrees with another, or a head that
        ends before its blank line are all a 400; past 100 fields, a line of 64 KB or
        MAX_HEAD_BYTES in all, a 431; HTTP/2 and later a 505. As the standard library:
        an empty line is closed unanswered, `//` at the start of the path becomes `/`
        (so no answer can redirect to another host), HTTP/1.1 keeps the connection
        unless `Connection: close`, HTTP/1.0 closes it unless `Connection: keep-alive`.
        """
        self.command = None  # type: ignore[assignment]  # as the standard library: unknown yet
        self.request_version = self.default_request_version
        self.close_connection = True
        self._continue = False
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if not words:
            return False
        if len(words) != 3:
            self.send_error(400)
            return False
        command, path, version = words
        match = _VERSION.fullmatch(version)
        if match is None:
            self.send_error(400)
            return False
        if match[1] >= "2":
            self.send_error(505)
            return False
        self.request_version = version
        self.command, self.path = command, path
        if path.startswith("//"):
            self.path = "/" + path.lstrip("/")  # gh-87389: never read as a host
        try:
            headers = self._read_headers()
        except _BadHead as bad:
            self.send_error(bad.status)
            return False
        self.headers = headers
        http11 = version != "HTTP/1.0" and match[1] == "1"
        options = {o.strip().lower() for o in headers.get("Connection", "").split(",")}
        self.close_connection = "close" in options or not (http11 or "keep-alive" in options)
        self._continue = http11 and headers.get("Expect", "").lower() == "100-continue"
        return True

    def _read_headers(self) -> Headers:
        # Usually the whole head came in one segment: checked and split in one go by the
        # regular expressions (lines ended by CRLF only, or anything odd: line by line).
        head = self._head.buffered_head()
        if head is not None and _FIELDS.fullmatch(head) is not None:
            fields = _FIELD_CRLF.findall(head)
            if len(fields) <= MAX_HEADERS:
                self._head.take(len(head))
                headers = Headers.of([(name, value.strip(" \t")) for name, value in fields])
                return self._checked(headers)
        return self._checked(self._read_lines())

    def _read_lines(self) -> Headers:
        headers = Headers()
        readline = self.rfile.readline
        count = 0
        while True:
            try:
                line = readline(MAX_LINE + 1)
            except http.client.LineTooLong:
                raise _BadHead(431) from None  # MAX_HEAD_BYTES spent
            if len(line) > MAX_LINE:
                raise _BadHead(431)
            if line == b"\r\n" or line == b"\n":
                break
            if not line.endswith(b"\n"):
                # Cut short by the head's budget, or the client stopped before its end.
                raise _BadHead(431 if self._head.spent else 400)
            count += 1
            if count > MAX_HEADERS:
                raise _BadHead(431)
            # Refuses a folded line too: a token cannot start with a space or a tab.
            field = _FIELD.fullmatch(line.decode("iso-8859-1"))
            if field is None:
                raise _BadHead(400)
            headers._add(field[1], field[2].strip(" \t"))
        return headers

    @staticmethod
    def _checked(headers: Headers) -> Headers:
        if "content-length" not in headers._first:
            return headers
        lengths = headers.get_all("Content-Length")
        if len(set(lengths)) > 1 or _DIGITS.fullmatch(lengths[0]) is None:
            raise _BadHead(400)  # RFC 9112 6.3: the body's end is unknowable
        return headers

    def handle_expect_100(self) -> bool:
        """Send `100 Continue` (see `_post`): not a response, so `_headers_sent` stays."""
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, formatted once a second (the standard library's each time)."""
        global _date
        if timestamp is not None:
            return super().date_time_string(timestamp)
        second = int(time.time())
        cached = _date
        if cached[0] != second:
            cached = _date = (second, email.utils.formatdate(second, usegmt=True))
        return cached[1]

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by BaseHTTPRequestHandler (400, 414, 431, 501, 505): plain, closing."""
        self.log_error("code %d, message %s", code, message)
        try:
            reason = self.responses[code][0]
        except KeyError:
            reason = "Error"
        self._send_simple(code, reason, {}, close=True)

    def _send_simple(
        self, code: int, text: str, extra: dict[str, str], *, close: bool = False
    ) -> None:
        body = f"{code} {text}\n".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        for name, value in extra.items():
            self.send_header(name, value)
        if close:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)

    # -- requests -------------------------------------------------------------

    def do_HEAD(self) -> None:
        self._respond()

    def do_GET(self) -> None:
        self._respond()

    def do_POST(self) -> None:
        self._respond()

    def end_headers(self) -> None:
        self._headers_sent = True
        super().end_headers()

    def _respond(self) -> None:
        self._headers_sent = False
        self.server.busy(self.connection, True)  # never closed to make room meanwhile
        try:
            self._dispatch()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except OSError as err:
            if err.errno in (errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED):
                self.close_connection = True
                return
            raise
        except Exception:
            # A bug here or in a hook: answer 500 if still possible, then report it.
            if not self._headers_sent:
                with contextlib.suppress(OSError):
                    self._send_simple(500, "Internal Server Error", {}, close=True)
            self.close_connection = True
            raise
        finally:
            self.server.busy(self.connection, False)

    def _dispatch(self) -> None:
        if self.command == "POST":
            self._post(self.server.posts[self.path.partition("?")[0]])
            return
        root = os.path.realpath(self.server.root)
        route = self.server.routes.get(self.path.partition("?")[0])
        if route is not None:
            route(self, self.path.partition("?")[2])
            return
        target = self._parse_target(self.path)
        if target is None:
            self._not_found(None, root)
            return
        real = self._resolve(root, target.segments)
        if real is None:
            self._not_found(target, root)
            return
        try:
            info = os.stat(real)
        except OSError:
            self._not_found(target, root)
            return
        if stat.S_ISDIR(info.st_mode):
            if target.segments and target.segments[-1] != "":
                location = urllib.parse.quote(target.url_path + "/", safe="/!$&'()*+,;=:@~")
                if target.query:
                    location += "?" + urllib.parse.quote(target.query, safe="=&%+;,/:@!$'()*?~")
                self._send_simple(301, "Moved Permanently", {"Location": location})
                return
            real = self._resolve(root, (*target.segments[:-1], "index.html"))
            if real is None:
                self._not_found(target, root)
                return
        elif target.segments and target.segments[-1] == "":
            self._not_found(target, root)  # "/file.txt/"
            return
        if not self._send_file(real, target.url_path, 200):
            self._not_found(target, root)

    def _post(self, hook: PostHook) -> None:
        """Read the body (bounded) and send what the hook answers, as JSON."""
        length = self.headers.get("Content-Length", "").strip()
        if self.headers.get("Transfer-Encoding") or not length.isdigit():
            self._send_json(411, b'{"error":"send a Content-Length"}\n', {}, close=True)
            return
        if int(length) > self.server.max_body:
            # Never read: the lingering close drains what the client still sends.
            refused = f'{{"error":"the body is larger than {self.server.max_body} bytes"}}\n'
            self._send_json(413, refused.encode(), {}, close=True)
            return
        if self._continue:
            # Only now, once the body is wanted: a 411 or 413 goes out without one.
            self.handle_expect_100()
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            self.close_connection = True  # the client hung up mid-body
            return
        status, payload, extra = hook(
            body, self.headers.get("Content-Type", ""), self.client_address[0]
        )
        self._send_json(status, payload, extra, close=status == 429)

    def _send_json(
        self, code: int, body: bytes, extra: dict[str, str], *, close: bool = False
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in extra.items():
            if name.lower() not in _RESERVED and not any(c in name + value for c in "\r\n\0"):
                self.send_header(name, value)
        if close:
            self.close_connection = True
            self.send_header("Connection", "close")
        # Head and body in one write: two small writes meet the client's delayed ACK
        # (Nagle), which holds every answer back by some 40 ms.
        self._headers_sent = True
        head: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
        head.append(b"\r\n" + body)
        self.flush_headers()

    def _parse_target(self, raw: str) -> _Target | None:
        """Decode the request target once; None for anything that is not a plain site path."""
        if raw.lower().startswith(("http://", "https://")):  # absolute-form
            split = urllib.parse.urlsplit(raw)
            raw = (split.path or "/") + ("?" + split.query if split.query else "")
        raw = raw.partition("#")[0]
        path, _, query = raw.partition("?")
        if not path.startswith("/"):
            return None
        try:
            decoded = urllib.parse.unquote(path, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\\" in decoded or any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
            return None
        segments = tuple(decoded[1:].split("/"))
        for i, segment in enumerate(segments):
            if segment == "":
                if i != len(segments) - 1:
                    return None  # "//", an absolute path after decoding
            elif segment.startswith("."):
                return None  # "..", "." and hidden files
        return _Target(decoded, query, segments)

    @staticmethod
    def _resolve(root: str, segments: tuple[str, ...]) -> str | None:
        """The real path for `segments` under `root`, or None if it leaves the site."""
        parts = [s for s in segments if s]
        real = os.path.realpath(os.path.join(root, *parts))
        if real == root:
            return real
        if not real.startswith(root.rstrip(os.sep) + os.sep):
            return None
        relative = real[len(root.rstrip(os.sep)) + 1 :]
        if any(part.startswith(".") for part in relative.split(os.sep)):
            return None  # a link inside the site to a hidden file
        return real

    def _not_found(self, target: _Target | None, root: str) -> None:
        page = self._resolve(root, ("404.html",))
        url_path = target.url_path if target is not None else "/404.html"
        if page is not None and self._send_file(page, url_path, 404):
            return
        self._send_simple(404, "Not Found", {})

    # -- files ------------------------------------------------------------------

    def _send_file(self, real: str, url_path: str, status: int) -> bool:
        """Send a regular file; False (nothing sent) if it is not one or cannot be opened."""
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(real, flags)
        except OSError:
            return False
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                return False
            self._send_open_file(file, info, real, url_path, status)
        return True

    def _send_open_file(
        self, file: BinaryIO, info: os.stat_result, real: str, url_path: str, status: int
    ) -> None:
        ctype = content_type(real)
        is_html = ctype.startswith("text/html")
        size = info.st_size
        etag = f'W/"{size:x}-{info.st_mtime_ns:x}"'
        last_modified: str | None = email.utils.formatdate(info.st_mtime, usegmt=True)
        body: bytes | None = None
        inject = self.server.inject
        if inject is not None and is_html:
            body = inject(url_path, file.read())
            size = len(body)
            # The body is not the file: validate what was sent, not the file's date.
            etag = 'W/"i-' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
            last_modified = None

        headers: dict[str, str] = {"Content-Type": ctype}
        if is_html:
            headers["Cache-Control"] = "no-cache"
        headers["ETag"] = etag
        if last_modified is not None:
            headers["Last-Modified"] = last_modified
        headers["Accept-Ranges"] = "none" if body is not None else "bytes"
        self._merge_hook_headers(headers, url_path)

        if status == 200 and self._not_modified(info, etag, body is not None):
            self.send_response(304)
            for name, value in headers.items():
                if name.lower() not in ("content-type", "accept-ranges"):
                    self.send_header(name, value)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            return

        first, last = 0, size - 1
        if status == 200 and body is None and self.command == "GET":
            header = self.headers.get("Range")
            if header is not None and self._if_range_holds(etag, last_modified):
                chosen = parse_range(header, size)
                if chosen is False:
                    self._send_simple(
                        416, "Range Not Satisfiable", {"Content-Range": f"bytes */{size}"}
                    )
                    return
                if isinstance(chosen, tuple):
                    first, last = chosen
                    status = 206
                    headers["Content-Range"] = f"bytes {first}-{last}/{size}"

        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command == "HEAD":
            return
        if body is not None:
            self.wfile.write(body)
            return
        self._stream(file, first, last - first + 1)

    def _merge_hook_headers(self, headers: dict[str, str], url_path: str) -> None:
        hook = self.server.headers_hook
        if hook is None:
            return
        for name, value in hook(url_path).items():
            if name.lower() in _RESERVED or any(c in name + value for c in "\r\n\0"):
                continue
            for existing in [k for k in headers if k.lower() == name.lower()]:
                del headers[existing]
            headers[name] = value

    def _not_modified(self, info: os.stat_result, etag: str, injected: bool) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, etag)
        since = self.headers.get("If-Modified-Since")
        if since is None or injected:
            return False
        when = _http_date(since)
        return when is not None and int(info.st_mtime) <= when

    def _if_range_holds(self, etag: str, last_modified: str | None) -> bool:
        """True if there is no If-Range, or its validator still matches."""
        value = self.headers.get("If-Range")
        if value is None:
            return True
        value = value.strip()
        if value.startswith(('"', "W/")):
            # If-Range needs a strong comparison, and our ETags are weak: a weak tag never
            # matches (RFC 9110 13.1.5), so the client gets the whole, current file.
            return not etag.startswith("W/") and value == etag
        return last_modified is not None and value == last_modified

    def _stream(self, file: BinaryIO, offset: int, length: int) -> None:
        file.seek(offset)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                # The file shrank while we were sending it; the promised length cannot
                # be kept, so end the connection rather than desynchronise it.
                self.close_connection = True
                return
            self.wfile.write(chunk)
            length -= len(chunk)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for idle keep-alive connections
    request_queue_size = 1024  # the default 5 drops bursts of connections (SYN retries: 1 s)
    max_connections = MAX_CONNECTIONS

    def __init__(
        self,
        address: tuple[str, int],
        root: Path,
        headers_hook: HeadersHook | None,
        inject: InjectHook | None,
        log: LogHook | None,
        timeout_seconds: float,
        routes: Mapping[str, RouteHook] | None = None,
        posts: Mapping[str, PostHook] | None = None,
        max_body: int = MAX_BODY,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.root = str(root)
        self.headers_hook = headers_hook
        self.inject = inject
        self.log = log
        self.timeout_seconds = timeout_seconds
        self.routes = dict(routes or {})
        self.posts = dict(posts or {})
        self.max_body = max_body
        # Every open connection: since when it waits for a request (monotonic seconds),
        # None while a request is answered, _CLOSING once it is being closed.
        self._connections: dict[socket.socket, float | None] = {}
        self._lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a thread for the connection, within MAX_CONNECTIONS (see there)."""
        victim, refused = None, False
        with self._lock:
            live = [(since, c) for c, since in self._connections.items() if since != _CLOSING]
            if len(live) >= self.max_connections:
                idle = [(since, c) for since, c in live if since is not None]
                if idle:
                    victim = min(idle, key=lambda pair: pair[0])[1]
                    self._connections[victim] = _CLOSING
                else:
                    refused = True
            if not refused:
                self._connections[request] = time.monotonic()
        if victim is not None:
            with contextlib.suppress(OSError):
                victim.shutdown(socket.SHUT_RDWR)  # its thread sees the end and exits
        if refused:
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.send(_BUSY)
            self.close_request(request)
            return
        super().process_request(request, client_address)

    def busy(self, connection: socket.socket, busy: bool) -> None:
        with self._lock:
            if self._connections.get(connection, _CLOSING) != _CLOSING:
                self._connections[connection] = None if busy else time.monotonic()

    def service_actions(self) -> None:
        """Between polls of the accept loop: close connections that waited too long.

        The socket's timeout ends a silent connection, but a client that sends a byte
        now and then ("slowloris") never trips it: this deadline counts from the end of
        the last response (or the connection), however the client dribbles.
        """
        now = time.monotonic()
        with self._lock:
            stale = [
                c
                for c, since in self._connections.items()
                if since is not None and since != _CLOSING and now - since > self.timeout_seconds
            ]
            for connection in stale:
                self._connections[connection] = _CLOSING
        for connection in stale:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def close_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def shutdown_request(self, request: Any) -> None:
        """Close a connection gently (a "lingering close").

        When a request is refused before it was read in full (a 414, a 431), the
        client may still be sending; closing at once would answer its bytes with a
        TCP reset, which can destroy the response it has not read yet. So stop
        writing, then read and discard until the client closes, for a short while.
        """
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            drained = 0
            while drained < LINGER_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                request.settimeout(left)
                data = request.recv(65536)
                if not data:
                    break
                drained += len(data)
        self.close_request(request)
        with self._lock:
            self._connections.pop(request, None)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client went away: nothing to report
        if isinstance(error, OSError) and error.errno in (errno.EPIPE, errno.ECONNRESET):
            return
        if self.log is not None:
            self.log(f"error serving {client_address}:\n{traceback.format_exc()}")
        else:
            super().handle_error(request, client_address)  # a bug in the server: say so


class StaticServer:
    """Serve the static site in `root` over HTTP.

    `root` may be a symbolic link; it is resolved for each request, so an atomic
    swap of the link is picked up at once. Port 0 picks a free port; the socket is
    bound in the constructor, so `url` is known before `start()`.

    `headers(url_path)` returns extra response headers for a (decoded) request path
    such as "/sw.js" or "/personas/maya/"; they override the defaults
    (`Cache-Control: no-cache` on HTML) but cannot set Content-Length,
    Content-Range, Connection, Transfer-Encoding, Date or Server.

    `inject(url_path, body)` may rewrite HTML bodies (text/html responses only,
    including the site's 404 page); such responses ignore Range and carry an ETag
    computed from the rewritten body. Both hooks run on the server's threads.

    `routes` maps exact request paths (such as "/.immersion/events", which no site
    file can have: dot segments are refused) to functions that answer the request
    themselves.

    `posts` maps exact request paths to functions that answer a POST there from its
    body (see `PostHook`); a body over `max_body` bytes is refused unread (413).

    `log`, if given, receives one line per request and any server-side errors;
    by default the server is silent.
    """

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        headers: HeadersHook | None = None,
        inject: InjectHook | None = None,
        log: LogHook | None = None,
        timeout: float = 30.0,
        routes: Mapping[str, RouteHook] | None = None,
        posts: Mapping[str, PostHook] | None = None,
        max_body: int = MAX_BODY,
    ) -> None:
        self.root = Path(root)
        self._server = _Server(
            (host, port), self.root, headers, inject, log, timeout, routes, posts, max_body
        )
        self.host = host
        self.port: int = self._server.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"
        self._thread: threading.Thread | None = None
        self._serving = False
        self._closed = False
        self._state = threading.Lock()

    def start(self) -> None:
        """Serve in a background (daemon) thread until `stop()`."""
        with self._state:
            if self._closed or self._serving:
                raise RuntimeError("this server is already running or stopped")
            self._serving = True
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                args=(POLL_SECONDS,),
                name=f"httpd:{self.port}",
                daemon=True,
            )
            self._thread.start()

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop()` is called from another thread
        (or KeyboardInterrupt); the server is closed when this returns."""
        with self._state:
            if self._closed or self._serving:
                raise RuntimeError("this server is already running or stopped")
            self._serving = True
        try:
            self._server.serve_forever(POLL_SECONDS)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop accepting, end open connections and close the socket. Idempotent."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            serving, self._serving = self._serving, False
            thread = self._thread
        if serving and threading.current_thread() is not thread:
            # Only with a loop running: shutdown() waits for the loop to say it stopped.
            self._server.shutdown()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._server.server_close()
        self._server.close_connections()

    def __enter__(self) -> StaticServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
