"""The built intranet in a real Chromium: content never runs, nothing leaves the site."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser import CHROMIUM_FLAGS, chromium_path, serve
from conftest import TODAY

from immersion.commands import build

INJECTION = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'


@pytest.fixture
def hostile_site(room: Path) -> Path:
    persona = room / "content/personas/maya/index.md"
    text = persona.read_text().replace("segment: Young families", f"segment: '{INJECTION}'")
    text = text.replace("name: Maya", "name: 'Maya</title><script>window.__pwned=4</script>'")
    persona.write_text(text + f"\n{INJECTION}\n\n[click me](javascript:window.__pwned=3)\n")
    out = io.StringIO()
    assert build.run(room, today=TODAY, out=out) == 0, out.getvalue()
    return room / "build" / "intranet"


def test_content_markup_never_runs_and_no_request_leaves(hostile_site: Path) -> None:
    from playwright.sync_api import sync_playwright

    with serve(hostile_site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
        for path in ("personas/maya/", "personas/", ""):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__pwned") is None, path
        page.goto(base + "personas/maya/")
        heading = page.locator("article h1").inner_text()
        assert heading.startswith("Maya</title><script>window.__pwned=4</script>")
        assert INJECTION in page.locator(".im-segment").inner_text()
        page.get_by_text("click me").click()
        assert page.evaluate("window.__pwned") is None
        browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(base)] == []
