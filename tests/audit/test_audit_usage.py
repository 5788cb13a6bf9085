"""`immersion audit` called wrongly: exit 2 and one line saying what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from immersion.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_no_such_folder(demo_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = str(demo_site.parent.parent)
    assert run(capsys, "-C", project, "audit", "build/kiosks") == (
        2,
        "",
        "immersion: error: no such folder: build/kiosks\n",
    )


def test_not_a_built_site(demo_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = str(demo_site.parent.parent)
    assert run(capsys, "-C", project, "audit", "content") == (
        2,
        "",
        "immersion: error: content is not a built site (it has no index.html): give "
        "build/intranet or build/kiosk, after `immersion build`\n",
    )


def test_a_file_is_not_a_site(demo_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = str(demo_site.parent.parent)
    assert run(capsys, "-C", project, "audit", "mkdocs.yml")[:2] == (2, "")


def test_nothing_built_yet(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "-C", str(room), "audit") == (
        2,
        "",
        f"immersion: error: nothing to audit: there is no build/intranet or build/kiosk in {room}; "
        "run `immersion build` first\n",
    )


def test_no_content_to_compare_with(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-C", str(tmp_path), "audit")
    assert (code, out) == (2, "")
    assert err == (
        f"immersion: error: there is no content/ folder in {tmp_path}: the audit compares a "
        "site with the room's content; run it in the room project, or give the project with "
        "-C DIR\n"
    )


def test_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["audit", "--date", "yesterday"])
    assert stop.value.code == 2
    assert "'yesterday' is not a date like 2026-03-12" in capsys.readouterr().err
