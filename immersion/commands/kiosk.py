"""`immersion kiosk DISPLAY`: serve the kiosk build for one display, and start Chromium.

The server is `immersion.httpd.StaticServer` on `build/kiosk/` (Range requests, so
recordings seek; the published link is resolved per request, so a new build is
served as soon as it is published). `sw.js`, `precache.json` and pages are sent
with `Cache-Control: no-cache`, so a display learns of a new build at once.

The Chromium command is built from what was built: the display's `ik-config`
in its entry page (audio, resolution), not from a room.yml edited since.
The displays report to the same server (`POST /_room/heartbeat`, `/_room/events`,
`immersion.room.endpoints`), which stores what they send in the room database
(`build/.room/room.sqlite`, or `--database postgresql://...`).
The port is stable per display (8700 + its place in room.yml): the service
worker's caches belong to the origin, port included, so a display that moved
to another port would start again with empty caches.

`--launch` hands Chromium to `immersion.launcher.supervisor.Supervisor`, which starts
it again when it exits and reloads a crashed tab or a page that does not show, while
the server keeps serving; what it did is in a `LauncherState`, served at
`/_room/launcher` (JSON) for the display's heartbeat. It refuses to run as root:
Chromium's sandbox does not run as root, and a kiosk should not either.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shlex
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..httpd import StaticServer
from ..launcher.state import LauncherState
from ..launcher.supervisor import Supervisor
from ..launcher.watchdog import Limits
from ..problems import EXIT_OK, BuildError, suggest
from ..project import Project
from ..room import database
from ..room.endpoints import MAX_BODY, KnownDisplays, RoomEndpoints
from ..yamlio import ContentError, parse_yaml, read_text

BASE_PORT = 8700
BUILD_HINT = "build the kiosk first: immersion build --audience kiosk"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--kiosk",
    "{app}",
    "{profile}",
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--check-for-update-interval=31536000",
    "--disable-features=Translate",
    "--no-first-run",
    # Without a window manager (a bare X session, the usual kiosk) Chromium opens its
    # window at +10+10: a strip of desktop on the top and left, the page's edge cut off.
    "--window-position=0,0",
)
NO_CACHE = ("sw.js", "precache.json")
# Extra Chromium flags, appended to the command (shell words). For the tests (which run
# as root in a container: `--headless --no-sandbox`) and for troubleshooting a machine
# (`--ozone-platform=wayland`); a production display needs none.
EXTRA_FLAGS_ENV = "IMMERSION_KIOSK_CHROMIUM_FLAGS"
# The launcher watches the tab through a pipe: a DevTools port would let any local
# process drive the display's browser.
_PORT_FLAGS = ("--remote-debugging-port", "--remote-debugging-address")
LAUNCHER_PATH = "/_room/launcher"  # the launcher's counts, as JSON, for the heartbeat
_CONFIG = re.compile(r'<script[^>]*\bid="ik-config"[^>]*>(.*?)</script>', re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """The display to run, as it was built."""

    display: str
    site: Path  # build/kiosk (the published link)
    config: dict[str, Any]  # the entry page's ik-config
    port: int  # the display's own port


def room_displays(project: Project) -> list[str]:
    """Display ids in room.yml order; empty when room.yml cannot be read.

    Read leniently, not through the loader: a mistake elsewhere in room.yml must not
    move a display to another port (its caches and service worker live per origin).
    """
    path = project.room_yml
    shown = project.shown(path)
    try:
        data = parse_yaml(read_text(path, shown), shown)
    except (ContentError, OSError):
        return []
    displays = data.get("displays") if isinstance(data, dict) else None
    if not isinstance(displays, list):
        return []
    return [str(d["id"]) for d in displays if isinstance(d, dict) and d.get("id")]


def built_displays(site: Path) -> list[str]:
    if not site.is_dir():
        return []
    return sorted(p.parent.name for p in site.glob("*/index.html") if p.parent.name != "assets")


def default_port(display: str, in_room: Sequence[str], built: Sequence[str]) -> int:
    """8700 + the display's place in room.yml (after them, for one only in the build)."""
    if display in in_room:
        return BASE_PORT + list(in_room).index(display)
    extra = [d for d in built if d not in in_room]
    return BASE_PORT + len(in_room) + (extra.index(display) if display in extra else 0)


def entry_config(page: Path) -> dict[str, Any]:
    """The `ik-config` of a built entry page ({} when it has none)."""
    try:
        match = _CONFIG.search(page.read_text(encoding="utf-8", errors="replace"))
        config = json.loads(match.group(1)) if match else {}
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def locate(project: Project, display: str, port: int | None, need_build: bool = True) -> Target:
    """The display to serve, or a BuildError naming what is wrong and the fix."""
    site = project.site("kiosk")
    in_room = room_displays(project)
    built = built_displays(site)
    known = in_room + [d for d in built if d not in in_room]
    if display not in known:
        if not known and not site.is_dir():
            raise BuildError(f"there is no kiosk build to serve here; {BUILD_HINT}")
        raise BuildError(f"unknown display '{display}' ({suggest(display, known)})")
    entry = site / display / "index.html"
    if need_build and not entry.is_file():
        raise BuildError(f"display '{display}' has not been built yet; {BUILD_HINT}")
    chosen = default_port(display, in_room, built) if port is None else port
    return Target(display, site, entry_config(entry), chosen)


def profile_dir(display: str) -> Path:
    """The display's own Chromium profile: its caches and service worker live there."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "immersion" / "kiosk-profiles" / display


def app_url(host: str, port: int, display: str) -> str:
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{display}/"


def extra_flags(env: Mapping[str, str] | None = None) -> list[str]:
    """The flags of IMMERSION_KIOSK_CHROMIUM_FLAGS; a BuildError for one that opens a port."""
    value = (os.environ if env is None else env).get(EXTRA_FLAGS_ENV, "")
    try:
        flags = shlex.split(value)
    except ValueError as exc:
        raise BuildError(f"{EXTRA_FLAGS_ENV}: {exc}; write the flags as shell words") from None
    for flag in flags:
        if flag.split("=", 1)[0] in _PORT_FLAGS:
            raise BuildError(
                f"{EXTRA_FLAGS_ENV}: {flag.split('=', 1)[0]} would open a DevTools port; "
                "remove it (the launcher watches the display through a pipe)"
            )
    return flags


def running_as_root() -> bool:
    return os.geteuid() == 0


def root_refusal(display: str) -> str:
    """The one line for `--launch` as root: how to run the display as a kiosk user."""
    return (
        "will not launch Chromium as root (its sandbox does not run as root, and a display "
        "should not); run it as a kiosk user: a dedicated account that logs in to the "
        f"display's session, with `immersion kiosk {display} --print-unit` installed as "
        "that account's systemd user unit (docs/kiosk.md)"
    )


def chromium_args(
    executable: str,
    url: str,
    display: str,
    config: dict[str, Any],
    extra: Sequence[str] = (),
) -> list[str]:
    """The Chromium command line for a display: kiosk mode, its own profile, no nags."""
    args = [executable]
    for flag in CHROMIUM_FLAGS:
        if flag == "{app}":
            args.append(f"--app={url}")
        elif flag == "{profile}":
            args.append(f"--user-data-dir={profile_dir(display)}")
        else:
            args.append(flag)
    if config.get("audio") is True:
        args.append("--autoplay-policy=no-user-gesture-required")
    size = config.get("resolution")
    if (
        isinstance(size, list)
        and len(size) == 2
        and all(isinstance(v, int) and v > 0 for v in size)
    ):
        args.append(f"--window-size={size[0]},{size[1]}")
    args.extend(extra)
    return args


def find_chromium(given: Path | None) -> str | None:
    if given is not None:
        path = shutil.which(str(given))
        return path or (str(given) if given.is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def systemd_quote(arg: str) -> str:
    """One ExecStart argument: `%` and `$` doubled, quoted when it has spaces or quotes."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if arg and not re.search(r"[\s\"'\\;]", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit(project: Path, target: Target, host: str, chromium: Path | None) -> str:
    """A systemd user unit that starts the display with the session and keeps it running."""
    command = [sys.executable, "-m", "immersion", "-C", str(project), "kiosk", target.display]
    command += ["--launch", "--port", str(target.port)]
    if host != "127.0.0.1":
        command += ["--host", host]
    if chromium is not None:
        command += ["--chromium", str(chromium.expanduser().resolve())]
    title = str(target.config.get("title") or target.display)
    title = " ".join(title.replace("%", "%%").split())
    return "\n".join(
        [
            "# The immersion room display '" + target.display + "'. As the display's own"
            " (not root) user, install with:",
            f"#   immersion -C {shlex.quote(str(project))} kiosk {target.display} --print-unit"
            f" > ~/.config/systemd/user/immersion-{target.display}.service",
            f"#   systemctl --user enable --now immersion-{target.display}.service",
            "# --launch starts Chromium again when it exits or hangs, and reloads a crashed"
            " tab or one that does not show;"
            " Restart=always",
            "# starts the whole command again if it ever exits.",
            "[Unit]",
            f"Description=immersion kiosk: {title} ({target.display})",
            "After=graphical-session.target",
            "PartOf=graphical-session.target",
            "",
            "[Service]",
            "Type=simple",
            # Not a command line: systemd takes the rest of the line as the path, unquoted.
            "WorkingDirectory=" + str(project).replace("%", "%%"),
            "ExecStart=" + " ".join(systemd_quote(a) for a in command),
            "Restart=always",
            "RestartSec=5",
            "",
            "[Install]",
            "WantedBy=graphical-session.target",
            "",
        ]
    )


def no_cache(url_path: str) -> dict[str, str]:
    """Pages (the server's default), service workers and precache lists: always revalidated."""
    name = url_path.rsplit("/", 1)[-1]
    if name in NO_CACHE or url_path.endswith(("/", ".html")):
        return {"Cache-Control": "no-cache"}
    return {}


def launcher_route(
    state: LauncherState,
) -> Callable[[http.server.BaseHTTPRequestHandler, str], None]:
    """`GET /_room/launcher`: the launcher's counts for this display, as JSON."""

    def answer(handler: http.server.BaseHTTPRequestHandler, query: str) -> None:
        body = json.dumps(state.report().as_json()).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("X-Content-Type-Options", "nosniff")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    return answer


def room_endpoints(
    project: Project,
    url: str | None,
    log: Callable[[str], None],
    launcher: LauncherState | None = None,
) -> RoomEndpoints:
    """The displays' reports, into the room database (opened on the first report).

    With `launcher` (`--launch`), its display's heartbeats carry the launcher's count
    of browser restarts and tab reloads."""
    if url and not database.is_postgres(url):
        raise BuildError(
            f"--database '{database.shown_url(url)}' is not a postgresql:// URL "
            "(without it the room uses build/.room/room.sqlite)"
        )
    return RoomEndpoints(
        lambda: database.connect(project.room_database, url),
        KnownDisplays(project.room_yml, lambda: room_displays(project)),
        log,
        restarts=None if launcher is None else lambda display: _restarts(launcher, display),
    )


def _restarts(launcher: LauncherState, display: str) -> int | None:
    report = launcher.report()
    return report.restarts if display == report.display else None


ROOM_META = b'<meta name="immersion-room" content="/_room/">'


def announce_room(url_path: str, body: bytes) -> bytes:
    """Pages served here say where to report (room.js stays silent under other servers)."""
    at = body.find(b"</head>")
    return body if at < 0 else body[:at] + ROOM_META + body[at:]


def serve(
    target: Target,
    host: str,
    state: LauncherState | None = None,
    room: RoomEndpoints | None = None,
) -> StaticServer:
    """The server of the kiosk build, bound but not yet serving."""
    routes = {LAUNCHER_PATH: launcher_route(state)} if state is not None else {}
    try:
        return StaticServer(
            target.site,
            host,
            target.port,
            headers=no_cache,
            routes=routes,
            inject=announce_room if room is not None else None,
            posts=room.routes() if room is not None else None,
            max_body=MAX_BODY,
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BuildError(
            f"cannot serve on {host}:{target.port}: {reason} "
            "(another `immersion kiosk` may be running for this display; stop it, "
            "or choose another port with --port N)"
        ) from None


def run(
    project: Path,
    display: str,
    port: int | None = None,
    host: str = "127.0.0.1",
    launch: bool = False,
    print_unit: bool = False,
    chromium: Path | None = None,
    out: TextIO | None = None,
    ready: Callable[[StaticServer], None] | None = None,
    refuse_root: bool = True,
    database_url: str | None = None,
    limits: Limits | None = None,
) -> int:
    """Serve the display until stopped (Ctrl-C, or `server.stop()` from `ready`'s caller).

    `ready(server)` is called once the server listens, from this thread; a test keeps the
    server and stops it from another thread, which makes `run` return. `refuse_root`
    is for the tests alone, which run as root in a container (there is no command-line
    way around it); so are `limits`, the watchdog's times (`launcher/watchdog.py`), for
    a test that cannot wait out a display's first-boot allowance.
    """
    stream = out or sys.stdout
    if print_unit:
        target = locate(Project(project), display, port, need_build=False)
        print(unit(project, target, host, chromium), file=stream, end="")
        return EXIT_OK
    target = locate(Project(project), display, port)
    executable = find_chromium(chromium)
    if launch and executable is None:
        wanted = str(chromium) if chromium else " or ".join(CHROMIUM_NAMES[:2])
        raise BuildError(
            f"cannot find {wanted} to launch; install Chromium, or name it with "
            "--chromium PATH (or run without --launch and start it yourself)"
        )
    if launch and refuse_root and running_as_root():
        raise BuildError(root_refusal(target.display))
    flags = extra_flags()
    state = LauncherState(target.display)
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            print(line, file=stream, flush=True)

    room = room_endpoints(Project(project), database_url, log, state if launch else None)
    server = serve(target, host, state, room)
    url = app_url(host, server.port, target.display)
    command = chromium_args(executable or "chromium", url, target.display, target.config, flags)
    print(f"serving build/kiosk/ at {server.url} (Ctrl-C to stop)", file=stream)
    print(f"display '{target.display}': {url}", file=stream)
    supervisor: Supervisor | None = None
    try:
        if launch:
            profile_dir(target.display).mkdir(parents=True, exist_ok=True)
            # Chromium is kept running by the supervisor's thread; the server goes on
            # serving (the page's service worker, its heartbeat) whatever Chromium does.
            supervisor = Supervisor(
                command, url, state, stream, profile=profile_dir(target.display), limits=limits
            )
            supervisor.start()
        else:
            print("start the display with:", file=stream)
            print("  " + shlex.join(command), file=stream)
        stream.flush()
        if ready is not None:
            ready(server)
        if launch and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)  # systemd stops us: close Chromium too
        with contextlib.suppress(RuntimeError):  # stopped before it started
            server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=stream)
    finally:
        server.stop()
        room.close()
        if supervisor is not None:
            supervisor.stop()
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
