"""The static server's cost per request: its own request-head parser against the stdlib's.

    python bench/httpd.py [--requests 5000] [--rounds 3] [--connections 2]
    python bench/httpd.py --smoke          # seconds (CI)

Keep-alive POSTs to a `posts=` route that answers a tiny JSON body (what the kiosk
displays send all day), then GETs of a small file, each with the header fields
Chromium sends, from clients in a process of their own (so the server's process,
whose CPU time is measured, shares its interpreter with nobody). Three servers, in
the same run, their rounds interleaved:

* **stdlib head** (the baseline): `BaseHTTPRequestHandler.parse_request` (the `email`
  package's parser) and the stdlib's Date header, formatted for each response; the
  server as it was;
* **own head**: `httpd`'s `parse_head` and `Headers`, the stdlib's Date;
* **own head, Date a second**: the server as it is.

Also times the head parse alone, in-process (no socket), for the stdlib and ours, and
checks that both read the same fields. Prints a table and writes
bench/results/httpd.json (--smoke: bench/results/smoke/httpd.json).
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from immersion import httpd  # noqa: E402
from immersion.httpd import StaticServer  # noqa: E402

ROUTE = "/_room/heartbeat"
FILE = "/entrance/kiosk.css"
BODY = b'{"display":"display-01","build":"1b3e17569f2a","slide":"story:3","sent_at":"x"}'
ANSWER = b'{"ok":true}\n'
# What Chromium sends with a kiosk's fetch() and a stylesheet (Chromium 120, Linux).
COMMON = (
    b"Host: 127.0.0.1:8000\r\n"
    b"Connection: keep-alive\r\n"
    b'sec-ch-ua: "Chromium";v="120", "Not?A_Brand";v="8"\r\n'
    b"sec-ch-ua-mobile: ?0\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    b" Chrome/120.0.0.0 Safari/537.36\r\n"
    b'sec-ch-ua-platform: "Linux"\r\n'
    b"Sec-Fetch-Site: same-origin\r\n"
    b"Referer: http://127.0.0.1:8000/entrance/\r\n"
    b"Accept-Encoding: gzip, deflate, br\r\n"
    b"Accept-Language: en-GB,en;q=0.9\r\n"
)
POST = (
    b"POST " + ROUTE.encode() + b" HTTP/1.1\r\n" + COMMON
    + b"Content-Length: %d\r\nContent-Type: application/json\r\nAccept: */*\r\n"
    b"Origin: http://127.0.0.1:8000\r\nSec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n\r\n"
    % len(BODY)
    + BODY
)  # fmt: skip
GET = (
    b"GET " + FILE.encode() + b" HTTP/1.1\r\n" + COMMON
    + b"Accept: text/css,*/*;q=0.1\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: style\r\n\r\n"
)  # fmt: skip


class StdlibHead(httpd._Handler):
    """The server as it was: the stdlib's parse_request (and the three words it lacks)."""

    def parse_head(self) -> bool:
        if not http.server.BaseHTTPRequestHandler.parse_request(self):
            return False
        if len(self.requestline.split()) != 3:
            self.send_error(400)
            return False
        return True

    date_time_string = http.server.BaseHTTPRequestHandler.date_time_string  # type: ignore[assignment]


class OwnHead(httpd._Handler):
    date_time_string = http.server.BaseHTTPRequestHandler.date_time_string  # type: ignore[assignment]


SERVERS: dict[str, type[httpd._Handler]] = {
    "stdlib head": StdlibHead,
    "own head": OwnHead,
    "own head, Date a second": httpd._Handler,
}
BASELINE, NOW = "stdlib head", "own head, Date a second"


def answer(body: bytes, content_type: str, client: str) -> tuple[int, bytes, dict[str, str]]:
    return 200, ANSWER, {}


def read_response(reader: BinaryIO) -> int:
    status = int(reader.readline().split(b" ", 2)[1])
    length = 0
    while (line := reader.readline()) not in (b"\r\n", b""):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    reader.read(length)
    return status


def clients(port: int, kind: str, n: int, connections: int) -> dict[str, Any]:
    """`n` requests of one kind over `connections` keep-alive connections, one after
    the other on each (`--client`, in a process of its own)."""
    request = POST if kind == "post" else GET
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def one(count: int) -> None:
        counted: dict[int, int] = {}
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            reader = sock.makefile("rb")
            for _ in range(count):
                sock.sendall(request)
                status = read_response(reader)
                counted[status] = counted.get(status, 0) + 1
        with lock:
            for k, v in counted.items():
                statuses[k] = statuses.get(k, 0) + v

    shares = [n // connections + (i < n % connections) for i in range(connections)]
    threads = [threading.Thread(target=one, args=(share,)) for share in shares]
    began = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {"seconds": time.perf_counter() - began, "statuses": statuses}


def run_server(
    handler: type[httpd._Handler], site: Path, kind: str, n: int, connections: int
) -> dict[str, Any]:
    server = StaticServer(site, posts={ROUTE: answer})
    server._server.RequestHandlerClass = handler  # the one thing that differs
    with server:
        cpu = time.process_time()
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--client",
                str(server.port),
                kind,
                str(n),
                str(connections),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        cpu = time.process_time() - cpu
    got = json.loads(done.stdout)
    return {
        "requests": n,
        "client_seconds": got["seconds"],
        "server_cpu_seconds": cpu,
        "statuses": {int(k): v for k, v in got["statuses"].items()},
    }


class _Stub:
    def __init__(self) -> None:
        self.posts = {ROUTE: answer}


def parse_alone(n: int) -> dict[str, Any]:
    """The POST's head parsed `n` times in-process, by the stdlib and by parse_head."""
    line, _, rest = POST.partition(b"\r\n")
    head = rest[: -len(BODY)]

    def handler() -> Any:
        h = httpd._Handler.__new__(httpd._Handler)
        h.server = cast(Any, _Stub())
        h.raw_requestline = line + b"\r\n"
        h._head = httpd._HeadLimit(io.BufferedReader(io.BytesIO(head)), httpd.MAX_HEAD_BYTES)  # type: ignore[arg-type]
        h.rfile = cast(io.BufferedIOBase, h._head)
        return h

    times: dict[str, float] = {}
    fields: dict[str, list[tuple[str, str]]] = {}
    for name, parse in (
        ("stdlib", http.server.BaseHTTPRequestHandler.parse_request),
        ("own", httpd._Handler.parse_head),
    ):
        best = float("inf")
        for _ in range(5):  # the best of five: the least disturbed by the machine's others
            handlers = [handler() for _ in range(n)]
            began = time.perf_counter()
            for h in handlers:
                parse(h)
            best = min(best, (time.perf_counter() - began) / n)
        times[name] = best
        fields[name] = list(handlers[-1].headers.items())
    assert fields["stdlib"] == fields["own"], fields  # the same fields, names and values
    return {
        "stdlib_us": times["stdlib"] * 1e6,
        "own_us": times["own"] * 1e6,
        "fields": len(fields["own"]),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="of each kind, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--json", type=Path, help="default: bench/results/httpd.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI")
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests, args.rounds = 200, 1
    results = ROOT / "bench/results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "httpd.json"

    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"post": [], "get": []} for name in SERVERS
    }
    with tempfile.TemporaryDirectory(prefix="immersion-bench-httpd-") as tmp:
        site = Path(tmp)
        (site / "entrance").mkdir()
        (site / "entrance" / "kiosk.css").write_text("body{margin:0;background:#000}\n" * 20)
        for _ in range(args.rounds):
            for kind in ("post", "get"):
                for name, handler in SERVERS.items():
                    runs[name][kind].append(
                        run_server(handler, site, kind, args.requests, args.connections)
                    )
    alone = parse_alone(max(args.requests, 1000))

    def median(name: str, kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name][kind]) / args.requests * 1e6

    figures = {
        name: {
            kind: {
                "server_cpu_us": median(name, kind, "server_cpu_seconds"),
                "client_us": median(name, kind, "client_seconds"),
                "statuses": runs[name][kind][-1]["statuses"],
            }
            for kind in ("post", "get")
        }
        for name in SERVERS
    }
    load = os.getloadavg()
    report = {
        "requests": args.requests,
        "rounds": args.rounds,
        "connections": args.connections,
        "load_average": [round(x, 2) for x in load],
        "servers": figures,
        "runs": runs,
        "parse_alone": alone,
        "cpu_ratio": {
            kind: figures[BASELINE][kind]["server_cpu_us"] / figures[NOW][kind]["server_cpu_us"]
            for kind in ("post", "get")
        },
    }
    print(
        f"{args.requests} keep-alive POSTs and GETs a round, {args.rounds} round(s), "
        f"{args.connections} connection(s); medians, microseconds a request"
    )
    print(f"{'server':<26}{'POST cpu':>10}{'wall':>8}{'GET cpu':>10}{'wall':>8}{'x cpu':>12}")
    for name in SERVERS:
        post, get = figures[name]["post"], figures[name]["get"]
        ratio = "/".join(
            f"{figures[BASELINE][k]['server_cpu_us'] / figures[name][k]['server_cpu_us']:.2f}"
            for k in ("post", "get")
        )
        print(
            f"{name:<26}{post['server_cpu_us']:>10.1f}{post['client_us']:>8.1f}"
            f"{get['server_cpu_us']:>10.1f}{get['client_us']:>8.1f}{ratio:>12}"
        )
    print(
        f"head parse alone ({alone['fields']} fields): stdlib {alone['stdlib_us']:.1f} us, "
        f"own {alone['own_us']:.1f} us ({alone['stdlib_us'] / alone['own_us']:.1f}x); "
        f"statuses {figures[NOW]['post']['statuses']} {figures[NOW]['get']['statuses']}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:  # run_server's clients, in their own process
        port, kind, n, connections = sys.argv[2:6]
        print(json.dumps(clients(int(port), kind, int(n), int(connections))))
    else:
        main()
