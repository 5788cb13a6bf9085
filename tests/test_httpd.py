"""The static server: types, directories, 404s, Range, caching, hooks and hostile requests."""

from __future__ import annotations

import email.utils
import http.client
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO

import pytest

from immersion import httpd
from immersion.httpd import Headers, StaticServer, _Handler, parse_range

SECRET = b"TOP-SECRET-zebra-7731"
AUDIO = bytes(range(256)) * 4  # 1024 bytes, every offset distinguishable mod 256
BIG = os.urandom(3 * 1024 * 1024 + 17)

TYPES = {
    "page.html": "text/html; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "data.json": "application/json",
    "site.webmanifest": "application/manifest+json",
    "talk.vtt": "text/vtt; charset=utf-8",
    "logo.svg": "image/svg+xml",
    "photo.webp": "image/webp",
    "photo.avif": "image/avif",
    "photo.jpg": "image/jpeg",
    "photo.JPEG": "image/jpeg",
    "icon.png": "image/png",
    "favicon.ico": "image/x-icon",
    "talk.m4a": "audio/mp4",
    "clip.mp4": "video/mp4",
    "talk.opus": "audio/ogg",
    "talk.ogg": "audio/ogg",
    "talk.mp3": "audio/mpeg",
    "font.woff2": "font/woff2",
    "sitemap.xml": "application/xml",
    "notes.txt": "text/plain; charset=utf-8",
    "sitemap.xml.gz": "application/gzip",
    "blob.zzunknown": "application/octet-stream",
}


def make_site(base: Path, name: str = "site-a", marker: str = "A") -> Path:
    site = base / ".sites" / name
    (site / "docs").mkdir(parents=True)
    (site / "empty").mkdir()
    (site / "index.html").write_text(f"<html><body>home {marker}</body></html>")
    (site / "docs" / "index.html").write_text(f"<html><body>docs {marker}</body></html>")
    (site / "hello.txt").write_text(f"hello {marker}")
    (site / "talk.m4a").write_bytes(AUDIO)
    (site / "big.bin").write_bytes(BIG)
    (site / "empty.txt").write_bytes(b"")
    (site / ".hidden").write_bytes(SECRET)
    (site / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    for filename in TYPES:
        if not (site / filename).exists():
            (site / filename).write_bytes(b"x" + filename.encode())
    (site / "alias.txt").symlink_to("hello.txt")  # a link that stays inside: fine
    (site / "link-out").symlink_to(base / "secret.txt")
    (site / "dir-out").symlink_to(base)
    return site


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("build")
    for place in (base, base / ".sites"):
        place.mkdir(exist_ok=True)
        (place / "secret.txt").write_bytes(SECRET)
    make_site(base)
    (base / "intranet").symlink_to(".sites/site-a")
    return base


@pytest.fixture(scope="module")
def server(build: Path) -> Iterator[StaticServer]:
    with StaticServer(build / "intranet") as srv:
        yield srv


Response = tuple[int, http.client.HTTPMessage, bytes]


def request(
    srv: StaticServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def raw(srv: StaticServer, data: bytes) -> bytes:
    """Send raw bytes, return everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def raw_get(srv: StaticServer, target: bytes) -> tuple[int, bytes]:
    answer = raw(srv, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return int(answer.split(b" ", 2)[1]), answer


# -- types, directories, 404 ---------------------------------------------------


@pytest.mark.parametrize(("filename", "ctype"), TYPES.items())
def test_content_types(server: StaticServer, filename: str, ctype: str) -> None:
    status, headers, body = request(server, "/" + filename)
    assert status == 200
    assert headers["Content-Type"] == ctype
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Accept-Ranges"] == "bytes"
    assert int(headers["Content-Length"]) == len(body)
    assert ("no-cache" in (headers["Cache-Control"] or "")) == ctype.startswith("text/html")


def test_directories(server: StaticServer) -> None:
    status, headers, _ = request(server, "/docs")
    assert (status, headers["Location"]) == (301, "/docs/")
    status, headers, _ = request(server, "/docs?q=1&b=2")
    assert (status, headers["Location"]) == (301, "/docs/?q=1&b=2")
    assert request(server, "/docs/")[2] == b"<html><body>docs A</body></html>"
    assert request(server, "/")[2] == b"<html><body>home A</body></html>"
    assert request(server, "/docs/?x=y#frag")[0] == 200
    assert request(server, "/empty/")[0] == 404  # no listings, ever
    assert request(server, "/hello.txt/")[0] == 404
    assert request(server, "/alias.txt")[2] == b"hello A"


def test_not_found_plain_and_custom(server: StaticServer, tmp_path: Path) -> None:
    status, headers, body = request(server, "/nope.html")
    assert status == 404 and body == b"404 Not Found\n"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    site = tmp_path / "s"
    site.mkdir()
    (site / "404.html").write_text("<h1>lost</h1>")
    with StaticServer(site) as srv:
        status, headers, body = request(srv, "/nope/")
        assert (status, body) == (404, b"<h1>lost</h1>")
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert request(srv, "/%2e%2e/secret.txt")[0:3:2] == (404, b"<h1>lost</h1>")


# -- Range -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-199", 100, 199),
        ("bytes=1000-", 1000, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=-5000", 0, 1023),
        ("bytes=1000-99999", 1000, 1023),
        ("bytes=5-5", 5, 5),
        ("BYTES = 7-8", 7, 8),
        ("bytes=10-19, 30-39", 10, 19),  # multiple ranges: the first only
        ("bytes=2000-3000, 1-2", 1, 2),  # ... the first that can be satisfied
    ],
)
def test_range(server: StaticServer, header: str, first: int, last: int) -> None:
    status, headers, body = request(server, "/talk.m4a", {"Range": header})
    assert status == 206
    assert headers["Content-Range"] == f"bytes {first}-{last}/1024"
    assert body == AUDIO[first : last + 1]
    assert int(headers["Content-Length"]) == last - first + 1


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0", "bytes=2000-,-0"])
def test_range_unsatisfiable(server: StaticServer, header: str) -> None:
    status, headers, _ = request(server, "/talk.m4a", {"Range": header})
    assert status == 416
    assert headers["Content-Range"] == "bytes */1024"


@pytest.mark.parametrize(
    "header", ["bytes=abc", "bytes=5-1", "items=0-5", "bytes", "bytes=-", "bytes=1-2-3", "bytes="]
)
def test_range_malformed_is_ignored(server: StaticServer, header: str) -> None:
    status, headers, body = request(server, "/talk.m4a", {"Range": header})
    assert (status, body) == (200, AUDIO)
    assert "Content-Range" not in headers


def test_if_range(server: StaticServer) -> None:
    _, headers, _ = request(server, "/talk.m4a")
    stale = {"Range": "bytes=0-9", "If-Range": '"something-else"'}
    assert request(server, "/talk.m4a", stale)[0::2] == (200, AUDIO)
    stale["If-Range"] = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert request(server, "/talk.m4a", stale)[0::2] == (200, AUDIO)
    fresh = {"Range": "bytes=0-9", "If-Range": headers["Last-Modified"]}
    assert request(server, "/talk.m4a", fresh)[0::2] == (206, AUDIO[:10])


def test_big_file_streams_whole_and_in_part(server: StaticServer) -> None:
    assert request(server, "/big.bin")[2] == BIG
    status, _, body = request(server, "/big.bin", {"Range": "bytes=1000000-2999999"})
    assert (status, body) == (206, BIG[1000000:3000000])


def test_empty_file(server: StaticServer) -> None:
    assert request(server, "/empty.txt")[0::2] == (200, b"")
    assert request(server, "/empty.txt", {"Range": "bytes=0-"})[0] == 416


def test_parse_range_directly() -> None:
    assert parse_range("bytes=0-0", 1) == (0, 0)
    assert parse_range("bytes=0-", 0) is False
    assert parse_range("bytes=-1", 0) is False
    assert parse_range("bytes=, 3-4", 10) == (3, 4)
    assert parse_range("bytes=3-4x", 10) is None


# -- HEAD, validators -------------------------------------------------------------


def test_head(server: StaticServer) -> None:
    status, headers, body = request(server, "/talk.m4a", {"Range": "bytes=0-9"}, method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == "1024"
    assert headers["Content-Type"] == "audio/mp4"
    assert headers["ETag"].startswith('W/"')
    status, headers, body = request(server, "/missing", method="HEAD")
    assert (status, body) == (404, b"")


def test_not_modified(server: StaticServer) -> None:
    _, headers, _ = request(server, "/hello.txt")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, headers, body = request(server, "/hello.txt", {"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    assert request(server, "/hello.txt", {"If-None-Match": f'"x", {etag}'})[0] == 304
    assert request(server, "/hello.txt", {"If-None-Match": etag.removeprefix("W/")})[0] == 304
    assert request(server, "/hello.txt", {"If-None-Match": '"other"'})[0] == 200
    assert request(server, "/hello.txt", {"If-Modified-Since": modified})[0] == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert request(server, "/hello.txt", {"If-Modified-Since": old})[0] == 200
    assert request(server, "/hello.txt", {"If-Modified-Since": "garbage"})[0] == 200
    # If-None-Match wins over If-Modified-Since.
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert request(server, "/hello.txt", both)[0] == 200


# -- hostile requests -----------------------------------------------------------------

HOSTILE = [
    b"/../secret.txt",
    b"/../../secret.txt",
    b"/%2e%2e/secret.txt",
    b"/%2E%2E/%2e%2e/secret.txt",
    b"/..%2fsecret.txt",
    b"/..%2f..%2fsecret.txt",
    b"/%2e%2e%5csecret.txt",
    b"/a/../../secret.txt",
    b"/docs/../../secret.txt",
    b"//etc/passwd",
    b"/%2fetc/passwd",
    b"/%2Fetc%2Fpasswd",
    b"/%252e%252e/secret.txt",
    b"/%252e%252e%252fsecret.txt",
    b"/.hidden",
    b"/%2ehidden",
    b"/docs/./../.hidden",
    b"/link-out",
    b"/dir-out/secret.txt",
    b"/dir-out/.sites/secret.txt",
    b"/\x00",
    b"/%00",
    b"/hello.txt%00.html",
    b"/..\\secret.txt",
    b"/%2e%2e%5c%2e%2e%5csecret.txt",
    b"/..%c0%afsecret.txt",
    b"/%ff%fe",
    b"secret.txt",
    b"http://evil.example/../secret.txt",
    b"/" + b"a" * 70_000,
    b"/" + b"../" * 30 + b"etc/passwd",
    b"/.",
    b"/./secret.txt",
]


@pytest.mark.parametrize("target", HOSTILE, ids=lambda t: repr(t[:40]))
def test_traversal_never_leaks(server: StaticServer, target: bytes) -> None:
    status, answer = raw_get(server, target)
    assert SECRET not in answer
    assert b"root:" not in answer
    assert 400 <= status < 500, answer[:200]


def test_hostile_requests_print_nothing(
    server: StaticServer, capfd: pytest.CaptureFixture[str]
) -> None:
    many_headers = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    answers = [
        raw(server, b"GET / HTTP/1.1\r\n" + many_headers + b"\r\n"),
        raw(server, b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"),
        raw(server, b"GARBAGE\r\n\r\n"),
        raw(server, b"GET / HTTP/9.9\r\n\r\n"),
        raw(server, b"GET / HTTP/1.1 extra words\r\n\r\n"),
        raw(server, b"\r\n"),
        raw(server, b""),
        raw(server, b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /"),
    ]
    assert answers[0].startswith(b"HTTP/1.1 431 ")
    assert answers[1].startswith(b"HTTP/1.1 431 ")
    assert answers[2].startswith(b"HTTP/1.1 400 ")
    assert answers[3].startswith(b"HTTP/1.1 505 ")
    assert answers[4].startswith(b"HTTP/1.1 400 ")
    assert answers[7].startswith(b"HTTP/1.1 200 ") and answers[7].count(b"HTTP/1.1") == 1
    # Hang up in the middle of a big download.
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(100)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")  # reset
    time.sleep(0.2)
    assert request(server, "/hello.txt")[0] == 200
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_methods(server: StaticServer) -> None:
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "FROB"):
        status, headers, _ = request(server, "/hello.txt", method=method)
        assert status == 405, method
        assert headers["Allow"] == "GET, HEAD"


# -- hooks, swaps, load ---------------------------------------------------------------


def test_root_symlink_swapped_between_requests(tmp_path: Path) -> None:
    make_site(tmp_path, "one", "one")
    make_site(tmp_path, "two", "two")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    link = tmp_path / "intranet"
    link.symlink_to(".sites/one")
    with StaticServer(link) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        conn.request("GET", "/hello.txt")
        assert conn.getresponse().read() == b"hello one"
        (tmp_path / "next").symlink_to(".sites/two")
        os.replace(tmp_path / "next", link)  # what publish does
        conn.request("GET", "/hello.txt")  # same keep-alive connection
        assert conn.getresponse().read() == b"hello two"
        conn.close()
        assert request(srv, "/docs/")[2] == b"<html><body>docs two</body></html>"


def test_inject_applies_to_html_only(build: Path) -> None:
    calls: list[str] = []

    def inject(url_path: str, body: bytes) -> bytes:
        calls.append(url_path)
        return body.replace(b"</body>", b"<script>reload()</script></body>")

    with StaticServer(build / "intranet", inject=inject) as srv:
        status, headers, body = request(srv, "/docs/", {"Range": "bytes=0-3"})
        assert status == 200
        assert body == b"<html><body>docs A<script>reload()</script></body></html>"
        assert int(headers["Content-Length"]) == len(body)
        assert "Content-Range" not in headers
        assert request(srv, "/hello.txt")[2] == b"hello A"
        assert request(srv, "/app.js")[2] == b"xapp.js"
        assert request(srv, "/talk.m4a", {"Range": "bytes=0-3"})[0] == 206
        etag = headers["ETag"]
        assert request(srv, "/docs/", {"If-None-Match": etag})[0] == 304
    assert calls == ["/docs/", "/docs/"]


def test_headers_hook(build: Path) -> None:
    def headers(url_path: str) -> dict[str, str]:
        if url_path == "/sw.js":
            return {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
        if url_path == "/hello.txt":
            return {"Content-Length": "1", "X-Evil": "a\r\nSet-Cookie: x=1", "X-Room": "7"}
        return {}

    with StaticServer(build / "intranet", headers=headers) as srv:
        _, got, _ = request(srv, "/sw.js")
        assert got["Cache-Control"] == "no-cache"
        assert got["Service-Worker-Allowed"] == "/"
        status, got, body = request(srv, "/hello.txt")
        assert (status, body, got["X-Room"]) == (200, b"hello A", "7")
        assert got["Content-Length"] == "7"
        assert "X-Evil" not in got and "Set-Cookie" not in got
        _, got, _ = request(srv, "/")
        assert got["Cache-Control"] == "no-cache"


def test_many_concurrent_requests(server: StaticServer) -> None:
    paths = ["/hello.txt", "/talk.m4a", "/docs/", "/nope"] * 50
    barrier = threading.Barrier(len(paths), timeout=10)

    def fetch(path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.connect()
        barrier.wait()
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return resp.status

    with ThreadPoolExecutor(len(paths)) as pool:
        statuses = list(pool.map(fetch, paths))
    assert statuses == [200, 200, 200, 404] * 50


def test_idle_connections_time_out_and_stop_ends_them(build: Path) -> None:
    with StaticServer(build / "intranet", timeout=0.2) as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
            assert sock.recv(10) == b""  # the server hung up on an idle client
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        conn.request("GET", "/hello.txt")
        conn.getresponse().read()
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, OSError)):
        conn.request("GET", "/hello.txt")  # stop() ended the keep-alive connection
        conn.getresponse()
    conn.close()


def test_log_hook_and_stop_is_idempotent(build: Path) -> None:
    lines: list[str] = []
    srv = StaticServer(build / "intranet", log=lines.append)
    assert srv.url == f"http://127.0.0.1:{srv.port}/"
    srv.start()
    request(srv, "/hello.txt")
    srv.stop()
    srv.stop()
    assert any('"GET /hello.txt HTTP/1.1" 200' in line for line in lines)
    with pytest.raises(RuntimeError):
        srv.start()


def test_serve_forever_in_the_foreground(build: Path) -> None:
    srv = StaticServer(build / "intranet")
    thread = threading.Thread(target=srv.serve_forever)
    thread.start()
    assert request(srv, "/hello.txt")[2] == b"hello A"
    srv.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_failing_hook_is_a_500_not_a_hang(build: Path, capfd: pytest.CaptureFixture[str]) -> None:
    def inject(url_path: str, body: bytes) -> bytes:
        raise RuntimeError("hook bug")

    lines: list[str] = []
    with StaticServer(build / "intranet", inject=inject, log=lines.append) as srv:
        assert request(srv, "/docs/")[0] == 500
        assert request(srv, "/hello.txt")[0] == 200
        # The error is logged by the request's thread after the 500 went out.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any("hook bug" in line for line in lines):
            time.sleep(0.02)
    assert any("RuntimeError: hook bug" in line for line in lines)
    assert capfd.readouterr().err == ""


# -- the request head (own parser, RFC 9112) ------------------------------------------------


def echo_length(body: bytes, content_type: str, client: str) -> tuple[int, bytes, dict[str, str]]:
    return 200, b'{"got":%d}\n' % len(body), {}


@pytest.fixture(scope="module")
def poster(build: Path) -> Iterator[StaticServer]:
    with StaticServer(build / "intranet", posts={"/report": echo_length}, max_body=1000) as srv:
        yield srv


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer.split(b" ", 2)[1])


def read_response(reader: BinaryIO) -> tuple[int, dict[str, str], bytes]:
    """One response off a keep-alive connection: status, headers (lower-case), body."""
    status = int(reader.readline().split(b" ", 2)[1])
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", "0")))


GOOD_HEAD = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n"
POST_HEAD = b"POST /report HTTP/1.1\r\nHost: x\r\n"


BIG_HEAD = b"".join(b"X-%d: " % n + b"v" * 3000 + b"\r\n" for n in range(30)) + b"\r\n"


@pytest.mark.parametrize(
    ("name", "head", "status"),
    [
        ("folded (space)", GOOD_HEAD + b"X-A: 1\r\n  folded\r\n\r\n", 400),
        ("folded (tab)", GOOD_HEAD + b"X-A: 1\r\n\tfolded\r\n\r\n", 400),
        ("first field folded", GOOD_HEAD + b" X-A: 1\r\n\r\n", 400),
        ("no colon", GOOD_HEAD + b"X-A 1\r\n\r\n", 400),
        ("no name", GOOD_HEAD + b": 1\r\n\r\n", 400),
        ("space before the colon", GOOD_HEAD + b"X-A : 1\r\n\r\n", 400),
        ("tab before the colon", GOOD_HEAD + b"X-A\t: 1\r\n\r\n", 400),
        ("NUL in a value", GOOD_HEAD + b"X-A: a\x00b\r\n\r\n", 400),
        ("bare CR in a value", GOOD_HEAD + b"X-A: a\rb\r\n\r\n", 400),
        ("no blank line at the end", GOOD_HEAD + b"X-A: 1\r\n", 400),
        (
            "Content-Lengths differ",
            POST_HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            400,
        ),
        ("Content-Length list", POST_HEAD + b"Content-Length: 5, 6\r\n\r\nhello!", 400),
        ("Content-Length signed", POST_HEAD + b"Content-Length: +5\r\n\r\nhello", 400),
        ("Content-Length latin-1 digit", POST_HEAD + b"Content-Length: \xb2\r\n\r\nhe", 400),
        (
            "GET, lengths 0 and 7",
            GOOD_HEAD + b"Content-Length: 0\r\nContent-Length: 7\r\n\r\n",
            400,
        ),
        ("101 fields", GOOD_HEAD + b"".join(b"X-%d: v\r\n" % n for n in range(100)) + b"\r\n", 431),
        ("head over MAX_HEAD_BYTES", GOOD_HEAD + BIG_HEAD, 431),
        ("line over 64 KB", GOOD_HEAD + b"X-A: " + b"v" * 65_600 + b"\r\n\r\n", 431),
        ("HTTP/01.1", b"GET /hello.txt HTTP/01.1\r\nHost: x\r\n\r\n", 400),
        ("HTTP/1.10", b"GET /hello.txt HTTP/1.10\r\nHost: x\r\n\r\n", 400),
        ("lower-case http", b"GET /hello.txt http/1.1\r\nHost: x\r\n\r\n", 400),
        ("latin-1 digit in the version", b"GET /hello.txt HTTP/\xb9.1\r\nHost: x\r\n\r\n", 400),
        ("HTTP/2.0", b"GET /hello.txt HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("HTTP/0.9", b"GET /hello.txt\r\nHost: x\r\n\r\n", 400),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_heads_a_lenient_parser_would_misread_are_refused(
    poster: StaticServer, name: str, head: bytes, status: int
) -> None:
    answer = raw(poster, head)
    assert status_of(answer) == status, answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in answer


def test_heads_within_the_rules_are_served(poster: StaticServer) -> None:
    hundred = b"".join(b"X-%d: v\r\n" % n for n in range(98)) + b"Connection: close\r\n\r\n"
    assert status_of(raw(poster, GOOD_HEAD + hundred)) == 200  # 100 fields in all
    same_twice = b"Content-Length: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    answer = raw(poster, POST_HEAD + same_twice)
    assert status_of(answer) == 200 and answer.endswith(b'{"got":5}\n')
    spaces = b"X-A:\t  v  \t\r\nConnection: close\n\n"  # OWS around the value, bare LFs
    assert status_of(raw(poster, GOOD_HEAD.replace(b"\r\n", b"\n") + spaces)) == 200
    # A head that arrives in pieces is read line by line: the same rules.
    for rest, status in ((b"Range: bytes=0-1\r\n", 206), (b"Range : bytes=0-1\r\n", 400)):
        with socket.create_connection(("127.0.0.1", poster.port), timeout=5) as sock:
            sock.sendall(GOOD_HEAD)
            time.sleep(0.05)
            sock.sendall(rest + b"Connection: close\r\n\r\n")
            assert status_of(sock.makefile("rb").read()) == status


def test_header_names_are_matched_whatever_their_case(server: StaticServer) -> None:
    for name in (b"range", b"RANGE", b"rAnGe"):
        answer = raw(server, b"GET /talk.m4a HTTP/1.1\r\n" + name + b":  bytes=0-9 \r\n\r\n")
        assert status_of(answer) == 206 and answer.endswith(AUDIO[:10])
    pairs = [("Host", "x"), ("X-A", "1"), ("x-a", "2")]
    for headers in (Headers(pairs), Headers.of(list(pairs))):
        check_headers(headers)


def check_headers(headers: Headers) -> None:
    assert headers.get("HOST") == headers["host"] == "x" and "hOsT" in headers
    assert headers.get("X-a") == "1" and headers.get_all("X-A") == ["1", "2"]
    assert headers.get("Range", "none") == "none" and headers["Range"] is None
    assert headers.get_all("Range") is None and "Range" not in headers and 1 not in headers
    assert headers.items() == [("Host", "x"), ("X-A", "1"), ("x-a", "2")]
    assert list(headers) == headers.keys() == ["Host", "X-A", "x-a"] and len(headers) == 3


@pytest.mark.parametrize("target", [b"//docs", b"///docs", b"//docs?q=1"])
def test_two_slashes_never_redirect_to_another_host(server: StaticServer, target: bytes) -> None:
    status, answer = raw_get(server, target)
    location = next(line for line in answer.split(b"\r\n") if line.startswith(b"Location:"))
    assert status == 301 and location.split(b": ", 1)[1].startswith(b"/docs/")
    for other in (b"//evil.example/x", b"//evil.example/docs", b"/\\evil.example"):
        status, answer = raw_get(server, other)
        assert status == 404 and b"Location" not in answer


def test_keep_alive_follows_the_version_and_the_connection_header(server: StaticServer) -> None:
    cases = [
        (b"HTTP/1.0", b"", False),
        (b"HTTP/1.0", b"Connection: Keep-Alive\r\n", True),
        (b"HTTP/1.1", b"", True),
        (b"HTTP/1.1", b"Connection: close\r\n", False),
        (b"HTTP/1.1", b"Connection: keep-alive, Close\r\n", False),
        (b"HTTP/1.0", b"Connection: keep-alive, close\r\n", False),
    ]
    for version, connection, kept in cases:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            reader = sock.makefile("rb")
            for _ in range(2 if kept else 1):
                sock.sendall(
                    b"GET /hello.txt " + version + b"\r\nHost: x\r\n" + connection + b"\r\n"
                )
                assert read_response(reader)[0::2] == (200, b"hello A"), (version, connection)
            # A kept connection waits for the next request; a closed one ends at once.
            sock.settimeout(0.5)
            if kept:
                with pytest.raises(TimeoutError):
                    reader.read(1)
            else:
                assert reader.read() == b"", (version, connection)


def test_expect_100_continue_only_once_the_body_is_wanted(poster: StaticServer) -> None:
    expect = b"Expect: 100-continue\r\n"
    with socket.create_connection(("127.0.0.1", poster.port), timeout=5) as sock:
        reader = sock.makefile("rb")
        sock.sendall(POST_HEAD + b"Content-Length: 5\r\n" + expect + b"\r\n")
        assert reader.readline() == b"HTTP/1.1 100 Continue\r\n" and reader.readline() == b"\r\n"
        sock.sendall(b"hello")
        assert read_response(reader)[0::2] == (200, b'{"got":5}\n')
        sock.sendall(POST_HEAD + b"Content-Length: 5000\r\n" + expect + b"\r\n")
        assert read_response(reader)[0] == 413  # a final answer, no 100 before it
    for refused in (b"GET /hello.txt HTTP/1.1\r\n", b"POST /hello.txt HTTP/1.1\r\n"):
        answer = raw(poster, refused + b"Host: x\r\nContent-Length: 2\r\n" + expect + b"\r\nhi")
        assert b" 100 " not in answer and status_of(answer) in (200, 405)
    http10 = b"POST /report HTTP/1.0\r\nContent-Length: 2\r\n" + expect + b"\r\nhi"
    answer = raw(poster, http10)  # an HTTP/1.0 client does not wait for one
    assert b" 100 " not in answer and answer.endswith(b'{"got":2}\n')


def test_the_date_header_is_the_current_second(
    server: StaticServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = _Handler.__new__(_Handler)  # its date_time_string needs no connection
    clock = iter([1000.2, 1000.9, 1001.0, 999.5])
    # Only the server module's clock (its threads still need monotonic).
    fake = SimpleNamespace(time=lambda: next(clock), monotonic=time.monotonic)
    monkeypatch.setattr(httpd, "time", fake)
    dates = [handler.date_time_string() for _ in range(4)]
    monkeypatch.undo()
    assert dates == [email.utils.formatdate(t, usegmt=True) for t in (1000, 1000, 1001, 999)]
    assert handler.date_time_string(86400.0) == "Fri, 02 Jan 1970 00:00:00 GMT"
    before = time.time()
    sent = email.utils.parsedate_to_datetime(request(server, "/hello.txt")[1]["Date"])
    assert int(before) <= sent.timestamp() <= time.time()


def test_small_files_on_a_kept_connection_are_not_held_back(server: StaticServer) -> None:
    """A file's head and body go out in two writes: with Nagle's algorithm on, the
    second waits for the client's delayed ACK (some 40 ms on Linux) on every request."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    began = time.monotonic()
    for _ in range(20):
        conn.request("GET", "/hello.txt")
        assert conn.getresponse().read() == b"hello A"
    conn.close()
    assert time.monotonic() - began < 0.4  # 20 x 40 ms = 0.8 s held back
