"""Write a synthetic, text-only room project for benchmarking `immersion build`.

    python bench/make_corpus.py --stories 1000 --out bench/corpus/n1000 [--seed 7]
    python bench/make_corpus.py --smoke   # seconds: 10 stories in bench/corpus/smoke (CI)

It prints the counts and the time it took, and writes them to --json (default
bench/results/make_corpus.json; --smoke: bench/results/smoke/make_corpus.json).

The project has everything SPEC §2 describes except media: content/room.yml
(two displays and a tour), one consent record per participant (about 5% of
them expired, so the audience filter has something to drop), ~N/20 personas,
~N/50 journeys of 5-8 stages with per-persona emotions, N stories (written
stories and emails with 200-400 word Markdown bodies), ~N/10 insights citing
stories as evidence, ~N/20 actions, and a mkdocs.yml with a site_name.

The output is a pure function of (N, seed, today): dates are placed relative to
`--today` (default: the real date) so that consents stay valid and personas stay
reviewed whenever the corpus is generated. It passes `immersion check` with no
errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MARKER = ".bench-corpus"  # marks a folder this script may wipe and rewrite
EXPIRED_SHARE = 0.05
STORIES_PER_PARTICIPANT = 5
FIRST_NAMES = (
    "Maya", "Raj", "Dot", "Leah", "Sam", "Priya", "Tom", "Ade", "Grace", "Omar", "Lena", "Kwame",
    "Hannah", "Yusuf", "Bea", "Callum", "Nia", "Mateo", "Ivy", "Farid", "Rosa", "Declan", "Mei",
    "Joe", "Aisha", "Ben", "Chloe", "Dev", "Erin", "Felix", "Gita", "Hugo", "Iris", "Jonah",
    "Kira", "Liam", "Mo", "Nadia", "Oscar", "Pia", "Quinn", "Ravi", "Sofia", "Theo", "Una",
    "Viktor", "Wren", "Xena", "Yara", "Zac",
)  # fmt: skip
SEGMENTS = (
    "Young families", "Retired homeowners", "First-time renters", "Small business owners",
    "Students", "Carers", "Shift workers", "Digital natives", "Rural households",
    "Recently bereaved", "New arrivals", "Tight budgets",
)  # fmt: skip
JOURNEY_THEMES = (
    "Moving home", "Switching supplier", "Getting broadband installed", "Paying a late bill",
    "Reporting a fault", "Opening an account", "Ending a contract", "Smart meter fitting",
    "Going paperless", "Closing an account after a death", "Disputing a charge",
    "Setting up a payment plan", "Renewing a fixed deal", "Adding a second property",
)  # fmt: skip
STAGE_TITLES = (
    "Noticing the need", "Looking around", "Comparing prices", "Asking for a quote",
    "Deciding", "Signing up", "Waiting", "The first bill", "Getting help", "Chasing up",
    "Sorting it out", "Settling in", "Renewal letter", "Leaving",
)  # fmt: skip
CHANNELS = ("web", "app", "phone", "email", "letter", "chat", "shop", "social media")
TOUCHPOINTS = (
    "quote form", "price comparison page", "welcome email", "first bill", "call centre queue",
    "engineer visit", "renewal letter", "live chat", "account page", "payment reminder",
    "text message", "complaints form",
)  # fmt: skip
THINGS = (
    "the bill", "the quote", "the contract", "my account", "the app", "the meter reading",
    "the direct debit", "the renewal letter", "the engineer's visit", "the refund",
    "the welcome pack", "the price", "the payment plan", "the letter", "the online form",
)  # fmt: skip
PEOPLE = (
    "my partner", "my mum", "the kids", "my neighbour", "the landlord", "my sister",
    "a friend from work", "the man on the phone", "the woman in the shop", "my son",
)  # fmt: skip
PLACES = (
    "at the kitchen table", "on the bus", "in the car park", "at work", "late at night",
    "on my lunch break", "in the hallway", "with the radio on", "before the school run",
)  # fmt: skip
FEELINGS = (
    "confused", "relieved", "anxious", "annoyed", "reassured", "embarrassed", "hopeful",
    "stuck", "ignored", "in control", "tired", "pleasantly surprised",
)  # fmt: skip
VERBS = (  # (past, base)
    ("rang about", "ring about"), ("looked for", "look for"), ("filled in", "fill in"),
    ("waited for", "wait for"), ("argued about", "argue about"), ("read through", "read through"),
    ("checked", "check"), ("tried to change", "try to change"), ("gave up on", "give up on"),
    ("printed out", "print out"), ("searched for", "search for"), ("paid", "pay"),
)  # fmt: skip
TAGS = (
    "billing", "trust", "price", "waiting", "digital", "phone", "vulnerability", "moving",
    "complaint", "payment", "accessibility", "renewal", "onboarding", "fault", "family",
)  # fmt: skip
HEADINGS = (
    "What happened", "How it felt", "What I expected", "What would have helped",
    "The phone call", "Afterwards", "Looking back", "The letter", "Where it went wrong",
    "What went right", "The worst part", "What I told my friends",
)  # fmt: skip
SENTENCES = (
    "I {verb} {thing} {place}, and honestly I felt {feeling}.",
    "{Person} told me to {verb_base} {thing} first, but nobody explained why.",
    "It took three goes before {thing} made any sense to me.",
    "When I finally {verb} {thing}, the number was different again.",
    "I just want one number I can trust, not a page of small print.",
    "The website said one thing and {person} said another.",
    "By the time I had {verb} {thing} I had lost most of the afternoon.",
    "Nobody asked me whether {thing} suited someone in my situation.",
    "I kept a note of every call, because I did not trust {thing}.",
    "{Person} was kind, which made it easier, but the problem stayed.",
    "I would have paid a little more for someone to just sort it out.",
    "It felt like {thing} was written for somebody else entirely.",
    "I read it twice {place} and still felt {feeling}.",
    "The second time I called it was quicker, and I felt {feeling}.",
    "What I needed was a date, not another apology.",
    "If I had known about {thing} earlier I would have done it differently.",
    "I checked {thing} on my phone {place} and it had changed overnight.",
    "{Person} ended up doing most of it, which I did not love.",
)  # fmt: skip
LIST_ITEMS = (
    "a clear date for {thing}", "one person who owns the problem", "a price that does not move",
    "a text when {thing} is sorted", "fewer forms", "a real name to ask for",
    "being able to pause {thing}", "plain words instead of codes", "a call back, not a queue",
    "help with {thing} {place}", "knowing what happens next",
)  # fmt: skip
# What an editor writes about the research (personas, journeys, insights), in words of
# its own: a body that repeated the customers' sentences would paste words of stories its
# audience may not see, which the build refuses as a leak.
EDITORIAL = (
    "Across the interviews, {thing} came up as a source of doubt.",
    "We saw people check {thing} {place} more than once.",
    "The pattern holds for renters and owners alike.",
    "Most participants described feeling {feeling} at this point.",
    "Our staff often explain {thing} in our terms rather than theirs.",
    "This stage is where promises about {thing} are tested.",
    "Several households split the work between two people.",
    "The evidence for this is observed, not only reported.",
    "{Person} is often the one who makes the final call.",
    "Few of them knew who to contact about {thing}.",
)  # fmt: skip
EDITORIAL_ITEMS = (
    "confirm {thing} in writing", "name an owner for each case", "send a date, not a window",
    "use plain words about {thing}", "offer a call back", "check in after {thing}",
)  # fmt: skip
STATEMENTS = (
    "Customers do not trust a price until it is written down",
    "People plan around {thing}, not around our process",
    "Waiting without a date feels worse than a long wait with one",
    "Households share the admin, but our letters assume one person",
    "Late-night research happens on phones, not on laptops",
    "A kind voice does not make up for a problem that comes back",
    "Small print about {thing} is read as a trap",
    "Customers keep their own records because ours change",
    "Being asked the same question twice erodes trust fast",
    "People in a crisis need one owner, not a queue",
)  # fmt: skip


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


STAGE_BY_ID = {slug(t): t for t in STAGE_TITLES}
TEAMS = ("Billing team", "Digital team", "Moves team", "Care team", "Field service", "Pricing")


@dataclass
class Words:
    """Seeded filler text that reads like customer research."""

    rng: random.Random

    def fill(self, template: str) -> str:
        person = self.rng.choice(PEOPLE)
        verb, verb_base = self.rng.choice(VERBS)
        return template.format(
            verb=verb,
            verb_base=verb_base,
            thing=self.rng.choice(THINGS),
            place=self.rng.choice(PLACES),
            feeling=self.rng.choice(FEELINGS),
            person=person,
            Person=person[0].upper() + person[1:],
        )

    def sentence(self, editorial: bool = False) -> str:
        return self.fill(self.rng.choice(EDITORIAL if editorial else SENTENCES))

    def paragraph(self, lo: int = 3, hi: int = 6, editorial: bool = False) -> str:
        count = self.rng.randint(lo, hi)
        text = " ".join(self.sentence(editorial) for _ in range(count))
        if self.rng.random() < 0.3:  # some inline emphasis, as editors write it
            words = text.split(" ")
            i = self.rng.randrange(len(words) - 2)
            words[i] = f"**{words[i]}"
            words[i + 1] = f"{words[i + 1]}**"
            text = " ".join(words)
        return text

    def bullets(self, editorial: bool = False) -> str:
        pool = EDITORIAL_ITEMS if editorial else LIST_ITEMS
        items = self.rng.sample(pool, self.rng.randint(3, 5))
        marker = self.rng.choice(("- ", "* ", "1. "))
        return "\n".join(marker + self.fill(item) for item in items)

    def body(
        self, lo: int = 200, hi: int = 400, headings: bool = True, editorial: bool = False
    ) -> str:
        """Multi-paragraph Markdown of roughly lo..hi words, with headings and lists."""
        target = self.rng.randint(lo, hi)
        blocks: list[str] = []
        used_headings = self.rng.sample(HEADINGS, len(HEADINGS))
        words = 0
        while words < target:
            if headings and (not blocks or self.rng.random() < 0.25) and used_headings:
                blocks.append(f"## {used_headings.pop()}")
            roll = self.rng.random()
            if roll < 0.2:
                block = self.bullets(editorial)
            elif roll < 0.28 and not editorial:
                block = f"> {self.sentence()}"
            else:
                block = self.paragraph(editorial=editorial)
            blocks.append(block)
            words += len(block.split())
        return "\n\n".join(blocks) + "\n"

    def short(self, options: Sequence[str]) -> str:
        return self.fill(self.rng.choice(options))


@dataclass
class Journey:
    id: str
    title: str
    personas: list[str]
    stages: list[str]


@dataclass
class Corpus:
    stories: int
    out: Path
    seed: int
    today: dt.date
    rng: random.Random = field(init=False)
    words: Words = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.words = Words(self.rng)

    # -- writing ---------------------------------------------------------------

    def write_yaml(self, rel: str, data: dict[str, Any]) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(data), encoding="utf-8")

    def write_item(self, kind_dir: str, item_id: str, meta: dict[str, Any], body: str) -> None:
        path = self.out / "content" / kind_dir / item_id / "index.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{dump(meta)}---\n{body}", encoding="utf-8")

    def days_ago(self, lo: int, hi: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(lo, hi))

    # -- the project -----------------------------------------------------------

    def make(self) -> dict[str, int]:
        n = self.stories
        n_personas = max(3, round(n / 20))
        n_journeys = max(2, round(n / 50))
        n_participants = max(4, -(-n // STORIES_PER_PARTICIPANT))
        n_insights = max(2, round(n / 10))
        n_actions = max(2, round(n / 20))

        personas = [
            f"p{i:03d}-{slug(FIRST_NAMES[i % len(FIRST_NAMES)])}" for i in range(n_personas)
        ]
        journeys = self.journeys(n_journeys, personas)
        persona_journeys: dict[str, list[str]] = {p: [] for p in personas}
        for j in journeys:
            for p in j.personas:
                persona_journeys[p].append(j.id)
        consents = self.consents(n_participants)
        story_ids = [f"s{i:04d}" for i in range(n)]

        self.write_yaml("mkdocs.yml", {"site_name": f"Immersion benchmark ({n} stories)"})
        self.room(personas, journeys, story_ids)
        for persona_id in personas:
            self.persona(persona_id, persona_journeys[persona_id], story_ids)
        for j in journeys:
            self.journey(j, story_ids)
        for index, story_id in enumerate(story_ids):
            self.story(story_id, consents[index % len(consents)], journeys)
        insight_ids = [f"i{i:03d}" for i in range(n_insights)]
        for insight_id in insight_ids:
            self.insight(insight_id, story_ids, journeys)
        for i in range(n_actions):
            self.action(f"a{i:03d}", insight_ids)
        return {
            "personas": n_personas,
            "journeys": n_journeys,
            "consents": n_participants,
            "stories": n,
            "insights": n_insights,
            "actions": n_actions,
        }

    def room(self, personas: list[str], journeys: list[Journey], stories: list[str]) -> None:
        tour = [f"persona/{personas[0]}", f"journey/{journeys[0].id}"]
        tour += [f"story/{s}" for s in self.rng.sample(stories, min(4, len(stories)))]
        room = {
            "name": "Customer Immersion Room",
            "timezone": "Europe/London",
            "opening_hours": {"open": "08:00", "close": "19:00"},
            "idle_seconds": 90,
            "displays": [
                {
                    "id": "entrance",
                    "title": "Welcome wall",
                    "orientation": "landscape",
                    "resolution": [1920, 1080],
                    "playlist": {"tour": "meet-our-customers"},
                    "slide_seconds": 12,
                    "audio": False,
                },
                {
                    "id": "letters",
                    "title": "Letters from customers",
                    "orientation": "portrait",
                    "resolution": [1080, 1920],
                    "playlist": {"kind": "email"},
                    "slide_seconds": 20,
                },
            ],
            "tours": [{"id": "meet-our-customers", "title": "Meet our customers", "items": tour}],
        }
        self.write_yaml("content/room.yml", room)

    def consents(self, count: int) -> list[str]:
        ids = [f"c{i:04d}" for i in range(count)]
        expired = set(self.rng.sample(ids, max(1, round(count * EXPIRED_SHARE))))
        floor = max(self.today + dt.timedelta(days=120), dt.date(2027, 3, 1))
        for cid in ids:
            if cid in expired:
                expires = self.days_ago(1, 300)
                signed = expires - dt.timedelta(days=self.rng.randint(365, 730))
            else:
                signed = self.days_ago(20, 600)
                expires = floor + dt.timedelta(days=self.rng.randint(0, 600))
            audiences = ["kiosk", "intranet"] if self.rng.random() < 0.85 else ["intranet"]
            allows = ["voice", "face", "words"] if self.rng.random() < 0.8 else ["voice", "words"]
            record = {
                "participant": f"{self.rng.choice(FIRST_NAMES)} {cid[-3:]}",
                "signed": signed,
                "expires": expires,
                "audiences": audiences,
                "allows": allows,
            }
            self.write_yaml(f"content/consent/{cid}.yml", record)
        return ids

    def journeys(self, count: int, personas: list[str]) -> list[Journey]:
        result = []
        for i in range(count):
            theme = JOURNEY_THEMES[i % len(JOURNEY_THEMES)]
            titles = self.rng.sample(STAGE_TITLES, self.rng.randint(5, 8))
            who = self.rng.sample(personas, min(len(personas), self.rng.randint(2, 4)))
            title = theme if i < len(JOURNEY_THEMES) else f"{theme} ({i // len(JOURNEY_THEMES)})"
            result.append(Journey(f"j{i:02d}-{slug(theme)}", title, who, [slug(t) for t in titles]))
        return result

    def persona(self, persona_id: str, journeys: list[str], stories: list[str]) -> None:
        name = FIRST_NAMES[int(persona_id[1:4]) % len(FIRST_NAMES)]
        w = self.words
        meta = {
            "name": name,
            "segment": self.rng.choice(SEGMENTS),
            "quote": {"text": w.sentence(editorial=True), "evidence": self.rng.choice(stories)},
            "goals": [w.short(EDITORIAL_ITEMS).capitalize() for _ in range(3)],
            "needs": {
                "functional": [w.short(EDITORIAL_ITEMS).capitalize() for _ in range(2)],
                "emotional": [f"Feel {f}" for f in self.rng.sample(FEELINGS, 2)],
            },
            "pain_points": [
                {"text": w.sentence(editorial=True), "evidence": self.rng.sample(stories, 2)}
                for _ in range(3)
            ],
            "behaviours": [w.sentence(editorial=True) for _ in range(3)],
            "journeys": journeys,
            "reviewed": self.days_ago(5, 300),
            "tags": self.rng.sample(TAGS, 3),
        }
        body = w.body(120, 220, headings=False, editorial=True)
        self.write_item("personas", persona_id, meta, body)

    def journey(self, j: Journey, stories: list[str]) -> None:
        w = self.words
        stages = []
        for index, stage_id in enumerate(j.stages):
            stages.append(
                {
                    "id": stage_id,
                    "title": STAGE_BY_ID[stage_id],
                    "doing": w.sentence(editorial=True),
                    "thinking": w.sentence(editorial=True),
                    "feeling": self.rng.choice(FEELINGS).capitalize(),
                    "emotion": {p: self.rng.randint(-2, 2) for p in j.personas},
                    "channels": self.rng.sample(CHANNELS, 2),
                    "touchpoints": self.rng.sample(TOUCHPOINTS, 2),
                    "pain_points": [w.sentence(editorial=True)],
                    "opportunities": [w.short(EDITORIAL_ITEMS).capitalize()],
                    "moment_of_truth": index == len(j.stages) // 2,
                    "evidence": self.rng.sample(stories, 2),
                }
            )
        meta = {
            "title": j.title,
            "personas": j.personas,
            "stages": stages,
            "tags": self.rng.sample(TAGS, 2),
        }
        self.write_item("journeys", j.id, meta, w.body(150, 250, editorial=True))

    def story(self, story_id: str, consent: str, journeys: list[Journey]) -> None:
        w = self.words
        journey = self.rng.choice(journeys)
        persona = self.rng.choice(journey.personas)
        pseudonym = f"{FIRST_NAMES[int(consent[1:]) % len(FIRST_NAMES)]}"
        date = self.days_ago(10, 500)
        meta: dict[str, Any] = {
            "kind": "email" if self.rng.random() < 0.35 else "story",
            "title": w.sentence().rstrip("."),
            "participant": {"pseudonym": pseudonym, "persona": persona, "consent": consent},
            "date": date,
            "journey": journey.id,
            "stage": self.rng.choice(journey.stages),
            "tags": self.rng.sample(TAGS, self.rng.randint(1, 3)),
        }
        if self.rng.random() < 0.1:
            meta["audiences"] = ["intranet"]
        if meta["kind"] == "email":
            meta["from"] = pseudonym
            meta["subject"] = f"About {self.rng.choice(THINGS)}"
            meta["sent"] = date
            body = f"Dear team,\n\n{w.body(180, 360, headings=False)}\nThanks,\n\n{pseudonym}\n"
        else:
            body = w.body()
        self.write_item("stories", story_id, meta, body)

    def insight(self, insight_id: str, stories: list[str], journeys: list[Journey]) -> None:
        w = self.words
        journey = self.rng.choice(journeys)
        meta = {
            "statement": w.short(STATEMENTS),
            "basis": self.rng.choice(("observed", "interpreted")),
            "evidence": self.rng.sample(stories, self.rng.randint(2, 5)),
            "personas": self.rng.sample(journey.personas, 1),
            "stages": [f"{journey.id}/{s}" for s in self.rng.sample(journey.stages, 2)],
            "tags": self.rng.sample(TAGS, 2),
        }
        body = w.body(60, 120, headings=False, editorial=True)
        self.write_item("insights", insight_id, meta, body)

    def action(self, action_id: str, insights: list[str]) -> None:
        w = self.words
        status = self.rng.choice(("open", "in-progress", "done", "dropped"))
        meta: dict[str, Any] = {
            "you_said": w.sentence(editorial=True),
            "we_did": f"We changed {self.rng.choice(THINGS)} so that {w.short(EDITORIAL_ITEMS)} "
            "is the default.",
            "insights": self.rng.sample(insights, min(len(insights), 2)),
            "owner": self.rng.choice(TEAMS),
            "status": status,
            "due": self.today + dt.timedelta(days=self.rng.randint(30, 400)),
            "tags": self.rng.sample(TAGS, 1),
        }
        if status == "done":
            meta["reported_back"] = self.days_ago(1, 120)
        self.write_item("actions", action_id, meta, "")


class _NoAliases(yaml.SafeDumper):
    """Content YAML may not use aliases, so a value used twice is written out twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100)


def make_corpus(
    stories: int, out: Path, seed: int = 7, today: dt.date | None = None
) -> dict[str, int]:
    """(Re)write the project in `out`; returns the number of items of each kind.

    `out` must be empty, missing, or a corpus this function wrote before (which
    is wiped first, build/ included): it never deletes a real project.
    """
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise SystemExit(f"{out} is not empty and is not a benchmark corpus; choose another")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("written by bench/make_corpus.py; safe to delete\n")
    return Corpus(stories, out, seed, today or dt.date.today()).make()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--stories", type=int, metavar="N")
    p.add_argument("--out", type=Path, metavar="DIR")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--today", type=dt.date.fromisoformat, help="date the corpus is valid on")
    p.add_argument("--json", type=Path, metavar="FILE")
    p.add_argument("--smoke", action="store_true", help="seconds, for CI: 10 stories")
    args = p.parse_args(argv)
    bench = Path(__file__).resolve().parent
    if args.smoke:
        args.stories = args.stories or 10
        args.out = args.out or bench / "corpus" / "smoke"
    if args.stories is None or args.out is None:
        p.error("give --stories N and --out DIR (or --smoke)")
    if args.stories < 1:
        p.error("--stories must be at least 1")
    started = time.perf_counter()
    counts = make_corpus(args.stories, args.out, args.seed, args.today)
    seconds = time.perf_counter() - started
    print(f"{args.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print(f"written in {seconds:.2f} s")
    results = bench / "results" / ("smoke" if args.smoke else "")
    out = args.json or results / "make_corpus.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"stories": args.stories, "seed": args.seed, "counts": counts, "seconds": seconds}
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
