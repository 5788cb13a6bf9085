"""A participant's thank-you letter: one printable HTML page (A4, a readable serif).

Plain words, built from `contributions.Contribution`: what they told us (their own
words only), what changed because of it (the actions, with status and date), and how
often staff opened and heard their stories in the room. Markup by construction
(`render.html`): every word of content is text.

`pdf` makes the PDF with WeasyPrint when it is installed (the `letters` extra): a
library that lays out HTML and CSS itself, offline, with no browser; it is given no
way to fetch anything (the letter has no images, fonts or links to load).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from .. import model as m
from ..contributions import Contribution
from .html import fmt_date, join, tag, void
from .views import STATUS_LABELS, STORY_KIND_LABELS

STYLE = """
@page { size: A4; margin: 22mm 24mm 24mm; }
html { background: #f4f1ea; }
body { margin: 0; color: #1d1d1b; font: 12pt/1.55 "DejaVu Serif", Georgia, "Times New Roman",
  serif; }
main { box-sizing: border-box; max-width: 170mm; margin: 2rem auto; padding: 20mm 22mm;
  background: #fff; box-shadow: 0 1px 6px rgba(0,0,0,.15); }
.from { margin: 0; font-size: 10.5pt; color: #555; }
.date { margin: 0 0 2.2em; font-size: 10.5pt; color: #555; }
h1 { font-size: 17pt; font-weight: normal; margin: 0 0 1em; }
h2 { font-size: 13pt; margin: 1.8em 0 .6em; break-after: avoid; }
blockquote { margin: 0 0 .3em; padding-left: 1em; border-left: 3px solid #b0a990;
  font-style: italic; }
.where { margin: 0 0 1.1em 1.3em; font-size: 10pt; color: #555; }
ul.changes { padding-left: 1.1em; }
ul.changes li { margin-bottom: .8em; break-inside: avoid; }
.status { font-weight: bold; }
.why { font-size: 10.5pt; color: #444; }
.sign { margin-top: 2.4em; }
@media (max-width: 40em) { main { margin: 0; padding: 8mm 6mm; box-shadow: none; } }
@media print { html { background: none; } main { margin: 0; padding: 0; max-width: none;
  box-shadow: none; } }
"""


@dataclass(frozen=True)
class Heard:
    """How often the room showed their stories to staff (None: nothing recorded yet)."""

    opened: int
    played: int
    to_the_end: int


def change_line(action: m.Action, because: list[str]) -> Markup:
    status = STATUS_LABELS.get(action.status, action.status)
    if action.status == "done":
        when = f" on {fmt_date(action.due)}" if action.due else ""
    elif action.due:
        when = f", due {fmt_date(action.due)}"
    else:
        when = ""
    parts: list[object] = [tag("span", f"{status}{when}:", class_="status"), " ", action.we_did]
    if because:
        parts += [void("br"), tag("span", f"What we learned: {' '.join(because)}", class_="why")]
    return join(parts)


def heard_text(heard: Heard | None) -> str:
    if heard is None:
        return (
            "How often staff heard you in the room is not yet recorded: the room's "
            "screens have not started counting."
        )
    if not heard.opened and not heard.played:
        return "Your story has not yet been opened on the room's screens."
    times = "once" if heard.opened == 1 else f"{heard.opened:,} times"
    text = f"Staff and visitors opened your story on the room's screens {times}"
    if heard.played:
        text += (
            f", and played your recordings {heard.played:,} "
            f"time{'' if heard.played == 1 else 's'}"
            f" ({heard.to_the_end:,} to the very end)"
        )
    return text + "."


def letter_html(
    lib: m.Library, c: Contribution, heard: Heard | None, today: dt.date, room_name: str
) -> str:
    """The whole letter, as an HTML document."""
    name = c.pseudonym
    body: list[object] = [
        tag("p", room_name, class_="from"),
        tag("p", fmt_date(today), class_="date"),
        tag("h1", f"Dear {name},"),
        tag(
            "p",
            "Thank you for the time you gave us and for telling us how things really "
            "are. This letter says what we heard, and what we have done about it.",
        ),
        tag("h2", "What you told us"),
    ]
    if c.said:
        for said in c.said:
            when = said.when if isinstance(said.when, dt.date) else None
            where = STORY_KIND_LABELS.get(said.kind, said.kind)
            body.append(tag("blockquote", tag("p", f"“{said.words}”")))
            body.append(tag("p", where + (f", {fmt_date(when)}" if when else ""), class_="where"))
    elif "words" not in c.consent.allows:
        body.append(
            tag(
                "p",
                "We do not quote your words here: you asked us not to show them, "
                "and we keep to that.",
            )
        )
    else:
        body.append(
            tag(
                "p",
                "We do not quote your words in this letter: they are shown only where "
                "you agreed they could be.",
            )
        )
    body.append(tag("h2", "What changed because of it"))
    if c.actions:
        items = []
        for action_id in c.actions:
            action = lib.actions[action_id]
            because = [
                lib.insights[i].statement
                for i in action.insights
                if i in c.insights and i in lib.insights
            ]
            items.append(tag("li", change_line(action, because)))
        body.append(tag("p", "What you told us is part of the evidence for these changes:"))
        body.append(tag("ul", join(items), class_="changes"))
    else:
        body.append(
            tag(
                "p",
                "Nothing has changed because of it yet. What you told us is in the "
                "room, and we will write again when it leads to a change.",
            )
        )
    body.append(tag("h2", "How often you were heard"))
    body.append(tag("p", heard_text(heard)))
    body.append(tag("p", join(["With thanks,", void("br"), "the research team"]), class_="sign"))
    head = join(
        [
            Markup('<meta charset="utf-8">'),
            Markup('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            tag("title", f"Thank you, {name}"),
            tag("style", Markup(STYLE)),  # our own stylesheet, a constant
        ]
    )
    document = tag("html", tag("head", head) + tag("body", tag("main", join(body))), lang="en")
    return "<!doctype html>\n" + str(document) + "\n"


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the package is there, Pango is not
        return False
    return True


def pdf(html: str) -> bytes:
    """The letter as PDF (WeasyPrint), fetching nothing: a letter loads no file or URL."""
    import weasyprint

    def refuse(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"a letter loads nothing: {url}")

    document = weasyprint.HTML(string=html, url_fetcher=refuse)
    data = document.write_pdf()
    assert isinstance(data, bytes)
    return data


__all__ = ["Heard", "letter_html", "pdf", "pdf_available"]
