"""Headless Chromium for tests: Debian's binary, driven by Playwright.

`playwright install` cannot download a browser here, so tests launch the
system Chromium. Where it is missing the browser tests skip, except in CI
(IMMERSION_REQUIRE_BROWSER=1), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from immersion.httpd import StaticServer

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("IMMERSION_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return exe


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright, for the length of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve a built site on a free loopback port for the length of the block.

    The project's own server, so media answer Range requests and can be seeked.
    """
    with StaticServer(root) as server:
        yield server.url
