"""`python scripts/test.py`, the README's test command: it never lets the browser and
speech tests pass by skipping. Without the Debian packages it says exactly what to
install; as root it installs them with apt-get. Run on a PATH that lacks them, so
nothing is installed and pytest never starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "test.py"


def run(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "IMMERSION_NO_APT"}
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**clean, "PATH": str(path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def executable(folder: Path, name: str, body: str = "exit 0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_without_the_packages_it_prints_the_apt_get_command_and_fails(tmp_path: Path) -> None:
    done = run(tmp_path, IMMERSION_NO_APT="1")  # as a user who may not install
    sudo = "sudo " if os.geteuid() != 0 else ""
    assert done.returncode == 3
    assert done.stdout == ""  # neither pip nor pytest ran
    assert f"{sudo}apt-get update && {sudo}apt-get install -y --no-install-recommends " in (
        done.stderr
    )
    assert done.stderr.splitlines()[0] == (
        "scripts/test.py: the tests need chromium, espeak-ng and xvfb, which are not installed. "
        "Install with:"
    )
    assert "install -y --no-install-recommends chromium espeak-ng xvfb\n" in done.stderr


def test_only_what_is_missing_is_named(tmp_path: Path) -> None:
    executable(tmp_path, "chromium")
    executable(tmp_path, "Xvfb")
    done = run(tmp_path, IMMERSION_NO_APT="1")
    assert done.returncode == 3
    assert "the tests need espeak-ng, which is not installed" in done.stderr
    assert "--no-install-recommends espeak-ng\n" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="installing is what root does")
def test_as_root_it_runs_apt_get_update_then_install(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    # A stand-in apt-get that logs its calls and "installs" only chromium.
    executable(
        tmp_path,
        "apt-get",
        f'echo "$DEBIAN_FRONTEND $*" >> {log}\n'
        f'case "$*" in *install*) printf "#!/bin/sh\\n" > {tmp_path}/chromium; '
        f"/bin/chmod +x {tmp_path}/chromium;; esac",
    )
    done = run(tmp_path)
    assert log.read_text(encoding="utf-8").splitlines() == [
        "noninteractive -qq update",
        "noninteractive -qq install -y --no-install-recommends chromium espeak-ng xvfb",
    ]
    assert done.returncode == 3  # espeak-ng and xvfb still missing: pytest never starts
    assert "apt-get did not provide espeak-ng xvfb" in done.stderr
