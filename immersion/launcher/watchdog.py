"""Is the display's page showing? The watchdog for a tab that runs but never shows: pure.

An exited browser and a crashed tab announce themselves; a page that never shows does
not: the server was not answering yet when Chromium started (its error page stays), a
page that never runs the kiosk runtime, a renderer hung in a loop that never crashes.
So after each start of Chromium and each reload, the display's page has `show_within`
seconds to answer the supervisor's question (`supervisor.SHOWING`) with "the kiosk
runtime runs here"; while it shows it is asked again every `ask_every` seconds, and a
question left unanswered for `answer_within` seconds means its renderer is hung. Each
miss reloads the tab; the miss after `reloads` reloads that did not help restarts
Chromium. A hung renderer restarts it at once: a reload of the display's address goes to
the same renderer process (same site), which never gets to it (seen on Xvfb: a page
looping in a script was back only after the restart).

No clock and no I/O: the supervisor tells it what happened and when (`now`, its
monotonic seconds), and asks `due(now)` what to do; the tests drive it with numbers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """How long the display's page may take; the defaults suit a display's first boot."""

    # Chromium's first start on a fresh profile, on a slow display, takes seconds before
    # the page even starts loading; a local page then shows within one or two more.
    show_within: float = 30.0
    ask_every: float = 10.0  # while showing: often enough to notice a hang in half a minute
    # A busy but live renderer answers within milliseconds. A page that never showed is
    # seen as hung only at its deadline, and only if a question was out this long by
    # then: `ask_every + answer_within` must stay under `show_within`.
    answer_within: float = 15.0
    reloads: int = 2  # misses a reload may answer; the next one restarts Chromium


class Action(enum.Enum):
    NONE = "none"
    ASK = "ask"  # send the question again (SHOWING)
    RELOAD = "reload"  # navigate the tab back to the display (after the tab's back-off)
    RESTART = "restart"  # end Chromium; the supervisor starts it again (its back-off)


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str = ""  # for a reload or a restart: what was missed, in words


NOTHING = Verdict(Action.NONE)


class Watchdog:
    """The watch over one browser's display page (whichever of its tabs shows it)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.misses = 0  # misses in a row since the page last showed
        # Bumped at each arming and pause: an answer to a question asked before it is
        # about a page that has gone (the one before a reload) and is not heard.
        self.generation = 0
        self._showing = False
        self._deadline: float | None = None  # not showing yet: must show by then
        self._asked: float | None = None  # a question is out since then
        self._next_ask: float | None = None

    @property
    def showing(self) -> bool:
        return self._showing

    def started(self, now: float) -> None:
        """A new Chromium was started: its page has its chances afresh."""
        self.misses = 0
        self.armed(now)

    def armed(self, now: float) -> None:
        """The page was (re)loaded by us: it must show within `show_within` seconds."""
        self.generation += 1
        self._showing = False
        self._deadline = now + self.limits.show_within
        self._asked = None
        self._next_ask = now + self.limits.ask_every

    def paused(self) -> None:
        """A reload is waiting out its back-off (a crash, a closed tab): nothing is due
        until it is sent (`armed`)."""
        self.generation += 1
        self._showing = False
        self._deadline = self._asked = self._next_ask = None

    def asked(self, now: float) -> None:
        if self._asked is None:
            self._asked = now  # the oldest question out is the one that counts

    def unasked(self, now: float) -> None:
        """There was no page to ask (none attached yet): ask again in `ask_every`."""
        self._next_ask = now + self.limits.ask_every

    def answered(self, now: float, generation: int, showing: bool | None) -> None:
        """The page answered a question asked in `generation`: `showing` True (the kiosk
        runtime runs), False (the display's address, but no runtime there), None (not
        the display's address: about:blank, Chromium's error page, a navigation)."""
        if generation != self.generation:
            return
        self._asked = None
        self._next_ask = now + self.limits.ask_every
        if showing:
            self._showing = True
            self._deadline = None
            self.misses = 0
        elif showing is False and self._showing:
            # It showed, and now the runtime is gone from the display's page: it gets
            # the same time to come back as after a reload.
            self._showing = False
            self._deadline = now + self.limits.show_within

    def due(self, now: float) -> Verdict:
        """What to do at `now`; a reload or restart pauses the watch until `armed`."""
        limits = self.limits
        hung = self._asked is not None and now - self._asked >= limits.answer_within
        if self._deadline is not None and now >= self._deadline:
            # Not yet showing, the page is given the whole `show_within` (a first start
            # on a loaded machine is slow to answer too); a question still unanswered
            # then says its renderer hangs.
            reason = f"the display's page did not show within {limits.show_within:g} s"
            return self._missed(reason + (", nor answer" if hung else ""), hung)
        if self._showing and hung:
            reason = f"the display's page did not answer for {limits.answer_within:g} s"
            return self._missed(reason, hung)
        if self._asked is None and self._next_ask is not None and now >= self._next_ask:
            return Verdict(Action.ASK)
        return NOTHING

    def next_time(self) -> float | None:
        """When `due` may next answer something else than NONE (None: not before an event)."""
        times = [self._deadline]
        if self._asked is not None and self._showing:
            times.append(self._asked + self.limits.answer_within)
        if self._asked is None:
            times.append(self._next_ask)
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def _missed(self, reason: str, hung: bool) -> Verdict:
        self.misses += 1
        self.paused()
        restart = hung or self.misses > self.limits.reloads
        return Verdict(Action.RESTART if restart else Action.RELOAD, reason)
