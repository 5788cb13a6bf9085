"""`immersion audit --date`: a published site that still holds a file whose consent has
ended (by the site's own valid-until.json) is stale, exit 1."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest
from test_audit_planted import audit, line, project

from immersion.audit import stale
from immersion.cli import main
from immersion.commands import audit as audit_command
from immersion.project import Project

__all__ = ["project"]  # the fixture: a copy of the built demo room

LONDON = zoneinfo.ZoneInfo("Europe/London")


def valid_until(site: Path, files: dict[str, str], zone: str = "Europe/London") -> None:
    data = {"built": "2026-11-22T03:00:00+00:00", "timezone": zone, "files": files}
    (site / "valid-until.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_file_whose_consent_ended_is_stale(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = project / "build/kiosk"
    media = sorted(p.relative_to(site).as_posix() for p in (site / "media").iterdir())[0]
    valid_until(
        site,
        {
            "index.html": "2026-11-20T00:00:00+00:00",  # ended two days before the audit
            media: "2026-12-10T00:00:00+00:00",  # still valid
            "stories/gone/index.html": "2026-11-01T00:00:00+00:00",  # no longer published
        },
    )
    code, out = audit(project, capsys, "build/kiosk")
    assert code == 1
    stale_lines = [ln for ln in out.splitlines() if "[stale]" in ln]
    assert stale_lines == [
        line(
            "kiosk",
            "index.html",
            "stale",
            "stale: published site still holds index.html, whose consent ended on 2026-11-20: "
            "rebuild",
        )
    ]


def test_no_valid_until_file_is_nothing_to_report(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A site from before builds dated their files (or copied without the file).
    (project / "build/kiosk/valid-until.json").unlink()
    code, out = audit(project, capsys, "build/kiosk")
    assert code == 0, out
    assert "valid-until.json" not in out
    code, out = audit(project, capsys, "build/kiosk", "--verbose")
    assert code == 0, out
    assert (
        "audit: build/kiosk: no valid-until.json: nothing in it ends, nothing can be stale"
        in out.splitlines()
    )


def test_a_broken_valid_until_file_is_a_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "build/kiosk/valid-until.json").write_text("{not json", encoding="utf-8")
    code, out = audit(project, capsys, "build/kiosk")
    assert code == 1
    assert "build/kiosk/valid-until.json: error [unchecked]: valid-until.json cannot be read" in out


def test_the_default_date_is_today_in_the_rooms_zone(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = project / "content/room.yml"
    room.write_text(
        room.read_text(encoding="utf-8").replace("Europe/London", "Pacific/Auckland"),
        encoding="utf-8",
    )
    # Noon UTC on 21 November is 01:00 on the 22nd in Auckland (UTC+13).
    clock = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(audit_command, "Project", lambda root: Project(root, clock=lambda: clock))
    valid_until(
        project / "build/kiosk", {"index.html": "2026-11-22T00:00:00+13:00"}, "Pacific/Auckland"
    )
    code = main(["-C", str(project), "audit", "build/kiosk"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "whose consent ended on 2026-11-22: rebuild" in out
    # The same instant, the day before in the room: not yet.
    clock = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)  # 23:00 on the 21st there
    assert main(["-C", str(project), "audit", "build/kiosk"]) == 0, capsys.readouterr().out


def test_the_day_a_consent_ends_it_is_stale_and_not_the_day_before(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("x")
    # Midnight in Berlin, 23:00 UTC the evening before.
    valid_until(tmp_path, {"page.html": "2026-12-09T23:00:00+00:00"}, "Europe/Berlin")
    assert stale.check(tmp_path, dt.date(2026, 12, 9), LONDON).stale == []
    found = stale.check(tmp_path, dt.date(2026, 12, 10), LONDON)
    assert found.stale == [("page.html", dt.date(2026, 12, 10))]
    assert found.note == (
        "valid-until.json: 1 files with an end, 1 ended by 2026-12-10 (Europe/Berlin)"
    )


def test_entries_that_are_not_instants(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("x")
    valid_until(tmp_path, {"a.html": "soon", "b.html": "2026-01-01T00:00:00Z"})
    found = stale.check(tmp_path, dt.date(2026, 12, 10), LONDON)
    assert found.stale == []
    assert found.broken == "has entries that are not ISO 8601 instants (a.html)"
