"""A build killed with SIGKILL at any moment, then run again, equals a clean build."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ARGS = ["build", "--date", "2026-11-22", "-j", "2"]


def build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "immersion", "-C", str(project), *ARGS],
        capture_output=True,
        text=True,
        timeout=300,
    )


def site_files(project: Path, audience: str = "intranet") -> dict[str, bytes]:
    site = (project / "build" / audience).resolve()
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("delay", [0.4, 1.0, 1.8])
def test_killed_build_then_rebuilt_equals_a_clean_build(
    room: Path, tmp_path: Path, delay: float
) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(room, clean)
    assert build(clean).returncode == 0

    process = subprocess.Popen(
        [sys.executable, "-m", "immersion", "-C", str(room), *ARGS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    result = build(room)
    assert result.returncode == 0, result.stderr

    assert site_files(room) == site_files(clean)
    assert site_files(room, "kiosk") == site_files(clean, "kiosk")
    leftovers = [
        p
        for p in (room / "build").rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith((".intranet.link", ".kiosk.link"))
    ]
    assert leftovers == []
    assert not (room / "build/.cache/work").exists()
    # One published site per audience, nothing else.
    assert sorted(p.name.split("-")[0] for p in (room / "build/.sites").iterdir()) == [
        "intranet",
        "kiosk",
    ]
