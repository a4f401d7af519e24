"""``PA_BOT_RESIDENT_HOURS``: a span of the day, past midnight or not."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.hours import Hours


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 7, hour, minute)


def test_a_span_past_midnight_is_open_overnight_only() -> None:
    overnight = Hours.parse("19:00-07:00")

    assert [overnight.open_at(at(h)) for h in (18, 19, 23, 0, 6)] == [False, True, True, True, True]
    assert not overnight.open_at(at(7)) and not overnight.open_at(at(12))
    assert str(overnight) == "19:00-07:00"


def test_a_span_within_a_day() -> None:
    lunch = Hours.parse(" 12:00-13:30 ")

    assert [lunch.open_at(at(12)), lunch.open_at(at(13, 29)), lunch.open_at(at(13, 30))] == [
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("text", ["7pm-7am", "19:00", "24:00-06:00", "19:00-07:60", "08:00-08:00"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Hours.parse(text)
