"""The launcher's watchdog decides from numbers alone: a fake clock, no browser.

Each case is what the supervisor would tell it (started, asked, answered, a reload
sent) at given seconds, and what `due` must say then.
"""

from __future__ import annotations

import pytest

from immersion.launcher.watchdog import Action, Limits, Watchdog

QUIET = (Action.NONE, Action.ASK)  # neither reloads nor restarts
LIMITS = Limits(show_within=30, ask_every=10, answer_within=15, reloads=2)


def dog(now: float = 0.0) -> Watchdog:
    watchdog = Watchdog(LIMITS)
    watchdog.started(now)
    return watchdog


def test_a_page_that_shows_in_time_is_left_alone() -> None:
    w = dog()
    assert w.due(5).action is Action.NONE and w.next_time() == 10
    w.asked(5)  # the question after its load
    w.answered(6, w.generation, True)
    assert w.showing and w.misses == 0
    assert w.next_time() == 16  # asked again ask_every after the answer
    assert w.due(15.9).action is Action.NONE
    assert w.due(16).action is Action.ASK
    w.asked(16)
    w.answered(16.1, w.generation, True)
    assert w.due(26).action is Action.NONE
    assert w.due(30).action is Action.ASK  # it showed: the deadline is gone, not missed


def test_a_page_that_never_shows_is_reloaded_then_chromium_restarted() -> None:
    w = dog()
    w.asked(2)
    w.answered(3, w.generation, False)  # the display's address, no runtime there
    assert w.due(29.9).action in QUIET
    first = w.due(30)
    assert first.action is Action.RELOAD
    assert first.reason == "the display's page did not show within 30 s"
    # Paused until the reload is sent (the tab's back-off): nothing is due meanwhile.
    assert w.next_time() is None and w.due(1000).action is Action.NONE
    w.armed(31)
    assert w.due(60.9).action in QUIET
    assert w.due(61).action is Action.RELOAD
    w.armed(63)
    third = w.due(93)
    assert third.action is Action.RESTART and w.misses == 3
    # The new Chromium gets its chances afresh.
    w.started(100)
    assert w.misses == 0 and w.due(129).action in QUIET
    assert w.due(130).action is Action.RELOAD


def test_a_reload_that_helps_ends_the_streak() -> None:
    w = dog()
    assert w.due(30).action is Action.RELOAD
    w.armed(31)
    w.asked(33)
    w.answered(33.5, w.generation, True)
    assert w.misses == 0
    # Later it stops showing twice more: each is a first miss again, a reload each.
    w.answered(50, w.generation, False)
    assert w.due(80).action is Action.RELOAD and w.misses == 1


def test_a_page_that_never_answers_restarts_chromium_at_its_deadline() -> None:
    """A renderer hung before the page showed: not before the deadline (a first start is
    slow to answer too), then at once a restart (a reload goes to the same renderer)."""
    w = dog()
    assert w.due(10).action is Action.ASK
    w.asked(10)
    assert w.due(25).action is Action.NONE  # not showing yet: no hang verdict, no 2nd ask
    hung = w.due(30)
    assert (hung.action, w.misses) == (Action.RESTART, 1)
    assert hung.reason == "the display's page did not show within 30 s, nor answer"


def test_a_question_out_but_young_at_the_deadline_is_a_reload() -> None:
    w = dog()
    w.asked(20)  # 10 s old at the deadline: not yet a hang
    assert w.due(30).action is Action.RELOAD


def test_a_showing_page_that_stops_answering_is_hung() -> None:
    w = dog()
    w.asked(1)
    w.answered(2, w.generation, True)
    assert w.due(12).action is Action.ASK
    w.asked(12)
    assert w.next_time() == 27
    assert w.due(26.9).action is Action.NONE
    hung = w.due(27)
    assert (hung.action, w.misses) == (Action.RESTART, 1)  # a reload would not reach it
    assert hung.reason == "the display's page did not answer for 15 s"


def test_an_answer_from_before_a_reload_is_not_heard() -> None:
    """The old page's answer, arriving after the reload was sent, says nothing of the new."""
    w = dog()
    w.asked(20)
    old = w.generation
    assert w.due(30).action is Action.RELOAD
    w.armed(31)
    w.answered(31.5, old, True)
    assert not w.showing and w.due(61).action is Action.RELOAD


def test_not_our_page_keeps_the_deadline() -> None:
    """about:blank, Chromium's error page (the server was not up): None, not showing."""
    w = dog()
    w.asked(1)
    w.answered(1, w.generation, None)
    w.asked(11)
    w.answered(11, w.generation, None)
    assert w.due(30).action is Action.RELOAD


def test_a_crash_pauses_the_watch_until_its_reload() -> None:
    w = dog()
    w.asked(1)
    w.answered(1, w.generation, True)
    w.paused()  # the tab crashed: its reload waits out the back-off
    assert w.due(500).action is Action.NONE and w.misses == 0
    w.armed(500)
    assert w.due(530).action is Action.RELOAD and w.misses == 1


def test_no_page_to_ask_is_asked_again_later() -> None:
    w = dog()
    assert w.due(10).action is Action.ASK
    w.unasked(10)
    assert w.next_time() == 20 and w.due(15).action is Action.NONE


@pytest.mark.parametrize("reloads", [0, 1, 3])
def test_reloads_before_a_restart(reloads: int) -> None:
    w = Watchdog(Limits(show_within=5, reloads=reloads))
    w.started(0)
    actions = []
    for n in range(reloads + 1):
        actions.append(w.due(5 + 6 * n).action)
        w.armed(6 + 6 * n)
    assert actions == [Action.RELOAD] * reloads + [Action.RESTART]
