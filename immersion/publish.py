"""Publishing a finished site: an atomic swap, so a display never loads half a build.

`build/<audience>` is a symbolic link to a complete site folder in
`build/.sites/`. A new site is built beside the old one, then the link is
replaced with one `rename()`, which is atomic: a reader sees the old site or
the new one, never a mixture. Older site folders are removed afterwards.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .problems import BuildError
from .project import Project


def new_site_dir(project: Project, audience: str) -> Path:
    """A fresh, empty folder for the next site of `audience`."""
    sites = project.sites
    sites.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        candidate = sites / f"{audience}-{stamp}-{os.getpid()}-{n}"
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise BuildError(f"cannot create a new site folder in {sites}")


def publish(site: Path, project: Project, audience: str) -> Path:
    """Point build/<audience> at `site` atomically, then remove older sites."""
    link = project.site(audience)
    tmp_link = _new_link(project, audience, os.getpid())
    legacy = project.sites / f"{audience}-legacy-{os.getpid()}"
    try:
        tmp_link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(site, link.parent), tmp_link)
        if (link.exists() or link.is_symlink()) and not link.is_symlink():
            # A real folder (or file) from an older layout: moved aside, never deleted before
            # the swap, so there is always something published; removed below.
            os.replace(link, legacy)
        os.replace(tmp_link, link)
    except OSError:
        # Not published (build/ read-only, say): the new site is no one's, the old one stays.
        with contextlib.suppress(OSError):
            tmp_link.unlink(missing_ok=True)
            if legacy.exists() and not link.exists():
                os.replace(legacy, link)
        discard(site)
        raise
    clean_old_sites(project, audience, keep=site)
    return link


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold a Ctrl-C until the block is done, then stop as it asked.

    Publishing is the swap and the removal of the older site folders, and the record of
    what was published: a Ctrl-C in the middle would leave an old folder half deleted
    and a record that names the wrong site. Only the main thread may set handlers (the
    preview publishes from its builder thread, where Ctrl-C is not delivered anyway).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held and previous is not signal.SIG_IGN:
        raise KeyboardInterrupt


def _new_link(project: Project, audience: str, pid: int | str) -> Path:
    """The new link's name until it is renamed over the published one."""
    return project.site(audience).with_name(f".{audience}.link-{pid}")


def clean_old_sites(project: Project, audience: str, keep: Path | None) -> None:
    """Remove site folders of `audience` that the published link no longer points at."""
    sites = project.sites
    if not sites.is_dir():
        return
    link = project.site(audience)
    current = link.resolve() if link.is_symlink() else None
    for folder in sites.iterdir():
        if not folder.name.startswith(f"{audience}-"):
            continue
        resolved = folder.resolve()
        if resolved in (current, keep.resolve() if keep else None):
            continue
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)
    # Link names left by a build killed between creating and renaming one.
    for stale in link.parent.glob(_new_link(project, audience, "*").name):
        stale.unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(project: Project, wait: float = 0.0) -> Iterator[None]:
    """One build at a time per project: two would delete each other's work.

    `wait` seconds are spent polling for a lock held by another build (`withdraw`
    waits for a running build); 0 refuses at once.
    """
    project.lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with open(project.lock, "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildError(
                        "another immersion build is running in this project; wait for it to finish"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discard(site: Path) -> None:
    shutil.rmtree(site, ignore_errors=True)
