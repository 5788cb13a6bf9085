"""The preview's HTTP server: the static server plus live reload and the error overlay.

`immersion.httpd.StaticServer` serves the preview site (Range requests, so a
transcript line seeks its recording; paths that climb out are refused). On top:

* every HTML page gets one `<script>` before `</body>`, the reload script,
  stamped with the generation of the site it was served from. Built sites never
  contain it: it is added on the way out, by this server only;
* `/.immersion/events` is a server-sent event stream of the preview's state
  (generation, whether the last batch built, the problems to show). A dot
  segment can never name a site file, so these paths cannot shadow one;
* `/.immersion/reload.js` is the script, `/.immersion/state` the state as JSON.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any

from ..httpd import StaticServer
from ..problems import Problem, Severity

RELOAD_JS = Path(__file__).resolve().parent.parent / "theme" / "preview" / "reload.js"
EVENTS = "/.immersion/events"
SCRIPT = "/.immersion/reload.js"
STATE = "/.immersion/state"
KEEPALIVE_SECONDS = 15.0
SHOWN = 50  # problems listed in the overlay; the terminal has them all


def problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "message": problem.message,
        "hint": problem.hint,
        "severity": problem.severity.value,
    }


class State:
    """What the browser needs to know, and a way to wait until it changes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.version = 0  # bumped on every publish, so waiters wake
        self.generation = 0
        self.built = True
        self.problems: list[dict[str, Any]] = []
        self.closed = False

    def publish(self, generation: int, built: bool, problems: list[Problem]) -> None:
        shown = [p for p in problems if p.severity is not Severity.NOTE]
        shown.sort(key=lambda p: (not p.is_error, p.path, p.line or 0))
        with self._cond:
            self.version += 1
            self.generation = generation
            self.built = built
            self.problems = [problem_json(p) for p in shown[:SHOWN]]
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def snapshot(self) -> tuple[int, bytes]:
        with self._cond:
            data = {
                "generation": self.generation,
                "built": self.built,
                "problems": self.problems,
            }
            return self.version, json.dumps(data).encode()

    def wait(self, version: int, timeout: float) -> bool:
        """Wait until the state moves past `version`; False on timeout or close."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != version or self.closed, timeout)
            return self.version != version and not self.closed


class PreviewServer:
    def __init__(self, site: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = State()
        self.script = RELOAD_JS.read_bytes()
        self.http = StaticServer(
            site,
            host,
            port,
            inject=self._inject,
            headers=self._headers,
            routes={EVENTS: self._events, SCRIPT: self._script, STATE: self._state},
        )
        self.url = self.http.url

    def start(self) -> None:
        self.http.start()

    def stop(self) -> None:
        self.state.close()
        self.http.stop()

    # -- hooks --------------------------------------------------------------------

    def _headers(self, url_path: str) -> dict[str, str]:
        # Revalidate everything (ETags make that cheap): a preview must never show a
        # photo or a stylesheet from before the last save.
        return {"Cache-Control": "no-cache"}

    def _inject(self, url_path: str, body: bytes) -> bytes:
        generation = self.state.generation
        tag = f'<script src="{SCRIPT}" data-generation="{generation}"></script>'.encode()
        at = body.rfind(b"</body>")
        if at < 0:
            return body + tag
        return body[:at] + tag + body[at:]

    # -- routes -------------------------------------------------------------------

    def _script(self, handler: http.server.BaseHTTPRequestHandler, query: str) -> None:
        _send(handler, 200, "text/javascript; charset=utf-8", self.script)

    def _state(self, handler: http.server.BaseHTTPRequestHandler, query: str) -> None:
        _send(handler, 200, "application/json", self.state.snapshot()[1])

    def _events(self, handler: http.server.BaseHTTPRequestHandler, query: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        if handler.command == "HEAD":
            return
        version, data = self.state.snapshot()
        handler.wfile.write(b"retry: 500\nevent: state\ndata: " + data + b"\n\n")
        handler.wfile.flush()
        while not self.state.closed:
            if self.state.wait(version, KEEPALIVE_SECONDS):
                version, data = self.state.snapshot()
                handler.wfile.write(b"event: state\ndata: " + data + b"\n\n")
            else:
                handler.wfile.write(b": keep-alive\n\n")  # finds closed tabs
            handler.wfile.flush()


def _send(
    handler: http.server.BaseHTTPRequestHandler, code: int, content_type: str, body: bytes
) -> None:
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
