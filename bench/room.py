"""The room database's intake: 20 displays at their real rate for a simulated week.

    python bench/room.py [--displays 20] [--days 7]
    python bench/room.py --smoke           # seconds: 3 displays, 2 hours (CI)

Each display does what kiosk.js does: a heartbeat a minute, day and night, and, while
the room is open (08:00-19:00), a slide every 6-40 s, now and then a visitor's tap
(an item page, half the time a recording) and an idle reset, sent as one batch a
minute that carries the minute's heartbeat (alone when there is nothing to send). A
display goes offline for an hour once a day and sends what it kept in batches of 500
when it is back. The simulated clock drives the server's clock and its
rate limiter, so the limiter sees the real rate (and must refuse nothing).

* **endpoints**: every request through the kiosk server's own routes
  (`RoomEndpoints`: JSON parsing, strict checks, rate limit, the database's group commit)
  into a fresh SQLite room database, in-process (what the issue's goal times);
* **http**: the same requests over the real server (`StaticServer` with the routes,
  keep-alive, one connection a display), to show what the socket adds (`--http-share`:
  only the first part of the span, and an estimate for all);
* **raw**: the baseline, the same rows written by plain `executemany` in one
  transaction, without checks or requests.

Prints a table and writes bench/results/room.json (--smoke:
bench/results/smoke/room.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import pickle
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from immersion.httpd import StaticServer  # noqa: E402
from immersion.room import database, schema  # noqa: E402
from immersion.room.endpoints import EVENTS, HEARTBEAT, RateLimit, RoomEndpoints  # noqa: E402

START = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # a Monday
OPEN, CLOSE = 8 * 60, 19 * 60  # minutes of the day the room is open
ITEMS = [f"{k}:{i}" for k in ("persona", "story", "journey", "insight") for i in range(6)]
Request = tuple[float, str, str, bytes]  # simulated seconds, client, path, body


def iso(seconds: float) -> str:
    return database.iso(START + dt.timedelta(seconds=seconds))


class Display:
    """One display's reports, minute by minute, as kiosk.js would send them."""

    def __init__(self, n: int, seed: int) -> None:
        self.id = f"display-{n:02d}"
        self.client = f"127.0.0.{n + 1}"
        self.rng = random.Random(seed * 1000 + n)
        self.next_slide = 0.0
        self.kept: list[dict[str, Any]] = []
        self.offline_hour = self.rng.randrange(OPEN // 60, CLOSE // 60)
        self.seq = 0

    def event(self, kind: str, at: float, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        return {
            "id": f"{self.id}-{self.seq:09d}",
            "kind": kind,
            "started_at": iso(at),
            "valid_until": "2031-04-28T00:00:00+01:00",
            "build": "1b3e17569f2a",
            **fields,
        }

    def minute(self, m: int) -> Iterator[Request]:
        t = m * 60.0
        of_day = m % 1440
        if OPEN <= of_day < CLOSE:
            self.next_slide = max(self.next_slide, t)
            while self.next_slide < t + 60:
                seconds = self.rng.choice((6, 9, 12.5, 20, 27, 40))
                item = self.rng.choice(ITEMS)
                self.kept.append(self.event("slide", self.next_slide, item=item, seconds=seconds))
                self.next_slide += seconds
            if self.rng.random() < 0.08:  # a visitor taps a slide
                item = self.rng.choice(ITEMS)
                self.kept.append(self.event("open", t + 5, item=item, seconds=45.0))
                if self.rng.random() < 0.5:
                    self.kept.append(
                        self.event(
                            "listen",
                            t + 10,
                            item=item,
                            media="/media/x.opus",
                            seconds=30.0,
                            completed=self.rng.random() < 0.4,
                        )
                    )
                self.kept.append(self.event("idle", t + 140))
        if of_day // 60 == self.offline_hour:
            return  # offline: nothing is sent, everything is kept
        beat = {
            "display": self.id,
            "build": "1b3e17569f2a",
            "slide": self.rng.choice(ITEMS),
            "last_error": None,
            "offline_capable": True,
            "screen": "1920x1080",
            "sent_at": iso(t),
        }
        if not self.kept:
            yield t, self.client, HEARTBEAT, json.dumps(beat).encode()
        carried: dict[str, Any] = {"heartbeat": beat}  # the minute's, with its first batch
        while self.kept:
            batch, self.kept = self.kept[:500], self.kept[500:]
            body = json.dumps({"display": self.id, "events": batch, **carried}).encode()
            carried = {}
            yield t + 0.5, self.client, EVENTS, body


def traffic(displays: int, days: float, seed: int = 7) -> list[Request]:
    """Every request of the simulated span, in time order."""
    room = [Display(n, seed) for n in range(displays)]
    found: list[Request] = []
    for m in range(int(days * 1440)):
        for d in room:
            found.extend(d.minute(m))
    return found


class SimClock:
    def __init__(self) -> None:
        self.t = 0.0

    def seconds(self) -> float:
        return self.t

    def iso(self) -> str:
        return iso(self.t)


def endpoints(path: Path, ids: list[str], clock: SimClock) -> RoomEndpoints:
    errors: list[str] = []
    return RoomEndpoints(
        lambda: database.connect(path),
        lambda: ids,
        errors.append,
        RateLimit(clock=clock.seconds),
        now=clock.iso,
    )


def finished(
    room: RoomEndpoints, path: Path, began: float, cpu: float, statuses: dict[int, int]
) -> dict[str, Any]:
    """A run's times (from `began`, `cpu`), its answers and the events it stored."""
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    room.close()
    with database.connect(path) as db:
        stored = db.count_events()
        beats = sum(row.beats for row in db.displays().values())
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "statuses": statuses,
        "events_stored": stored,
        "heartbeats_stored": beats,
    }


def run_endpoints(requests: list[Request], ids: list[str], folder: Path) -> dict[str, Any]:
    clock = SimClock()
    room = endpoints(folder / "endpoints.sqlite", ids, clock)
    routes = room.routes()
    statuses: dict[int, int] = {}
    began, cpu = time.perf_counter(), time.process_time()
    for t, client, path, body in requests:
        clock.t = t
        status = routes[path](body, "application/json", client)[0]
        statuses[status] = statuses.get(status, 0) + 1
    return finished(room, folder / "endpoints.sqlite", began, cpu, statuses)


class ThreadClock(SimClock):
    """Each display's thread at its own simulated time (they move in step, a minute at a
    time), as the server sees the displays' requests arrive."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property  # type: ignore[override]
    def t(self) -> float:
        return float(getattr(self._local, "t", 0.0))

    @t.setter
    def t(self, value: float) -> None:
        self._local.t = value


Route = Any  # (body, content type, client) -> (status, body, headers)


def all_at_once(work: Any, shares: list[Any]) -> None:
    """`work(share)` for each share, each on a thread of its own; back when all are."""
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def in_step(
    requests: list[Request], routes: dict[str, Route], clock: ThreadClock
) -> dict[int, int]:
    """The displays at once, as in the room: a thread each, sending its requests of a
    simulated minute one after the other, all displays in step from minute to minute."""
    minutes = int(max(r[0] for r in requests) // 60) + 1
    by_client: dict[str, list[list[Request]]] = {}
    for r in requests:
        if r[1] not in by_client:
            by_client[r[1]] = [[] for _ in range(minutes)]
        by_client[r[1]][int(r[0] // 60)].append(r)
    step = threading.Barrier(len(by_client))
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def display(mine: list[list[Request]]) -> None:
        counted: dict[int, int] = {}
        for minute in mine:
            for t, client, path, body in minute:
                clock.t = t
                status = routes[path](body, "application/json", client)[0]
                counted[status] = counted.get(status, 0) + 1
            step.wait()
        with lock:
            for k, v in counted.items():
                statuses[k] = statuses.get(k, 0) + v

    all_at_once(display, list(by_client.values()))
    return statuses


def run_together(requests: list[Request], ids: list[str], folder: Path) -> dict[str, Any]:
    """`in_step` through the endpoints: batches that arrive during another's turn (its
    transaction and WAL sync) are written together in the next."""
    clock = ThreadClock()
    room = endpoints(folder / "together.sqlite", ids, clock)
    began, cpu = time.perf_counter(), time.process_time()
    statuses = in_step(requests, room.routes(), clock)
    return finished(room, folder / "together.sqlite", began, cpu, statuses)


def run_harness(requests: list[Request]) -> dict[str, Any]:
    """`in_step` with routes that do nothing: what the threads, the barrier a simulated
    minute and the clock cost on their own (in `run_together`'s time, not the server's)."""

    def nothing(body: bytes, content_type: str, client: str) -> tuple[int, bytes, dict[str, str]]:
        return 200, b"", {}

    began, cpu = time.perf_counter(), time.process_time()
    statuses = in_step(requests, {HEARTBEAT: nothing, EVENTS: nothing}, ThreadClock())
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "statuses": statuses}


def http_clients(port: int, requests: Path) -> dict[int, int]:
    """The displays, in a process of their own (`--clients`): one keep-alive connection
    a display, each sending its requests one after the other, as kiosk.js does."""
    by_client: list[list[Request]] = pickle.loads(requests.read_bytes())
    counted: dict[int, int] = {}
    lock = threading.Lock()

    def client(mine: list[Request]) -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _t, _client, path, body in mine:
            c.request("POST", path, body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            with lock:
                counted[r.status] = counted.get(r.status, 0) + 1
        c.close()

    all_at_once(client, by_client)
    return counted


def run_http(requests: list[Request], ids: list[str], folder: Path) -> dict[str, Any]:
    """The requests over the real server. The clients run in a process of their own, so
    the server's process (its CPU time is measured) shares its interpreter with nobody:
    on a machine of two cores, one is the server's."""
    clock = SimClock()
    room = endpoints(folder / "http.sqlite", ids, clock)
    # Every display of this one test server comes from 127.0.0.1, while a room runs one
    # kiosk server a display: the per-client limit is not what this part measures.
    room.limit = RateLimit(burst=1e9, clock=clock.seconds)
    site = folder / "site"
    site.mkdir(exist_ok=True)
    by_client: dict[str, list[Request]] = {}
    for r in requests:
        by_client.setdefault(r[1], []).append(r)
    sent = folder / "requests.pickle"
    sent.write_bytes(pickle.dumps(list(by_client.values())))
    with StaticServer(site, posts=room.routes()) as server:
        began, cpu = time.perf_counter(), time.process_time()
        done = subprocess.run(
            [sys.executable, __file__, "--clients", str(server.port), str(sent)],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    room.close()
    counted = {int(k): v for k, v in json.loads(done.stdout).items()}
    return {"seconds": seconds, "cpu_seconds": cpu, "statuses": counted, "requests": len(requests)}


def run_raw(requests: list[Request], folder: Path) -> dict[str, Any]:
    """The baseline: the same rows, plain executemany, one transaction each table."""
    beats, events = [], []
    for t, _client, path, body in requests:
        data = json.loads(body)
        beat = data if path == HEARTBEAT else data.get("heartbeat")
        if beat is not None:
            beats.append((beat["display"], iso(t), beat["sent_at"], beat["build"], beat["slide"]))
        if path == EVENTS:
            for e in data["events"]:
                events.append(
                    (
                        e["id"],
                        data["display"],
                        e["kind"],
                        e.get("item"),
                        e.get("media"),
                        e["started_at"],
                        e.get("seconds"),
                        e.get("completed"),
                        e.get("count"),
                        e.get("valid_until"),
                        e.get("build"),
                        iso(t),
                    )
                )
    db = sqlite3.connect(folder / "raw.sqlite")
    db.execute("PRAGMA journal_mode = WAL")
    for statement in schema.STATEMENTS:
        db.execute(statement)
    began, cpu = time.perf_counter(), time.process_time()
    db.executemany(
        "INSERT INTO displays (display, received_at, sent_at, build, slide) VALUES (?,?,?,?,?)"
        " ON CONFLICT (display) DO UPDATE SET received_at = excluded.received_at,"
        " beats = displays.beats + 1",
        beats,
    )
    db.executemany(
        "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING", events
    )
    db.commit()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "events": len(events)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--displays", type=int, default=20)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument(
        "--http-share", type=float, default=1.0, help="of the requests, from the first on"
    )
    parser.add_argument("--json", type=Path, help="default: bench/results/room.json")
    parser.add_argument("--smoke", action="store_true", help="seconds, for CI")
    parser.add_argument(
        "--events-synchronous",
        choices=("FULL", "NORMAL"),
        default=database.EVENTS_SYNCHRONOUS,
        help="SQLite's sync of a batch of events (the server's: FULL, on disk before its 200)",
    )
    args = parser.parse_args(argv)
    database.EVENTS_SYNCHRONOUS = args.events_synchronous
    if args.smoke:
        args.displays, args.days, args.http_share = 3, 2 / 24 + 8 / 24, 1.0  # into open hours
    results = ROOT / "bench/results" / ("smoke" if args.smoke else "")
    args.json = args.json or results / "room.json"

    requests = traffic(args.displays, args.days)
    ids = [f"display-{n:02d}" for n in range(args.displays)]
    events = sum(len(json.loads(b)["events"]) for _t, _c, p, b in requests if p == EVENTS)
    alone = sum(1 for r in requests if r[2] == HEARTBEAT)
    carried = sum(1 for r in requests if r[2] == EVENTS and b'"heartbeat"' in r[3])
    sample = requests[: max(1, int(len(requests) * args.http_share))]
    with tempfile.TemporaryDirectory(prefix="immersion-bench-room-") as tmp:
        folder = Path(tmp)
        together = run_together(requests, ids, folder)
        harness = run_harness(requests)
        through = run_endpoints(requests, ids, folder)
        over_http = run_http(sample, ids, folder)
        raw = run_raw(requests, folder)
    per_request_http = over_http["seconds"] / len(sample)
    load = os.getloadavg()
    report = {
        "displays": args.displays,
        "days": args.days,
        "load_average": [round(x, 2) for x in load],
        "synchronous": {"events": args.events_synchronous, "heartbeats": "NORMAL"},
        "requests": len(requests),
        "events": events,
        "heartbeats": {"alone": alone, "carried": carried},
        "endpoints_together": together,
        "harness_together": harness,
        "endpoints": through,
        "http_sample": over_http,
        "http_week_estimate_seconds": per_request_http * len(requests),
        "raw": raw,
    }
    rows = [
        (
            "endpoints, displays at once",
            len(requests),
            together["seconds"],
            together["cpu_seconds"],
        ),
        (
            "  of which the harness",
            len(requests),
            harness["seconds"],
            harness["cpu_seconds"],
        ),
        ("endpoints, one at a time", len(requests), through["seconds"], through["cpu_seconds"]),
        (
            f"http ({len(sample)} requests)",
            len(sample),
            over_http["seconds"],
            over_http["cpu_seconds"],
        ),
        ("raw executemany (baseline)", events, raw["seconds"], raw["cpu_seconds"]),
    ]
    if len(sample) < len(requests):
        estimate = ("http, estimated for all", len(requests), report["http_week_estimate_seconds"])
        rows.insert(-1, (*estimate, None))
    print(
        f"{args.displays} displays, {args.days:g} simulated days: "
        f"{len(requests)} requests, {events} events, {alone + carried} heartbeats "
        f"({carried} carried by a batch); a batch of events synced "
        f"{args.events_synchronous}"
    )
    print(f"{'path':<30}{'items':>10}{'seconds':>10}{'cpu s':>8}{'per second':>12}{'x raw':>8}")
    for name, n, s, c in rows:
        shown = "-" if c is None else f"{c:.2f}"
        ratio = s / raw["seconds"] if raw["seconds"] and n == len(requests) else None
        times = "-" if ratio is None else f"{ratio:.1f}"
        print(f"{name:<30}{n:>10}{s:>10.2f}{shown:>8}{n / s if s else 0:>12.0f}{times:>8}")
    print(
        f"statuses: endpoints {through['statuses']}, at once {together['statuses']}, "
        f"http {over_http['statuses']}; events stored {through['events_stored']} "
        f"(at once {together['events_stored']}) of {events}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    if sys.argv[1:2] == ["--clients"]:  # run_http's displays, in their own process
        print(json.dumps(http_clients(int(sys.argv[2]), Path(sys.argv[3]))))
    else:
        main()
