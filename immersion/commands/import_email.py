"""`immersion import email FILE.eml --story ID --persona P --consent C`."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from ..importers import bundle, mail, personal
from ..importers.bundle import quoted
from ..model import KIND_FOLDERS
from ..problems import EXIT_OK, UsageError
from .import_ import _report, _story_folder
from .new import existing_ids


def _pseudonym(consent_file: Path, consent: str) -> str:
    if not consent_file.is_file():
        raise UsageError(f"--consent {consent}: no {consent_file.name} in content/consent/")
    try:
        record = yaml.safe_load(consent_file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UsageError(f"{consent_file}: cannot be read ({exc}); run `immersion check`") from None
    name = record.get("participant") if isinstance(record, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{consent_file}: has no participant: pseudonym to show as the sender")
    return name.strip()


def index_md(
    m: mail.Mail,
    pseudonym: str,
    persona: str,
    consent: str,
    ids: dict[str, str],
    found: list[personal.Finding],
) -> str:
    lines = [
        "---",
        "# Written by `immersion import email`: fill in every line marked TODO.",
        "kind: email",
        "# TODO: a title a passer-by understands.",
        f"title: {quoted(f'{pseudonym}: {m.subject}' if m.subject else pseudonym)}",
        "# The participant's pseudonym (from the consent record), persona and consent.",
        f"participant: {{pseudonym: {quoted(pseudonym)}, persona: {persona}, consent: {consent}}}",
        f"date: {m.sent}",
        "# TODO: the journey and stage this story belongs to.",
        f"journey: {ids['journey']}",
        f"stage: {ids['stage']}",
        "tags: []",
        "# The sender's pseudonym, the subject and the date it was sent.",
        f"from: {quoted(pseudonym)}",
        f"subject: {quoted(m.subject)}",
        f"sent: {m.sent}",
        "# Photos that came with it. TODO: say what each one shows in alt.",
    ]
    if m.photos:
        lines.append("attachments:")
        lines += [f'  - {{src: {quoted(name)}, alt: ""}}' for name in m.photos]
    else:
        lines.append("attachments: []")
    lines += bundle.redact_lines(found)
    lines += ["---", "", m.body, ""]
    return "\n".join(lines)


def _lines_in(text: str, found: list[personal.Finding]) -> list[personal.Finding]:
    """The findings with the line where each first appears outside the redact: list."""
    lines = [
        (n, line.lower())
        for n, line in enumerate(text.split("\n"), start=1)
        if not line.startswith("  - {words:")
    ]
    out = []
    for f in found:
        where = next((n for n, line in lines if f.words.lower() in line), 0)
        out.append(personal.Finding(f.words, f.why, where))
    return out


def run(
    project: Path, file: Path, story: str, persona: str, consent: str, *, force: bool = False
) -> int:
    proj, folder = _story_folder(project, story)
    if not (proj.content / KIND_FOLDERS["persona"] / persona / "index.md").is_file():
        raise UsageError(f"--persona {persona}: no content/personas/{persona}/index.md")
    pseudonym = _pseudonym(proj.consents / f"{consent}.yml", consent)
    m = mail.read(file, str(file))
    reals = [n for n in (m.sender_name, m.sender_address) if n and n != pseudonym]
    names = personal.real_names(reals, {pseudonym})
    text = index_md(m, pseudonym, persona, consent, existing_ids(proj), [])
    found = personal.find(text, names)
    # The real name and address are always redacted, even where the body never repeats them.
    found += [
        personal.Finding(n, "sender", 0)
        for n in names
        if n.lower() not in {f.words.lower() for f in found}
    ]
    text = index_md(m, pseudonym, persona, consent, existing_ids(proj), found)
    found = _lines_in(text, found)
    files = {"index.md": text.encode("utf-8"), **m.photos}
    bundle.write_new(folder, files, force=force)
    for note in m.notes:
        print(note, file=sys.stderr)
    todo = ["title, journey and stage (marked TODO)"]
    if m.photos:
        todo.append(f"alt text for each photo ({', '.join(m.photos)})")
    _report(folder, project, found, todo, "index.md")
    return EXIT_OK
