"""Docs that cannot rot: the content reference and the architecture's module table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from immersion import formats, reference

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "immersion"


# -- docs/content.md ---------------------------------------------------------------------


def test_every_field_is_described() -> None:
    assert reference.problems() == [], (
        "fix immersion/formats.py (FIELD_NOTES) or immersion/reference.py, then run "
        f"`{reference.COMMAND}`"
    )


def test_content_reference_is_current() -> None:
    written = (ROOT / "docs" / "content.md").read_text(encoding="utf-8")
    assert written == reference.markdown(), (
        f"docs/content.md is out of date with immersion/formats.py: run `{reference.COMMAND}`"
    )


def test_reference_names_every_field_with_its_type() -> None:
    text = reference.markdown()
    for path in ("`stages[].emotion`", "`displays[].playlist.tour`", "`participant.consent`"):
        assert path in text
    row = next(line for line in text.splitlines() if line.startswith("| `idle_seconds`"))
    assert "whole number from 10 to 3600" in row and "default `90`" in row
    assert "| `status` | one of `open`, `in-progress`, `done`, `dropped` | **required** |" in text


def test_an_undescribed_field_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    notes = {k: dict(v) for k, v in formats.FIELD_NOTES.items()}
    del notes["persona"]["segment"]
    notes["action"]["colour"] = "a field that does not exist"
    monkeypatch.setattr(formats, "FIELD_NOTES", notes)
    assert reference.problems() == [
        "persona: the field 'segment' has no FIELD_NOTES entry",
        "action: FIELD_NOTES names 'colour', which is no field",
    ]


def test_an_unknown_converter_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def shade(value: object, ctx: object, fld: str, line: int) -> object:
        return value

    monkeypatch.setitem(formats.INSIGHT_FIELDS, "shade", formats.F(shade))
    assert any("cannot describe" in p and "shade" in p for p in reference.problems())


def test_the_command_writes_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert reference.main() == 0
    assert capsys.readouterr().out == reference.markdown()


# -- docs/architecture.md: the module table ------------------------------------------------


def module_table() -> dict[str, str]:
    """{`cli.py` or `media/`: the rest of its row} from the `| module | ... |` table."""
    lines = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*module\s*\|", line))
    rows: dict[str, str] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|", 1)]
        rows[cells[0].strip("`")] = cells[1] if len(cells) > 1 else ""
    return rows


def children(folder: Path) -> set[str]:
    """Modules (`x.py`) and packages (`x/`) directly in `folder`; dunder files left out."""
    found = {p.name for p in folder.glob("*.py") if not p.name.startswith("__")}
    found |= {f"{p.name}/" for p in folder.iterdir() if (p / "__init__.py").is_file()}
    return found


def test_module_table_names_every_module_and_package() -> None:
    table = module_table()
    tree = children(PACKAGE)
    missing, gone = sorted(tree - set(table)), sorted(set(table) - tree)
    assert missing == [], f"add rows to the module table of docs/architecture.md: {missing}"
    assert gone == [], f"the module table of docs/architecture.md names what is gone: {gone}"


def test_package_rows_name_their_modules() -> None:
    """A package's row names each of its modules and sub-packages (as `x.py` or `x/`)."""
    for name, text in module_table().items():
        if not name.endswith("/"):
            continue
        named = set(re.findall(r"`(\w+(?:\.py|/))`", text))
        inside = children(PACKAGE / name)
        missing, gone = sorted(inside - named), sorted(named - inside)
        assert (missing, gone) == ([], []), (
            f"the row of {name} in docs/architecture.md: name {missing}; drop {gone}"
        )
