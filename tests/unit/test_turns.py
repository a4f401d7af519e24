"""Turns on a one-session account (``bot.turns``), on a real SQLite queue: who may work, when
the turn passes on, and the pause after a sign-out from outside the bot's turns."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.queue import Queue, open_queue
from bot.turns import ELSEWHERE_PAUSES_S, SessionStats, Turns, session_warnings

ACCOUNT = "acct"


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[Queue]:
    opened = open_queue(f"sqlite:///{tmp_path / 'queue.db'}")
    yield opened
    opened.close()


def turns(queue: Queue, holder: str, clock: Monotonic, **options: bool) -> Turns:
    return Turns(queue, ACCOUNT, holder, SessionStats(), clock=clock, **options)


def test_an_account_takes_no_turns_until_the_portal_signs_it_out(queue: Queue) -> None:
    clock = Monotonic()
    one, two = turns(queue, "one", clock), turns(queue, "two", clock)
    assert one.ours() and two.ours(), "many sessions allowed: everybody works"

    one.signed_out()

    assert one.taking_turns and one.stats.pauses == 0, "not its turn: no pause"
    assert one.ours()
    assert not two.ours(), "two learns it from the queue: one holds the turn now"
    assert two.taking_turns
    one.idle()
    assert two.ours(), "nothing to claim: the turn passed on"


def test_the_turn_is_kept_while_an_item_is_in_hand(queue: Queue) -> None:
    clock = Monotonic()
    one, two = turns(queue, "one", clock), turns(queue, "two", clock)
    one.signed_out()
    assert one.ours()
    one.busy = 1
    one.idle()
    assert not two.ours()
    one.end()
    assert two.ours(), "a process that stops gives its turn up, busy or not"


def test_a_sign_out_in_its_own_turn_pauses_longer_each_time(queue: Queue) -> None:
    clock = Monotonic()
    one = turns(queue, "one", clock)
    one.signed_out()
    assert one.ours()

    one.signed_out()  # its own turn: somebody outside the turns logged in
    assert not one.ours()
    clock.now += ELSEWHERE_PAUSES_S[0] + 0.1
    assert one.ours()
    one.signed_out()
    clock.now += ELSEWHERE_PAUSES_S[0] + 0.1
    assert not one.ours(), "the second pause is longer"
    clock.now += ELSEWHERE_PAUSES_S[1]
    assert one.ours()
    assert one.stats.pauses == 2
    one.stats.signed_out_elsewhere = 3
    [warning] = session_warnings(one.stats)
    assert "3 time(s)" in warning and "2 sign-out(s) came from outside the bot" in warning


def test_take_waits_for_the_turn_and_a_stop_ends_the_wait(queue: Queue) -> None:
    clock = Monotonic()
    one, two = turns(queue, "one", clock), turns(queue, "two", clock)
    one.signed_out()
    assert one.ours()
    two.signed_out()  # two learns of the turns; not its turn, so no pause

    async def wait_then_stop() -> None:
        stop = asyncio.Event()
        waiting = asyncio.create_task(two.take(stop))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        one.idle()  # one has nothing more to claim
        await asyncio.wait_for(waiting, timeout=5)
        assert two.stats.turn_waits == 1
        stop.set()
        await one.take(stop)  # returns at once on a stop

    asyncio.run(wait_then_stop())


def test_a_pooled_account_is_held_for_the_run(queue: Queue) -> None:
    clock = Monotonic()
    one = turns(queue, "one", clock, pooled=True)
    two = turns(queue, "two", clock)
    assert one.taking_turns and one.ours()
    one.idle()
    assert not two.ours(), "idle or not, the pool's account stays with its process"
    one.end()
    assert two.ours()
