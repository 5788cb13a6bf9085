"""`immersion kiosk DISPLAY --launch`: Chromium kept running, and its tab kept alive.

The supervisor starts Chromium (`browser.spawn`), then watches it through the DevTools
pipe until it exits: it attaches to each page target (`Target.setDiscoverTargets`, then
`Target.attachToTarget`), and when a page's renderer dies (the "Aw, Snap" page:
`Inspector.targetCrashed` on the page's session, `Target.targetCrashed` on the
browser's) it navigates the page back to the display's URL; when the last page is gone
it opens a new one. When Chromium exits for any reason but our own stop it is started
again, once its profile is free (`profile.free`: a killed Chromium's lock removed, a
Chromium left running on it ended). Both wait by `backoff.Backoff`, each with its own
streak, so a browser or a tab that keeps dying is tried less often. One line is printed for each.

After every load of the display's page the supervisor asks the page whether the kiosk
runtime runs (`window.immersionKiosk`, started: the `ik-js` class it sets), so the
state says whether the display is showing, not only whether a browser process exists.
A page that never shows (the server was not up, no kiosk runtime there, a renderer hung
without crashing) is the watchdog's (`watchdog.py`): it is reloaded, and Chromium is
restarted when reloads do not help (at once for a hung renderer).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .backoff import Backoff, Streak
from .browser import Browser, describe, spawn
from .devtools import Message, PipeClosed
from .profile import free
from .state import LauncherState
from .watchdog import Action, Limits, Watchdog

# Asked of the page after each load (and by the watchdog): where it is, and whether
# kiosk.js runs there and has started on the page (`start` adds `ik-js` to <html>; a
# script that loaded but found no display to run leaves it off).
SHOWING = (
    "[location.href, typeof window.immersionKiosk === 'object' && "
    "document.documentElement.classList.contains('ik-js')]"
)
_TICK_SECONDS = 0.5  # how often the browser's exit is looked for without a message
_NEW_TAB = ""  # the key of a scheduled new page (the last one was closed)
# The page's session hears of a crash first; the browser's `Target.targetCrashed`, which
# says why ("killed", "oom"), follows at once. This long it is waited for.
_WHY_SECONDS = 0.25

Spawn = Callable[[Sequence[str]], Browser]


class Supervisor:
    """Keeps `command` (Chromium showing `url`) running until `stop()`."""

    def __init__(
        self,
        command: Sequence[str],
        url: str,
        state: LauncherState,
        out: TextIO,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        start_browser: Spawn = spawn,
        profile: Path | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.command = list(command)
        self.profile = profile  # made free before each start (profile.py)
        self.url = url
        self.state = state
        self.out = out
        self.backoff = backoff or Backoff()
        self.clock = clock
        self._spawn = start_browser
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._browser: Browser | None = None
        self._tab = Streak()
        self._watchdog = Watchdog(limits)  # is the page showing, after each (re)load
        # Per browser: page target -> its session; targets being attached; reloads due
        # (target -> when); the evaluations asked (command id -> session).
        self._sessions: dict[str, str] = {}
        self._attaching: set[str] = set()
        self._due: dict[str, float] = {}
        # id -> (session, after a load, the watchdog's generation when asked)
        self._asked: dict[int, tuple[str, bool, int]] = {}
        self._heard: dict[str, float] = {}  # crashed pages whose reason is awaited: until

    # -- the thread -----------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="kiosk-launcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        """End Chromium (not counted as a failure) and wait for the supervisor to finish."""
        self._stopping.set()
        browser = self._browser
        if browser is not None:
            browser.pipe.wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run(self) -> None:
        """Start Chromium, watch it, start it again when it exits; until `stop()`."""
        streak = Streak()
        first = True
        while not self._stopping.is_set():
            problem: str | None
            if not first:
                self.state.browser_restarting()
            if self.profile is not None:
                # A killed Chromium's lock, or a Chromium left on it: either would keep
                # the new one from showing the display (a dialog, or its URL handed over).
                free(self.profile, self._say)
            try:
                browser = self._spawn(self.command)
            except OSError as exc:
                problem = f"could not be started: {exc.strerror or exc}"
            else:
                self._browser = browser
                self.state.browser_started(browser.pid)
                if first:
                    self._say(f"started Chromium (pid {browser.pid})")
                streak = streak.started(self.clock())
                try:
                    problem = self._watch(browser)
                finally:
                    browser.end()
                    self._browser = None
            first = False
            if self._stopping.is_set() or problem is None:
                break
            self.state.browser_exited(f"Chromium {problem}")
            streak = streak.failed(self.clock(), self.backoff)
            delay = streak.delay(self.backoff)
            count = self.state.report().browser_restarts + 1
            self._say(f"Chromium {problem}: starting it again in {delay:g} s (restart {count})")
            self._stopping.wait(delay)
        self.state.browser_stopped()

    # -- one browser ------------------------------------------------------------------

    def _watch(self, browser: Browser) -> str | None:
        """Watch until the browser exits (how, in words) or we are stopped (None)."""
        self._sessions, self._attaching, self._due, self._asked = {}, set(), {}, {}
        self._heard = {}
        self._tab = self._tab.started(self.clock())
        self._watchdog.started(self.clock())
        try:
            browser.pipe.send("Target.setDiscoverTargets", {"discover": True})
            while not self._stopping.is_set():
                status = browser.poll()
                if status is not None:
                    return describe(status)
                now = self.clock()
                self._reload_due(browser, now)
                problem = self._watch_page(browser, now)
                if problem is not None:
                    return problem
                times = [*self._due.values(), *self._heard.values()]
                if (watched := self._watchdog.next_time()) is not None:
                    times.append(watched)
                wait = min([_TICK_SECONDS, *(when - now for when in times)])
                message = browser.pipe.get(wait)
                if message:
                    # A message of a shape we do not expect (another Chromium version)
                    # is skipped: the display matters more than one event.
                    with contextlib.suppress(AttributeError, KeyError, TypeError, ValueError):
                        self._handle(browser, message)
        except PipeClosed:
            if self._stopping.is_set():
                return None
            status = browser.wait(5.0)  # it closed its end: it is exiting
            return "closed its DevTools pipe" if status is None else describe(status)
        return None

    def _handle(self, browser: Browser, message: Message) -> None:
        send = browser.pipe.send
        if "id" in message:
            asked = self._asked.pop(message["id"], None)
            if asked is not None and asked[0] in self._sessions.values():
                showing = self._showing(message)
                # Any answer, even an error, says the renderer is not hung.
                self._watchdog.answered(self.clock(), asked[2], showing)
                if showing is not None and asked[1]:
                    self.state.page_loaded(showing)
                elif showing is not None:
                    self.state.page_seen(showing)
            return
        method = message.get("method")
        params: dict[str, Any] = message.get("params") or {}
        session = message.get("sessionId")
        info = params.get("targetInfo") or {}
        target = str(params.get("targetId") or info.get("targetId") or "")
        if method in ("Target.targetCreated", "Target.targetInfoChanged"):
            known = target in self._sessions or target in self._attaching
            if info.get("type") == "page" and not known:
                self._attaching.add(target)
                send("Target.attachToTarget", {"targetId": target, "flatten": True})
        elif method == "Target.attachedToTarget" and info.get("type") == "page":
            new = str(params.get("sessionId"))
            self._attaching.discard(target)
            self._sessions[target] = new
            self._due.pop(_NEW_TAB, None)
            send("Inspector.enable", session=new)
            send("Page.enable", session=new)
            # The page may have loaded before we attached: ask now too (not a load).
            self._ask(send, new, after_load=False)
        elif method == "Target.targetCrashed" and target in self._sessions:
            status, code = params.get("status"), params.get("errorCode")
            self._heard.pop(target, None)
            self._crashed(target, f"{status}, code {code}" if status else "crashed")
        elif method == "Inspector.targetCrashed":
            for page, page_session in self._sessions.items():
                if page_session == session and page not in self._due:
                    self._heard.setdefault(page, self.clock() + _WHY_SECONDS)
        elif method == "Target.targetDestroyed" and target in self._sessions:
            del self._sessions[target]
            self._due.pop(target, None)
            if not self._sessions and not self._attaching:
                self._schedule(_NEW_TAB, "the display's tab was closed", "opening a new one")
        elif method == "Page.loadEventFired" and session in self._sessions.values():
            self._ask(send, str(session), after_load=True)

    def _ask(self, send: Callable[..., int], session: str, after_load: bool) -> None:
        asked = send(
            "Runtime.evaluate", {"expression": SHOWING, "returnByValue": True}, session=session
        )
        self._asked[asked] = (session, after_load, self._watchdog.generation)
        self._watchdog.asked(self.clock())

    def _showing(self, answer: Message) -> bool | None:
        """From the answer to SHOWING: does the kiosk runtime run (None: not our page)."""
        value = ((answer.get("result") or {}).get("result") or {}).get("value")
        if not (isinstance(value, list) and len(value) == 2):
            return None
        href, runtime = value
        if not (isinstance(href, str) and href.startswith(self.url)):
            return None  # about:blank, or an error page: not a load of the display
        return runtime is True

    def _crashed(self, target: str, reason: str) -> None:
        if target in self._due:
            return  # told twice (the page's session and the browser's): one reload
        self._schedule(target, f"the display's tab crashed ({reason})", "reloading it")

    def _watch_page(self, browser: Browser, now: float) -> str | None:
        """Do what the watchdog says is due; how Chromium failed when it must restart."""
        verdict = self._watchdog.due(now)
        if verdict.action is Action.ASK:
            for session in self._sessions.values():
                self._ask(browser.pipe.send, session, after_load=False)
            if not self._sessions:  # no page attached yet: asked again later
                self._watchdog.unasked(now)
        elif verdict.action is Action.RELOAD:
            self.state.page_stalled(verdict.reason)
            for target in list(self._sessions) or [_NEW_TAB]:
                if target in self._due:
                    continue  # its reload is already on its way
                action = "opening a new tab" if target == _NEW_TAB else "reloading it"
                self._schedule(target, verdict.reason, action, crashed=False)
        elif verdict.action is Action.RESTART:
            self.state.page_stalled(verdict.reason)
            misses = self._watchdog.misses
            streak = f", {misses} times in a row" if misses > 1 else ""
            return f"was ended ({verdict.reason}{streak})"
        return None

    def _schedule(self, target: str, what: str, action: str, crashed: bool = True) -> None:
        now = self.clock()
        self._tab = self._tab.failed(now, self.backoff)
        delay = self._tab.delay(self.backoff)
        self._due[target] = now + delay
        self._watchdog.paused()  # until the reload is sent: its wait is not the page's
        if crashed:
            self.state.tab_crashed(what)
        count = self.state.report().tab_reloads + 1
        self._say(f"{what}: {action} in {delay:g} s (reload {count})")

    def _reload_due(self, browser: Browser, now: float) -> None:
        for target, until in list(self._heard.items()):
            if until <= now:  # the browser never said why
                del self._heard[target]
                self._crashed(target, "crashed")
        for target, due in list(self._due.items()):
            if due > now:
                continue
            del self._due[target]
            session = self._sessions.get(target)
            if target != _NEW_TAB and session is None:
                continue  # the page went away meanwhile: its close schedules a new one
            # Counted before the command goes: whoever is woken by it (a test's fake
            # Chromium, a heartbeat) must read the reload already counted.
            self.state.tab_reloaded()
            self._tab = self._tab.started(now)
            self._watchdog.armed(now)
            if target == _NEW_TAB:
                browser.pipe.send("Target.createTarget", {"url": self.url})
            else:
                # Back to the display's loop, wherever the crashed page was.
                browser.pipe.send("Page.navigate", {"url": self.url}, session=session)

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)
