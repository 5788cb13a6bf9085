"""The command line: parse arguments, call one command, return its exit code."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from .model import AUDIENCES
from .problems import EXIT_CONTENT, EXIT_USAGE, BuildError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date like 2026-03-12") from None


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes (1 or more)")
    return int(value)


def _size(value: str) -> tuple[int, int]:
    from .media.film import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1.0
    if not 0 < minutes < 1e6:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of minutes (more than 0)")
    return minutes


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port (0 to 65535)")
    return int(value)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="immersion", description="Build the sites of a customer immersion room.")
    p.add_argument(
        "-C",
        "--project",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the room project (default: the current folder)",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = sub.add_parser("build", help="build the sites into build/")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--audience", choices=(*AUDIENCES, "all"), default="all")
    build.add_argument("--date", type=_date, help="build as of this date (preview consent expiry)")
    build.add_argument(
        "--engine",
        choices=("mkdocs", "zensical"),
        default=None,
        help="the site engine (default: immersion.engine in mkdocs.yml, else mkdocs)",
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="convert media with N processes (default: all cores)",
    )

    check = sub.add_parser("check", help="validate content without converting anything")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--date", type=_date, help="check as of this date")

    serve = sub.add_parser(
        "serve", help="preview the site while you edit: it rebuilds and reloads on every save"
    )
    serve.add_argument(
        "--audience",
        choices=AUDIENCES,
        default=None,
        help="whose site to preview (default: intranet; kiosk with --display)",
    )
    serve.add_argument("--display", metavar="ID", help="preview this kiosk display (room.yml)")
    serve.add_argument(
        "--port", type=_port, default=8000, metavar="N", help="the port (default 8000; 0: any free)"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this computer only)",
    )
    serve.add_argument("--date", type=_date, help="preview as of this date (consent expiry)")

    new = sub.add_parser("new", help="scaffold an item with every field")
    new.add_argument(
        "kind",
        help="persona, journey, story kinds (interview, audio-diary, "
        "photo-film, email, story), insight, action or consent",
    )
    new.add_argument("id", help="the new item's id (its folder name)")

    init = sub.add_parser("init", help="start a new room project")
    init.add_argument("dir", type=Path)

    film = sub.add_parser("film", help="photo films for signage players")
    film_sub = film.add_subparsers(dest="film_action", required=True, parser_class=_Parser)
    export = film_sub.add_parser("export", help="render a photo film as an MP4")
    export.add_argument("id", help="the photo film's id (its folder in content/stories/)")
    export.add_argument(
        "--size",
        type=_size,
        default=(1920, 1080),
        metavar="WxH",
        help="the video's size (default: 1920x1080)",
    )
    export.add_argument(
        "--out", type=Path, metavar="FILE", help="where to write it (default: build/films/ID.mp4)"
    )
    export.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="kiosk",
        help="whose consent rules apply (default: kiosk)",
    )
    export.add_argument("--date", type=_date, help="export as of this date")

    kiosk = sub.add_parser(
        "kiosk", help="serve the kiosk build for one display and launch or print Chromium"
    )
    kiosk.add_argument("display", help="the display's id in room.yml")
    kiosk.add_argument(
        "--port",
        type=_port,
        default=None,
        metavar="N",
        help="the port to serve on (default: 8700 + the display's place in room.yml; "
        "0 picks a free one)",
    )
    kiosk.add_argument(
        "--host", default="127.0.0.1", help="the address to serve on (default: 127.0.0.1)"
    )
    kiosk.add_argument(
        "--launch",
        action="store_true",
        help="start Chromium in kiosk mode and keep it alive (started again when it exits, "
        "a crashed tab reloaded); serve until Ctrl-C. Never as root: see --print-unit",
    )
    kiosk.add_argument(
        "--print-unit",
        action="store_true",
        help="print a systemd user unit that keeps this display running, then exit",
    )
    kiosk.add_argument(
        "--chromium", type=Path, metavar="PATH", help="the Chromium to start (default: from PATH)"
    )
    kiosk.add_argument(
        "--database",
        metavar="URL",
        help="store the displays' reports in this PostgreSQL database (postgresql://...; "
        "default: build/.room/room.sqlite)",
    )

    room = sub.add_parser("room", help="the displays' health, from their reports")
    room_sub = room.add_subparsers(dest="room_action", required=True, parser_class=_Parser)
    status = room_sub.add_parser(
        "status", help="every display's last heartbeat, build and problems (exit 1 if silent)"
    )
    status.add_argument(
        "--database",
        metavar="URL",
        help="read this PostgreSQL database (default: build/.room/room.sqlite)",
    )
    status.add_argument(
        "--silent-after",
        type=_minutes,
        default=5.0,
        metavar="MINUTES",
        help="a display without a heartbeat for longer is silent (default: 5)",
    )

    audit = sub.add_parser(
        "audit", help="check built sites for metadata, originals, consent leaks, other hosts"
    )
    audit.add_argument(
        "folders",
        nargs="*",
        metavar="BUILD_DIR",
        help="built sites to check (default: build/intranet and build/kiosk)",
    )
    audit.add_argument("--json", action="store_true", help="print a machine-readable report")
    audit.add_argument("--date", type=_date, help="apply consent as of this date")
    audit.add_argument("-v", "--verbose", action="store_true", help="say what was checked")

    withdraw = sub.add_parser(
        "withdraw", help="withdraw a consent, then rebuild and publish both sites"
    )
    withdraw.add_argument(
        "consent", metavar="CONSENT_ID", help="the record's id (content/consent/ID.yml)"
    )
    withdraw.add_argument(
        "--date", type=_date, help="the withdrawal date (default: today in the room's time zone)"
    )

    schedule = sub.add_parser("schedule", help="print a nightly rebuild for systemd or cron")
    when = schedule.add_mutually_exclusive_group(required=True)
    when.add_argument(
        "--print-unit",
        nargs="?",
        const="both",
        choices=("both", "service", "timer"),
        help="print the systemd service and timer (or just one of them)",
    )
    when.add_argument("--print-cron", action="store_true", help="print a crontab line")
    schedule.add_argument(
        "--user", help="the account that builds (default: the project's owner; never root)"
    )

    letters = sub.add_parser(
        "letters", help="write a thank-you letter for each participant: their words, what changed"
    )
    letters.add_argument(
        "consents",
        nargs="*",
        metavar="CONSENT_ID",
        help="the participants' consent records (default: every one valid today)",
    )
    letters.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write them (default: build/letters/)"
    )
    letters.add_argument("--date", type=_date, help="write them as of this date")

    from .commands import import_  # `immersion import`: its flags live with it

    import_.add_parser(sub, _Parser)
    from .commands import transcribe

    transcribe.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project: Path = args.project.resolve()
    try:
        if args.command == "build":
            from .commands import build

            audiences = AUDIENCES if args.audience == "all" else (args.audience,)
            return build.run(
                project,
                audiences,
                strict=args.strict,
                today=args.date,
                jobs=args.jobs,
                engine=args.engine,
            )
        if args.command == "check":
            from .commands import check

            return check.run(project, strict=args.strict, today=args.date)
        if args.command == "serve":
            from .commands import serve

            return serve.run(
                project,
                args.audience,
                args.display,
                host=args.host,
                port=args.port,
                today=args.date,
            )
        if args.command == "new":
            from .commands import new

            return new.run(project, args.kind, args.id)
        if args.command == "init":
            from .commands import init

            return init.run(args.dir)
        if args.command == "film":
            from .commands import film

            return film.run(
                project,
                args.id,
                size=args.size,
                output=args.out,
                audience=args.audience,
                today=args.date,
            )
        if args.command == "kiosk":
            from .commands import kiosk

            return kiosk.run(
                project,
                args.display,
                port=args.port,
                host=args.host,
                launch=args.launch,
                print_unit=args.print_unit,
                chromium=args.chromium,
                database_url=args.database,
            )
        if args.command == "room":
            from .commands import room

            return room.run(project, args.database, args.silent_after)
        if args.command == "audit":
            from .commands import audit

            return audit.run(
                project, args.folders, as_json=args.json, today=args.date, verbose=args.verbose
            )
        if args.command == "withdraw":
            from .commands import withdraw

            return withdraw.run(project, args.consent, on=args.date)
        if args.command == "schedule":
            from .commands import schedule

            return schedule.run(project, args.print_unit, args.print_cron, args.user)
        if args.command == "letters":
            from .commands import letters

            return letters.run(project, args.consents, out=args.out, today=args.date)
        if args.command == "import":
            from .commands import import_

            return import_.run(project, args)
        if args.command == "transcribe":
            from .commands import transcribe

            return transcribe.run(
                project,
                args.story,
                every=args.all,
                force=args.force,
                real_names=tuple(args.real_name),
            )
    except UsageError as exc:
        print(f"immersion: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BuildError as exc:
        print(f"immersion: error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("immersion: stopped; the published site is unchanged", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command}")


def entry() -> None:
    code = main()
    if code == 130:
        # Stopped and cleaned up: a second Ctrl-C (a terminal's, or one that reaches the
        # process group a beat later) must not kill the exit with a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # CPython 3.11 remembers a KeyboardInterrupt that passed through a string exec()
        # (dataclass and namedtuple creation while a module imports) even when it was
        # caught, and at exit kills the process with SIGINT instead of returning 130.
        # Running a string exec() clears that memory, so the exit status says "stopped".
        exec("")
    sys.exit(code)
