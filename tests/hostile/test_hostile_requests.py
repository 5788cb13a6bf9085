"""Hostile requests to the static server behind `immersion kiosk` and the preview.

Traversal in every encoded form the server could be fooled by, symlinks inside the
root that point out, NUL bytes, huge request lines and heads, random request targets,
slow-drip ("slowloris") clients and thousands of simultaneous connections from one
client. Whatever arrives, nothing outside the root is ever served, the answer is a
quick 4xx, and a normal request is still answered within a bounded time.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immersion.httpd import MAX_CONNECTIONS, StaticServer

SECRET = b"SECRET-outside-the-root-4411"
GOOD = b"<html><body>the kiosk</body></html>"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/ with the site behind a symlink, and secrets at every level around it."""
    base = tmp_path_factory.mktemp("served")
    site = base / ".sites" / "kiosk-1"
    (site / "media").mkdir(parents=True)
    (site / "index.html").write_bytes(GOOD)
    (site / "media" / "a.txt").write_bytes(b"inside")
    for secret in (base / "secret.txt", base / ".sites" / "secret.txt", site / ".secret"):
        secret.write_bytes(SECRET)
    (base.parent / "secret.txt").write_bytes(SECRET)
    (site / "media" / "link-out").symlink_to(base / "secret.txt")
    (site / "media" / "dir-out").symlink_to(base)
    (site / "media" / "abs-out").symlink_to("/etc")
    (site / "media" / "up").symlink_to("../..")
    (site / "media" / "to-hidden").symlink_to("../.secret")
    (base / "kiosk").symlink_to(".sites/kiosk-1")
    return base


@pytest.fixture(scope="module")
def server(base: Path) -> Iterator[StaticServer]:
    with StaticServer(base / "kiosk", timeout=2.0) as srv:
        yield srv


def raw(srv: StaticServer, data: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes, then read everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it may have answered and closed before taking everything
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:80]
    return int(answer.split(b" ", 2)[1])


def get(srv: StaticServer, target: bytes) -> bytes:
    return raw(srv, b"GET " + target + b" HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n")


def normal_request(srv: StaticServer, timeout: float = 5) -> tuple[int, bytes, float]:
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        return response.status, response.read(), time.monotonic() - began
    finally:
        conn.close()


# -- traversal in every encoded form ---------------------------------------------------

DOTS = [b"..", b"%2e%2e", b"%2E%2E", b".%2e", b"%2e.", b"%252e%252e", b"%c0%ae%c0%ae",
        b"%e0%80%ae%e0%80%ae", b"%ef%bc%8e%ef%bc%8e", b"..%00", b"...", b"..;",
        b"%u002e%u002e"]  # fmt: skip
SEPARATORS = [b"/", b"%2f", b"%2F", b"\\", b"%5c", b"%255c", b"//", b"/./", b"%c0%af", b"\x00"]
TARGETS = [b"secret.txt", b"etc/passwd", b".secret", b".sites/secret.txt"]


def traversals() -> list[bytes]:
    found = []
    for dots, sep, depth, target, prefix in itertools.product(
        DOTS, SEPARATORS, (1, 2, 3), TARGETS, (b"/", b"/media/")
    ):
        found.append(prefix + (dots + sep) * depth + target)
    return found


OTHER_FORMS = [
    b"/media/link-out",
    b"/media/dir-out/secret.txt",
    b"/media/dir-out/.sites/secret.txt",
    b"/media/abs-out/passwd",
    b"/media/up/secret.txt",
    b"/media/up/.sites/secret.txt",
    b"/media/to-hidden",
    b"/.secret",
    b"/%2esecret",
    b"//etc/passwd",
    b"/%2fetc/passwd",
    b"/etc/passwd",
    b"http://k/../secret.txt",
    b"http://k/%2e%2e/secret.txt",
    b"secret.txt",
    b"*",
    b"../secret.txt",
    b"/index.html%00.txt",
    b"/%00",
    b"/media%00/a.txt",
    b"/media/a.txt%2500",
    b"/C:/Windows/win.ini",
    b"/media/..%2f..%2f..%2fsecret.txt",
    b"/%2e%2e%2f%2e%2e%2fsecret.txt",
    b"/.%2e/.%2e/secret.txt",
    b"/media/%2e%2e/%2e%2e/secret.txt",
]


def test_the_corpus_of_traversals_is_large(server: StaticServer) -> None:
    assert len(traversals()) + len(OTHER_FORMS) > 3000


def test_no_traversal_ever_serves_a_file_outside_the_root(server: StaticServer) -> None:
    leaks, statuses = [], set()
    for target in traversals() + OTHER_FORMS:
        answer = get(server, target)
        if SECRET in answer or b"root:" in answer or b"[fonts]" in answer:
            leaks.append(target)
        if answer:
            statuses.add(status_of(answer))
    assert leaks == []
    assert statuses <= {400, 404}, statuses
    assert normal_request(server)[:2] == (200, GOOD)  # and it still serves the site


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.binary(min_size=1, max_size=200))
def test_any_request_target_is_served_from_inside_or_refused(
    server: StaticServer, target: bytes
) -> None:
    answer = get(server, target.replace(b"\r", b"").replace(b"\n", b""))
    assert SECRET not in answer
    if answer:
        assert status_of(answer) < 500


# -- huge and slow requests ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "status"),
    [
        ("100 KB request line", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n", 414),
        ("10 MB request line", b"GET /" + b"a" * 10_000_000 + b" HTTP/1.1\r\n\r\n", 414),
        ("100 KB header line", b"GET / HTTP/1.1\r\nX-A: " + b"a" * 100_000 + b"\r\n\r\n", 431),
        ("10,000 headers", b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 10_000 + b"\r\n", 431),
        (
            "90 headers of 4 KB (each within limits, 360 KB in all)",
            b"GET / HTTP/1.1\r\n"
            + b"".join(b"X-%d: " % n + b"a" * 4000 + b"\r\n" for n in range(90))
            + b"\r\n",
            431,
        ),
        ("a NUL in the method", b"G\x00T / HTTP/1.1\r\n\r\n", 405),
        ("no version", b"GET /\r\n\r\n", 400),
        ("binary garbage", bytes(range(256)) * 40 + b"\r\n\r\n", 400),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_huge_or_malformed_heads_get_a_quick_4xx(
    server: StaticServer, name: str, head: bytes, status: int
) -> None:
    began = time.monotonic()
    answer = raw(server, head)
    assert status_of(answer) == status, answer[:200]
    assert time.monotonic() - began < 5
    assert normal_request(server)[0] == 200


def test_a_slow_drip_client_is_cut_off(server: StaticServer) -> None:
    """Slowloris: a header byte every 0.2 s never trips a per-read timeout, so the server
    needs a deadline for the whole head (here, its 2 s idle timeout)."""
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: k\r\n")
        closed = False
        for n in range(60):  # up to 12 s of dripping
            try:
                sock.sendall(b"X-%d: 1\r\n" % n)
            except OSError:
                closed = True
                break
            sock.settimeout(0.2)
            try:
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
    assert closed
    assert time.monotonic() - began < 6


def test_thousands_of_connections_do_not_starve_a_normal_request(base: Path) -> None:
    """2,000 sockets from one client: idle ones, half-sent heads and slow drips, held for
    a few seconds. Normal requests are answered throughout, threads stay bounded, and
    the server is itself again once they go."""
    with StaticServer(base / "kiosk", timeout=3.0) as srv:
        threads_before = threading.active_count()
        sockets: list[socket.socket] = []
        latencies: list[float] = []
        try:
            for n in range(2000):
                try:
                    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                except OSError:
                    continue  # the backlog is full for a moment: fine, that is the attack
                sock.setblocking(False)
                if n % 3 == 1:
                    sock.send(b"GET / HTTP/1.1\r\nHost: k\r\n")  # never finished
                elif n % 3 == 2:
                    sock.send(b"GE")
                sockets.append(sock)
                if n % 250 == 0:
                    status, body, seconds = normal_request(srv)
                    assert (status, body) == (200, GOOD)
                    latencies.append(seconds)
            peak_threads = threading.active_count() - threads_before
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:  # the flood stays; the kiosk keeps loading
                for sock in sockets[2::97]:
                    with contextlib.suppress(OSError):
                        sock.send(b"X")  # a drip
                status, body, seconds = normal_request(srv)
                assert (status, body) == (200, GOOD)
                latencies.append(seconds)
        finally:
            for sock in sockets:
                sock.close()
        assert len(sockets) > 1500
        assert max(latencies) < 2.0, latencies
        assert peak_threads <= MAX_CONNECTIONS + 8, peak_threads
        assert normal_request(srv)[:2] == (200, GOOD)
