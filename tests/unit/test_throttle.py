"""The machine's pace (``bot.throttle``): evenly spaced turns, never more than the limit in a
window, a post counted with its redirect, and ``Retry-After`` read as seconds or a date."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot import throttle as throttle_module
from bot.throttle import DEFAULT_RETRY_AFTER_S, MAX_RETRY_AFTER_S, Throttle, rate_warnings


async def times_of_turns(throttle: Throttle, count: int, requests: int = 1) -> list[float]:
    started = time.monotonic()
    seen = []
    for _ in range(count):
        await throttle.turn(requests)
        seen.append(time.monotonic() - started)
    return seen


async def test_turns_are_spaced_by_a_minute_over_the_limit() -> None:
    seen = await times_of_turns(Throttle(per_minute=600), 5)  # one every 0.1 s

    gaps = [b - a for a, b in itertools.pairwise(seen)]
    assert all(gap >= 0.095 for gap in gaps), gaps
    assert seen[0] < 0.05, "the first request goes at once"


async def test_a_post_takes_its_redirect_s_turn_too() -> None:
    seen = await times_of_turns(Throttle(per_minute=600), 3, requests=2)

    assert seen[-1] >= 0.45, "three posts and their redirects: six turns"


async def test_never_more_than_the_limit_in_a_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "WINDOW_S", 1.0)
    monkeypatch.setattr(throttle_module, "MARGIN_S", 0.05)
    throttle = Throttle(per_minute=4)  # 4 in any second, 0.25 s apart

    seen = await times_of_turns(throttle, 9)

    for i in range(len(seen) - 4):
        assert seen[i + 4] - seen[i] >= 1.0, "a fifth request within a window"


async def test_without_a_limit_no_request_waits() -> None:
    seen = await times_of_turns(Throttle(per_minute=None), 50)

    assert seen[-1] < 0.05


async def test_a_429_holds_every_worker_for_its_retry_after() -> None:
    throttle = Throttle(per_minute=None)
    mark = throttle.mark()
    throttle.limited_by_portal("0.3")

    started = time.monotonic()
    await asyncio.gather(throttle.wait_out(), throttle.wait_out())

    assert 0.25 <= time.monotonic() - started < 0.6
    assert throttle.limited_since(mark) and not throttle.limited_since(throttle.mark())
    assert throttle.limited == 1 and throttle.longest_s == pytest.approx(0.3)


def test_retry_after_as_seconds_a_date_or_nothing() -> None:
    throttle = Throttle(per_minute=None)
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    for value, expected in [
        ("12", 12.0),
        (soon, 20.0),
        (None, DEFAULT_RETRY_AFTER_S),
        ("soon", DEFAULT_RETRY_AFTER_S),
        ("86400", MAX_RETRY_AFTER_S),
    ]:
        throttle.limited_by_portal(value)
        assert throttle.hold_left() == pytest.approx(expected, abs=1.5), value
        throttle = Throttle(per_minute=None)


def test_the_report_warns_only_when_the_portal_limited_the_rate() -> None:
    assert rate_warnings(Throttle(per_minute=None)) == []
    limited = Throttle(per_minute=None)
    limited.limited_by_portal("40")
    [warning] = rate_warnings(limited)
    assert "limited the rate 1 time(s)" in warning and "up to 40 s" in warning
    assert "set PA_BOT_MAX_REQUESTS_PER_MINUTE" in warning
    paced = Throttle(per_minute=30)
    paced.limited_by_portal("5")
    assert "lower PA_BOT_MAX_REQUESTS_PER_MINUTE" in rate_warnings(paced)[0]
