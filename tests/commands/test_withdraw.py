"""`immersion withdraw`: one line of the record written, both sites rebuilt, the report.

Each test works on its own copy of the demo room, built once per session (`demo_site`)
so the media cache is warm and a rebuild takes a second or two.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import TODAY, site_files

from immersion.cli import main
from immersion.commands import withdraw
from immersion.load import load
from immersion.project import Project
from immersion.publish import build_lock

RECORD = Path("content/consent/c-017.yml")  # Leah, interview p07 (Maya's quote)


@pytest.fixture
def demo(demo_site: Path, tmp_path: Path) -> Path:
    project = tmp_path / "demo"
    shutil.copytree(demo_site.parent.parent, project, symlinks=True)
    return project


def content_bytes(project: Path) -> dict[str, bytes]:
    root = project / "content"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(project: Path, cid: str = "c-017", **kw: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = withdraw.run(project, cid, today=TODAY, out=out, err=err, **kw)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def test_withdraw_writes_one_line_rebuilds_both_sites_and_reports(demo: Path) -> None:
    before = content_bytes(demo)
    intranet_before = site_files(demo, "intranet")
    assert "stories/p07/index.html" in intranet_before
    code, out, err = run(demo)
    assert code == 0, err
    # Only the withdrawn line changed: every comment and byte of the rest kept.
    after = content_bytes(demo)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"consent/c-017.yml"}
    old_lines = before["consent/c-017.yml"].decode().splitlines()
    new_lines = after["consent/c-017.yml"].decode().splitlines()
    assert len(old_lines) == len(new_lines)
    assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b] == [5]
    assert new_lines[5] == "withdrawn: 2026-11-22"
    # Both published sites lost the story; the rest is there.
    intranet = site_files(demo, "intranet")
    kiosk = site_files(demo, "kiosk")
    assert "stories/p07/index.html" not in intranet
    assert not any("/p07/" in f for f in [*intranet, *kiosk])
    assert "stories/p21/index.html" in intranet
    assert b"Leah" not in intranet["personas/maya/index.html"]
    # The report names what was taken out, as the sets before and after differ.
    assert "consent 'c-017' (Leah) withdrawn from 2026-11-22: content/consent/c-017.yml:6" in out
    assert "  stories: p07\n" in out
    assert "  intranet: 1 page, 14 media files\n" in out
    assert "    stories/p07/index.html\n" in out
    assert "    media/stories/p07/interview.opus\n" in out
    assert "    entrance/story/p07/index.html\n" in out
    assert "    persona maya: quote (p07#hl-2)\n" in out
    assert "    insight one-number-to-trust: evidence (p07#hl-1)\n" in out
    assert "    journey moving-home, stage quote: evidence (p07#hl-1)\n" in out
    # What the library says now: the consent counts from that day.
    library, _ = load(Project(demo), TODAY)
    assert library.consents["c-017"].withdrawn == TODAY


def test_already_withdrawn_says_so_and_changes_nothing(demo: Path) -> None:
    record = demo / RECORD
    record.write_text(record.read_text().replace("withdrawn:\n", "withdrawn: 2026-11-01\n"))
    stamp = record.stat().st_mtime_ns
    link = os.readlink(demo / "build" / "intranet")
    code, out, _ = run(demo)
    assert code == 0
    assert out == (
        "consent 'c-017' (Leah) is already withdrawn, on 2026-11-01 "
        "(content/consent/c-017.yml:6); nothing changed\n"
    )
    assert record.stat().st_mtime_ns == stamp
    assert os.readlink(demo / "build" / "intranet") == link  # no rebuild either


def test_unknown_id_is_refused_with_did_you_mean(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = content_bytes(demo)
    assert main(["-C", str(demo), "withdraw", "c-107"]) == 2
    assert capsys.readouterr().err == (
        "immersion withdraw: error: there is no consent 'c-107' in content/consent/ "
        "(did you mean 'c-017'?)\n"
    )
    assert content_bytes(demo) == before


def test_read_only_record_is_a_clear_error_and_nothing_changes(demo: Path) -> None:
    record = demo / RECORD
    record.chmod(0o444)
    before = content_bytes(demo)
    link = os.readlink(demo / "build" / "intranet")
    code, out, err = run(demo)
    assert code == 2
    assert err == (
        "immersion withdraw: error: content/consent/c-017.yml is read-only: make it "
        "writable (chmod u+w content/consent/c-017.yml) and run again; nothing changed\n"
    )
    assert out == ""
    assert content_bytes(demo) == before
    assert record.stat().st_mode & 0o777 == 0o444
    assert os.readlink(demo / "build" / "intranet") == link
    assert not list(record.parent.glob(".*.tmp"))


def test_mode_is_kept(demo: Path) -> None:
    record = demo / RECORD
    record.chmod(0o640)
    code, _, err = run(demo)
    assert code == 0, err
    assert record.stat().st_mode & 0o777 == 0o640


def test_a_running_build_is_waited_for_then_named(demo: Path) -> None:
    project = Project(demo)
    before = content_bytes(demo)
    with build_lock(project):
        code, out, err = run(demo, wait=0.3)
    assert code == 1
    assert "another immersion build is running in this project" in err
    assert "nothing changed" in err
    assert content_bytes(demo) == before

    # Released half a second later: the withdrawal waits for it and goes through.
    held = threading.Event()

    def hold() -> None:
        with build_lock(project):
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    started = time.monotonic()
    code, out, err = run(demo, wait=30)
    thread.join()
    assert code == 0, err
    assert time.monotonic() - started >= 0.4
    assert "a build is running in this project: waiting up to 30s for it to finish" in err
    assert "  stories: p07\n" in out


def test_a_date_ahead_is_written_and_nothing_is_taken_out_yet(demo: Path) -> None:
    ahead = TODAY + dt.timedelta(days=5)
    code, out, err = run(demo, on=ahead)
    assert code == 0, err
    assert "withdrawn: 2026-11-27" in (demo / RECORD).read_text()
    assert "the withdrawal counts from 2026-11-27" in out
    assert "  stories: none\n" in out
    assert "stories/p07/index.html" in site_files(demo, "intranet")


def test_a_date_before_signing_is_refused(demo: Path) -> None:
    before = content_bytes(demo)
    code, _, err = run(demo, on=dt.date(2026, 1, 1))
    assert code == 2
    assert "2026-01-01 is before the consent was signed (2026-03-12)" in err
    assert content_bytes(demo) == before


# -- the one line, as text ----------------------------------------------------------


def test_a_missing_line_is_added_after_expires() -> None:
    text = (
        "# c\nparticipant: A\nsigned: 2026-01-01\nexpires: 2027-01-01  # 1y\naudiences: [kiosk]\n"
    )
    new, line = withdraw.with_withdrawal(text, dt.date(2026, 5, 1), "c.yml")
    assert line == 5
    assert new == text.replace("# 1y\n", "# 1y\nwithdrawn: 2026-05-01\n")


def test_a_comment_on_the_line_and_crlf_are_kept() -> None:
    text = (
        "participant: A\r\nsigned: 2026-01-01\r\nwithdrawn: ~   # ask Sam\r\naudiences: [kiosk]\r\n"
    )
    new, line = withdraw.with_withdrawal(text, dt.date(2026, 5, 1), "c.yml")
    assert line == 3
    assert new == text.replace("withdrawn: ~   # ask Sam", "withdrawn: 2026-05-01  # ask Sam")


def test_without_expires_the_line_follows_signed() -> None:
    text = "participant: A\nsigned: 2026-01-01\naudiences: [kiosk]\n"
    new, _ = withdraw.with_withdrawal(text, dt.date(2026, 5, 1), "c.yml")
    assert new == "participant: A\nsigned: 2026-01-01\nwithdrawn: 2026-05-01\naudiences: [kiosk]\n"


def test_a_withdrawn_line_that_is_not_plain_is_refused() -> None:
    text = "participant: A\nsigned: 2026-01-01\nwithdrawn: {when: later}\n"
    with pytest.raises(
        withdraw.Refused, match=re.escape("c.yml:3: the withdrawn line is not a plain date")
    ):
        withdraw.with_withdrawal(text, dt.date(2026, 5, 1), "c.yml")


def test_a_rebuild_that_publishes_nothing_is_said(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build refused as a whole (an audit finding, a full disk) publishes nothing.
    monkeypatch.setattr(withdraw.build, "run", lambda *a, **k: 1)
    code, out, err = run(demo)
    assert code == 1, err
    assert "withdrawn: 2026-11-22" in (demo / RECORD).read_text()
    assert out.endswith(
        "the consent record is written, but build/intranet/, build/kiosk/ was not published "
        "again (see above): fix that and run `immersion build`; until then it still shows "
        "Leah\n"
    )
    assert "taken out" not in out


def test_a_linked_record_is_refused(demo: Path) -> None:
    record = demo / RECORD
    real = record.with_name("leah-original.yml.txt")
    record.rename(real)
    record.symlink_to(real.name)
    code, _, err = run(demo)
    assert code == 2
    assert err == (
        "immersion withdraw: error: content/consent/c-017.yml is a link: write the date "
        "in the file it points to\n"
    )
    assert record.is_symlink()
    assert "withdrawn:\n" in real.read_text()


def test_a_date_that_is_not_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["-C", str(tmp_path), "withdraw", "c-017", "--date", "31/12/2026"])
    assert stop.value.code == 2
    assert "'31/12/2026' is not a date like 2026-03-12" in capsys.readouterr().err


def test_an_exported_film_of_the_participant_is_deleted_and_named(demo: Path) -> None:
    films = demo / "build" / "films"
    films.mkdir(exist_ok=True)
    (films / "film-p14.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # only its name counts
    code, out, err = run(demo, "c-014")  # Joan, the photo film film-p14
    assert code == 0, err
    assert "  stories: film-p14\n" in out
    assert out.endswith("  exported films deleted: build/films/film-p14.mp4\n")
    assert not (films / "film-p14.mp4").exists()
