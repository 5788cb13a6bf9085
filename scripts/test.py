#!/usr/bin/env python3
"""Set up what the tests need, then run every test, the browser tests included.

    python scripts/test.py [PYTEST ARGS...]

1. The system programs the tests drive (Debian packages): Chromium for the browser
   tests, espeak-ng for the speech recordings. Run as root, the missing ones are
   installed with apt-get; otherwise (or with IMMERSION_NO_APT=1) the exact apt-get
   command is printed and the script stops with exit code 3, because the tests would
   otherwise pass by skipping.
2. `pip install -e '.[test]'` with the Python that runs this script.
3. pytest, with IMMERSION_REQUIRE_BROWSER=1: a browser that cannot start is a failure,
   not a skip. Arguments are passed on to pytest (a folder, `-x`, `-k ...`).

CI (`.ci/run`) runs this same command.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MISSING_EXIT = 3

# Debian package -> the commands it provides (any one of them will do).
PACKAGES: dict[str, tuple[str, ...]] = {
    "chromium": ("chromium", "chromium-browser"),
    "espeak-ng": ("espeak-ng",),
    "xvfb": ("Xvfb",),  # the launcher's test on a real X display (tests/launcher/)
}


def missing_packages() -> list[str]:
    return [
        package
        for package, commands in PACKAGES.items()
        if not any(shutil.which(command) for command in commands)
    ]


def apt_commands(packages: list[str], sudo: bool = False, quiet: bool = False) -> list[list[str]]:
    """`apt-get update` first: a fresh machine (or container) has no package lists."""
    apt = ["sudo", "apt-get"] if sudo else ["apt-get"]
    if quiet:
        apt.append("-qq")
    return [
        [*apt, "update"],
        [*apt, "install", "-y", "--no-install-recommends", *packages],
    ]


def can_install() -> bool:
    """Root on a machine with apt-get, and not told to leave the system alone."""
    if os.environ.get("IMMERSION_NO_APT"):
        return False
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def in_words(names: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def install_system_packages() -> int:
    """0 when every package is there (installing what is missing if we may)."""
    missing = missing_packages()
    if not missing:
        return 0
    if not can_install():
        command = " && ".join(map(shlex.join, apt_commands(missing, sudo=os.geteuid() != 0)))
        print(
            f"scripts/test.py: the tests need {in_words(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed. Install with:\n\n"
            f"    {command}\n\n"
            "then run `python scripts/test.py` again.",
            file=sys.stderr,
        )
        return MISSING_EXIT
    print(f"scripts/test.py: installing {' '.join(missing)} with apt-get", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in apt_commands(missing, quiet=True):
        subprocess.run(command, env=env, check=True)
    still = missing_packages()
    if still:
        print(f"scripts/test.py: apt-get did not provide {' '.join(still)}", file=sys.stderr)
        return MISSING_EXIT
    return 0


def main(argv: list[str]) -> int:
    code = install_system_packages()
    if code:
        return code
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-e", ".[test]"], cwd=ROOT, check=True
    )
    env = {**os.environ, "IMMERSION_REQUIRE_BROWSER": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *argv], cwd=ROOT, env=env
    ).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        print(f"scripts/test.py: {shlex.join(error.cmd)} failed", file=sys.stderr)
        sys.exit(error.returncode or 1)
    except KeyboardInterrupt:
        sys.exit(130)
