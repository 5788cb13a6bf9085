"""The command line: exit codes, messages, new and init."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import write

from immersion.cli import main
from immersion.commands.new import KINDS


def test_check_exit_codes(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The fixture has one warning (Raj needs review): clean unless --strict.
    assert main(["-C", str(room), "check", "--date", "2026-11-22"]) == 0
    assert main(["-C", str(room), "check", "--strict", "--date", "2026-11-22"]) == 1
    write(room / "content/personas/raj/index.md", "---\nname: Raj\nsegmnt: x\n---\n")
    assert main(["-C", str(room), "check", "--date", "2026-11-22"]) == 1
    err = capsys.readouterr().err
    assert (
        "content/personas/raj/index.md:3: error [segmnt]: unknown field 'segmnt' "
        "(did you mean 'segment'?)"
    ) in err


def test_usage_errors_exit_2(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["biuld"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check", "--date", "yesterday"])
    assert exc.value.code == 2
    assert "'yesterday' is not a date like 2026-03-12" in capsys.readouterr().err
    assert main(["-C", str(room), "new", "persnoa", "x"]) == 2
    assert "unknown kind 'persnoa' (did you mean 'persona'?)" in capsys.readouterr().err
    assert main(["-C", str(room), "new", "persona", "Bad Id"]) == 2
    assert main(["-C", str(room), "new", "persona", "maya"]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["-C", str(room), "build", "--audience", "kisok"])
    assert exc.value.code == 2


def test_the_console_script_runs_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "immersion", "-C", str(tmp_path), "check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "there is no content/ folder here" in result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_new_writes_an_item_that_passes_check(
    room: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(room), "new", kind, "fresh"]) == 0
    written = [p for p in (room / "content").rglob("*") if "fresh" in p.as_posix()]
    assert written
    text = next(p for p in written if p.is_file()).read_text()
    # Every field is documented by a comment.
    assert text.count("# ") >= 4
    capsys.readouterr()
    assert main(["-C", str(room), "check", "--date", "2026-11-22"]) == 0, capsys.readouterr().err


def test_init_starts_a_room_that_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "newroom"
    assert main(["init", str(project)]) == 0
    assert main(["-C", str(project), "check", "--strict"]) == 0, capsys.readouterr().err
    assert main(["-C", str(project), "build"]) == 0, capsys.readouterr().err
    assert (project / "build/intranet/personas/example/index.html").is_file()
    assert main(["init", str(project)]) == 2  # never overwrites a project


def test_the_wheel_carries_the_theme(tmp_path: Path) -> None:
    """`init` and `build` must work from a plain (non-editable) install too."""
    root = Path(__file__).resolve().parent.parent
    # Build from a copy: setuptools writes build/lib into the tree it builds, and build/ is ours.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    shutil.copytree(
        root / "immersion", source / "immersion", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("immersion-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "immersion/theme/intranet/main.html" in names
    assert "immersion/theme/intranet/stylesheets/immersion.css" in names
    assert not [n for n in names if n.startswith(("content/", "tests/"))]
    assert not (root / "build" / "lib").exists()


def test_a_stopped_command_exits_130_after_an_interrupt_inside_exec(tmp_path: Path) -> None:
    # The Ctrl-C often lands while a module imports and builds a dataclass, whose
    # methods are made by exec() of a string; the build catches it and says "stopped".
    script = (
        "from immersion import cli\n"
        "def main():\n"
        "    try:\n"
        "        exec('raise KeyboardInterrupt')\n"
        "    except KeyboardInterrupt:\n"
        "        return 130\n"
        "cli.main = main\n"
        "cli.entry()\n"
    )
    # Run as `python -m` runs the product: that path checks what CPython remembered.
    write(tmp_path / "stopped" / "__main__.py", script)
    done = subprocess.run(
        [sys.executable, "-m", "stopped"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 130, done.stderr
