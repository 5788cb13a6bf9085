"""Templates for `immersion new` and `immersion init`: every field, each with a comment.

Templates name other items through `{persona}`, `{journey}`, `{stage}`,
`{consent}`, `{story}` and `{insight}`, so `init` can fill in its own example
ids and `new` can use ids that already exist in the project. Media fields are
written commented out: the files do not exist yet, and a scaffold must pass
`immersion check` as it is.
"""

from __future__ import annotations

import datetime as dt
import re

PERSONA = """\
---
# The persona's first name, as the room will show it.
name: {title}
# The customer segment they stand for.
segment: Young families
# A portrait beside this file, with alt text describing it for people who cannot see it.
# portrait: {{src: portrait.jpg, alt: "{title} at the kitchen table"}}
# One quote; evidence points at an interview highlight (story-id#highlight-id) and
# disappears with that story's consent.
quote: {{text: "I just want one number I can trust."}}
# quote: {{text: "I just want one number I can trust.", evidence: {story}#hl-1}}
# What they are trying to achieve.
goals: [Move home without surprises]
# What they need, practically and emotionally.
needs: {{functional: [One clear price], emotional: [Feel in control]}}
# What gets in their way; each may cite evidence like the quote.
pain_points:
  - {{text: "Prices change after the phone call", evidence: []}}
# What they do.
behaviours: [Compares prices late at night]
# The journeys this persona goes through (ids from content/journeys/).
journeys: [{journey}]
# When the research team last checked this persona; older than 12 months shows
# a "needs review" badge on the intranet.
reviewed: {today}
# Free words for the tags page.
tags: [families]
---
A few paragraphs about {title}: their life, their household, what matters to them.
Markdown works here.
"""

JOURNEY = """\
---
# The journey's name.
title: {title}
# The personas who go through it (ids from content/personas/).
personas: [{persona}]
# Stages in order. emotion is -2..+2, or one score per persona: {{{persona}: -1}}.
stages:
  - id: {stage}
    title: Thinking about it
    doing: "Looks at options online"
    thinking: "Can we afford this?"
    feeling: "Hopeful but unsure"
    emotion: 0
    # Where it happens, and what of ours they touch.
    channels: [web]
    touchpoints: [price comparison page]
    pain_points: [Too many choices]
    opportunities: [A single clear starting price]
    # A moment that makes or breaks the relationship.
    moment_of_truth: false
    # Evidence: story-id#highlight-id or story-id#entry-id.
    evidence: []
  - id: decide
    title: Deciding
    doing: "Calls for a quote"
    thinking: "Is this the real price?"
    feeling: "Anxious"
    emotion: -1
    channels: [phone]
    touchpoints: [quote call]
    pain_points: []
    opportunities: []
    moment_of_truth: true
    evidence: []
# Free words for the tags page.
tags: []
---
The journey in a few paragraphs: where it starts, where it ends, what matters most.
"""

STORY_COMMON = """\
---
# interview | audio-diary | photo-film | email | story
kind: {kind}
title: "{title}"
# A pseudonym, never a real name; the consent record decides where this story may appear.
participant: {{pseudonym: Leah, persona: {persona}, consent: {consent}}}
date: {today}
# The journey and stage this story belongs to.
journey: {journey}
stage: {stage}
tags: []
# Optional: narrower than the consent allows, e.g. [intranet].
# audiences: [intranet]
"""

STORY_KIND = {
    "interview": """\
# The recording beside this file (wav, m4a, mp3, ogg, flac, amr, webm) and its WebVTT
# transcript with speakers as <v Name>.
# recording: interview.m4a
# transcript: interview.vtt
# The interviewer's voice is never quoted.
interviewer: Sam
# Moments worth hearing: times as "HH:MM:SS.mmm" or seconds.
highlights: []
#  - {id: hl-1, start: "00:12:04.200", end: "00:12:31.000", tags: [pain], stage: decide}
---
A short summary of the interview: who, where, what stood out.
""",
    "audio-diary": """\
# One entry per recording; recorded is a date, mood -2..+2.
entries:
  - id: e1
    recorded: {today}
    prompt: "What happened today?"
    # recording: e1.m4a
    # transcript: e1.vtt
    mood: 0
    stage: {stage}
    place: home
---
What this diary is about, and how it was collected.
""",
    "photo-film": """\
# Photos shown in order, each for its seconds.
frames: []
#  - {src: 01.jpg, caption: "Boxes in the hall", alt: "Boxes in a hallway", seconds: 6}
# A highlight of a filmed interview plays as a frame (muted, for the highlight's length):
#  - {video: p07#hl-1, caption: "On the phone to the movers", alt: "Leah talking"}
# A narration recording with captions, played in step with the frames.
# narration: {recording: narration.m4a, captions: narration.vtt}
# Chapters: at (seconds or "HH:MM:SS"), a title, and the journey stage.
chapters: []
---
What the film shows.
""",
    "email": """\
# The sender's pseudonym, the subject and the date it was sent.
from: Leah
subject: "About my bill"
sent: {today}
# Photos that came with it, each with alt text.
attachments: []
#  - {src: bill.jpg, alt: "A bill with the total circled"}
---
Dear team,

The letter as the customer wrote it.
""",
    "story": """\
---
The story as it was told. Put photos beside this file and show each one where it
belongs: an exclamation mark, what the photo shows in square brackets, then the
file name in round brackets.
""",
}

INSIGHT = """\
---
# One finding, in a sentence.
statement: "{title}"
# observed (seen or heard) | interpreted (our reading of it)
basis: observed
# The stories behind it: story-id#highlight-id or story-id#entry-id.
evidence: []
# Personas and journey stages it concerns.
personas: [{persona}]
stages: [{journey}/{stage}]
tags: []
---
Why we believe it, and what it means.
"""

ACTION = """\
---
# "You said, we did": the customer's words, then what the company did.
you_said: "Prices change after the call"
we_did: "{title}"
# The insights that led to it (ids from content/insights/).
insights: [{insight}]
owner: Moves team
# open | in-progress | done | dropped
status: open
due: {due}
# When we told the customers who raised it.
# reported_back: {today}
tags: []
---
More about what was done.
"""

CONSENT = """\
# A pseudonym, never a real name.
participant: Leah
signed: {today}
# Consent ends on this date: content using it leaves every build.
expires: {expires}
# A date, once the participant withdraws.
withdrawn:
# Where their content may appear: kiosk, intranet.
audiences: [kiosk, intranet]
# What of them may be shown: voice, face, words.
allows: [voice, face, words]
"""

ROOM = """\
# The room: its name, time zone, opening hours and displays.
name: {title}
timezone: Europe/London
# Outside these hours the displays dim to a quiet slide.
opening_hours: {{open: "08:00", close: "19:00"}}
# Seconds without a touch before a display returns to its attract loop.
idle_seconds: 90
displays:
  - id: entrance
    title: Welcome wall
    orientation: landscape            # landscape | portrait
    resolution: [1920, 1080]
    # One of: {{tour: id}}, {{items: [persona/id, story/id]}}, {{kind: audio-diary}}
    playlist: {{tour: meet-our-customers}}
    # Each slide lasts as long as its content needs; `slide_seconds: 12` pins text slides.
    # May this display play sound unprompted?
    audio: false
tours:
  - id: meet-our-customers
    title: Meet our customers
    items: [persona/{persona}, journey/{journey}, story/{story}]
"""

MKDOCS = """\
# The site's name and look. immersion writes the rest of each site's config.
site_name: {title}
theme:
  palette: {{primary: teal, accent: deep orange}}
"""

ROOM_CSS = """\
/* Your room's own styles for the intranet, loaded after immersion's. */
"""


def item_template(kind: str) -> str:
    """The template of an item kind; the five story kinds share the common story fields."""
    if kind in STORY_KIND:
        return STORY_COMMON + STORY_KIND[kind]
    return {"persona": PERSONA, "journey": JOURNEY, "insight": INSIGHT, "action": ACTION}[kind]


def fill(template: str, **ids: str) -> str:
    today = dt.date.today()
    values = {
        "today": today.isoformat(),
        "expires": today.replace(year=today.year + 1).isoformat()
        if not (today.month == 2 and today.day == 29)
        else (today + dt.timedelta(days=365)).isoformat(),
        "due": (today + dt.timedelta(days=90)).isoformat(),
        **ids,
    }

    # Only the known names are placeholders; `{{`/`}}` stand for literal braces, and a
    # single brace (in a YAML flow mapping written in a comment) stays as it is.
    def sub(match: re.Match[str]) -> str:
        return values[match.group(1)] if match.group(1) else match.group(0)[0]

    return _PLACEHOLDER.sub(sub, template)


_PLACEHOLDER = re.compile(
    r"\{(today|expires|due|title|kind|persona|journey|stage|consent|story|insight)\}|\{\{|\}\}"
)
