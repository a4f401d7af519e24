"""The portal's date format."""

from __future__ import annotations

from datetime import date, datetime


def us(value: date) -> str:
    """``2026-12-01`` → ``12/01/2026``, as the portal's date fields take it."""
    return value.strftime("%m/%d/%Y")


def parse_us(text: str) -> date:
    """``12/1/2026`` or ``12/01/2026`` → a date."""
    return datetime.strptime(text.strip(), "%m/%d/%Y").date()
