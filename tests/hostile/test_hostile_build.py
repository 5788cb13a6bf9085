"""Hostile conditions around a build: files vanishing mid-build, a read-only build/,
a hostile room.yml. Each is reported with its path, the rest builds (or the previous
site stays), and content/ is left as it was."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, site_files, tree_snapshot

from immersion.commands import build
from immersion.media import pool as pipeline

REPO = Path(__file__).resolve().parents[2]


def run_build(project: Path, **kwargs: Any) -> tuple[int, str]:
    out = io.StringIO()
    code = build.run(project, today=TODAY, out=out, **kwargs)
    return code, out.getvalue()


# -- files that vanish while the build runs -------------------------------------------


def test_files_deleted_during_the_build_are_reported(
    room: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor deletes files while a build runs (the live preview makes this common).

    The kitchen photo goes after `load` checked it and before the media step reads it;
    the interview recording after the media step planned it and before it is converted;
    the portrait right after its conversion, before the build records the result.
    """
    content = room / "content"
    kitchen = content / "stories/p07/kitchen.jpg"
    recording = content / "stories/p07/interview.m4a"
    portrait = content / "personas/maya/portrait.jpg"
    plan, execute, photo_job = (
        pipeline.MediaPipeline.plan,
        pipeline.MediaPipeline.execute,
        pipeline._photo_job,
    )

    def plan_then_delete(self: pipeline.MediaPipeline, libraries: Any) -> Any:
        kitchen.unlink()
        return plan(self, libraries)

    def delete_then_execute(self: pipeline.MediaPipeline, jobs: Any) -> None:
        recording.unlink()
        execute(self, jobs)

    def convert_then_delete(src: str, *args: Any) -> Any:
        result = photo_job(src, *args)
        if Path(src) == portrait:
            portrait.unlink()
        return result

    monkeypatch.setattr(pipeline.MediaPipeline, "plan", plan_then_delete)
    monkeypatch.setattr(pipeline.MediaPipeline, "execute", delete_then_execute)
    monkeypatch.setattr(pipeline, "_photo_job", convert_then_delete)
    code, out = run_build(room, jobs=1)  # one process, so the patched job runs here

    assert "Traceback" not in out
    assert code == 1, out
    assert (
        "content/stories/p07/kitchen.jpg: error: cannot convert the photo: "
        "cannot read it (No such file or directory)" in out
    )
    assert (
        "content/stories/p07/interview.m4a: error: cannot convert the recording: "
        "the file disappeared while it was being converted: put it back, or take it out "
        "of the story, and build again" in out
    )
    site = room / "build" / "intranet"
    page = (site / "stories/p07/index.html").read_text()
    assert "kitchen" not in page and "<audio" not in page  # built without what vanished
    # The portrait was converted before it went: this build shows it, the next one not.
    assert "portrait-" in (site / "personas/maya/index.html").read_text()
    for rel in ("index.html", "journeys/moving-home/index.html", "stories/letter/index.html"):
        assert (site / rel).is_file()


# -- a read-only build/ -----------------------------------------------------------------


def without_root_powers() -> list[str]:
    """A prefix that makes a child process respect file modes, even when run as root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make build/ read-only")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def cli_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *without_root_powers(),
            sys.executable,
            "-m",
            "immersion",
            "-C",
            str(project),
            "build",
            "--date",
            TODAY.isoformat(),
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.fixture
def published(room: Path) -> Iterator[Path]:
    code, out = run_build(room)
    assert code == 0, out
    yield room
    for path in [room / "build", *(room / "build").rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


@pytest.mark.parametrize("what", ["build/", "build/ and everything in it"])
def test_a_read_only_build_folder_is_one_clear_error(published: Path, what: str) -> None:
    room = published
    before = {a: site_files(room, a) for a in ("intranet", "kiosk")}
    sites = sorted(p.name for p in (room / "build/.sites").iterdir())
    (room / "content/stories/p07/index.md").touch()  # something to rebuild
    content = tree_snapshot(room / "content")
    folders = [room / "build"]
    if what != "build/":
        folders += [p for p in (room / "build").rglob("*") if p.is_dir() and not p.is_symlink()]
    for folder in folders:
        folder.chmod(0o555)

    result = cli_build(room)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: cannot write in build/: Permission denied ("), result.stderr
    for audience, files in before.items():
        assert site_files(room, audience) == files  # the published sites are untouched
    assert sorted(p.name for p in (room / "build/.sites").iterdir()) == sites  # none half-made
    assert not [p for p in (room / "build").rglob("*") if p.name.endswith(".tmp")]
    assert tree_snapshot(room / "content") == content


# -- a hostile room.yml ---------------------------------------------------------------


def test_a_billion_laughs_room_yml_is_reported_and_the_rest_builds(room: Path) -> None:
    laughs = ['name: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        laughs.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    (room / "content/room.yml").write_text("\n".join(laughs) + "\n")
    before = tree_snapshot(room / "content")

    code, out = run_build(room)

    assert code == 1
    assert (
        "content/room.yml:2: error: invalid YAML: aliases (*name) are not allowed in content" in out
    )
    site = room / "build" / "intranet"
    for rel in ("personas/maya/index.html", "stories/p07/index.html"):
        assert (site / rel).is_file()
    assert (room / "build/kiosk/index.html").is_file()  # a kiosk without displays
    assert tree_snapshot(room / "content") == before
