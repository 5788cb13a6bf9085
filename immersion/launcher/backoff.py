"""How long to wait before bringing Chromium or its tab back: pure, no clock.

A browser that dies once is back in a second; one that keeps dying is tried less and
less often (1, 2, 4 ... capped at 30 s), so a display whose Chromium cannot start (no X
server, a broken profile) does not spin the machine; once it has run `stable` seconds,
its next failure counts as a first one again.
"""

from __future__ import annotations

from dataclasses import dataclass

# Past this many failures in a row the delay is the cap anyway; keeps `factor ** n` finite.
_MAX_DOUBLINGS = 64


@dataclass(frozen=True)
class Backoff:
    """The schedule: `first` seconds, times `factor` per failure in a row, at most `cap`."""

    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    stable: float = 60.0  # a run this long ends a streak of failures

    def delay(self, failures: int) -> float:
        """Seconds to wait before the next try, after `failures` failures in a row."""
        if failures < 1:
            return 0.0
        return min(self.cap, self.first * self.factor ** min(failures - 1, _MAX_DOUBLINGS))


@dataclass(frozen=True)
class Streak:
    """Failures in a row of one thing (the browser, or its tab), and when it last started.

    `since` is None when it never started (a first start that failed counts as a failure
    after no run at all).
    """

    failures: int = 0
    since: float | None = None

    def started(self, now: float) -> Streak:
        return Streak(self.failures, now)

    def failed(self, now: float, backoff: Backoff) -> Streak:
        """The streak after a failure at `now`: one more, or the first after a stable run."""
        ran = now - self.since if self.since is not None else 0.0
        failures = 1 if ran >= backoff.stable else self.failures + 1
        return Streak(failures, None)

    def delay(self, backoff: Backoff) -> float:
        return backoff.delay(self.failures)
