"""Leaks found as fragments: seven words in a row of an excluded story, wherever they are
pasted, in the audit and in the build (which names the content file and line)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import TODAY
from test_audit_planted import EXPIRED_CUE, add_to_page, audit, line, project

from immersion.audit.leaks import Fragments, shingles
from immersion.commands import build

__all__ = ["project"]  # the fixture: a copy of the built demo room

# Seven (and six) words of the expired interview p12's cue at line 20 (EXPIRED_CUE).
SEVEN = "went up forty pounds between the quote"
SIX = "went up forty pounds between the"
PASTED = f"As one customer put it, {SEVEN.upper()}!, and we kept that."


def test_seven_words_in_a_published_page_are_a_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_to_page(project / "build/intranet/index.html", f"<p>{PASTED}</p>")
    code, out = audit(project, capsys)
    assert code == 1
    assert out.splitlines()[0] == line(
        "intranet",
        "index.html",
        "excluded-text",
        f'the words "{SEVEN}" from {EXPIRED_CUE}, left out of the intranet by consent',
    )


def test_seven_words_across_markup_in_a_script_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words = SEVEN.split(" ")
    planted = project / "build/kiosk/assets/planted.js"
    planted.write_text(f'const a = "{" ".join(words[:3])}" +\n  "{" ".join(words[3:])}";\n')
    code, out = audit(project, capsys)
    assert code == 1
    assert f'build/kiosk/assets/planted.js: error [excluded-text]: the words "{SEVEN}"' in out


def test_six_words_are_not(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_to_page(project / "build/intranet/index.html", f"<p>As one put it, {SIX}, yes.</p>")
    code, out = audit(project, capsys)
    assert code == 0, out


def test_words_a_kept_story_also_says_are_not(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = project / "content/stories/p07/index.md"
    kept.write_text(kept.read_text(encoding="utf-8") + f"\nHers {SEVEN} too.\n", encoding="utf-8")
    # (Not followed by "and", which would make another run of the expired line.)
    add_to_page(project / "build/intranet/index.html", f"<p>As one put it, {SEVEN}. Yes.</p>")
    code, out = audit(project, capsys)
    assert code == 0, out


def test_a_fragment_pasted_into_a_persona_is_not_published(demo_site: Path, tmp_path: Path) -> None:
    room = tmp_path / "room"
    shutil.copytree(demo_site.parent.parent, room, symlinks=True)
    persona = room / "content/personas/maya/index.md"
    text = persona.read_text(encoding="utf-8")
    at = (
        text.splitlines().index(
            "Maya is in her thirties, with two children under six and a partner who works"
        )
        + 1
    )
    persona.write_text(
        text.replace("Maya is in her thirties", f"{PASTED}\nMaya is in her thirties")
    )
    before = (room / "build/intranet").resolve()
    out = io.StringIO()
    code = build.run(room, ("intranet",), today=TODAY, out=out)
    report = out.getvalue()
    assert code == 1, report
    assert (
        f'build/intranet/personas/maya/index.html: error [excluded-text]: the words "{SEVEN}" '
        f"from {EXPIRED_CUE}, left out of the intranet by consent, pasted in "
        f"content/personas/maya/index.md:{at}"
    ) in report
    assert (room / "build/intranet").resolve() == before


def test_runs_are_every_seven_words_in_a_row() -> None:
    words = list("abcdefgh")
    assert list(shingles(words)) == ["a b c d e f g", "b c d e f g h"]
    assert list(shingles(words[:6])) == []
    found = Fragments({"b c d e f g h": 0}, [])
    assert found.find(["xb", *"cdefgh"]) == {}
    assert found.find(list("xbcdefgh")) == {0: "b c d e f g h"}
    assert found.find(list("bcd\x00efgh")) == {}


def test_a_second_audit_remembers_the_runs_and_finds_the_same(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_to_page(project / "build/kiosk/index.html", f"<p>{PASTED}</p>")
    first = audit(project, capsys)
    # The exclusions (their runs included) now come from build/.cache/audit.sqlite.
    add_to_page(project / "build/intranet/index.html", f"<p>{PASTED}</p>")
    second = audit(project, capsys)
    assert first[0] == second[0] == 1
    expected = f'build/kiosk/index.html: error [excluded-text]: the words "{SEVEN}"'
    assert [ln for ln in first[1].splitlines() if ln.startswith(expected)]
    assert [ln for ln in second[1].splitlines() if ln.startswith(expected)]
    assert 'build/intranet/index.html: error [excluded-text]: the words "' in second[1]


def test_the_runs_survive_the_memo() -> None:
    import json

    from immersion.audit.leaks import Excluded, Origin
    from immersion.audit.site import _freeze, _thaw

    origin = Origin("content/stories/p12/interview.vtt:20", "by consent")
    found = Excluded("kiosk", fragments=Fragments({SEVEN: 0}, [origin]))
    back = _thaw(json.loads(json.dumps(_freeze(found))), "kiosk")
    assert back is not None
    assert back.fragments.runs == {SEVEN: 0}
    assert back.fragments.origins == [origin]
    assert back.digest == found.digest
