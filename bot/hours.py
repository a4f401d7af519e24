"""``PA_BOT_RESIDENT_HOURS``: the hours of the day a resident worker takes queued requests.

A front office may want the day's standard requests sent overnight (the portal is quieter, the
practice's account is free for people by day) while a request someone waits for ("Submit now",
``pa-bot submit``: urgent) goes at once. ``19:00-07:00`` is from 7 p.m. to 7 a.m., past midnight;
the machine's local time. Outside the hours the resident worker takes urgent requests only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
FORMAT = "HH:MM-HH:MM, 24-hour local time (19:00-07:00 runs past midnight)"


@dataclass(frozen=True)
class Hours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Hours:
        match = _SPAN.match(text.strip())
        if match is None:
            raise ValueError(f"must be {FORMAT}")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if (h1, m1) == (h2, m2):
            raise ValueError("the hours must not start and end at the same minute")
        return cls(time(h1, m1), time(h2, m2))

    def open_at(self, moment: datetime) -> bool:
        now = moment.time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"
