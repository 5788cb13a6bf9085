"""`immersion letters [CONSENT_ID ...] [--out DIR]`: a thank-you letter for each participant.

For every consent record valid today (or the ones named), an HTML letter with a print
stylesheet, and its PDF when WeasyPrint is installed, in `build/letters/` (or `--out`,
never inside content/). A letter quotes only what the participant's consent lets the
intranet show (the intranet's audience filter), and only their own words.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sqlite3
import sys
from pathlib import Path
from typing import TextIO

from ..audience import for_audience
from ..contributions import contribution
from ..load import load
from ..problems import EXIT_CONTENT, EXIT_OK, UsageError
from ..project import Project
from ..render.letters import Heard, letter_html, pdf, pdf_available
from ..render.staging import atomic_write
from ..room.schema import LISTEN, OPEN, item_key


def heard_counts(database: Path, stories: tuple[str, ...]) -> Heard | None:
    """Opens and listens of the stories, from the room database; None without one."""
    if not database.is_file():
        return None
    keys = [item_key("story", s) for s in stories]
    if not keys:
        return Heard(0, 0, 0)
    marks = ", ".join("?" for _ in keys)
    # Answered by the (item, kind) index: a handful of keys among millions of events.
    sql = (
        f"SELECT kind, COUNT(*), SUM(completed) FROM events WHERE item IN ({marks})"
        f" AND kind IN ('{OPEN}', '{LISTEN}') GROUP BY kind"
    )
    con = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(sql, keys).fetchall()
    finally:
        con.close()
    found = {kind: (int(n), int(done or 0)) for kind, n, done in rows}
    return Heard(found.get(OPEN, (0, 0))[0], *found.get(LISTEN, (0, 0)))


def run(
    project: Path,
    consent_ids: list[str] | None = None,
    out: Path | None = None,
    today: dt.date | None = None,
    stream: TextIO | None = None,
) -> int:
    stream = stream or sys.stdout
    proj = Project(project)
    if not proj.has_content():
        raise UsageError(f"no content/ folder in {project}: is this a room project?")
    folder = (out or proj.letters).resolve()
    content = proj.content.resolve()
    if folder == content or content in folder.parents:
        raise UsageError(
            f"--out {out} is inside content/: letters are never written there; "
            "choose a folder outside it (default: build/letters/)"
        )
    day = today or proj.today()
    library, _problems = load(proj, day)
    consents = library.consents
    for cid in consent_ids or []:
        if cid not in consents:
            close = difflib.get_close_matches(cid, list(consents), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"no consent record {cid} in content/consent/{hint}")
    chosen = consent_ids or sorted(c.id for c in consents.values() if c.valid_on(day))
    view = for_audience(library, "intranet", day)
    code = EXIT_OK
    written = 0
    make_pdf = pdf_available()
    folder.mkdir(parents=True, exist_ok=True)
    for cid in chosen:
        consent = consents[cid]
        if not consent.valid_on(day):
            print(
                f"{proj.shown(proj.consents / (cid + '.yml'))}: no letter for {cid}: this "
                "consent is not valid today (withdrawn, expired or not yet signed), so "
                "nothing of theirs may be shown",
                file=stream,
            )
            code = EXIT_CONTENT
            continue
        # Their words as the intranet may show them; the actions through the whole
        # library's evidence (their words led to them, shown or not).
        said = contribution(view, consent)
        led = contribution(library, consent)
        c = type(said)(consent, said.pseudonym, led.stories, said.said, led.insights, led.actions)
        try:
            heard = heard_counts(proj.room_database, led.stories)
        except sqlite3.Error as exc:
            print(
                f"warning: {proj.shown(proj.room_database)}: cannot read the room database "
                f"({exc}): the letters say the room's figures are not yet recorded",
                file=stream,
            )
            heard = None
        html = letter_html(library, c, heard, day, library.room.name)
        atomic_write(folder / f"{cid}.html", html.encode("utf-8"))
        if make_pdf:
            atomic_write(folder / f"{cid}.pdf", pdf(html))
        written += 1
    shown = proj.shown(folder)
    kinds = "HTML and PDF" if make_pdf else "HTML"
    print(f"letters: {written} written ({kinds}) -> {shown}/", file=stream)
    if not make_pdf:
        print(
            "  no PDF: install WeasyPrint (pip install 'immersion[letters]'), or print "
            "the HTML from a browser",
            file=stream,
        )
    return code
