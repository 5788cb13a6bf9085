"""Fixtures: small room projects written on the fly, with real media.

Photos are real JPEGs with EXIF (orientation, camera, GPS) made by Pillow;
recordings are real AAC made by ffmpeg. Only `demo_site` reads content/: it
builds the bundled demo room once per session.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

TODAY = dt.date(2026, 11, 22)
MARKER = "EXPIRED-MARKER-zebra"


def sigint_default() -> None:
    """`preexec_fn` for a child that a test stops with Ctrl-C (SIGINT).

    A test run started in the background or under nohup inherits SIGINT ignored, and an
    ignored signal stays ignored across exec: the child would never see the Ctrl-C. So
    the child starts as from a terminal, with SIGINT at its default (Python then installs
    its KeyboardInterrupt handler). Only the test's child changes; the run itself keeps
    the disposition it was given, and so does the product.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def load_bench(name: str) -> ModuleType:
    """bench/<name>.py as a module (the benches are scripts, not a package)."""
    path = Path(__file__).resolve().parent.parent / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    return bench


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def jpeg_with_gps(path: Path, size: tuple[int, int] = (640, 480), orientation: int = 1) -> Path:
    """A real JPEG whose EXIF carries a camera, an orientation and a GPS position."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (200, 120, 60))
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (20, 20, 20))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x0110] = "Model 7"
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 0.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 0.0)
    image.save(path, "JPEG", exif=exif, quality=80)
    return path


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


@pytest.fixture(scope="session")
def tone(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    """A 3-second AAC recording, made once per test session."""
    out = tmp_path_factory.mktemp("media") / "tone.m4a"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=3",
            "-c:a",
            "aac",
            "-b:a",
            "48k",
            str(out),
        ],
        check=True,
    )
    return out


VTT = """WEBVTT

00:00:00.000 --> 00:00:01.500
<v Sam>How did the move go?

00:00:01.500 --> 00:00:03.000
<v Leah>Honestly, the quote form was a maze.
I just want one number I can trust. They never called back.
"""


def make_kiosk_room(root: Path, tone: Path) -> Path:
    """`make_room`, built for the kiosk (the launcher's tests serve it)."""
    from immersion.commands import build

    room = make_room(root, tone)
    out = io.StringIO()
    assert build.run(room, ("kiosk",), today=TODAY, out=out) == 0, out.getvalue()
    return room


def make_room(root: Path, tone: Path) -> Path:
    """A complete small room: every kind the loader knows, one expired consent."""
    c = root / "content"
    write(
        c / "room.yml",
        """
        name: Test Room
        timezone: Europe/London
        opening_hours: {open: "08:00", close: "19:00"}
        idle_seconds: 90
        displays:
          - id: entrance
            title: Welcome wall
            orientation: landscape
            resolution: [1920, 1080]
            playlist: {tour: meet}
            slide_seconds: 12
            audio: false
          - id: post
            title: Listening post
            orientation: portrait
            resolution: [1080, 1920]
            playlist: {items: [persona/maya, story/p07, story/old]}
        tours:
          - id: meet
            title: Meet our customers
            items: [persona/maya, journey/moving-home, story/p07, story/old]
        """,
    )
    write(
        c / "consent/c-001.yml",
        """
        participant: Leah
        signed: 2026-03-12
        expires: 2027-09-12
        audiences: [kiosk, intranet]
        allows: [voice, face, words]
        """,
    )
    write(
        c / "consent/c-002.yml",
        """
        participant: Olu
        signed: 2024-01-10
        expires: 2025-01-10
        audiences: [kiosk, intranet]
        allows: [voice, face, words]
        """,
    )
    write(
        c / "consent/c-003.yml",
        """
        participant: Priya
        signed: 2026-01-10
        expires: 2027-12-10
        audiences: [intranet]
        allows: [voice, words]
        """,
    )
    jpeg_with_gps(c / "personas/maya/portrait.jpg")
    write(
        c / "personas/maya/index.md",
        """
        ---
        name: Maya
        segment: Young families
        portrait: {src: portrait.jpg, alt: "Maya at her kitchen table"}
        quote: {text: "I just want one number I can trust.", evidence: p07#hl-1}
        goals: [Move without surprises]
        needs: {functional: [One clear price], emotional: [Feel in control]}
        pain_points:
          - {text: "Quotes change after the call", evidence: [p07#hl-1, old#hl-1]}
        behaviours: [Compares prices at night]
        journeys: [moving-home]
        reviewed: 2026-10-01
        tags: [families]
        ---
        Maya is a *mother* of two who plans everything.
        """,
    )
    write(
        c / "personas/raj/index.md",
        f"""
        ---
        name: Raj
        segment: Renters
        quote: {{text: "they never called back {MARKER}", evidence: old#hl-1}}
        reviewed: 2024-05-01
        ---
        Raj rents a flat.
        """,
    )
    write(
        c / "journeys/moving-home/index.md",
        """
        ---
        title: Moving home
        personas: [maya, raj]
        stages:
          - id: plan
            title: Planning the move
            doing: Makes lists
            emotion: {maya: -1, raj: 1}
            moment_of_truth: true
            evidence: [p07#hl-1]
          - id: move
            title: Moving day
            emotion: -2
            evidence: [old#hl-1]
        ---
        The journey from first thought to settled in.
        """,
    )
    bundle = c / "stories/p07"
    shutil.copy(tone, bundle.parent.parent / "tone.m4a") if False else None
    bundle.mkdir(parents=True)
    shutil.copy(tone, bundle / "interview.m4a")
    write(bundle / "interview.vtt", VTT)
    jpeg_with_gps(bundle / "kitchen.jpg", orientation=6)
    write(
        bundle / "index.md",
        """
        ---
        kind: interview
        title: "Leah on moving home"
        participant: {pseudonym: Leah, persona: maya, consent: c-001}
        date: 2026-03-12
        journey: moving-home
        stage: plan
        recording: interview.m4a
        transcript: interview.vtt
        interviewer: Sam
        highlights:
          - {id: hl-1, start: "00:00:01.500", end: "00:00:03.000", tags: [pain], stage: plan}
        tags: [moving]
        ---
        Leah moved in March. ![Leah's kitchen](kitchen.jpg)
        """,
    )
    old = c / "stories/old"
    old.mkdir(parents=True)
    shutil.copy(tone, old / "old.m4a")
    write(old / "old.vtt", VTT.replace("back.", f"back {MARKER}."))
    write(
        old / "index.md",
        f"""
        ---
        kind: interview
        title: "{MARKER} Olu on moving"
        participant: {{pseudonym: Olu, persona: raj, consent: c-002}}
        date: 2024-02-01
        recording: old.m4a
        transcript: old.vtt
        highlights:
          - {{id: hl-1, start: 1.5, end: 3}}
        ---
        {MARKER} in the body.
        """,
    )
    write(
        c / "stories/letter/index.md",
        """
        ---
        kind: email
        title: "A letter about my bill"
        participant: {pseudonym: Priya, consent: c-003}
        from: Priya
        subject: "My bill"
        sent: 2026-02-01
        ---
        Dear team, my bill doubled.
        """,
    )
    write(
        c / "insights/quotes-confuse/index.md",
        """
        ---
        statement: Customers do not trust quotes that change
        basis: observed
        evidence: [p07#hl-1, old#hl-1]
        personas: [maya]
        stages: [moving-home/plan]
        ---
        """,
    )
    write(
        c / "actions/one-price/index.md",
        """
        ---
        you_said: "Quotes change after the call"
        we_did: "One price, held for 30 days"
        insights: [quotes-confuse]
        owner: Moves team
        status: done
        due: 2026-06-30
        reported_back: 2026-10-01
        ---
        """,
    )
    write(root / "mkdocs.yml", "site_name: Test Room intranet\n")
    return root


def site_files(project: Path, audience: str) -> dict[str, bytes]:
    """Every file of a published site (build/<audience>) with its bytes."""
    site = (project / "build" / audience).resolve()
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def room(tmp_path: Path, tone: Path) -> Path:
    return make_room(tmp_path / "room", tone)


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """Every file under a folder with its bytes: proves content/ is never written."""

    def take(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    return take


def tree_snapshot(root: Path) -> dict[str, object]:
    """Every entry under `root` as it is on disk, links not followed: a file's mode, mtime
    and bytes, a link's target, a folder's mode. Equal snapshots prove nothing was written,
    renamed, re-linked or chmod-ed, even through a symlink or on a failed build."""
    found: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = path.lstat()
            rel = path.relative_to(root).as_posix()
            if stat.S_ISLNK(info.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                found[rel] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                found[rel] = (stat.S_IMODE(info.st_mode), info.st_mtime_ns, path.read_bytes())
    return found


REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo room (every kind of story, real speech), built once per session."""
    from immersion.commands import build

    project = tmp_path_factory.mktemp("demo")
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    out = io.StringIO()
    assert build.run(project, today=TODAY, out=out) == 0, out.getvalue()
    return project / "build" / "intranet"
